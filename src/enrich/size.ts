/** The response size in the clean table's three units. Not rounded: the columns are DOUBLE. */

const KIB = 1024;
const MIB = 1024 * 1024;

/** Bytes in KiB (bytes / 1024). */
export function sizeKb(bytes: number): number {
  return bytes / KIB;
}

/** Bytes in MiB (bytes / 1024 / 1024). */
export function sizeMb(bytes: number): number {
  return bytes / MIB;
}

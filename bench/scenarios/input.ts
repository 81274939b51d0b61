/** The benchmark's input: simulated traffic written to a file, and the same lines in memory. */
import { writeFile } from 'node:fs/promises';
import { createTrafficSimulator } from '../../src/sources/simulator/index.js';
import type { SimulatedFormat } from '../../src/sources/simulator/index.js';

export interface BenchInput {
  readonly path: string;
  readonly lines: readonly string[];
  readonly bytes: number;
}

export async function writeSimulatedLog(
  path: string,
  count: number,
  format: SimulatedFormat,
): Promise<BenchInput> {
  const simulator = createTrafficSimulator({
    seed: 2026,
    startMs: Date.UTC(2026, 10, 1),
    format,
    linesPerSecond: 200,
  });
  const lines = simulator.take(count);
  const content = `${lines.join('\n')}\n`;
  await writeFile(path, content);
  return { path, lines, bytes: Buffer.byteLength(content) };
}

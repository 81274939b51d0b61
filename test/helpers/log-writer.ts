/**
 * A web server's log as a test sees it: lines appended to a file while the test runs, and rotated
 * as logrotate does it (rename and create, or copytruncate), every older generation shifted to the
 * next number (`x.log.1` → `x.log.2`) and none deleted, so every line written stays readable. Each
 * line carries a serial number, so that no two generations start with the same line (a generation is
 * told apart by its first line). Appends and rotations run one at a time, as a server and logrotate
 * would not interleave within one write; this also makes copytruncate lose nothing between its copy
 * and its truncation, which a real one can.
 */
import { appendFile, copyFile, rename, truncate, writeFile } from 'node:fs/promises';

export type Rotation = 'rename' | 'copytruncate';

export class RotatingLogWriter {
  /** Every line written, in order, across all generations (without its newline). */
  readonly lines: string[] = [];
  /** Rotations done so far; the oldest generation is `path.<generations>`. */
  generations = 0;
  /** Each rotation, with the number of lines written before it: to say where lost lines were. */
  readonly rotations: Array<{ readonly how: Rotation; readonly afterLines: number }> = [];
  private serial = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly seed: number,
  ) {}

  /** Creates the file with `count` lines. */
  start(count: number): Promise<void> {
    return this.then(() => writeFile(this.path, this.make(count)));
  }

  /** Appends `count` lines. */
  append(count: number): Promise<void> {
    return this.then(() => appendFile(this.path, this.make(count)));
  }

  /** Rotates the file; `rename` also writes `count` lines to the new one, as the server's next requests. */
  rotate(how: Rotation, count = 5): Promise<void> {
    return this.then(async () => {
      for (let generation = this.generations; generation >= 1; generation--) {
        await rename(`${this.path}.${generation}`, `${this.path}.${generation + 1}`);
      }
      this.generations++;
      this.rotations.push({ how, afterLines: this.lines.length });
      if (how === 'rename') {
        await rename(this.path, `${this.path}.1`);
        await writeFile(this.path, this.make(count));
      } else {
        await copyFile(this.path, `${this.path}.1`);
        await truncate(this.path, 0);
      }
    });
  }

  /** Resolves once every append and rotation asked for so far is done. */
  settled(): Promise<void> {
    return this.then(() => Promise.resolve());
  }

  get lineBuffers(): Buffer[] {
    return this.lines.map((line) => Buffer.from(line));
  }

  private then(step: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(step);
    return this.chain;
  }

  /** Combined-format lines, a rejectable one every 97th, each unique by its serial. */
  private make(count: number): string {
    const made: string[] = [];
    for (let index = 0; index < count; index++) {
      const n = this.serial++;
      // Varied fields from the serial and the seed, the same for the same seed.
      const mix = Math.imul(n + 1, 2_654_435_761) ^ this.seed;
      const field = (modulo: number): number => ((mix >>> 0) % modulo) + 0;
      made.push(
        n % 97 === 96
          ? `not an access log line #${n} \u00e9 ${field(1e6)}`
          : `198.51.${n % 256}.${1 + field(254)} - - [01/Nov/2022:10:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')} -0500] ` +
              `"GET /chaos/${n}?q=${field(1e4)} HTTP/1.1" ${[200, 200, 304, 404, 500][n % 5]} ${field(60_000)} "-" "Mozilla/5.0 test/${n % 10}"`,
      );
    }
    this.lines.push(...made);
    return made.map((line) => `${line}\n`).join('');
  }
}

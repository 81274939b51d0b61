/** Writes a test access log: deterministic combined lines, with a rejectable line every 97th. */
import { writeFile } from 'node:fs/promises';

export async function writeAccessLog(path: string, lineCount: number, seed = 1): Promise<Buffer> {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    // xorshift32: enough to vary the fields, and the same file for the same seed.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  const pick = (n: number): number => Math.floor(next() * n);
  const lines: string[] = [];
  for (let index = 0; index < lineCount; index++) {
    if (index % 97 === 96) {
      lines.push(`not an access log line #${index} \u00e9 ${pick(1e6)}`);
      continue;
    }
    const second = index % 60;
    const minute = Math.floor(index / 60) % 60;
    lines.push(
      `198.51.${pick(256)}.${1 + pick(254)} - ${pick(4) === 0 ? `user${pick(50)}` : '-'} [01/Nov/2022:10:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')} -0500] ` +
        `"${['GET', 'GET', 'GET', 'POST', 'HEAD'][pick(5)]} /page/${pick(5000)}?q=${pick(1e4)} HTTP/1.1" ${[200, 200, 304, 404, 500][pick(5)]} ${pick(60_000)} ` +
        `"https://www.example.com/from/${pick(100)}" "Mozilla/5.0 (X11; Linux x86_64) test/${pick(10)}"`,
    );
  }
  const content = Buffer.from(`${lines.join('\n')}\n`);
  await writeFile(path, content);
  return content;
}

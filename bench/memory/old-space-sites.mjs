/**
 * Loaded into the consumer by `bench/catch-up-memory.ts --profile` (with `--import`): V8's sampling
 * heap profiler, told to keep the samples of objects that a full collection freed, not those a
 * scavenge did. What it reports is then what the process keeps (alive at its end) plus what it
 * promoted to the old space and let die there: the garbage that only a full collection frees, which
 * is what the consumer's peak is made of. At exit, the allocating functions (with two callers) that
 * account for most of it are written to the file named by OLD_SPACE_SITES_FILE.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import process from 'node:process';

const file = process.env.OLD_SPACE_SITES_FILE;
if (file) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: false,
  });
  process.on('exit', () => {
    // An in-process session answers synchronously, so this runs before the process is gone.
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) return;
      /** @type {Map<string, number>} */
      const bytesBySite = new Map();
      /**
       * @param {import('node:inspector').HeapProfiler.SamplingHeapProfileNode} node
       * @param {string[]} callers
       */
      const visit = (node, callers) => {
        const frame = node.callFrame;
        const where = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${frame.lineNumber + 1}`;
        const path = [where, ...callers].slice(0, 3);
        const site = path.join(' < ');
        if (node.selfSize > 0) bytesBySite.set(site, (bytesBySite.get(site) ?? 0) + node.selfSize);
        for (const child of node.children) visit(child, path);
      };
      visit(result.profile.head, []);
      const total = [...bytesBySite.values()].reduce((sum, bytes) => sum + bytes, 0);
      const lines = [...bytesBySite]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 40)
        .map(([site, bytes]) => `${(bytes / 1e6).toFixed(1).padStart(7)} MB  ${site}`);
      writeFileSync(file, `${(total / 1e6).toFixed(0)} MB sampled in all\n${lines.join('\n')}\n`);
    });
  });
}

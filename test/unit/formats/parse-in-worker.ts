/**
 * Parses one line in a worker thread for detect.test.ts: a parse stuck in a regular expression
 * blocks the thread it runs on, so it runs here, where the test's timeout can still end it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseLine, readLineTime } from '../../../src/formats/index.js';

const line = workerData as string;
const result = parseLine(line, 'auto');
readLineTime(line);
parentPort?.postMessage(result.ok ? { ok: true } : { ok: false, reasonLength: result.reason.length });

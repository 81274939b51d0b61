/**
 * `/api/events`: the live feed of the page, as server-sent events. On connecting, the client gets the
 * samples kept so far (`history`), then each new one (`sample`) as the sampler takes it; a comment
 * every 15 s keeps proxies from closing an idle stream. The page refetches its traffic panels when a
 * sample shows new rows.
 */
import type { FastifyInstance } from 'fastify';
import type { PipelineSample, PipelineSampler } from './pipeline-sampler.js';

const KEEPALIVE_MS = 15_000;

export function registerEventsRoute(app: FastifyInstance, pipeline: PipelineSampler): void {
  const open = new Set<() => void>();
  // Before the server closes, not after: closing waits for every connection, and a stream never ends
  // by itself, so an open page would keep `run` and `dashboard` from stopping on Ctrl-C.
  app.addHook('preClose', (done) => {
    for (const close of open) close();
    done();
  });

  app.get('/api/events', (request, reply) => {
    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      // A hijacked reply skips the app's onSend hooks, which set this on every other answer.
      'x-content-type-options': 'nosniff',
    });
    const send = (event: string, data: unknown): void => {
      stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    stream.write('retry: 3000\n\n');
    send('history', pipeline.history());
    const unsubscribe = pipeline.subscribe((sample: PipelineSample) => send('sample', sample));
    const keepalive = setInterval(() => stream.write(': keepalive\n\n'), KEEPALIVE_MS);
    const close = (): void => {
      clearInterval(keepalive);
      unsubscribe();
      open.delete(close);
      stream.end();
    };
    open.add(close);
    request.raw.on('close', close);
  });
}

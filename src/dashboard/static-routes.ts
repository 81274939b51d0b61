/**
 * The page and its assets, all served by the app (no CDN: the dashboard works offline): index.html,
 * app.js and app.css from ./static, and uPlot's script and stylesheet from its npm package. Files
 * are read once, when the app is built.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);
const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const ASSETS: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/': { file: `${STATIC_DIR}index.html`, type: 'text/html; charset=utf-8' },
  '/assets/app.js': { file: `${STATIC_DIR}app.js`, type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: `${STATIC_DIR}app.css`, type: 'text/css; charset=utf-8' },
  '/assets/uplot.js': {
    file: require.resolve('uplot/dist/uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/assets/uplot.css': { file: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

/** Everything from this origin only; uPlot sets inline styles on its elements. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function registerStaticRoutes(app: FastifyInstance): void {
  const loaded = new Map<string, Asset>();
  for (const [path, { file, type }] of Object.entries(ASSETS)) {
    loaded.set(path, { type, body: readFileSync(file) });
  }
  // Browsers ask for it whatever the page says; there is none.
  app.get('/favicon.ico', (_request, reply) => reply.code(204).send());
  for (const [path, asset] of loaded) {
    app.get(path, async (_request, reply) =>
      reply
        .type(asset.type)
        .header('cache-control', 'no-cache')
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .send(asset.body),
    );
  }
}

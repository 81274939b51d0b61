#!/usr/bin/env node
// Runs lograbbit: from the TypeScript sources through tsx in a clone (no build step), or from the
// compiled dist/ where there are no sources (the Docker image, a published package).
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
const compiled = new URL('../dist/cli/main.js', import.meta.url);

if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(compiled.href);
}

/** Import rules that keep the data flow one way (see docs/ARCHITECTURE.md). */

/** Modules whose path matches `from` may not import those whose path matches `to`. */
const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from, to });

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    forbid(
      'domain-imports-nothing',
      'domain/ and errors.ts are the vocabulary every step shares: they depend on nothing.',
      { path: '^src/(domain/|errors\\.ts)' },
      { path: '^src/', pathNot: '^src/(domain/|errors\\.ts)' },
    ),
    forbid(
      'pure-core',
      'Parsers and enrichers are pure: no broker, store, config, sources or cli.',
      { path: '^src/(formats|enrich)/' },
      { path: '^src/(broker|store|sources|pipeline|cli|config|dashboard|telemetry)/' },
    ),
    forbid(
      'only-cli-wires',
      'Nothing imports the composition root.',
      { path: '^src/', pathNot: '^src/cli/' },
      { path: '^src/cli/' },
    ),
    forbid(
      'adapters-do-not-know-each-other',
      'The broker does not know the store and the other way round; pipeline/ joins them.',
      { path: '^src/(broker|store|sources)/' },
      { path: '^src/(broker|store|sources|pipeline)/', pathNot: '^src/$1/' },
    ),
    forbid(
      'geo-is-an-adapter',
      'geo/ opens and reads the geo database file; the enricher is handed its reader.',
      { path: '^src/geo/' },
      { path: '^src/(broker|store|sources|pipeline|cli|config|dashboard|telemetry)/' },
    ),
    forbid(
      'dashboard-reads-the-store',
      'The dashboard shows what is stored: it reads the store, never the broker or the line path.',
      { path: '^src/dashboard/' },
      { path: '^src/(broker|sources|pipeline|formats|geo|cli)/' },
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};

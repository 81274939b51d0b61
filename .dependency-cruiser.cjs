/** Import rules that keep the data flow one way (see docs/ARCHITECTURE.md). */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'domain-imports-nothing',
      comment: 'domain/ and errors.ts are the vocabulary every step shares: they depend on nothing.',
      severity: 'error',
      from: { path: '^src/(domain/|errors\\.ts)' },
      to: { path: '^src/', pathNot: '^src/(domain/|errors\\.ts)' },
    },
    {
      name: 'pure-core',
      comment: 'Parsers and enrichers are pure: no broker, store, config, sources or cli.',
      severity: 'error',
      from: { path: '^src/(formats|enrich)/' },
      to: { path: '^src/(broker|store|sources|pipeline|cli|config|dashboard|telemetry)/' },
    },
    {
      name: 'only-cli-wires',
      comment: 'Nothing imports the composition root.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'adapters-do-not-know-each-other',
      comment: 'The broker does not know the store and the other way round; pipeline/ joins them.',
      severity: 'error',
      from: { path: '^src/(broker|store|sources)/' },
      to: { path: '^src/(broker|store|sources|pipeline)/', pathNot: '^src/$1/' },
    },
    {
      name: 'geo-is-an-adapter',
      comment: 'geo/ opens and reads the geo database file; the enricher is handed its reader.',
      severity: 'error',
      from: { path: '^src/geo/' },
      to: { path: '^src/(broker|store|sources|pipeline|cli|config|dashboard|telemetry)/' },
    },
    {
      name: 'dashboard-reads-the-store',
      comment: 'The dashboard shows what is stored: it reads the store, never the broker or the line path.',
      severity: 'error',
      from: { path: '^src/dashboard/' },
      to: { path: '^src/(broker|sources|pipeline|formats|geo|cli)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};

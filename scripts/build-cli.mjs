// Bundles the `endpoint-guard` CLI into dist/bin so the package `bin` runs with plain `node`.
// Runs on `npm ci` (prepare), before `npm start`, and in the test global setup.
import { build } from 'esbuild';

await build({
  entryPoints: ['bin/endpoint-guard.ts'],
  outfile: 'dist/bin/endpoint-guard.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  packages: 'external',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});

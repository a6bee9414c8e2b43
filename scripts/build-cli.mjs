// Bundles the `endpoint-guard` CLI into dist/bin so the package `bin` runs with plain `node`.
// Runs on `npm ci` (prepare), before `npm start`, and in the test global setup.
//
// Startup matters for a CLI: `--version` or an offline scan must not pay for the AWS SDK.
// - Dependencies stay external (`packages: 'external'`): node_modules is installed with the
//   package, and Node loads an SDK client only when a module imports it.
// - Code splitting with ESM chunks: each command is imported with `import()` by the entry, and
//   every AWS-calling part of a command is imported with `import()` when it runs, so esbuild
//   puts it in its own chunk and offline commands never load the chunks that import the SDK.
// - A metafile (dist/bin/meta.json) records the chunk graph; the CLI tests read it.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
rmSync('dist/bin', { recursive: true, force: true });
const result = await build({
  entryPoints: { 'endpoint-guard': 'bin/endpoint-guard.ts' },
  outdir: 'dist/bin',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  packages: 'external',
  metafile: true,
  define: { __ENDPOINT_GUARD_VERSION__: JSON.stringify(version) },
  // Needed by the entry; a hashbang is valid (and ignored) at the top of any module, chunks too.
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
writeFileSync('dist/bin/meta.json', JSON.stringify(result.metafile));

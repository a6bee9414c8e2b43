/**
 * The Lambda build's rewrite of the SDK's schema modules (scripts/lambda-bundling.ts): computed
 * trait keys become literal keys, which lets esbuild drop unused schemas, and every schema the
 * SDK exports stays exactly the same value.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  buildLambda,
  literalSchemaKeys,
  SDK_SCHEMA_MODULE,
  sdkSchemaLiteralKeys,
} from '../../scripts/lambda-bundling';

const require = createRequire(import.meta.url);
const OUT = mkdtempSync(join(tmpdir(), 'endpoint-guard-schemas-'));

/** The schema modules of every SDK package the functions bundle (clients and nested clients). */
function schemaModules(): string[] {
  const root = join(dirname(require.resolve('@aws-sdk/client-ec2/package.json')), '..');
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (SDK_SCHEMA_MODULE.test(path)) files.push(path);
    }
  };
  for (const name of readdirSync(root)) {
    if (name.startsWith('client-') || name === 'nested-clients') walk(join(root, name, 'dist-es'));
  }
  return files.sort();
}

/** Bundles one module's exports, with or without the rewrite, and imports the result. */
async function exportsOf(file: string, rewrite: boolean, name: string): Promise<Record<string, unknown>> {
  const outfile = join(OUT, `${name}-${rewrite ? 'literal' : 'computed'}.mjs`);
  await build({
    stdin: { contents: `export * from ${JSON.stringify(file)};`, resolveDir: dirname(file), loader: 'js' },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    mainFields: ['module', 'main'],
    plugins: rewrite ? [sdkSchemaLiteralKeys] : [],
    logLevel: 'error',
  });
  return (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
}

/** Structural equality of two schema graphs: thunks are followed, classes compared by name. */
function sameSchema(a: unknown, b: unknown, seen = new Map<unknown, unknown>()): boolean {
  if (typeof a !== typeof b) return false;
  if (a === null || b === null || (typeof a !== 'object' && typeof a !== 'function')) return a === b;
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  if (typeof a === 'function' && typeof b === 'function') {
    if (a.length === 0 && b.length === 0 && a.prototype === undefined && b.prototype === undefined) {
      return sameSchema(a(), b(), seen);
    }
    return a.name === b.name;
  }
  if (a instanceof Map && b instanceof Map) {
    // In insertion order: keys may be schemas themselves (objects of each bundle's own).
    return sameSchema([...a], [...b], seen);
  }
  const keysA = Object.keys(a as object);
  const keysB = Object.keys(b as object);
  return (
    Array.isArray(a) === Array.isArray(b) &&
    JSON.stringify(keysA) === JSON.stringify(keysB) &&
    keysA.every((key) =>
      sameSchema((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], seen),
    )
  );
}

describe('literalSchemaKeys', () => {
  it('replaces a computed key naming a string constant of the module by the literal', () => {
    // Prepare
    const source =
      'const _xN = "xmlName";\nexport var A$ = [3, n0, _A, 0, [_B], [[0, { [_xN]: _b,\n  [_xN]: _c }]]];';

    // Act
    const rewritten = literalSchemaKeys(source);

    // Assess
    expect(rewritten).toBe(
      'const _xN = "xmlName";\nexport var A$ = [3, n0, _A, 0, [_B], [[0, { "xmlName": _b,\n  "xmlName": _c }]]];',
    );
  });

  it('leaves alone a key that names no string constant, and anything that is not an object key', () => {
    // Prepare
    const source =
      'const _n = 1;\nconst _s = "s";\nconst x = { [_n]: 1, [_other]: 2 };\nconst y = c ? [_s]: d;';

    // Act
    const rewritten = literalSchemaKeys(source);

    // Assess
    expect(rewritten).toBe(source);
  });

  it('keeps every schema every SDK package exports the same value', { timeout: 300_000 }, async () => {
    // Prepare
    const files = schemaModules();
    expect(files.length).toBeGreaterThanOrEqual(12);

    for (const [index, file] of files.entries()) {
      // Act
      const computed = await exportsOf(file, false, `m${index}`);
      const literal = await exportsOf(file, true, `m${index}`);

      // Assess
      expect(Object.keys(literal), file).toEqual(Object.keys(computed));
      for (const name of Object.keys(computed)) {
        expect(sameSchema(literal[name], computed[name]), `${file}: ${name}`).toBe(true);
      }
    }
  });

  it('lets a bundle drop the schemas it never uses', { timeout: 120_000 }, async () => {
    // Prepare
    const entry = join(import.meta.dirname, 'fixtures', 'bundling', 'describe-endpoints.ts');
    const outdir = join(OUT, 'describe-endpoints');

    // Act
    await buildLambda(entry, outdir);

    // Assess
    const bundle = readFileSync(join(outdir, 'index.mjs'), 'utf8');
    expect(bundle).toContain('DescribeVpcEndpointsRequest');
    expect(bundle).not.toContain('AllocateAddressRequest');
    expect(bundle.length).toBeLessThan(400_000);
  });
});

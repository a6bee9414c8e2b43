/**
 * How every endpoint-guard Lambda bundle is built: the one esbuild build ({@link buildLambda})
 * shared by the CDK app (`infra/constructs/endpoint-guard-functions.ts`, the functions' asset)
 * and the cold-start benchmark (`bench/bundle.ts`), so the cold start measured is the cold start
 * deployed.
 *
 * It lives here, outside both, because the deployment must not depend on the benchmark (nor the
 * benchmark on the CDK app): it imports esbuild and Node built-ins only.
 */
import { readFile } from 'node:fs/promises';
import { type BuildOptions, type BuildResult, build, type Plugin } from 'esbuild';

/**
 * ESM bundles still contain CommonJS dependencies that `require` Node built-ins; ESM has no
 * `require`, so the bundle defines one (the banner the Powertools documentation gives).
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * The bundling options of every endpoint-guard function ({@link lambdaBuildOptions} turns them
 * into esbuild's), named as in the CDK's `aws-lambda-nodejs` `BundlingOptions`.
 *
 * @example
 * LAMBDA_BUNDLING.target; // 'node22'
 */
export const LAMBDA_BUNDLING = {
  format: 'esm',
  minify: true,
  sourceMap: true,
  platform: 'node',
  /**
   * The oldest Node.js runtime the functions may run on (Lambda `nodejs22.x`), whatever runtime
   * the CDK app deploys them on (node24).
   */
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  /** Nothing is external: the SDK versions tested are the versions run, whatever the runtime ships. */
  bundleAwsSDK: true,
} as const;

/**
 * The AWS SDK's generated schema modules (`schemas/schemas_0.js` in each `@aws-sdk/client-…` package, and
 * the nested clients'), as the loader of {@link sdkSchemaLiteralKeys} matches them.
 */
export const SDK_SCHEMA_MODULE =
  /[\\/]@aws-sdk[\\/].+[\\/]dist-es[\\/](?:.+[\\/])?schemas[\\/]schemas_\d+\.js$/;

/**
 * Rewrites an SDK schema module so that esbuild can drop the schemas a bundle never uses.
 *
 * The generated schemas write their trait objects with computed keys naming module constants
 * (`const _xN = "xmlName"; … { [_xN]: _TSa }`). esbuild must assume a computed key may run code
 * (a `toString`), so it keeps every statement holding one: all 3,400 EC2 schemas (540 KB) for a
 * function that sends four EC2 commands. The same object with the constant's literal as key
 * (`{ "xmlName": _TSa }`) is the same value and has no side effect, so the unused schemas are
 * shaken out. (aws/aws-sdk-js-v3#7607; the generator fix, smithy-lang/smithy-typescript#1889,
 * makes the same change at the source.)
 *
 * Only a key that follows `{` or `,` and names a string constant declared in the module is
 * replaced; anything else is left as it is.
 *
 * @example
 * literalSchemaKeys('const _xN = "xmlName";\nexport var A$ = [3, n0, _A, 0, [_B], [[0, { [_xN]: _b }]]];');
 * // 'const _xN = "xmlName";\nexport var A$ = [3, n0, _A, 0, [_B], [[0, { "xmlName": _b }]]];'
 */
export function literalSchemaKeys(source: string): string {
  const constants = new Map<string, string>();
  for (const match of source.matchAll(/^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)) {
    const [, name, literal] = match;
    if (name !== undefined && literal !== undefined) constants.set(name, literal);
  }
  return source.replace(/([{,]\s*)\[(_\w+)\]:/g, (whole, before: string, name: string) => {
    const literal = constants.get(name);
    return literal === undefined ? whole : `${before}${literal}:`;
  });
}

/**
 * The esbuild plugin applying {@link literalSchemaKeys} to the SDK's schema modules.
 *
 * @example
 * await build({ entryPoints: ['functions/sweep/handler.ts'], bundle: true, plugins: [sdkSchemaLiteralKeys] });
 */
export const sdkSchemaLiteralKeys: Plugin = {
  name: 'sdk-schema-literal-keys',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: SDK_SCHEMA_MODULE }, async ({ path }) => ({
      contents: literalSchemaKeys(await readFile(path, 'utf8')),
      loader: 'js',
    }));
  },
};

/**
 * The esbuild options of one function bundle: {@link LAMBDA_BUNDLING} and the schema-key plugin,
 * writing `<outdir>/index.mjs` (the file Lambda's `index.handler` names) and its source map.
 *
 * @example
 * await build(lambdaBuildOptions('functions/sweep/handler.ts', 'cdk.out/sweep'));
 */
export function lambdaBuildOptions(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: { index: entry },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: LAMBDA_BUNDLING.format,
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: LAMBDA_BUNDLING.sourceMap,
    platform: LAMBDA_BUNDLING.platform,
    target: LAMBDA_BUNDLING.target,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    banner: { js: LAMBDA_BUNDLING.banner },
    plugins: [sdkSchemaLiteralKeys],
    logLevel: 'warning',
    metafile: true,
  };
}

/**
 * Builds one function bundle into `outdir` (`index.mjs`, `index.mjs.map`).
 *
 * @example
 * await buildLambda('functions/remediate/handler.ts', '/tmp/remediate');
 */
export function buildLambda(entry: string, outdir: string): Promise<BuildResult<{ metafile: true }>> {
  return build(lambdaBuildOptions(entry, outdir)) as Promise<BuildResult<{ metafile: true }>>;
}

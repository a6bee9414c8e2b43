/**
 * How every endpoint-guard Lambda bundle is built: the one list of esbuild options shared by the
 * CDK app (`infra/constructs/endpoint-guard-functions.ts`, `NodejsFunction` `bundling`) and the
 * cold-start benchmark (`bench/bundle.ts`), so the cold start measured is the cold start deployed.
 *
 * It lives here, outside both, because the deployment must not depend on the benchmark (nor the
 * benchmark on the CDK app): plain data, no imports, safe to load from either side.
 */

/**
 * ESM bundles still contain CommonJS dependencies that `require` Node built-ins; ESM has no
 * `require`, so the bundle defines one (the banner the Powertools documentation gives).
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * The bundling options of every endpoint-guard function, named as in the CDK's
 * `aws-lambda-nodejs` `BundlingOptions` (`format` is `OutputFormat.ESM` there).
 *
 * @example
 * new NodejsFunction(this, 'Sweep', {
 *   entry: 'functions/sweep/handler.ts',
 *   bundling: { format: OutputFormat.ESM, minify: LAMBDA_BUNDLING.minify, target: LAMBDA_BUNDLING.target },
 * });
 */
export const LAMBDA_BUNDLING = {
  format: 'esm',
  minify: true,
  sourceMap: true,
  platform: 'node',
  /**
   * The oldest Node.js runtime the functions may run on (Lambda `nodejs22.x`). Given explicitly:
   * the CDK otherwise derives the target from the function's runtime (node24), and the
   * benchmark would then measure a different bundle than the one deployed.
   */
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  /** Nothing is external: the SDK versions tested are the versions run, whatever the runtime ships. */
  bundleAwsSDK: true,
} as const;

/**
 * How a Lambda bundle is built: the one list of esbuild options shared by the CDK app
 * (`NodejsFunction` `bundling`) and the cold-start benchmark, so the benchmark measures exactly
 * what is deployed. The options are `LAMBDA_BUNDLING` in scripts/lambda-bundling.ts: change an
 * option there and both follow.
 *
 * The CDK mapping, option by option (aws-cdk-lib/aws-lambda-nodejs `BundlingOptions`):
 * `format` → `OutputFormat.ESM`, `minify`, `sourceMap`, `target`, `mainFields`, `banner`, and
 * `bundleAwsSDK: true` (nothing is external: the SDK versions tested are the versions run).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { LAMBDA_BUNDLING } from '../scripts/lambda-bundling';

/** The repository root (this file is `bench/bundle.ts`). */
export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// The options themselves live in scripts/lambda-bundling.ts, which the CDK app imports too (the
// deployment does not depend on the benchmark); re-exported here for the benchmark's callers.
export { ESM_REQUIRE_BANNER, LAMBDA_BUNDLING } from '../scripts/lambda-bundling';

/**
 * The esbuild options equivalent to {@link LAMBDA_BUNDLING}, for building one function.
 *
 * @example
 * await build(lambdaBuildOptions('functions/sweep/handler.ts', 'dist/bench/sweep/index.mjs'));
 */
export function lambdaBuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: LAMBDA_BUNDLING.format,
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: LAMBDA_BUNDLING.sourceMap,
    platform: LAMBDA_BUNDLING.platform,
    target: LAMBDA_BUNDLING.target,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    banner: { js: LAMBDA_BUNDLING.banner },
    // The CDK writes `index.mjs`, which Node loads as ESM whatever the package.json says.
    logLevel: 'error',
    metafile: true,
  };
}

/** The functions the CDK app deploys, by name (`functions/<name>/handler.ts`). */
export const FUNCTION_NAMES = ['config-rule', 'cloudtrail-event', 'remediate', 'sweep'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export interface BuiltBundle {
  readonly name: string;
  readonly file: string;
  /** Size of the JavaScript file, without its source map. */
  readonly bytes: number;
  /** Bytes per input package (`@aws-sdk/client-ec2`, `zod`, `shared`...), from esbuild's metafile. */
  readonly byPackage: Readonly<Record<string, number>>;
}

/**
 * Builds one function bundle into `outDir/<name>/index.mjs`.
 *
 * @example
 * const { file, bytes } = await buildFunction('sweep', 'dist/bench');
 */
export async function buildFunction(
  name: string,
  outDir: string,
  entry = join(REPOSITORY_ROOT, 'functions', name, 'handler.ts'),
): Promise<BuiltBundle> {
  const file = join(outDir, name, 'index.mjs');
  mkdirSync(dirname(file), { recursive: true });
  const result = await build(lambdaBuildOptions(entry, file));
  const output =
    result.metafile?.outputs[Object.keys(result.metafile.outputs).find((key) => key.endsWith('.mjs')) ?? ''];
  const byPackage: Record<string, number> = {};
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const key = packageOf(input);
    byPackage[key] = (byPackage[key] ?? 0) + bytesInOutput;
  }
  return { name, file, bytes: output?.bytes ?? 0, byPackage };
}

/** `node_modules/@aws-sdk/client-ec2/dist-es/...` → `@aws-sdk/client-ec2`; own code by top folder. */
function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match?.[1]) return match[1];
  return input.split('/')[0] ?? input;
}

/**
 * How a Lambda bundle is built: `buildLambda` of scripts/lambda-bundling.ts, the one build the CDK
 * app runs for each function's asset too, so the benchmark measures exactly what is deployed
 * (ESM, minified, target node22, the SDK bundled, its unused schemas shaken out).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLambda } from '../scripts/lambda-bundling';

/** The repository root (this file is `bench/bundle.ts`). */
export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// The options themselves live in scripts/lambda-bundling.ts, which the CDK app imports too (the
// deployment does not depend on the benchmark); re-exported here for the benchmark's callers.
export {
  buildLambda,
  ESM_REQUIRE_BANNER,
  LAMBDA_BUNDLING,
  lambdaBuildOptions,
} from '../scripts/lambda-bundling';

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
  const result = await buildLambda(entry, dirname(file));
  const output = Object.values(result.metafile.outputs).find(
    (candidate) => candidate.entryPoint !== undefined,
  );
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

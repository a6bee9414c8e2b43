/**
 * Cold start of a function bundle: the time a fresh `node` process takes to import it, minus the
 * time of a bare `node -e ''`, median of several runs interleaved so that machine noise hits
 * both alike.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

export interface ColdStart {
  /** Median wall time of `node -e 'await import(bundle)'`, in ms. */
  readonly loadMs: number;
  /** Median wall time of a bare `node -e ''`, in ms. */
  readonly bareMs: number;
  /** `loadMs - bareMs`: what importing the bundle costs. */
  readonly importMs: number;
}

function timeNode(args: readonly string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: childEnv(),
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(
      `node ${args.join(' ')} failed (${result.status}): ${result.stderr.toString().slice(0, 500)}`,
    );
  }
  return elapsed;
}

/** Lambda's environment as far as module scope may read it; no credentials, nothing to call. */
function childEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * Measures the import of an ESM bundle in fresh processes.
 *
 * @example
 * const { importMs } = measureColdStart('dist/bench/sweep/index.mjs', 15);
 */
export function measureColdStart(file: string, runs: number): ColdStart {
  const url = pathToFileURL(file).href;
  const load: number[] = [];
  const bare: number[] = [];
  // One warm-up of each, so the file cache is hot for both.
  timeNode(['-e', '']);
  timeNode(['--input-type=module', '-e', `await import(${JSON.stringify(url)})`]);
  for (let run = 0; run < runs; run++) {
    bare.push(timeNode(['-e', '']));
    load.push(timeNode(['--input-type=module', '-e', `await import(${JSON.stringify(url)})`]));
  }
  const loadMs = median(load);
  const bareMs = median(bare);
  return { loadMs, bareMs, importMs: loadMs - bareMs };
}

/**
 * V8's parse and compile of a bundle's top level, without evaluating it: the median time of
 * `new vm.SourceTextModule(source)` in fresh processes. Functions first called while the module
 * evaluates are compiled later, so this is the lower bound of what compiling costs.
 *
 * @example
 * const compileMs = measureCompile('dist/bench/sweep/index.mjs', 5);
 */
export function measureCompile(file: string, runs: number): number {
  const script = `const source = require('node:fs').readFileSync(${JSON.stringify(file)}, 'utf8');
const started = performance.now();
new (require('node:vm').SourceTextModule)(source);
process.stdout.write(String(performance.now() - started));`;
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const result = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings', '-e', script], {
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`cannot compile ${file}: ${result.stderr.slice(0, 500)}`);
    times.push(Number(result.stdout));
  }
  return median(times);
}

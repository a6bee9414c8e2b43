/**
 * Scan throughput: the offline scan (what `endpoint-guard scan --snapshot` does before printing:
 * parse, normalize, inventory, every rule) against `JSON.parse` alone on the same file, in the
 * same process, interleaved run by run, with a full GC before each timed step so neither pays
 * for the other's garbage. Reported as the median of the per-run ratios, for both loaders:
 * `loadResources` (one pass, each item parsed and normalized on its own) and the standard
 * `normalizeItems(parseConfigurationItems())` the CLI called until now.
 *
 * Run in a child process of its own: `node --expose-gc --import tsx bench/scan-throughput.ts
 * FILE...` (bench/run.ts runs it bundled, as the CLI ships). Prints one JSON object per file and
 * loader.
 */
import { readFileSync } from 'node:fs';
import { Inventory } from '../shared/inventory/inventory';
import { loadResources, normalizeItems, parseConfigurationItems } from '../shared/inventory/load';
import { scanInventory } from '../shared/scan/scan';
import { median } from './cold-start';

export type Loader = 'one-pass' | 'standard';

export interface ScanMeasure {
  readonly file: string;
  readonly loader: Loader;
  readonly items: number;
  readonly bytes: number;
  readonly evaluations: number;
  /** Median wall time of JSON.parse alone, ms. */
  readonly parseMs: number;
  /** Median wall time of the whole scan, ms. */
  readonly scanMs: number;
  /** Median of scan / parse, run by run. */
  readonly ratio: number;
  /** The same ratio in CPU time (includes the GC threads' work). */
  readonly cpuRatio: number;
  /** Median scan time per item, µs. */
  readonly perItemUs: number;
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * @example
 * const result = measureScan('/tmp/snapshot-50000.json', 7, gc, 'one-pass');
 */
export function measureScan(file: string, runs: number, gc: () => void, loader: Loader): ScanMeasure {
  const text = readFileSync(file, 'utf8');
  const scan = () => {
    const resources =
      loader === 'one-pass'
        ? loadResources(text, file).resources
        : normalizeItems(parseConfigurationItems(text, file));
    return scanInventory(Inventory.from(resources));
  };
  // Warm-up: the JIT compiles the scan's hot paths (as in any long run), and the young
  // generation grows to its working size. At least 3 runs and 1 second of scanning.
  let evaluations = 0;
  let items = 0;
  const warmUntil = performance.now() + 1_000;
  for (let run = 0; run < 3 || performance.now() < warmUntil; run++) {
    JSON.parse(text);
    evaluations = scan().evaluations.length;
  }
  items = parseConfigurationItems(text, file).items.length;
  const parse: number[] = [];
  const whole: number[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let run = 0; run < runs; run++) {
    gc();
    let cpu = cpuMs();
    let started = performance.now();
    JSON.parse(text);
    const parseMs = performance.now() - started;
    const parseCpu = cpuMs() - cpu;
    gc();
    cpu = cpuMs();
    started = performance.now();
    scan();
    const scanMs = performance.now() - started;
    const scanCpu = cpuMs() - cpu;
    parse.push(parseMs);
    whole.push(scanMs);
    ratios.push(scanMs / parseMs);
    cpuRatios.push(scanCpu / parseCpu);
  }
  const scanMs = median(whole);
  return {
    file,
    loader,
    items,
    bytes: Buffer.byteLength(text),
    evaluations,
    parseMs: median(parse),
    scanMs,
    ratio: median(ratios),
    cpuRatio: median(cpuRatios),
    perItemUs: (scanMs * 1000) / items,
  };
}

if (/(^|[\\/])scan-throughput\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  const runs = Number(process.env.BENCH_SCAN_RUNS ?? 7);
  for (const file of process.argv.slice(2)) {
    for (const loader of ['one-pass', 'standard'] as const) {
      process.stdout.write(`${JSON.stringify(measureScan(file, runs, gc, loader))}\n`);
    }
  }
}

/**
 * The CLI as a user runs it: whole processes, from spawn to exit, each against a bare `node`
 * doing the least the same job needs, interleaved run by run (median of the runs), with the peak
 * RSS of each process (read at its exit by a preloaded script).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './cold-start';

export interface ProcessFigure {
  /** Median wall time, spawn to exit, ms. */
  readonly ms: number;
  /** Largest peak RSS over the runs, bytes. */
  readonly peakRssBytes: number;
}

export interface Comparison {
  readonly name: string;
  readonly subject: ProcessFigure;
  readonly baselineName: string;
  readonly baseline: ProcessFigure;
  /** subject.ms / baseline.ms */
  readonly ratio: number;
}

/** A command: node arguments, and the exit codes that mean it did its job. */
export interface ProcessCommand {
  readonly args: readonly string[];
  readonly okStatus?: readonly number[];
}

/**
 * Runs each pair (subject, baseline) `runs` times, interleaved, after a warm-up of each.
 *
 * @example
 * compareProcesses([{ name: '--version', subject: { args: ['dist/bin/endpoint-guard.js', '--version'] },
 *   baselineName: 'node -e 0', baseline: { args: ['-e', '0'] } }], 11, '/tmp/bench', process.cwd());
 */
export function compareProcesses(
  pairs: readonly {
    readonly name: string;
    readonly subject: ProcessCommand;
    readonly baselineName: string;
    readonly baseline: ProcessCommand;
  }[],
  runs: number,
  workDir: string,
  cwd: string,
): Comparison[] {
  mkdirSync(workDir, { recursive: true });
  const preload = join(workDir, 'peak-rss.cjs');
  writeFileSync(
    preload,
    "process.on('exit', () => require('node:fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS * 1024)));\n",
  );
  const rssFile = join(workDir, 'peak-rss.txt');
  const run = (command: ProcessCommand): { ms: number; rss: number } => {
    rmSync(rssFile, { force: true });
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ['--require', preload, ...command.args], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH, BENCH_RSS_FILE: rssFile, NO_COLOR: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!(command.okStatus ?? [0]).includes(result.status ?? -1)) {
      throw new Error(
        `node ${command.args.join(' ')} exited ${result.status}: ${result.stderr.toString().slice(-500)}`,
      );
    }
    return { ms, rss: Number(readFileSync(rssFile, 'utf8')) };
  };
  const figures = pairs.map(() => ({
    subject: [] as { ms: number; rss: number }[],
    baseline: [] as { ms: number; rss: number }[],
  }));
  for (const pair of pairs) {
    run(pair.baseline);
    run(pair.subject);
  }
  for (let index = 0; index < runs; index++) {
    pairs.forEach((pair, at) => {
      figures[at]?.baseline.push(run(pair.baseline));
      figures[at]?.subject.push(run(pair.subject));
    });
  }
  const figure = (samples: { ms: number; rss: number }[]): ProcessFigure => ({
    ms: median(samples.map((sample) => sample.ms)),
    peakRssBytes: Math.max(...samples.map((sample) => sample.rss)),
  });
  return pairs.map((pair, at) => {
    const subject = figure(figures[at]?.subject ?? []);
    const baseline = figure(figures[at]?.baseline ?? []);
    return {
      name: pair.name,
      subject,
      baselineName: pair.baselineName,
      baseline,
      ratio: subject.ms / baseline.ms,
    };
  });
}

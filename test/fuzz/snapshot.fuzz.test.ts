/**
 * Fuzzing the offline scanner: the input formats of test/fixtures/inputs (Config snapshot,
 * history, BatchGetResourceConfig, select-resource-config, a bare array) with fields dropped,
 * retyped, replaced by huge or unicode strings, nested deep, and files cut short; through
 * `parseConfigurationItems` + `normalizeItems` + `scanInventory`, and through the real
 * `endpoint-guard scan` in a child process for a handful of runs.
 *
 * For every input: the scan succeeds, or fails with an `InputError` whose message names the file
 * and, for an item, where in it; the CLI exits 0 with JSON on stdout, or 2 with one
 * `endpoint-guard: ...` line on stderr, nothing on stdout and never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../shared/errors';
import { Inventory } from '../../shared/inventory/inventory';
import { normalizeItems, parseConfigurationItems } from '../../shared/inventory/load';
import { scanInventory } from '../../shared/scan/scan';
import { runCli } from '../support/cli';
import {
  anyJson,
  describeMutations,
  FUZZ_RUNS,
  FUZZ_SEED,
  type Json,
  mutatedJson,
  truncatedText,
} from '../support/fuzz';

const INPUTS = join(import.meta.dirname, '..', 'fixtures', 'inputs');
const BASES = [
  'snapshot.json',
  'config-history.json',
  'batch-get-resource-config.json',
  'select-resource-config.json',
  'bare-array.json',
].map((name) => JSON.parse(readFileSync(join(INPUTS, name), 'utf8')) as Json);
const SOURCE = 'fuzzed.json';

const input: fc.Arbitrary<{ text: string; label: string }> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(...BASES).chain((base) =>
      mutatedJson(base).map(({ value, mutations }) => ({
        text: JSON.stringify(value),
        label: describeMutations(mutations),
      })),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...BASES)
      .chain(truncatedText)
      .map((text) => ({ text, label: `truncated to ${text.length}` })),
  },
  { weight: 1, arbitrary: anyJson.map((value) => ({ text: JSON.stringify(value), label: 'random JSON' })) },
);

/** Scans the text as the CLI does; returns how many evaluations, or the InputError. */
function scan(text: string): { evaluations: number } | { error: InputError } {
  try {
    const loaded = parseConfigurationItems(text, SOURCE);
    const result = scanInventory(Inventory.from(normalizeItems(loaded)));
    return { evaluations: result.evaluations.length };
  } catch (error) {
    if (error instanceof InputError) return { error };
    throw error;
  }
}

describe('offline scan of fuzzed inputs', () => {
  it(`scans, or names what is wrong and where (${FUZZ_RUNS} runs)`, () => {
    const tally = { scanned: 0, refused: 0 };
    fc.assert(
      fc.property(input, ({ text, label }) => {
        let outcome: ReturnType<typeof scan>;
        try {
          outcome = scan(text);
        } catch (error) {
          throw new Error(`${label}: the scan threw ${String(error)}`, { cause: error });
        }
        if ('error' in outcome) {
          tally.refused += 1;
          // Names the file, then what is wrong (and for an item, which one and which field).
          expect(outcome.error.message, label).toMatch(
            new RegExp(`^${SOURCE.replace('.', '\\.')}(: [^:]+)*: \\S`),
          );
          expect(outcome.error.location, label).toMatch(new RegExp(`^${SOURCE.replace('.', '\\.')}`));
        } else {
          tally.scanned += 1;
        }
      }),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );
    expect(tally.refused).toBeGreaterThan(FUZZ_RUNS * 0.1);
    expect(tally.scanned).toBeGreaterThan(FUZZ_RUNS * 0.05);
    console.info(
      JSON.stringify({ figures: 'snapshot scanner fuzzing', runs: FUZZ_RUNS, seed: FUZZ_SEED, ...tally }),
    );
  }, 120_000);

  it('the real CLI exits 0 with JSON or 2 with one clear line, for a handful of fuzzed files', () => {
    const runs = 12;
    const seen = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(input, ({ text, label }) => {
        const run = runCli(['scan', '--snapshot', '-', '--format', 'json'], { input: text });
        if (run.status === 0) {
          seen.ok += 1;
          expect(() => JSON.parse(run.stdout), label).not.toThrow();
          expect(run.stderr, label).toBe('');
        } else {
          seen.refused += 1;
          expect(run.status, `${label}: ${run.stderr}`).toBe(2);
          expect(run.stdout, label).toBe('');
          const lines = run.stderr.trimEnd().split('\n');
          expect(lines, label).toHaveLength(1);
          expect(lines[0], label).toMatch(/^endpoint-guard: standard input/);
          expect(run.stderr, label).not.toMatch(/unexpected error|\n\s+at /);
        }
      }),
      { numRuns: runs, seed: FUZZ_SEED, endOnFailure: true },
    );
    expect(seen.ok + seen.refused).toBe(runs);
  }, 120_000);
});

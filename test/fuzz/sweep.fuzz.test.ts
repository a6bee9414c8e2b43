/**
 * Fuzzing the sweep handler's input (the schedule's payload, or anything a person invokes it
 * with): an invalid input is dropped with a reason naming the field, before the sweeper (the only
 * thing that calls AWS) is asked for; a valid one reaches it with sane numbers. The sweeper's own
 * AWS reads (the aggregator's rows) are not fuzzed here.
 */
import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/sweep/handler';
import { ZERO_TOTALS } from '../../shared/sweep/checkpoint';
import type { SweepRequest, SweepRunResult } from '../../shared/sweep/sweeper';
import { lambdaContext } from '../events/fake-aws';
import { anyJson, describeMutations, FUZZ_RUNS, FUZZ_SEED, type Json, mutatedJson } from '../support/fuzz';
import { CapturingLogger, LogSink, leakedSecrets } from '../support/log-capture';

const sink = new LogSink();
const BASES: Json[] = [
  { minIntervalMinutes: 60, force: false },
  { minIntervalMinutes: 0, force: true },
  {
    version: '0',
    id: 'a1b2',
    'detail-type': 'Scheduled Event',
    source: 'aws.scheduler',
    account: '111122223333',
    time: '2025-06-01T12:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:scheduler:us-east-1:111122223333:schedule/default/endpoint-guard-sweep'],
    detail: {},
  },
];

afterAll(() => {
  expect(leakedSecrets(sink.lines)).toEqual([]);
});

describe('sweep handler under fuzzed input', () => {
  it(`drops invalid input before any AWS work, and passes sane values on (${FUZZ_RUNS} runs)`, async () => {
    const runs: { minIntervalMs: number; force: boolean }[] = [];
    let sweepersAsked = 0;
    const handler = createHandler({
      logger: new CapturingLogger(sink, { serviceName: 'endpoint-guard-sweep' }),
      sweeper: () => {
        sweepersAsked += 1;
        return {
          run: async (request: SweepRequest): Promise<SweepRunResult> => {
            runs.push({ minIntervalMs: request.minIntervalMs, force: request.force ?? false });
            return { outcome: 'not-due', shardsSwept: 0, shardsLeft: 0, totals: ZERO_TOTALS };
          },
        };
      },
    });
    const input = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom(...BASES).chain((base) =>
          mutatedJson(base).map(({ value, mutations }) => ({
            event: value as unknown,
            label: describeMutations(mutations),
          })),
        ),
      },
      { weight: 1, arbitrary: anyJson.map((event) => ({ event: event as unknown, label: 'random JSON' })) },
    );
    const tally = { invalid: 0, run: 0 };
    await fc.assert(
      fc.asyncProperty(input, async ({ event, label }) => {
        const before = { runs: runs.length, asked: sweepersAsked };
        const result = await handler(event, lambdaContext('endpoint-guard-sweep') as Context);
        if (result.outcome === 'invalid') {
          tally.invalid += 1;
          expect(runs.length, label).toBe(before.runs);
          expect(sweepersAsked, label).toBe(before.asked);
          expect(result.reason, label).toMatch(/^sweep input: (the input|minIntervalMinutes|force) \S/);
        } else {
          tally.run += 1;
          const last = runs.at(-1);
          // Not yet finite for every number: see the it.fails case below.
          expect((last?.minIntervalMs ?? -1) >= 0, label).toBe(true);
          expect(typeof last?.force, label).toBe('boolean');
        }
      }),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );
    expect(tally.invalid).toBeGreaterThan(0);
    expect(tally.run).toBeGreaterThan(0);
    console.info(
      JSON.stringify({ figures: 'sweep input fuzzing', runs: FUZZ_RUNS, seed: FUZZ_SEED, ...tally }),
    );
  }, 60_000);

  // Found by the fuzzer (a regression test now that shared/sweep/input.ts caps the interval).
  // 1.7976931348623157e308 minutes is finite, but × 60,000 ms is Infinity: a schedule payload
  // (or a person's invocation) with it means "the next sweep is never due".
  it('refuses a minIntervalMinutes whose milliseconds overflow to Infinity', async () => {
    const runs: number[] = [];
    const handler = createHandler({
      logger: new CapturingLogger(sink, { serviceName: 'endpoint-guard-sweep' }),
      sweeper: () => ({
        run: async (request: SweepRequest): Promise<SweepRunResult> => {
          runs.push(request.minIntervalMs);
          return { outcome: 'not-due', shardsSwept: 0, shardsLeft: 0, totals: ZERO_TOTALS };
        },
      }),
    });

    const result = await handler(
      { minIntervalMinutes: Number.MAX_VALUE },
      lambdaContext('endpoint-guard-sweep') as Context,
    );

    expect(result.outcome).toBe('invalid');
    expect(runs).toEqual([]);
  });
});

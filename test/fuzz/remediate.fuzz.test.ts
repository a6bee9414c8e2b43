/**
 * Fuzzing remediate through its real handler, processor, store (dynalite) and idempotency layer,
 * with auto-fix on for every rule: SQS messages whose Finding events have fields dropped,
 * retyped, replaced by huge or unicode strings or nested deep, truncated bodies, and random JSON.
 * Every AWS command (EC2, S3, S3 Control, SSM, SNS, EventBridge fakes) and every DynamoDB
 * request is counted.
 *
 * For every message: the invocation completes; a message remediate calls invalid is dropped
 * with a reason that names the field, made no AWS call and no DynamoDB request (nothing
 * half-written); and no credential shows in any log line.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/findings/finding';
import { endpointFinding, routeTableFinding } from '../remediation/fixtures';
import { useDynalite } from '../support/dynalite';
import { FakeAwsService } from '../support/fake-aws-service';
import { FaultInjector } from '../support/faults';
import {
  anyJson,
  describeMutations,
  FUZZ_RUNS,
  FUZZ_SEED,
  type Json,
  mutatedJson,
  truncatedText,
} from '../support/fuzz';
import { errorTexts, LogSink, leakedSecrets, PLANTED_CREDENTIALS } from '../support/log-capture';
import { buildRemediateHarness, detect, findingMessage, sqsMessage } from '../support/remediate-harness';

const db = useDynalite();
const sink = new LogSink();
const ACCOUNT = '200000000001';
const WRITE = /^(Put|Create|Modify|Delete|Update|Associate|Replace|Disassociate)/;

/** Write commands sent to the member account (EC2, S3, S3 Control) so far. */
function memberWrites(calls: FaultInjector): number {
  return Object.entries(calls.summary())
    .filter(([key]) => /^(ec2|s3|s3control):/.test(key) && WRITE.test(key.split(':')[1] ?? ''))
    .reduce((total, [, stats]) => total + stats.calls, 0);
}
const AUTO_FIX = {
  version: 1,
  defaultMode: 'auto-fix',
  rules: { 'gateway-endpoint-routes': { mode: 'auto-fix', allowCreateEndpoint: true } },
  maxFixesPerAccountPerHour: 1_000_000,
};

function withFreshObservation(body: string, run: number): string {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    return body;
  }
  const detail = (event as { detail?: { observedAt?: unknown } } | null)?.detail;
  if (typeof detail?.observedAt !== 'string' || Number.isNaN(Date.parse(detail.observedAt))) return body;
  detail.observedAt = new Date(Date.parse('2025-06-01T12:00:00.000Z') + run * 1000).toISOString();
  return JSON.stringify(event);
}

afterAll(() => {
  expect(leakedSecrets(sink.lines)).toEqual([]);
});

describe('remediate handler under fuzzed messages', () => {
  it(`drops every invalid message without an AWS call or a store write, and never crashes (${FUZZ_RUNS} runs)`, async () => {
    // Prepare: real findings of the fake's resources, and the fixtures' (resources the fake lacks).
    const aws = new FakeAwsService();
    const clean = aws.clients({ credentials: PLANTED_CREDENTIALS });
    const bases: Finding[] = [
      await detect(
        clean,
        {
          ruleId: 'interface-endpoint-multi-az',
          resourceType: 'AWS::EC2::VPCEndpoint',
          resourceId: aws.addInterfaceEndpointVpc({ index: 1, accountId: ACCOUNT }),
          accountId: ACCOUNT,
        },
        { observedAt: '2025-06-01T12:00:00.000Z' },
      ),
      await detect(
        clean,
        {
          ruleId: 's3-bucket-public-access',
          resourceType: 'AWS::S3::Bucket',
          resourceId: aws.addPublicBucket({ index: 1 }),
          accountId: ACCOUNT,
        },
        { observedAt: '2025-06-01T12:00:00.000Z' },
      ),
      await detect(
        clean,
        {
          ruleId: 'gateway-endpoint-routes',
          resourceType: 'AWS::EC2::RouteTable',
          resourceId: aws.addRouteTableWithoutEndpoint({ index: 1, accountId: ACCOUNT }),
          accountId: ACCOUNT,
        },
        { observedAt: '2025-06-01T12:00:00.000Z' },
      ),
      endpointFinding(),
      routeTableFinding(),
    ];
    const bodies = bases.map((finding) => JSON.parse(findingMessage(finding).body) as Json);
    const awsCalls = new FaultInjector({ seed: 1, rates: {} });
    const dbCalls = new FaultInjector({ seed: 1, rates: {} });
    const harness = await buildRemediateHarness({
      db,
      aws,
      settings: AUTO_FIX,
      sink,
      awsFaults: awsCalls,
      dbFaults: dbCalls,
    });
    const input: fc.Arbitrary<{ body: string; label: string }> = fc.oneof(
      {
        weight: 8,
        arbitrary: fc.constantFrom(...bodies).chain((base) =>
          mutatedJson(base).map(({ value, mutations }) => ({
            body: JSON.stringify(value),
            label: describeMutations(mutations),
          })),
        ),
      },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(...bodies)
          .chain(truncatedText)
          .map((body) => ({ body, label: `truncated to ${body.length}` })),
      },
      {
        weight: 1,
        arbitrary: anyJson.map((value) => ({ body: JSON.stringify(value), label: 'random JSON' })),
      },
    );
    const tally = { dropped: 0, processed: 0, writes: 0 };
    let run = 0;

    // Act + Assess, per message
    await fc.assert(
      fc.asyncProperty(input, async ({ body: fuzzed, label }) => {
        run += 1;
        const messageId = `fuzz-${run}`;
        // Each run is a new observation (when its time survived the mutations), so idempotency
        // does not answer with a stored result and the whole path runs.
        const body = withFreshObservation(fuzzed, run);
        const awsBefore = awsCalls.totals().calls;
        const dbBefore = dbCalls.totals().calls;
        const writesBefore = memberWrites(awsCalls);
        const logsBefore = sink.lines.length;
        try {
          await harness.handler({ Records: [sqsMessage(body, messageId)] }, harness.context);
        } catch (error) {
          expect(leakedSecrets(errorTexts(error))).toEqual([]);
          throw new Error(`${label}: the invocation failed: ${String(error)}`, { cause: error });
        }
        const logged = sink.lines
          .slice(logsBefore)
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        const dropped = logged.find(
          (line) => line.message === 'invalid Finding message: dropped' && line.messageId === messageId,
        );
        const writes = memberWrites(awsCalls) - writesBefore;
        if (dropped) {
          tally.dropped += 1;
          expect(awsCalls.totals().calls - awsBefore, `${label}: AWS calls for a dropped message`).toBe(0);
          expect(dbCalls.totals().calls - dbBefore, `${label}: DynamoDB requests for a dropped message`).toBe(
            0,
          );
          expect(writes).toBe(0);
          // The reason names the field (`detail.accountId: ...`) or says what the body is not.
          expect(String(dropped.why), label).toMatch(
            /^(body is not JSON|body is not an EventBridge event object|not a Finding event|invalid Finding: [\w.()]+: )/,
          );
        } else {
          tally.processed += 1;
          tally.writes += writes;
          expect(
            logged.some((line) => line.message === 'finding processed'),
            `${label}: neither dropped nor processed`,
          ).toBe(true);
        }
        expect(leakedSecrets(logged.map((line) => JSON.stringify(line)))).toEqual([]);
      }),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );

    // Nothing half-written: every item of the table belongs to a finding that was processed.
    const processedIds = new Set(
      sink
        .records()
        .filter((line) => line.message === 'finding processed')
        .map((line) => String(line.findingId)),
    );
    const items = await harness.scanTable();
    const orphans = items.filter((item) => {
      const pk = String(item.pk);
      if (pk.startsWith('FINDING#')) return !processedIds.has(pk.slice('FINDING#'.length));
      if (pk.startsWith('AUDIT#')) return !processedIds.has(String(item.findingId));
      return false;
    });
    expect(orphans).toEqual([]);
    expect(tally.dropped).toBeGreaterThan(FUZZ_RUNS * 0.3);
    expect(tally.processed).toBeGreaterThan(FUZZ_RUNS * 0.02);
    console.info(
      JSON.stringify({
        figures: 'remediate fuzzing',
        runs: FUZZ_RUNS,
        seed: FUZZ_SEED,
        ...tally,
        awsCalls: awsCalls.totals().calls,
        dynamodbRequests: dbCalls.totals().calls,
      }),
    );
  }, 300_000);
});

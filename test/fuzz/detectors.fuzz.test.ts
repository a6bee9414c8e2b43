/**
 * Fuzzing the two detectors (the AWS Config rule and the CloudTrail event Lambdas) through their
 * middy chains: valid fixtures with fields dropped, retyped, replaced by huge or unicode strings,
 * nested thousands deep, or truncated (inside Config's JSON-string `invokingEvent` too), and
 * random JSON. Every AWS client is mocked and every command counted.
 *
 * For every input: the handler resolves (no crash, no unhandled rejection); an input it calls
 * invalid made no AWS call at all and is logged with a reason that names the field; a valid one
 * writes nothing but its verdicts (Config PutEvaluations, EventBridge PutEvents), never to EC2 or
 * S3; and no planted credential shows in any log line.
 */
import {
  ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createCloudTrailHandler } from '../../functions/cloudtrail-event/handler';
import { createHandler as createConfigRuleHandler } from '../../functions/config-rule/handler';
import { AwsClientFactory } from '../../shared/aws/clients';
import { FindingPublisher } from '../../shared/aws/finding-publisher';
import { parseFinding } from '../../shared/findings/finding';
import {
  defaultEc2State,
  lambdaContext,
  memberEc2State,
  OWN_ACCOUNT,
  REGION,
  serveEc2,
  serveS3,
} from '../events/fake-aws';
import { eventFixture, eventFixtureNames } from '../events/support';
import {
  anyJson,
  describeMutations,
  FUZZ_RUNS,
  FUZZ_SEED,
  type Json,
  mutatedJson,
  truncatedText,
} from '../support/fuzz';
import { CapturingLogger, errorTexts, LogSink, leakedSecrets, PLANTED_SECRETS } from '../support/log-capture';

const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);
const config = mockClient(ConfigServiceClient);
const events = mockClient(EventBridgeClient);
const MOCKS = { sts, ec2, s3, s3control, config, events };
const CONTEXT = lambdaContext('endpoint-guard-detector') as Context;
/** The only writes a detector may make: its verdicts. */
const VERDICT_WRITES = new Set(['PutEvaluationsCommand', 'PutEventsCommand']);
const WRITE = /^(Put|Create|Modify|Delete|Update|Associate|Replace|Disassociate)/;

const sink = new LogSink();
const figures: Record<string, Record<string, number>> = {};

function commandsSent(): string[] {
  return Object.values(MOCKS).flatMap((mock) => mock.calls().map((call) => call.args[0].constructor.name));
}

function resetAws(): void {
  for (const mock of Object.values(MOCKS)) mock.reset();
  const ec2State = defaultEc2State();
  const member = memberEc2State();
  ec2State.endpoints.push(...member.endpoints);
  ec2State.subnets.push(...member.subnets);
  ec2State.routeTables.push(...member.routeTables);
  serveEc2(ec2, ec2State);
  serveS3(s3, s3control, { buckets: { 'eg-reports-111122223333': {}, 'eg-public-assets-222233334444': {} } });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIAMEMBEREXAMPLE',
      SecretAccessKey: PLANTED_SECRETS.assumedSecretAccessKey,
      SessionToken: PLANTED_SECRETS.assumedSessionToken,
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  config.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [] });
  events.on(PutEventsCommand).callsFake((input: { Entries?: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: (input.Entries ?? []).map((_, index) => ({ EventId: `event-${index}` })),
  }));
}

function adapters() {
  return {
    clients: new AwsClientFactory({ memberRoleName: 'EndpointGuardMember', ownAccountId: OWN_ACCOUNT }),
    publisher: new FindingPublisher({
      eventBridge: new EventBridgeClient({ region: REGION }),
      eventBusName: 'endpoint-guard',
    }),
  };
}

type DetectorResult = { status: string; reason: string };

/**
 * Runs one input and checks the properties; returns the status for the figures. Any rejection
 * fails the property with the input's mutations in the report.
 */
async function check(
  run: (event: unknown) => Promise<DetectorResult>,
  event: unknown,
  label: string,
  tally: Record<string, number>,
): Promise<void> {
  resetAws();
  const before = sink.lines.length;
  let result: DetectorResult;
  try {
    result = await run(event);
  } catch (error) {
    // No crash, and nothing secret in what would reach Lambda's error report.
    expect(leakedSecrets(errorTexts(error))).toEqual([]);
    throw new Error(`${label}: the handler threw ${String(error)}`, { cause: error });
  }
  tally[result.status] = (tally[result.status] ?? 0) + 1;
  const sent = commandsSent();
  const writes = sent.filter((name) => WRITE.test(name.replace(/Command$/, '')));
  if (result.status === 'invalid') {
    expect(sent, `${label}: an invalid input made AWS calls`).toEqual([]);
    // The reason names the field (`invokingEvent.configurationItem.resourceId: ...`).
    expect(result.reason, label).toMatch(/^[\w$[\]().\- ]+: \S/);
    const logged = sink.lines.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      logged.some((line) => line.level === 'ERROR' && typeof line.field === 'string' && line.field !== ''),
    ).toBe(true);
  }
  expect(
    writes.filter((name) => !VERDICT_WRITES.has(name)),
    label,
  ).toEqual([]);
  for (const call of events.commandCalls(PutEventsCommand)) {
    for (const entry of call.args[0].input.Entries ?? []) {
      parseFinding(JSON.parse(entry.Detail ?? 'null'));
      expect(leakedSecrets([entry.Detail ?? '']), label).toEqual([]);
    }
  }
  expect(leakedSecrets(sink.lines.slice(before)), label).toEqual([]);
}

beforeAll(() => {
  sink.clear();
});

beforeEach(() => {
  resetAws();
});

afterAll(() => {
  expect(leakedSecrets(sink.lines)).toEqual([]);
  console.info(
    JSON.stringify({ figures: 'detector fuzzing', runs: FUZZ_RUNS, seed: FUZZ_SEED, outcomes: figures }),
  );
});

// ─── config-rule ──────────────────────────────────────────────────────────────────────────

const CONFIG_FIXTURES = eventFixtureNames('config-rule').map(
  (name) => eventFixture(`config-rule/${name}`) as Json,
);

/** A Config rule event broken at the envelope, inside its JSON-string fields, or cut short. */
const configRuleInput: fc.Arbitrary<{ event: unknown; label: string }> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(...CONFIG_FIXTURES).chain((base) =>
      mutatedJson(base).map(({ value, mutations }) => ({
        event: value,
        label: `envelope: ${describeMutations(mutations)}`,
      })),
    ),
  },
  {
    weight: 5,
    arbitrary: fc
      .constantFrom(...CONFIG_FIXTURES)
      .chain((base) => fc.tuple(fc.constant(base), fc.constantFrom('invokingEvent', 'ruleParameters')))
      .chain(([base, field]) => {
        const record = base as Record<string, Json>;
        const inner = JSON.parse(String(record[field] ?? '{}')) as Json;
        return fc.oneof(
          mutatedJson(inner).map(({ value, mutations }) => ({
            event: { ...record, [field]: JSON.stringify(value) },
            label: `${field}: ${describeMutations(mutations)}`,
          })),
          truncatedText(inner).map((text) => ({
            event: { ...record, [field]: text },
            label: `${field} truncated to ${text.length} characters`,
          })),
        );
      }),
  },
  { weight: 1, arbitrary: anyJson.map((event) => ({ event, label: 'random JSON' })) },
);

describe('config-rule handler under fuzzed events', () => {
  it(`never crashes, and never calls AWS for an invalid event (${FUZZ_RUNS} runs)`, async () => {
    const handler = createConfigRuleHandler({
      logger: new CapturingLogger(sink, { serviceName: 'endpoint-guard-config-rule' }),
      adapters,
      now: () => new Date('2025-03-01T12:05:00.000Z'),
    });
    const tally: Record<string, number> = {};
    figures['config-rule'] = tally;
    await fc.assert(
      fc.asyncProperty(configRuleInput, ({ event, label }) =>
        check((input) => handler(input, CONTEXT), event, label, tally),
      ),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );
    // The fuzzing reached both sides: invalid inputs, and inputs that were evaluated.
    expect(tally.invalid).toBeGreaterThan(FUZZ_RUNS * 0.2);
    expect((tally.reported ?? 0) + (tally.ignored ?? 0)).toBeGreaterThan(FUZZ_RUNS * 0.05);
  }, 120_000);
});

// ─── cloudtrail-event ─────────────────────────────────────────────────────────────────────

const CLOUDTRAIL_FIXTURES = eventFixtureNames('cloudtrail').map(
  (name) => eventFixture(`cloudtrail/${name}`) as Json,
);

const cloudTrailInput: fc.Arbitrary<{ event: unknown; label: string }> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(...CLOUDTRAIL_FIXTURES).chain((base) =>
      mutatedJson(base).map(({ value, mutations }) => ({
        event: value,
        label: describeMutations(mutations),
      })),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...CLOUDTRAIL_FIXTURES).chain((base) =>
      truncatedText(base).map((text) => {
        // EventBridge delivers an object: a truncated delivery reaches the handler as a string at worst.
        return { event: text, label: `truncated to ${text.length} characters` };
      }),
    ),
  },
  { weight: 1, arbitrary: anyJson.map((event) => ({ event, label: 'random JSON' })) },
);

describe('cloudtrail-event handler under fuzzed events', () => {
  it(`never crashes, and never calls AWS for an invalid event (${FUZZ_RUNS} runs)`, async () => {
    const handler = createCloudTrailHandler({
      logger: new CapturingLogger(sink, { serviceName: 'endpoint-guard-cloudtrail-event' }),
      adapters,
      selfCallers: () => ({ memberRoleName: 'EndpointGuardMember', functionRolePrefix: 'endpoint-guard-' }),
      now: () => new Date('2025-03-01T12:05:00.000Z'),
    });
    const tally: Record<string, number> = {};
    figures['cloudtrail-event'] = tally;
    await fc.assert(
      fc.asyncProperty(cloudTrailInput, ({ event, label }) =>
        check((input) => handler(input, CONTEXT), event, label, tally),
      ),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );
    expect(tally.invalid).toBeGreaterThan(FUZZ_RUNS * 0.1);
    expect(tally.evaluated).toBeGreaterThan(FUZZ_RUNS * 0.05);
  }, 120_000);
});

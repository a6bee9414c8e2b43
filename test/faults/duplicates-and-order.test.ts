/**
 * Events arrive twice, ten at once, late and out of order (ARCHITECTURE.md, "Flow"). End to end through
 * the real detector and remediate handlers over the stateful fake (behind the SDK middleware
 * stack) and dynalite: one action at most, and never an action on stale state.
 */
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler as createCloudTrailHandler } from '../../functions/cloudtrail-event/handler';
import { FindingPublisher } from '../../shared/aws/finding-publisher';
import { type Finding, parseFinding } from '../../shared/findings/finding';
import { eventFixture } from '../events/support';
import { useDynalite } from '../support/dynalite';
import { FAKE_REGION, FakeAwsService } from '../support/fake-aws-service';
import { fastRetries, serveFake } from '../support/faults';
import { CapturingLogger, LogSink, leakedSecrets, PLANTED_CREDENTIALS } from '../support/log-capture';
import {
  buildRemediateHarness,
  deliverThroughSqs,
  detect,
  findingMessage,
  lambdaContext,
  type RemediateHarness,
} from '../support/remediate-harness';

const db = useDynalite();
const sink = new LogSink();
const ACCOUNT = '200000000001';
const T0 = '2025-06-01T12:00:00.000Z';
const SETTINGS = {
  version: 1,
  rules: {
    'interface-endpoint-multi-az': { mode: 'auto-fix' },
    's3-bucket-public-access': { mode: 'auto-fix' },
  },
};

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: new Date('2025-06-01T12:00:05.000Z') });
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(() => {
  expect(leakedSecrets(sink.lines)).toEqual([]);
});

/** Remediate outcomes per finding id, from the Remediation events. */
function outcomes(harness: RemediateHarness): string[] {
  return harness.events.map((event) => event.outcome).sort();
}

/**
 * Delivers each message to its own Lambda container, all at once; what fails (in progress
 * elsewhere) is redelivered by SQS after the visibility timeout.
 */
function concurrently(harness: RemediateHarness, messages: ReturnType<typeof findingMessage>[]) {
  return deliverThroughSqs(harness, messages, {
    batchSize: 1,
    concurrency: messages.length,
    invocationsPerContainer: 1,
    beforeRedelivery: () => vi.setSystemTime(Date.now() + 6 * 60_000),
  });
}

/** A CloudTrail DeleteBucketPublicAccessBlock on `bucket`, as EventBridge forwards it. */
function deleteBlockEvent(bucket: string, eventId: string): Record<string, unknown> {
  const event = eventFixture('cloudtrail/delete-bucket-public-access-block.json');
  const detail = event.detail as Record<string, unknown>;
  return {
    ...event,
    account: ACCOUNT,
    region: FAKE_REGION,
    detail: {
      ...detail,
      eventID: eventId,
      awsRegion: FAKE_REGION,
      recipientAccountId: ACCOUNT,
      requestParameters: { bucketName: bucket, host: [`${bucket}.s3.amazonaws.com`], publicAccessBlock: '' },
    },
  };
}

describe('the same event ten times at once', () => {
  it('detects ten times, and remediate fixes the bucket once', async () => {
    // Prepare: a public bucket; the CloudTrail event of its unprotection, delivered 10 times.
    const aws = new FakeAwsService();
    const bucket = aws.addPublicBucket({ index: 1 });
    const { ec2, s3, s3control } = aws.clients({ credentials: PLANTED_CREDENTIALS });
    const config = new ConfigServiceClient({ region: FAKE_REGION, credentials: PLANTED_CREDENTIALS });
    serveFake(config, 'config', {});
    const published: Finding[] = [];
    const eventBridge = new EventBridgeClient({
      region: FAKE_REGION,
      credentials: PLANTED_CREDENTIALS,
      retryStrategy: fastRetries(5),
    });
    serveFake(eventBridge, 'events', {
      PutEvents: (input: { Entries: { Detail?: string }[] }) => {
        for (const entry of input.Entries) published.push(parseFinding(JSON.parse(entry.Detail ?? '{}')));
        return { FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e-${i}` })) };
      },
    });
    const detector = createCloudTrailHandler({
      logger: new CapturingLogger(sink, { serviceName: 'endpoint-guard-cloudtrail-event' }),
      adapters: () => ({
        clients: {
          forAccount: async (accountId, region) => ({ accountId, region, ec2, s3, s3control, config }),
        },
        publisher: new FindingPublisher({ eventBridge, eventBusName: 'endpoint-guard' }),
      }),
      selfCallers: () => ({ memberRoleName: 'EndpointGuardMember', functionRolePrefix: 'endpoint-guard-' }),
    });
    const harness = await buildRemediateHarness({ db, aws, settings: SETTINGS, sink });

    // Act: ten detector invocations at once (EventBridge delivers at least once), then every
    // finding they published, each to its own remediate container, at once.
    const event = deleteBlockEvent(bucket, 'evt-duplicate-1');
    const detected = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        detector(structuredClone(event), lambdaContext(60_000) as Context).then((result) => ({ i, result })),
      ),
    );
    const writesByDetectors = [...aws.writes];
    const run = await concurrently(
      harness,
      published.map((finding, i) => findingMessage(finding, `dup-${i}`)),
    );

    // Assess
    expect(detected.map(({ result }) => result.status)).toEqual(Array(10).fill('evaluated'));
    expect(published).toHaveLength(10);
    expect(new Set(published.map((finding) => finding.findingId)).size).toBe(1);
    expect(published.every((finding) => finding.status === 'NON_COMPLIANT')).toBe(true);
    // Detectors never write to the member account.
    expect(writesByDetectors).toEqual([]);
    expect(run.dlq).toEqual([]);
    expect(aws.writesTo(bucket)).toEqual(['PutPublicAccessBlock']);
    expect(outcomes(harness).filter((outcome) => outcome === 'applied')).toHaveLength(1);
    expect(outcomes(harness).filter((outcome) => outcome !== 'applied' && outcome !== 'skipped')).toEqual([]);
    const audits = (await harness.scanTable()).filter(
      (item) => item.sk === 'AUDIT' && item.outcome === 'applied',
    );
    expect(audits).toHaveLength(1);
    expect(await harness.store.fixesThisHour(ACCOUNT)).toBe(1);
  });

  it('applies one ModifyVpcEndpoint for one finding delivered ten times at once to ten containers', async () => {
    // Prepare
    const aws = new FakeAwsService();
    const id = aws.addInterfaceEndpointVpc({ index: 2, accountId: ACCOUNT });
    const finding = await detect(
      aws.clients({ credentials: PLANTED_CREDENTIALS }),
      {
        ruleId: 'interface-endpoint-multi-az',
        resourceType: 'AWS::EC2::VPCEndpoint',
        resourceId: id,
        accountId: ACCOUNT,
      },
      { observedAt: T0 },
    );
    const harness = await buildRemediateHarness({ db, aws, settings: SETTINGS, sink });

    // Act
    const run = await concurrently(
      harness,
      Array.from({ length: 10 }, (_, i) => findingMessage(finding, `same-${i}`)),
    );

    // Assess: one change; the others found it in progress (redelivered: then done) or done.
    expect(run.dlq).toEqual([]);
    expect(aws.writesTo(id)).toEqual(['ModifyVpcEndpoint']);
    expect(outcomes(harness).filter((outcome) => outcome === 'applied')).toEqual(['applied']);
    const audits = (await harness.scanTable()).filter((item) => item.sk === 'AUDIT');
    expect(audits.map((audit) => audit.outcome)).toEqual(['applied']);
  });
});

describe('events out of order', () => {
  it('does nothing with an old "public" finding that arrives after the bucket was fixed and observed compliant', async () => {
    // Prepare: the bucket was public at 12:00, a person turned Block Public Access on, and the
    // 12:10 observation (COMPLIANT) was processed first.
    const aws = new FakeAwsService();
    const bucket = aws.addPublicBucket({ index: 3 });
    const clients = aws.clients({ credentials: PLANTED_CREDENTIALS });
    const subject = {
      ruleId: 's3-bucket-public-access',
      resourceType: 'AWS::S3::Bucket',
      resourceId: bucket,
      accountId: ACCOUNT,
    } as const;
    const stale = await detect(clients, subject, { observedAt: T0 });
    const fixed = aws.buckets.get(bucket);
    if (fixed) {
      fixed.publicAccessBlock = {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      };
    }
    const current = await detect(clients, subject, { observedAt: '2025-06-01T12:10:00.000Z' });
    const harness = await buildRemediateHarness({ db, aws, settings: SETTINGS, sink });

    // Act
    await harness.handler({ Records: [findingMessage(current, 'new')] }, harness.context);
    await harness.handler({ Records: [findingMessage(stale, 'old')] }, harness.context);

    // Assess
    expect(stale.status).toBe('NON_COMPLIANT');
    expect(current.status).toBe('COMPLIANT');
    expect(aws.writes).toEqual([]);
    expect(harness.events.map((event) => [event.outcome, event.why])).toEqual([
      ['ignored', `s3-bucket-public-access on ${bucket} is COMPLIANT: nothing to do.`],
      [
        'ignored',
        'observation of 2025-06-01T12:00:00.000Z is older than the last one recorded (2025-06-01T12:10:00.000Z): ignored',
      ],
    ]);
    expect((await harness.store.getState(stale.findingId))?.status).toBe('COMPLIANT');
  });

  it('does nothing with an old "public" finding whose bucket was fixed before any newer observation arrived', async () => {
    // Prepare: no newer observation recorded; live state is compliant.
    const aws = new FakeAwsService();
    const bucket = aws.addPublicBucket({ index: 4 });
    const stale = await detect(
      aws.clients({ credentials: PLANTED_CREDENTIALS }),
      {
        ruleId: 's3-bucket-public-access',
        resourceType: 'AWS::S3::Bucket',
        resourceId: bucket,
        accountId: ACCOUNT,
      },
      { observedAt: T0 },
    );
    aws.buckets.set(bucket, {
      publicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    });
    const harness = await buildRemediateHarness({ db, aws, settings: SETTINGS, sink });

    // Act
    await harness.handler({ Records: [findingMessage(stale, 'late')] }, harness.context);

    // Assess: re-read live, found compliant, skipped.
    expect(aws.writes).toEqual([]);
    expect(harness.events).toHaveLength(1);
    expect(harness.events[0]).toMatchObject({ outcome: 'skipped' });
    expect(harness.events[0]?.why).toMatch(new RegExp(`^${bucket} is COMPLIANT now`));
  });
});

describe('a resource changed between detection and fix', () => {
  it('does not apply the old plan when the VPC gained an AZ since the finding', async () => {
    // Prepare: the finding says "add subnet b"; meanwhile the VPC got a subnet in a third AZ, so
    // the fix live state calls for is "add b and c".
    const aws = new FakeAwsService();
    const id = aws.addInterfaceEndpointVpc({ index: 5, accountId: ACCOUNT });
    const finding = await detect(
      aws.clients({ credentials: PLANTED_CREDENTIALS }),
      {
        ruleId: 'interface-endpoint-multi-az',
        resourceType: 'AWS::EC2::VPCEndpoint',
        resourceId: id,
        accountId: ACCOUNT,
      },
      { observedAt: T0 },
    );
    const b = aws.subnets.get('subnet-00000005b');
    if (!b) throw new Error('fixture: subnet b missing');
    aws.subnets.set('subnet-00000005c', {
      ...b,
      SubnetId: 'subnet-00000005c',
      AvailabilityZone: `${FAKE_REGION}c`,
    });
    aws.services.set(
      `com.amazonaws.${FAKE_REGION}.ssm`,
      ['a', 'b', 'c'].map((zone) => `${FAKE_REGION}${zone}`),
    );
    const harness = await buildRemediateHarness({ db, aws, settings: SETTINGS, sink });

    // Act
    await harness.handler({ Records: [findingMessage(finding, 'changed')] }, harness.context);

    // Assess
    expect(aws.writes).toEqual([]);
    expect(harness.events[0]).toMatchObject({ outcome: 'skipped' });
    expect(harness.events[0]?.why).toContain('state changed since the finding');
  });

  it('does nothing when the endpoint was deleted between detection and fix', async () => {
    // Prepare
    const aws = new FakeAwsService();
    const id = aws.addInterfaceEndpointVpc({ index: 6, accountId: ACCOUNT });
    const finding = await detect(
      aws.clients({ credentials: PLANTED_CREDENTIALS }),
      {
        ruleId: 'interface-endpoint-multi-az',
        resourceType: 'AWS::EC2::VPCEndpoint',
        resourceId: id,
        accountId: ACCOUNT,
      },
      { observedAt: T0 },
    );
    aws.endpoints.delete(id);
    const harness = await buildRemediateHarness({ db, aws, settings: SETTINGS, sink });

    // Act
    await harness.handler({ Records: [findingMessage(finding, 'deleted')] }, harness.context);

    // Assess
    expect(aws.writes).toEqual([]);
    expect(harness.events[0]).toMatchObject({
      outcome: 'skipped',
      why: `${id} no longer exists: nothing to fix`,
    });
  });
});

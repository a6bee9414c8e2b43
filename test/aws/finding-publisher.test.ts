/**
 * FindingPublisher: validated Finding events, at most 10 per PutEvents, failed entries retried
 * once, then a PublishError naming the findings and their error codes.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PublishError } from '../../shared/aws/errors';
import { FindingPublisher } from '../../shared/aws/finding-publisher';
import { type Finding, InvalidFindingError, toFinding } from '../../shared/findings/finding';
import { evaluation, REGION } from './sdk-shapes';

const eventBridge = mockClient(EventBridgeClient);
const BUS = 'endpoint-guard';
const OBSERVED = '2025-03-01T12:00:00.000Z';

function finding(id: string, props: Parameters<typeof evaluation>[1] = {}): Finding {
  return toFinding(evaluation(id, props), { detector: 'config-rule', observedAt: OBSERVED });
}

function publisher(): FindingPublisher {
  return new FindingPublisher({
    eventBridge: new EventBridgeClient({ region: REGION }),
    eventBusName: BUS,
    sleep: async () => {},
  });
}

/** Answers every PutEvents as EventBridge does when all entries are accepted. */
function acceptAll(): void {
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_, i) => ({ EventId: `event-${i}` })),
  }));
}

describe('FindingPublisher', () => {
  beforeEach(() => {
    eventBridge.reset();
  });

  it('puts one event per finding with the documented envelope', async () => {
    // Prepare
    acceptAll();
    const one = finding('vpce-1');

    // Act
    const result = await publisher().publish([one]);

    // Assess
    expect(eventBridge).toHaveReceivedCommandExactlyOnceWith(PutEventsCommand, {
      Entries: [
        {
          Source: 'endpoint-guard',
          DetailType: 'Finding',
          Detail: JSON.stringify(one),
          EventBusName: BUS,
          Resources: [one.resourceArn],
        },
      ],
    });
    expect(result).toEqual({ published: 1, calls: 1 });
  });

  it('sends 25 findings in calls of 10, 10 and 5, in order', async () => {
    acceptAll();
    const findings = Array.from({ length: 25 }, (_, i) => finding(`vpce-${i}`));

    const result = await publisher().publish(findings);

    const sent = eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
    expect(sent.map((entries) => entries.length)).toEqual([10, 10, 5]);
    expect(sent.flat().map((entry) => (JSON.parse(entry.Detail ?? '{}') as Finding).resourceId)).toEqual(
      findings.map((f) => f.resourceId),
    );
    expect(result).toEqual({ published: 25, calls: 3 });
  });

  it('splits a batch that would pass 256 KB', async () => {
    acceptAll();
    // Each detail is about 100 KB: two fit in one request, three do not.
    const big = Array.from({ length: 3 }, (_, i) =>
      finding(`vpce-${i}`, { evidence: { blob: 'x'.repeat(100_000) } }),
    );

    await publisher().publish(big);

    const sizes = eventBridge
      .commandCalls(PutEventsCommand)
      .map((call) => call.args[0].input.Entries?.length);
    expect(sizes).toEqual([2, 1]);
  });

  it('validates every finding before sending anything', async () => {
    acceptAll();
    const invalid = { ...finding('vpce-2'), accountId: 'not-an-account' };

    await expect(publisher().publish([finding('vpce-1'), invalid])).rejects.toThrow(InvalidFindingError);
    await expect(publisher().publish([finding('vpce-1'), invalid])).rejects.toThrow(
      'invalid Finding: accountId: accountId must be 12 digits',
    );
    expect(eventBridge).not.toHaveReceivedAnyCommand();
  });

  it('retries the entries EventBridge refused, once, and only those', async () => {
    // Prepare
    const findings = Array.from({ length: 4 }, (_, i) => finding(`vpce-${i}`));
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [
          { EventId: 'e0' },
          { EventId: 'e1' },
          { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
          { EventId: 'e3' },
        ],
      })
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'e2' }] });

    // Act
    const result = await publisher().publish(findings);

    // Assess
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    const retried = eventBridge.commandCalls(PutEventsCommand)[1]?.args[0].input.Entries ?? [];
    expect(retried.map((entry) => entry.Detail)).toEqual([JSON.stringify(findings[2])]);
    expect(result).toEqual({ published: 4, calls: 2 });
  });

  it('throws PublishError naming the findings still refused and their error codes', async () => {
    const findings = [finding('vpce-0'), finding('vpce-1')];
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((_, i) =>
        i === input.Entries.length - 1
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'internal' }
          : { EventId: `e${i}` },
      ),
    }));

    const error = await publisher()
      .publish(findings)
      .catch((e: unknown) => e);

    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    expect(error).toBeInstanceOf(PublishError);
    const findingId = findings[1]?.findingId;
    expect((error as PublishError).failed).toEqual([
      { findingId, errorCode: 'InternalFailure', errorMessage: 'internal' },
    ]);
    expect((error as Error).message).toBe(
      `EventBridge bus ${BUS} rejected 1 finding: ${findingId} (InternalFailure)`,
    );
  });
});

/**
 * Regression tests for three failures the fault injection revealed, each reproduced
 * deterministically by one targeted fault: a fix claim left held when the store failed right
 * after it (the finding was then skipped forever), a fix whose verification read failed (the
 * change went unaudited), and a ticket opened twice when recording it failed. In the randomized
 * runs (test/faults/remediate-faults.test.ts) they hit 6-10% of fixable findings, 8-15% of fixes
 * and some tickets.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../shared/findings/finding';
import { useDynalite } from '../support/dynalite';
import { FakeAwsService } from '../support/fake-aws-service';
import { FaultInjector } from '../support/faults';
import { LogSink, leakedSecrets, PLANTED_CREDENTIALS } from '../support/log-capture';
import {
  buildRemediateHarness,
  deliverThroughSqs,
  detect,
  findingMessage,
} from '../support/remediate-harness';

const db = useDynalite();
const sink = new LogSink();
const ACCOUNT = '200000000001';
const OBSERVED_AT = '2025-06-01T12:00:00.000Z';
const SETTINGS = {
  version: 1,
  rules: {
    'interface-endpoint-multi-az': { mode: 'auto-fix' },
    'gateway-endpoint-routes': { mode: 'ticket' },
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

/** An injector that fails every attempt matching `when` while `active()` holds. */
function targeted(
  active: () => boolean,
  when: (service: string, operation: string, input: unknown) => boolean,
) {
  return new FaultInjector({
    seed: 1,
    rates: { throttling: 1 },
    applies: (service, operation, input) => active() && when(service, operation, input),
  });
}

async function endpointScenario(): Promise<{ aws: FakeAwsService; finding: Finding }> {
  const aws = new FakeAwsService();
  const id = aws.addInterfaceEndpointVpc({ index: 1, accountId: ACCOUNT });
  const finding = await detect(
    aws.clients({ credentials: PLANTED_CREDENTIALS }),
    {
      ruleId: 'interface-endpoint-multi-az',
      resourceType: 'AWS::EC2::VPCEndpoint',
      resourceId: id,
      accountId: ACCOUNT,
    },
    { observedAt: OBSERVED_AT },
  );
  return { aws, finding };
}

const redeliver = () => vi.setSystemTime(Date.now() + 6 * 60_000);

describe('remediate after a failure in the middle of a fix', () => {
  it('fixes on redelivery when the store failed right after the fix claim', async () => {
    // Prepare: the hourly fix-slot update (UpdateItem on RATE#...) fails on the first delivery only.
    const { aws, finding } = await endpointScenario();
    let firstDelivery = true;
    const dbFaults = targeted(
      () => firstDelivery,
      (service, operation, input) =>
        service === 'dynamodb' && operation === 'UpdateItem' && JSON.stringify(input).includes('RATE#'),
    );
    const harness = await buildRemediateHarness({ db, aws, settings: SETTINGS, dbFaults, sink });

    // Act
    const run = await deliverThroughSqs(harness, [findingMessage(finding, 'claim-1')], {
      beforeRedelivery: () => {
        firstDelivery = false;
        redeliver();
      },
    });

    // Assess: one failed delivery (its claim given back), then the fix.
    expect(run.receives.get('claim-1')).toBe(2);
    expect(aws.writesTo(finding.resourceId)).toEqual(['ModifyVpcEndpoint']);
  });

  it('records the change when the verification read fails after the fix was applied', async () => {
    // Prepare: once the endpoint was modified, its reads fail (every retry) during the first delivery.
    const { aws, finding } = await endpointScenario();
    let firstDelivery = true;
    const awsFaults = targeted(
      () => firstDelivery && aws.writes.length > 0,
      (service, operation) => service === 'ec2' && operation === 'DescribeVpcEndpoints',
    );
    const harness = await buildRemediateHarness({ db, aws, settings: SETTINGS, awsFaults, sink });

    // Act
    await deliverThroughSqs(harness, [findingMessage(finding, 'verify-1')], {
      beforeRedelivery: () => {
        firstDelivery = false;
        redeliver();
      },
    });

    // Assess: the change was made once, and an audit record holds it (rollback takes its id).
    expect(aws.writesTo(finding.resourceId)).toEqual(['ModifyVpcEndpoint']);
    const audits = (await harness.scanTable()).filter((item) => item.sk === 'AUDIT' && item.kind === 'fix');
    expect(audits.filter((audit) => Array.isArray(audit.changes) && audit.changes.length > 0)).toHaveLength(
      1,
    );
  });
});

describe('tickets after a store failure', () => {
  it('opens one ticket when storing the ticket reference failed once', async () => {
    // Prepare: a route table finding in ticket mode; the ticket reference update fails on the first delivery.
    const aws = new FakeAwsService();
    const tableId = aws.addRouteTableWithoutEndpoint({ index: 1, accountId: ACCOUNT });
    const finding = await detect(
      aws.clients({ credentials: PLANTED_CREDENTIALS }),
      {
        ruleId: 'gateway-endpoint-routes',
        resourceType: 'AWS::EC2::RouteTable',
        resourceId: tableId,
        accountId: ACCOUNT,
      },
      { observedAt: OBSERVED_AT },
    );
    let firstDelivery = true;
    const dbFaults = targeted(
      () => firstDelivery,
      (service, operation, input) =>
        service === 'dynamodb' &&
        operation === 'UpdateItem' &&
        JSON.stringify(input).includes('ticketReference'),
    );
    const harness = await buildRemediateHarness({ db, aws, settings: SETTINGS, dbFaults, sink });

    // Act
    await deliverThroughSqs(harness, [findingMessage(finding, 'ticket-1')], {
      beforeRedelivery: () => {
        firstDelivery = false;
        redeliver();
      },
    });

    // Assess: the first attempt opened the ticket, then failed to record it; the redelivery finds
    // it open in the ticket system and adopts it instead of opening a second one.
    expect(harness.tickets.opened).toHaveLength(1);
    expect(harness.tickets.opened[0]).toMatchObject({ findingId: finding.findingId, status: 'open' });
  });
});

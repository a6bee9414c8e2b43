import {
  CreateOpsItemCommand,
  DescribeOpsItemsCommand,
  OpsItemAlreadyExistsException,
  OpsItemLimitExceededException,
  SSMClient,
  SSMServiceException,
  UpdateOpsItemCommand,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { findingKey } from '../../shared/tickets/finding-key';
import { OpsCenterTicketSink } from '../../shared/tickets/opscenter-sink';
import { bucketFinding, endpointFinding } from '../remediation/fixtures';

const ssm = new SSMClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const ssmMock = mockClient(ssm);
const NOW = new Date('2025-06-02T08:00:00.000Z');
const finding = endpointFinding();
const sink = () => new OpsCenterTicketSink({ ssm, now: () => NOW });

beforeEach(() => {
  ssmMock.reset();
});

describe('OpsCenterTicketSink', () => {
  it('creates an OpsItem with the finding as searchable operational data', async () => {
    // Prepare
    ssmMock.on(CreateOpsItemCommand).resolves({
      OpsItemId: 'oi-0a1b2c3d4e5f',
      OpsItemArn: 'arn:aws:ssm:us-east-1:111122223333:opsitem/oi-0a1b2c3d4e5f',
    });

    // Act
    const ticket = await sink().open(finding, { why: 'The rule is set to ticket.', warnings: [] });

    // Assess
    expect(ticket).toEqual({
      id: 'oi-0a1b2c3d4e5f',
      url: 'https://us-east-1.console.aws.amazon.com/systems-manager/opsitems/oi-0a1b2c3d4e5f?region=us-east-1',
    });
    expect(ssmMock).toHaveReceivedCommandTimes(CreateOpsItemCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(CreateOpsItemCommand, {
      Title: 'Interface endpoint not in every AZ: vpce-0a1 (222233334444, eu-west-1)',
      Source: 'endpoint-guard',
      Severity: '2',
      Priority: 2,
      Category: 'Availability',
      OperationalData: {
        '/aws/resources': { Type: 'SearchableString', Value: `[{"arn":"${finding.resourceArn}"}]` },
        '/aws/dedup': {
          Type: 'SearchableString',
          Value: `{"dedupString":"${findingKey(finding.findingId)}"}`,
        },
        'endpoint-guard:findingId': { Type: 'SearchableString', Value: finding.findingId },
        'endpoint-guard:rule': { Type: 'SearchableString', Value: 'interface-endpoint-multi-az' },
        'endpoint-guard:account': { Type: 'SearchableString', Value: '222233334444' },
        'endpoint-guard:region': { Type: 'SearchableString', Value: 'eu-west-1' },
        'endpoint-guard:plan': { Type: 'String', Value: JSON.stringify(finding.remediation) },
        'endpoint-guard:console': {
          Type: 'String',
          Value:
            'https://eu-west-1.console.aws.amazon.com/vpcconsole/home?region=eu-west-1#EndpointDetails:vpcEndpointId=vpce-0a1',
        },
      },
    });
    const input = ssmMock.commandCalls(CreateOpsItemCommand)[0]?.args[0].input;
    expect(input?.Description).toContain('## Why it matters');
    expect(input?.Description?.length).toBeLessThanOrEqual(2048);
    expect(input?.RelatedOpsItems).toBeUndefined();
    expect(input?.Notifications).toBeUndefined();
  });

  it('maps severity to OpsCenter severity, priority and category', async () => {
    // Prepare
    ssmMock.on(CreateOpsItemCommand).resolves({ OpsItemId: 'oi-1' });

    // Act
    await sink().open(bucketFinding(null, { severity: 'CRITICAL' }), { why: 'w', warnings: [] });

    // Assess
    expect(ssmMock).toHaveReceivedCommandWith(CreateOpsItemCommand, {
      Severity: '1',
      Priority: 1,
      Category: 'Security',
    });
  });

  it('relates a regression to the earlier OpsItem and keeps the description within 2048 characters', async () => {
    // Prepare
    ssmMock.on(CreateOpsItemCommand).resolves({ OpsItemId: 'oi-2' });
    const long = endpointFinding({ reason: 'x'.repeat(256) });

    // Act
    await new OpsCenterTicketSink({
      ssm,
      region: 'eu-central-1',
      notificationTopicArn: 'arn:aws:sns:eu-central-1:111122223333:t',
    }).open(long, {
      why: 'w'.repeat(1500),
      warnings: [],
      previous: {
        sink: 'opscenter',
        id: 'oi-1',
        resolvedAt: '2025-06-01T13:00:00.000Z',
        resolution: 'fixed',
      },
    });

    // Assess
    const input = ssmMock.commandCalls(CreateOpsItemCommand)[0]?.args[0].input;
    expect(input?.RelatedOpsItems).toEqual([{ OpsItemId: 'oi-1' }]);
    expect(input?.Notifications).toEqual([{ Arn: 'arn:aws:sns:eu-central-1:111122223333:t' }]);
    expect(input?.OperationalData?.['endpoint-guard:previousTicket']).toEqual({
      Type: 'String',
      Value: '{"id":"oi-1","url":null}',
    });
    expect(input?.Description?.startsWith('## Regression')).toBe(true);
    expect(input?.Description).toHaveLength(2048);
    expect(input?.Description?.endsWith('...')).toBe(true);
  });

  it("adopts the open OpsItem OpsCenter's own deduplication points to", async () => {
    // Prepare
    ssmMock.on(CreateOpsItemCommand).rejects(
      new OpsItemAlreadyExistsException({
        message: 'The OpsItem already exists.',
        OpsItemId: 'oi-existing',
        $metadata: {},
      }),
    );

    // Act
    const ticket = await sink().open(finding, { why: 'w', warnings: [] });

    // Assess
    expect(ticket.id).toBe('oi-existing');
  });

  it('fails with the AWS error, retryable only when it may pass', async () => {
    // Prepare
    ssmMock
      .on(CreateOpsItemCommand)
      .rejectsOnce(new OpsItemLimitExceededException({ message: 'limit', $metadata: {} }))
      .rejectsOnce(
        new SSMServiceException({
          name: 'InternalServerError',
          $fault: 'server',
          message: 'boom',
          $metadata: {},
        }),
      );

    // Act
    const refused = sink().open(finding, { why: 'w', warnings: [] });
    await expect(refused).rejects.toThrow(
      `opscenter CreateOpsItem for ${finding.findingId} failed: OpsItemLimitExceededException: limit`,
    );
    await expect(refused).rejects.toMatchObject({ retryable: false });
    const outage = sink().open(finding, { why: 'w', warnings: [] });

    // Assess
    await expect(outage).rejects.toMatchObject({ retryable: true });
  });

  it('keeps the latest update under one operational data key', async () => {
    // Prepare
    ssmMock.on(UpdateOpsItemCommand).resolves({});

    // Act
    await sink().update({ id: 'oi-1' }, { text: 'Still NON_COMPLIANT.', finding });

    // Assess
    expect(ssmMock).toHaveReceivedCommandTimes(UpdateOpsItemCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(UpdateOpsItemCommand, {
      OpsItemId: 'oi-1',
      OperationalData: {
        'endpoint-guard:lastUpdate': {
          Type: 'String',
          Value: '2025-06-02T08:00:00.000Z: Still NON_COMPLIANT.',
        },
      },
    });
  });

  it('resolves with status Resolved and the resolution', async () => {
    // Prepare
    ssmMock.on(UpdateOpsItemCommand).resolves({});

    // Act
    await sink().resolve({ id: 'oi-1' }, { kind: 'fixed', text: 'Fixed by endpoint-guard.', finding });

    // Assess
    expect(ssmMock).toHaveReceivedCommandWith(UpdateOpsItemCommand, {
      OpsItemId: 'oi-1',
      Status: 'Resolved',
      OperationalData: {
        'endpoint-guard:resolution': {
          Type: 'String',
          Value: '2025-06-02T08:00:00.000Z: Fixed by endpoint-guard.',
        },
      },
    });
  });

  it('finds the open OpsItem of a finding by its searchable finding id', async () => {
    // Prepare
    ssmMock
      .on(DescribeOpsItemsCommand)
      .resolves({ OpsItemSummaries: [{ OpsItemId: 'oi-9', Status: 'Open' }] });

    // Act
    const found = await sink().findOpen(finding);

    // Assess
    expect(found?.id).toBe('oi-9');
    expect(ssmMock).toHaveReceivedCommandWith(DescribeOpsItemsCommand, {
      OpsItemFilters: [
        {
          Key: 'OperationalData',
          Operator: 'Equal',
          Values: [`{"key":"endpoint-guard:findingId","value":"${finding.findingId}"}`],
        },
        { Key: 'Source', Operator: 'Equal', Values: ['endpoint-guard'] },
        { Key: 'Status', Operator: 'Equal', Values: ['Open', 'InProgress'] },
      ],
      MaxResults: 5,
    });
  });

  it('finds nothing when no OpsItem is open', async () => {
    ssmMock.on(DescribeOpsItemsCommand).resolves({ OpsItemSummaries: [] });
    expect(await sink().findOpen(finding)).toBeUndefined();
  });
});

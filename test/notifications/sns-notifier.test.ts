import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  formatNotification,
  formatSettingsInvalid,
  MAX_SUBJECT_LENGTH,
} from '../../shared/notifications/format';
import { LogNotifier, SnsNotifier } from '../../shared/notifications/sns-notifier';
import type { ActionEvent } from '../../shared/remediation/ports';
import type { Decision } from '../../shared/settings/decision';
import { ACCOUNT, bucketFinding, endpointFinding } from '../remediation/fixtures';

const sns = new SNSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const snsMock = mockClient(sns);
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:endpoint-guard';
const AUDIT = '01JX0000000000000000000000';

const fixDecision: Decision = {
  action: 'fix',
  why: 'interface-endpoint-multi-az is set to auto-fix in account 222233334444 (by rules.interface-endpoint-multi-az.mode): Add subnet-0b (eu-west-1b) to endpoint vpce-0a1.',
  mode: 'auto-fix',
  dryRun: false,
};
const ticketDecision: Decision = {
  action: 'ticket',
  why: 'interface-endpoint-multi-az is set to ticket in account 222233334444 (by defaultMode): opening a ticket.',
  mode: 'ticket',
  dryRun: false,
};

const applied: ActionEvent = {
  finding: endpointFinding(),
  decision: fixDecision,
  outcome: 'applied',
  why: 'added subnet-0b to vpce-0a1; verified: COMPLIANT (subnets in 2 AZs)',
  auditId: AUDIT,
  changes: [{ kind: 'subnets-added', vpcEndpointId: 'vpce-0a1', subnetIds: ['subnet-0b'] }],
  warnings: ['Adds 1 endpoint network interface: each added AZ is billed one more endpoint ENI-hour.'],
  ticket: { reference: 'jira OPS-12', key: 'OPS-12', url: 'https://example.atlassian.net/browse/OPS-12' },
};

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('formatNotification', () => {
  it('writes an applied fix as an e-mail: what, where, why, what was done, cost, ticket, roll back', () => {
    // Act
    const { subject, message, attributes } = formatNotification(applied);

    // Assess
    expect(subject).toBe('[endpoint-guard] Fixed: vpce-0a1 (222233334444) interface-endpoint-multi-az');
    expect(attributes).toEqual({
      rule: 'interface-endpoint-multi-az',
      severity: 'HIGH',
      accountId: ACCOUNT,
      action: 'fix-applied',
    });
    expect(message).toBe(
      [
        'endpoint-guard fixed vpce-0a1 automatically and verified the fix.',
        '',
        'WHAT',
        'interface-endpoint-multi-az is NON_COMPLIANT (severity HIGH): endpoint has subnets in 1 AZ (eu-west-1a); its VPC vpc-01 uses 2 AZs (eu-west-1a, eu-west-1b); missing eu-west-1b',
        '',
        'WHERE',
        'vpce-0a1 (AWS::EC2::VPCEndpoint) in account 222233334444, eu-west-1',
        'arn:aws:ec2:eu-west-1:222233334444:vpc-endpoint/vpce-0a1',
        'Console: https://eu-west-1.console.aws.amazon.com/vpcconsole/home?region=eu-west-1#EndpointDetails:vpcEndpointId=vpce-0a1',
        '',
        'WHY IT MATTERS',
        'An interface endpoint only has a network interface in the AZs of its subnets: if that AZ fails, every workload of the VPC loses its private path to the service, including those in healthy AZs.',
        '',
        'WHAT WAS DONE',
        'added subnet-0b to vpce-0a1; verified: COMPLIANT (subnets in 2 AZs)',
        '- added subnet-0b to vpce-0a1',
        '',
        'COST',
        "Adds 1 endpoint network interface (1 AZ) to vpce-0a1: PrivateLink bills each interface endpoint per AZ-hour, so about 730 more endpoint-hours a month at your Region's rate (https://aws.amazon.com/privatelink/pricing/).",
        '',
        'WARNINGS',
        '- Adds 1 endpoint network interface: each added AZ is billed one more endpoint ENI-hour.',
        '',
        'TICKET',
        'jira OPS-12 https://example.atlassian.net/browse/OPS-12',
        '',
        'ROLL BACK',
        `endpoint-guard rollback ${AUDIT}`,
        '',
        'DETAILS',
        'Decision: fix (mode auto-fix).',
        'Finding interface-endpoint-multi-az:arn:aws:ec2:eu-west-1:222233334444:vpc-endpoint/vpce-0a1, observed 2025-06-01T12:00:00.000Z by sweep.',
        `Audit record: ${AUDIT}.`,
      ].join('\n'),
    );
  });

  it('writes a new ticket with its link and what will be done, and a regression as one', () => {
    // Act
    const { subject, message, attributes } = formatNotification({
      finding: endpointFinding(),
      decision: ticketDecision,
      outcome: 'ticketed',
      why: 'opened jira OPS-13',
      auditId: AUDIT,
      warnings: [],
      ticket: {
        reference: 'jira OPS-13',
        key: 'OPS-13',
        url: 'https://example.atlassian.net/browse/OPS-13',
        previous: { reference: 'jira OPS-12', url: 'https://example.atlassian.net/browse/OPS-12' },
      },
    });

    // Assess
    expect(subject).toBe(
      '[endpoint-guard] Ticket OPS-13: vpce-0a1 (222233334444) interface-endpoint-multi-az',
    );
    expect(attributes.action).toBe('ticket');
    expect(message).toContain(
      'endpoint-guard opened ticket jira OPS-13 for vpce-0a1.\n\nREGRESSION\nThis finding came back after jira OPS-12 (https://example.atlassian.net/browse/OPS-12) was resolved.',
    );
    expect(message).toContain(
      `WHAT WILL BE DONE\n${ticketDecision.why}\nPlanned fix: Add subnet-0b (eu-west-1b) to endpoint vpce-0a1\nThe ticket is updated while the finding lasts and resolved when the resource is compliant again.`,
    );
    expect(message).toContain('TICKET\njira OPS-13 https://example.atlassian.net/browse/OPS-13');
    // Nothing was changed: there is nothing to roll back.
    expect(message).not.toContain('ROLL BACK');
  });

  it('writes a failed fix, a plain notification and a dry run with their own action and subject', () => {
    const failed = formatNotification({
      ...applied,
      outcome: 'failed',
      why: 'EC2 refused ModifyVpcEndpoint',
      changes: [],
      ticket: undefined,
    });
    expect(failed.subject).toBe(
      '[endpoint-guard] Fix FAILED: vpce-0a1 (222233334444) interface-endpoint-multi-az',
    );
    expect(failed.attributes.action).toBe('fix-failed');
    expect(failed.message).toContain(
      'WHAT WAS DONE\nEC2 refused ModifyVpcEndpoint\nendpoint-guard does not retry a failed fix: the next observation of this finding opens a ticket.',
    );

    const notify = formatNotification({
      finding: bucketFinding(null, { severity: 'CRITICAL' }),
      decision: { action: 'notify', why: 'set to notify', mode: 'notify', dryRun: false },
      outcome: 'notified',
      why: 'set to notify',
      warnings: [],
    });
    expect(notify.subject).toBe(
      '[endpoint-guard] CRITICAL: reports-bucket (222233334444) s3-bucket-public-access',
    );
    expect(notify.attributes).toEqual({
      rule: 's3-bucket-public-access',
      severity: 'CRITICAL',
      accountId: ACCOUNT,
      action: 'notify',
    });
    expect(notify.message).toContain(
      'Console: https://s3.console.aws.amazon.com/s3/buckets/reports-bucket?region=eu-west-1&tab=permissions',
    );

    const dryRun = formatNotification({
      ...applied,
      decision: { ...fixDecision, action: 'notify', dryRun: true },
      outcome: 'notified',
      changes: [],
      auditId: undefined,
      ticket: undefined,
    });
    expect(dryRun.subject).toBe(
      '[endpoint-guard] Dry run, would fix: vpce-0a1 (222233334444) interface-endpoint-multi-az',
    );
    expect(dryRun.message).toContain('COST\nAdds 1 endpoint network interface (1 AZ) to vpce-0a1');
  });

  it('keeps subjects printable ASCII, on one line and under 100 characters', () => {
    // Prepare: the longest bucket name S3 allows, and a non-ASCII ticket key
    const bucket = `b${'x'.repeat(62)}`;
    const event: ActionEvent = {
      finding: bucketFinding(null, { resourceId: bucket, resourceArn: `arn:aws:s3:::${bucket}` }),
      decision: ticketDecision,
      outcome: 'ticketed',
      why: 'w',
      warnings: [],
      ticket: { reference: 'webhook Tické\n7', key: 'Tické\n7' },
    };

    // Act
    const { subject } = formatNotification(event);

    // Assess
    expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject).toBe(`[endpoint-guard] Ticket Tick 7: ${bucket}...`);
    expect(subject.endsWith('...')).toBe(true);
  });
});

describe('SnsNotifier', () => {
  it('publishes subject, message and the filterable attributes', async () => {
    // Act
    await new SnsNotifier({ sns, topicArn: TOPIC }).notify(applied);

    // Assess
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const { subject, message } = formatNotification(applied);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: subject,
      Message: message,
      MessageAttributes: {
        rule: { DataType: 'String', StringValue: 'interface-endpoint-multi-az' },
        severity: { DataType: 'String', StringValue: 'HIGH' },
        accountId: { DataType: 'String', StringValue: ACCOUNT },
        action: { DataType: 'String', StringValue: 'fix-applied' },
      },
    });
  });

  it('tells people the settings document is invalid', async () => {
    // Act
    await new SnsNotifier({ sns, topicArn: TOPIC }).settingsInvalid(
      {
        problems: [
          'rules.s3-bucket-public-access.mode: expected one of off, notify, ticket, auto-fix, got "autofix"',
        ],
        location: '/endpoint-guard/settings',
      },
      '111122223333',
    );

    // Assess
    const expected = formatSettingsInvalid({
      problems: [
        'rules.s3-bucket-public-access.mode: expected one of off, notify, ticket, auto-fix, got "autofix"',
      ],
      source: '/endpoint-guard/settings',
      accountId: '111122223333',
    });
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: '[endpoint-guard] Settings document is invalid: the last valid settings stay in force',
      Message: expected.message,
      MessageAttributes: {
        rule: { DataType: 'String', StringValue: 'settings' },
        severity: { DataType: 'String', StringValue: 'HIGH' },
        accountId: { DataType: 'String', StringValue: '111122223333' },
        action: { DataType: 'String', StringValue: 'settings-invalid' },
      },
    });
    expect(expected.message).toContain(
      'The endpoint-guard settings document (/endpoint-guard/settings) was rejected.\n\nPROBLEMS\n- rules.s3-bucket-public-access.mode: expected one of off, notify, ticket, auto-fix, got "autofix"',
    );
  });

  it('refuses to start without a topic', () => {
    expect(() => new SnsNotifier({ sns, topicArn: '' })).toThrow('SnsNotifier needs a topicArn');
  });
});

describe('LogNotifier', () => {
  it('logs the notification with its attributes when there is no topic', async () => {
    // Prepare
    const lines: [string, Record<string, unknown>][] = [];

    // Act
    await new LogNotifier((message, attributes) => lines.push([message, attributes])).notify(applied);

    // Assess
    expect(lines).toEqual([
      [
        'notification (no TOPIC_ARN configured): [endpoint-guard] Fixed: vpce-0a1 (222233334444) interface-endpoint-multi-az',
        {
          rule: 'interface-endpoint-multi-az',
          severity: 'HIGH',
          accountId: ACCOUNT,
          action: 'fix-applied',
          auditId: AUDIT,
          notification: formatNotification(applied).message,
        },
      ],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigurationItemError } from '../../shared/errors';
import { type ConfigRuleEvent, parseConfigRuleEvent } from '../../shared/events/config-rule-event';
import {
  evaluationsToReport,
  orderingTimestampOf,
  planConfigRuleEvent,
  planForItem,
  ruleWideScope,
  scopeOfId,
} from '../../shared/events/config-rule-plan';
import { normalizeConfigurationItem } from '../../shared/inventory/configuration-item';
import { ruleById } from '../../shared/rules/index';
import { DEFAULT_RULE_OPTIONS, type Evaluation } from '../../shared/rules/types';
import { routeTable, subnet, vpcEndpoint } from '../support/config-items';
import { eventFixture } from './support';

const endpointRule = ruleById('interface-endpoint-multi-az');
const routeRule = ruleById('gateway-endpoint-routes');
const bucketRule = ruleById('s3-bucket-public-access');

function parsed(path: string, changes: Record<string, unknown> = {}): ConfigRuleEvent {
  return parseConfigRuleEvent({ ...eventFixture(path), ...changes });
}

/** A change notification carrying `item`, for the rule named in `ruleId`. */
function changeOf(item: unknown, ruleId: string, changes: Record<string, unknown> = {}): ConfigRuleEvent {
  const base = eventFixture('config-rule/change-vpc-endpoint.json');
  const invoking = JSON.parse(String(base.invokingEvent)) as Record<string, unknown>;
  return parseConfigRuleEvent({
    ...base,
    invokingEvent: JSON.stringify({ ...invoking, configurationItem: item }),
    ruleParameters: JSON.stringify({ ruleId }),
    ...changes,
  });
}

describe('planConfigRuleEvent', () => {
  it('reads the VPC of a changed endpoint, with the endpoint as subject', () => {
    // Act
    const plan = planConfigRuleEvent(
      parsed('config-rule/change-vpc-endpoint.json'),
      endpointRule,
      DEFAULT_RULE_OPTIONS,
    );

    // Assess
    expect(plan.kind).toBe('evaluate');
    expect(plan.kind === 'evaluate' && plan.scope).toEqual({ vpcIds: ['vpc-0a000001'] });
    expect(plan.kind === 'evaluate' && plan.subject?.resourceId).toBe('vpce-0e000001');
    expect(plan.kind === 'evaluate' && plan.reason).toBe('AWS::EC2::VPCEndpoint vpce-0e000001 changed');
  });

  it('reads the VPC of a changed route table', () => {
    const plan = planConfigRuleEvent(
      parsed('config-rule/change-route-table.json'),
      routeRule,
      DEFAULT_RULE_OPTIONS,
    );

    expect(plan.kind === 'evaluate' && plan.scope).toEqual({ vpcIds: ['vpc-0a000001'] });
  });

  it('reads a changed bucket with the account Block Public Access', () => {
    const plan = planConfigRuleEvent(
      parsed('config-rule/change-bucket.json'),
      bucketRule,
      DEFAULT_RULE_OPTIONS,
    );

    expect(plan.kind === 'evaluate' && plan.scope).toEqual({
      bucketNames: ['eg-reports-111122223333'],
      accountPublicAccessBlock: true,
    });
  });

  it('reads a changed subnet’s VPC for the route rule, without a subject (a subnet is not the rule’s type)', () => {
    const plan = planConfigRuleEvent(
      changeOf(subnet({ id: 'subnet-0a000009', az: 'us-east-1c' }), 'gateway-endpoint-routes'),
      routeRule,
      DEFAULT_RULE_OPTIONS,
    );

    expect(plan).toEqual({
      kind: 'evaluate',
      scope: { vpcIds: ['vpc-0a000001'] },
      reason: 'AWS::EC2::Subnet subnet-0a000009 changed',
    });
  });

  it('reports a deleted resource NOT_APPLICABLE without reading', () => {
    // Act
    const plan = planConfigRuleEvent(
      parsed('config-rule/deleted-vpc-endpoint.json'),
      endpointRule,
      DEFAULT_RULE_OPTIONS,
    );

    // Assess
    expect(plan.kind).toBe('report');
    expect(plan.kind === 'report' && plan.evaluations).toEqual([
      {
        ruleId: 'interface-endpoint-multi-az',
        resourceType: 'AWS::EC2::VPCEndpoint',
        resourceId: 'vpce-0e000003',
        accountId: '111122223333',
        region: 'us-east-1',
        arn: 'arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-0e000003',
        status: 'NOT_APPLICABLE',
        severity: 'INFORMATIONAL',
        reason: 'configuration item status is ResourceDeleted',
        evidence: {},
        remediation: null,
      },
    ]);
  });

  it('reports a resource that left the rule’s scope NOT_APPLICABLE without reading', () => {
    const plan = planConfigRuleEvent(
      parsed('config-rule/left-scope.json'),
      endpointRule,
      DEFAULT_RULE_OPTIONS,
    );

    expect(plan.kind === 'report' && plan.evaluations.map((e) => [e.resourceId, e.status, e.reason])).toEqual(
      [['vpce-0e000004', 'NOT_APPLICABLE', 'the resource is no longer in the scope of the AWS Config rule']],
    );
  });

  it('ignores another type leaving the scope', () => {
    const plan = planConfigRuleEvent(
      changeOf(subnet({ id: 'subnet-1', az: 'us-east-1a' }), 'gateway-endpoint-routes', {
        eventLeftScope: true,
      }),
      routeRule,
      DEFAULT_RULE_OPTIONS,
    );

    expect(plan).toEqual({ kind: 'ignore', reason: "AWS::EC2::Subnet subnet-1 left the rule's scope" });
  });

  it('re-reads every VPC when a deleted subnet no longer names its VPC', () => {
    // Prepare: a deleted item carries no configuration, hence no vpcId.
    const deleted = {
      ...subnet({ id: 'subnet-0a000009', az: 'us-east-1c' }),
      configurationItemStatus: 'ResourceDeleted',
      configuration: null,
      relationships: [],
    };

    // Act
    const plan = planConfigRuleEvent(
      changeOf(deleted, 'gateway-endpoint-routes'),
      routeRule,
      DEFAULT_RULE_OPTIONS,
    );

    // Assess
    expect(plan).toEqual({
      kind: 'evaluate',
      scope: { allVpcs: true },
      reason: 'AWS::EC2::Subnet subnet-0a000009 is ResourceDeleted: re-evaluate what it affected',
    });
  });

  it('ignores a resource type endpoint-guard does not read', () => {
    const instance = {
      ...vpcEndpoint({ id: 'vpce-1' }),
      resourceType: 'AWS::EC2::Instance',
      resourceId: 'i-1',
    };

    expect(
      planConfigRuleEvent(
        changeOf(instance, 'interface-endpoint-multi-az'),
        endpointRule,
        DEFAULT_RULE_OPTIONS,
      ),
    ).toEqual({
      kind: 'ignore',
      reason: 'endpoint-guard reads no resource of this type',
    });
  });

  it('throws ConfigurationItemError for an item without configuration', () => {
    const event = parsed('config-rule/malformed/item-without-configuration.json');

    expect(() => planConfigRuleEvent(event, endpointRule, DEFAULT_RULE_OPTIONS)).toThrow(
      ConfigurationItemError,
    );
  });

  it('asks to fetch the item of an oversized notification', () => {
    expect(
      planConfigRuleEvent(parsed('config-rule/oversized-route-table.json'), routeRule, DEFAULT_RULE_OPTIONS),
    ).toEqual({
      kind: 'fetch-item',
      resourceType: 'AWS::EC2::RouteTable',
      resourceId: 'rtb-0b000001',
    });
  });

  it('reports an oversized deletion NOT_APPLICABLE from the summary alone', () => {
    // Prepare
    const raw = eventFixture('config-rule/oversized-route-table.json');
    const invoking = JSON.parse(String(raw.invokingEvent)) as {
      configurationItemSummary: Record<string, unknown>;
    };
    invoking.configurationItemSummary.configurationItemStatus = 'ResourceDeleted';

    // Act
    const plan = planConfigRuleEvent(
      parseConfigRuleEvent({ ...raw, invokingEvent: JSON.stringify(invoking) }),
      routeRule,
      DEFAULT_RULE_OPTIONS,
    );

    // Assess
    expect(plan.kind === 'report' && plan.evaluations.map((e) => [e.resourceId, e.status, e.reason])).toEqual(
      [['rtb-0b000001', 'NOT_APPLICABLE', 'configuration item status is ResourceDeleted']],
    );
  });

  it('evaluates every resource of the rule’s type on a periodic run', () => {
    expect(
      planConfigRuleEvent(parsed('config-rule/scheduled.json'), routeRule, DEFAULT_RULE_OPTIONS),
    ).toEqual({
      kind: 'evaluate',
      scope: { allVpcs: true },
      reason: 'periodic run: every AWS::EC2::RouteTable of the account and region',
    });
    expect(
      planConfigRuleEvent(parsed('config-rule/scheduled.json'), bucketRule, DEFAULT_RULE_OPTIONS),
    ).toMatchObject({
      scope: { allBuckets: true, accountPublicAccessBlock: true },
    });
  });

  it('ignores a snapshot-delivery notification', () => {
    expect(
      planConfigRuleEvent(
        parsed('config-rule/snapshot-delivery-completed.json'),
        bucketRule,
        DEFAULT_RULE_OPTIONS,
      ),
    ).toEqual({ kind: 'ignore', reason: 'a snapshot delivery notification carries nothing to evaluate' });
  });
});

describe('planForItem', () => {
  const oversized = () => parsed('config-rule/oversized-route-table.json');

  it('plans from the fetched item in API form', () => {
    // Prepare: GetResourceConfigHistory answers in API form, configuration as a JSON string.
    const { ARN, awsAccountId, configuration, ...rest } = routeTable({ id: 'rtb-0b000001' });
    const apiForm = {
      ...rest,
      arn: ARN,
      accountId: awsAccountId,
      configuration: JSON.stringify(configuration),
    };

    // Act
    const plan = planForItem(
      oversized(),
      routeRule,
      DEFAULT_RULE_OPTIONS,
      apiForm,
      'GetResourceConfigHistory',
    );

    // Assess
    expect(plan.kind === 'evaluate' && plan.scope).toEqual({ vpcIds: ['vpc-0a000001'] });
    expect(plan.kind === 'evaluate' && plan.subject?.resourceId).toBe('rtb-0b000001');
  });

  it('reads by id when Config returned no item', () => {
    expect(
      planForItem(oversized(), routeRule, DEFAULT_RULE_OPTIONS, undefined, 'GetResourceConfigHistory'),
    ).toEqual({
      kind: 'evaluate',
      scope: { routeTableIds: ['rtb-0b000001'] },
      reason: 'AWS Config returned no item for AWS::EC2::RouteTable rtb-0b000001: read it live by id',
    });
  });
});

describe('scopes', () => {
  it('of a resource known by id', () => {
    expect(scopeOfId('AWS::EC2::VPCEndpoint', 'vpce-1')).toEqual({ endpointIds: ['vpce-1'] });
    expect(scopeOfId('AWS::EC2::Subnet', 'subnet-1')).toEqual({ subnetIds: ['subnet-1'] });
    expect(scopeOfId('AWS::EC2::VPC', 'vpc-1')).toEqual({ vpcIds: ['vpc-1'] });
    expect(scopeOfId('AWS::S3::AccountPublicAccessBlock', '111122223333')).toEqual({
      allBuckets: true,
      accountPublicAccessBlock: true,
    });
    expect(scopeOfId('AWS::EC2::Instance', 'i-1')).toBeUndefined();
  });

  it('of a rule’s whole type', () => {
    expect(ruleWideScope('AWS::EC2::VPCEndpoint')).toEqual({ allVpcs: true });
    expect(ruleWideScope('AWS::S3::Bucket')).toEqual({ allBuckets: true, accountPublicAccessBlock: true });
  });
});

describe('evaluationsToReport', () => {
  const subject = normalizeConfigurationItem(vpcEndpoint({ id: 'vpce-0e000001' }), 'test');
  const evaluation = (
    resourceId: string,
    resourceType: Evaluation['resourceType'] = 'AWS::EC2::VPCEndpoint',
  ) =>
    ({
      ruleId: 'interface-endpoint-multi-az',
      resourceType,
      resourceId,
      accountId: '111122223333',
      region: 'us-east-1',
      arn: `arn:${resourceId}`,
      status: 'COMPLIANT',
      severity: 'INFORMATIONAL',
      reason: 'ok',
      evidence: {},
      remediation: null,
    }) satisfies Evaluation;

  it('keeps the evaluations of the rule’s type only', () => {
    const kept = evaluationsToReport(
      endpointRule,
      [evaluation('vpce-0e000001'), evaluation('rtb-1', 'AWS::EC2::RouteTable')],
      subject,
    );

    expect(kept.map((e) => e.resourceId)).toEqual(['vpce-0e000001']);
  });

  it('adds NOT_APPLICABLE for the subject when live state no longer has it', () => {
    const kept = evaluationsToReport(endpointRule, [evaluation('vpce-other')], subject);

    expect(kept.map((e) => [e.resourceId, e.status, e.reason])).toEqual([
      ['vpce-other', 'COMPLIANT', 'ok'],
      [
        'vpce-0e000001',
        'NOT_APPLICABLE',
        'not found in live state: the resource was deleted after AWS Config recorded the change',
      ],
    ]);
  });
});

describe('orderingTimestampOf', () => {
  const now = new Date('2025-03-02T00:00:00.000Z');

  it('is the item’s capture time for a change', () => {
    expect(orderingTimestampOf(parsed('config-rule/change-vpc-endpoint.json'), now).toISOString()).toBe(
      '2025-03-01T12:00:00.000Z',
    );
  });

  it('is the notification time for a periodic run', () => {
    expect(orderingTimestampOf(parsed('config-rule/scheduled.json'), now).toISOString()).toBe(
      '2025-03-01T00:00:00.000Z',
    );
  });

  it('is now when the event carries no usable time', () => {
    const raw = eventFixture('config-rule/scheduled.json');
    const invoking = {
      awsAccountId: '111122223333',
      messageType: 'ScheduledNotification',
      notificationCreationTime: 'soon',
    };

    expect(
      orderingTimestampOf(parseConfigRuleEvent({ ...raw, invokingEvent: JSON.stringify(invoking) }), now),
    ).toBe(now);
  });
});

import { describe, expect, it } from 'vitest';
import { parseConfigRuleEvent } from '../../shared/events/config-rule-event';
import { InvalidEventError } from '../../shared/events/errors';
import { eventFixture } from './support';

function invalid(event: unknown): InvalidEventError {
  try {
    parseConfigRuleEvent(event);
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('expected an InvalidEventError');
}

describe('parseConfigRuleEvent', () => {
  it('decodes a change notification: both JSON strings, the rule id, the account and the region', () => {
    // Prepare
    const raw = eventFixture('config-rule/change-vpc-endpoint.json');

    // Act
    const event = parseConfigRuleEvent(raw);

    // Assess
    expect(event.messageType).toBe('ConfigurationItemChangeNotification');
    expect(event).toMatchObject({
      ruleId: 'interface-endpoint-multi-az',
      ruleParameters: { ruleId: 'interface-endpoint-multi-az' },
      resultToken: raw.resultToken,
      eventLeftScope: false,
      accountId: '111122223333',
      region: 'us-east-1',
      configRuleName: 'OrgConfigRule-eg-interface-endpoint-multi-az-5kdh2w1x',
      version: '1.0',
      notificationCreationTime: '2025-03-01T12:00:05.123Z',
      configurationItemDiff: null,
    });
    if (event.messageType !== 'ConfigurationItemChangeNotification') throw new Error('unreachable');
    expect(event.configurationItem.resourceType).toBe('AWS::EC2::VPCEndpoint');
    expect(event.configurationItem.resourceId).toBe('vpce-0e000001');
  });

  it('keeps the configuration item diff of an update', () => {
    const event = parseConfigRuleEvent(eventFixture('config-rule/change-route-table.json'));

    expect(
      event.messageType === 'ConfigurationItemChangeNotification' && event.configurationItemDiff,
    ).toMatchObject({
      changeType: 'UPDATE',
    });
  });

  it('reads an oversized notification: a summary, no configuration', () => {
    const event = parseConfigRuleEvent(eventFixture('config-rule/oversized-route-table.json'));

    expect(event.messageType).toBe('OversizedConfigurationItemChangeNotification');
    expect(
      event.messageType === 'OversizedConfigurationItemChangeNotification' && event.configurationItemSummary,
    ).toMatchObject({
      resourceType: 'AWS::EC2::RouteTable',
      resourceId: 'rtb-0b000001',
      configurationItemStatus: 'OK',
    });
  });

  it('reads a scheduled notification, which names only the account', () => {
    const event = parseConfigRuleEvent(eventFixture('config-rule/scheduled.json'));

    expect(event).toMatchObject({
      messageType: 'ScheduledNotification',
      ruleId: 'gateway-endpoint-routes',
      accountId: '111122223333',
      region: 'us-east-1',
      notificationCreationTime: '2025-03-01T00:00:00.000Z',
    });
  });

  it('reads a snapshot-delivery notification (which is never evaluated)', () => {
    const event = parseConfigRuleEvent(eventFixture('config-rule/snapshot-delivery-completed.json'));

    expect(event.messageType).toBe('ConfigurationSnapshotDeliveryCompleted');
  });

  it('reads eventLeftScope', () => {
    expect(parseConfigRuleEvent(eventFixture('config-rule/left-scope.json')).eventLeftScope).toBe(true);
  });

  it('accepts an event without configRuleName, configRuleArn and version, taking account and region from the item', () => {
    // Prepare: what C7N's sample and some test harnesses send.
    const {
      configRuleName: _n,
      configRuleArn: _a,
      version: _v,
      accountId: _c,
      ...raw
    } = eventFixture('config-rule/cross-account.json');

    // Act
    const event = parseConfigRuleEvent({ ...raw, debug: true });

    // Assess
    expect(event.accountId).toBe('222233334444');
    expect(event.region).toBe('us-east-1');
    expect(event.configRuleName).toBeUndefined();
    expect(event.eventLeftScope).toBe(false);
  });

  it('accepts ruleParameters already decoded into an object', () => {
    const raw = {
      ...eventFixture('config-rule/change-bucket.json'),
      ruleParameters: { ruleId: 's3-bucket-public-access' },
    };

    expect(parseConfigRuleEvent(raw).ruleId).toBe('s3-bucket-public-access');
  });

  describe('rejects, naming the field', () => {
    it.each([
      [
        'config-rule/malformed/invoking-event-not-json.json',
        'invokingEvent',
        /^invokingEvent: not valid JSON: /,
      ],
      [
        'config-rule/malformed/missing-rule-parameters.json',
        'ruleParameters.ruleId',
        /^ruleParameters\.ruleId: missing: the Config rule must be created with the input parameters \{"ruleId": "<one of interface-endpoint-multi-az, s3-bucket-public-access, gateway-endpoint-routes>"\}$/,
      ],
      [
        'config-rule/malformed/unknown-rule-id.json',
        'ruleParameters.ruleId',
        /^ruleParameters\.ruleId: unknown rule "ec2-instance-no-public-ip": expected one of interface-endpoint-multi-az, s3-bucket-public-access, gateway-endpoint-routes$/,
      ],
      [
        'config-rule/malformed/unknown-message-type.json',
        'invokingEvent.messageType',
        /^invokingEvent\.messageType: unknown messageType: expected one of ConfigurationItemChangeNotification, OversizedConfigurationItemChangeNotification, ScheduledNotification, ConfigurationSnapshotDeliveryCompleted$/,
      ],
      [
        'config-rule/malformed/missing-result-token.json',
        'resultToken',
        /^resultToken: missing: PutEvaluations cannot be called without it$/,
      ],
      [
        'config-rule/malformed/item-without-resource-id.json',
        'invokingEvent.configurationItem.resourceId',
        /^invokingEvent\.configurationItem\.resourceId: Invalid input: expected string, received undefined$/,
      ],
    ])('%s', (path, field, message) => {
      const error = invalid(eventFixture(path));

      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
    });

    it('an event that is not an object', () => {
      expect(invalid('{"invokingEvent": "{}"}').field).toBe('(root)');
    });

    it('an invokingEvent that is not a string', () => {
      const raw = {
        ...eventFixture('config-rule/scheduled.json'),
        invokingEvent: { messageType: 'ScheduledNotification' },
      };

      expect(invalid(raw).message).toBe('invokingEvent: expected a JSON string');
    });

    it('a ruleParameters JSON array', () => {
      const raw = {
        ...eventFixture('config-rule/scheduled.json'),
        ruleParameters: '["gateway-endpoint-routes"]',
      };

      expect(invalid(raw).message).toBe('ruleParameters: expected a JSON object such as {"ruleId": "..."}');
    });

    it('empty ruleParameters', () => {
      const raw = { ...eventFixture('config-rule/scheduled.json'), ruleParameters: '' };

      expect(invalid(raw).field).toBe('ruleParameters.ruleId');
    });

    it('an account id that is not 12 digits', () => {
      const raw = { ...eventFixture('config-rule/scheduled.json'), accountId: '1234' };

      expect(invalid(raw).message).toBe('accountId: expected a 12-digit account id');
    });

    it('an event that names no account at all', () => {
      const { accountId: _a, ...raw } = eventFixture('config-rule/scheduled.json');
      const invoking = JSON.parse(String(raw.invokingEvent)) as Record<string, unknown>;
      delete invoking.awsAccountId;

      expect(invalid({ ...raw, invokingEvent: JSON.stringify(invoking) }).field).toBe('accountId');
    });
  });
});

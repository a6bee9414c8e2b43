/**
 * ConfigServiceAdapter: the latest item in API form (dates as ISO strings, accepted by the
 * normalizer), BatchGet in chunks with bounded retries, PutEvaluations in chunks of 100 with
 * clamped annotations and failures reported.
 */
import {
  BatchGetResourceConfigCommand,
  ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
  ResourceNotDiscoveredException,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigServiceAdapter } from '../../shared/aws/config-service';
import { PutEvaluationsError, UnprocessedResourceKeysError } from '../../shared/aws/errors';
import { normalizeConfigurationItem } from '../../shared/inventory/configuration-item';
import { ACCOUNT, evaluation, REGION, VPC } from './sdk-shapes';

const config = mockClient(ConfigServiceClient);
const CAPTURED = new Date('2025-03-01T12:00:00.000Z');
const ORDERING = new Date('2025-03-01T12:05:00.000Z');
const TOKEN = 'result-token-from-the-invoking-event';

/** A VPC endpoint item as GetResourceConfigHistory returns it through SDK v3. */
function apiItem(id: string) {
  return {
    version: '1.3',
    accountId: ACCOUNT,
    configurationItemCaptureTime: CAPTURED,
    configurationItemStatus: 'OK' as const,
    configurationStateId: '1740830400000',
    configurationItemMD5Hash: '',
    arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-endpoint/${id}`,
    resourceType: 'AWS::EC2::VPCEndpoint' as const,
    resourceId: id,
    awsRegion: REGION,
    availabilityZone: 'Not Applicable',
    resourceCreationTime: new Date('2024-06-01T09:30:00.000Z'),
    tags: {},
    relatedEvents: [],
    relationships: [
      { resourceType: 'AWS::EC2::VPC' as const, resourceId: VPC, relationshipName: 'Is contained in Vpc' },
    ],
    configuration: JSON.stringify({
      vpcEndpointId: id,
      vpcEndpointType: 'Interface',
      vpcId: VPC,
      serviceName: `com.amazonaws.${REGION}.ssm`,
      state: 'available',
      subnetIds: ['subnet-a'],
      routeTableIds: [],
    }),
    supplementaryConfiguration: {},
  };
}

function adapter(): ConfigServiceAdapter {
  return new ConfigServiceAdapter(new ConfigServiceClient({ region: REGION }), { sleep: async () => {} });
}

describe('ConfigServiceAdapter', () => {
  beforeEach(() => {
    config.reset();
  });

  describe('getLatestConfigurationItem', () => {
    it('asks for one item and returns it in API form with ISO dates, which the normalizer reads', async () => {
      // Prepare
      config.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [apiItem('vpce-1')] });

      // Act
      const raw = await adapter().getLatestConfigurationItem('AWS::EC2::VPCEndpoint', 'vpce-1');

      // Assess
      expect(config).toHaveReceivedCommandExactlyOnceWith(GetResourceConfigHistoryCommand, {
        resourceType: 'AWS::EC2::VPCEndpoint',
        resourceId: 'vpce-1',
        limit: 1,
      });
      expect(raw?.configurationItemCaptureTime).toBe('2025-03-01T12:00:00.000Z');
      expect(raw?.resourceCreationTime).toBe('2024-06-01T09:30:00.000Z');
      expect(normalizeConfigurationItem(raw, 'GetResourceConfigHistory')).toMatchObject({
        resourceType: 'AWS::EC2::VPCEndpoint',
        resourceId: 'vpce-1',
        accountId: ACCOUNT,
        capturedAt: '2025-03-01T12:00:00.000Z',
        vpcId: VPC,
        subnetIds: ['subnet-a'],
      });
    });

    it('returns undefined for a resource Config never recorded', async () => {
      config
        .on(GetResourceConfigHistoryCommand)
        .rejects(
          new ResourceNotDiscoveredException({ message: 'Resource vpce-1 is not discovered', $metadata: {} }),
        );

      expect(await adapter().getLatestConfigurationItem('AWS::EC2::VPCEndpoint', 'vpce-1')).toBeUndefined();
    });

    it('returns undefined when the history is empty', async () => {
      config.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [] });

      expect(await adapter().getLatestConfigurationItem('AWS::EC2::VPCEndpoint', 'vpce-1')).toBeUndefined();
    });
  });

  describe('batchGet', () => {
    const key = (i: number) => ({ resourceType: 'AWS::EC2::VPCEndpoint' as const, resourceId: `vpce-${i}` });
    const keys = Array.from({ length: 250 }, (_, i) => key(i));
    const first = key(0);
    const second = key(1);

    it('sends 100 keys per call and returns every item', async () => {
      config
        .on(BatchGetResourceConfigCommand)
        .callsFake((input: { resourceKeys: { resourceId: string }[] }) => ({
          baseConfigurationItems: input.resourceKeys.map((key) => apiItem(key.resourceId)),
          unprocessedResourceKeys: [],
        }));

      const items = await adapter().batchGet(keys);

      const sizes = config
        .commandCalls(BatchGetResourceConfigCommand)
        .map((c) => c.args[0].input.resourceKeys?.length);
      expect(sizes).toEqual([100, 100, 50]);
      expect(config).toHaveReceivedNthCommandWith(BatchGetResourceConfigCommand, 3, {
        resourceKeys: keys.slice(200),
      });
      expect(items).toHaveLength(250);
      expect(items[0]?.configurationItemCaptureTime).toBe('2025-03-01T12:00:00.000Z');
    });

    it('asks again for unprocessed keys', async () => {
      config
        .on(BatchGetResourceConfigCommand)
        .resolvesOnce({ baseConfigurationItems: [apiItem('vpce-0')], unprocessedResourceKeys: [second] })
        .resolvesOnce({ baseConfigurationItems: [apiItem('vpce-1')], unprocessedResourceKeys: [] });

      const items = await adapter().batchGet([first, second]);

      expect(items.map((item) => item.resourceId)).toEqual(['vpce-0', 'vpce-1']);
      expect(config).toHaveReceivedNthCommandWith(BatchGetResourceConfigCommand, 2, {
        resourceKeys: [second],
      });
    });

    it('gives up after the bounded retries, naming the keys and keeping what it got', async () => {
      config
        .on(BatchGetResourceConfigCommand)
        .resolvesOnce({ baseConfigurationItems: [apiItem('vpce-0')], unprocessedResourceKeys: [second] })
        .resolves({ baseConfigurationItems: [], unprocessedResourceKeys: [second] });
      const retrying = new ConfigServiceAdapter(new ConfigServiceClient({ region: REGION }), {
        unprocessedRetries: 2,
        sleep: async () => {},
      });

      const error = await retrying.batchGet([first, second]).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(UnprocessedResourceKeysError);
      expect((error as UnprocessedResourceKeysError).keys).toEqual([second]);
      expect((error as UnprocessedResourceKeysError).items.map((item) => item.resourceId)).toEqual([
        'vpce-0',
      ]);
      expect(config).toHaveReceivedCommandTimes(BatchGetResourceConfigCommand, 3);
    });
  });

  describe('putEvaluations', () => {
    it('sends 250 evaluations in 3 calls of 100, 100 and 50', async () => {
      // Prepare
      config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
      const evaluations = Array.from({ length: 250 }, (_, i) => evaluation(`vpce-${i}`));

      // Act
      await adapter().putEvaluations(TOKEN, evaluations, ORDERING);

      // Assess
      const sent = config.commandCalls(PutEvaluationsCommand).map((call) => call.args[0].input);
      expect(sent.map((input) => input.Evaluations?.length)).toEqual([100, 100, 50]);
      expect(sent.every((input) => input.ResultToken === TOKEN && input.TestMode === undefined)).toBe(true);
      expect(sent[2]?.Evaluations?.[49]).toEqual({
        ComplianceResourceType: 'AWS::EC2::VPCEndpoint',
        ComplianceResourceId: 'vpce-249',
        ComplianceType: 'NON_COMPLIANT',
        Annotation: 'endpoint vpce-249 has subnets in 1 AZ (us-east-1a)',
        OrderingTimestamp: ORDERING,
      });
    });

    it('clamps annotations to 256 characters and passes TestMode', async () => {
      config.on(PutEvaluationsCommand).resolves({});
      const long = evaluation('vpce-long', { status: 'COMPLIANT', reason: 'x'.repeat(300) });

      await adapter().putEvaluations(TOKEN, [long], ORDERING, { testMode: true });

      expect(config).toHaveReceivedCommandExactlyOnceWith(PutEvaluationsCommand, {
        ResultToken: TOKEN,
        TestMode: true,
        Evaluations: [
          {
            ComplianceResourceType: 'AWS::EC2::VPCEndpoint',
            ComplianceResourceId: 'vpce-long',
            ComplianceType: 'COMPLIANT',
            Annotation: `${'x'.repeat(255)}…`,
            OrderingTimestamp: ORDERING,
          },
        ],
      });
      const annotation =
        config.commandCalls(PutEvaluationsCommand)[0]?.args[0].input.Evaluations?.[0]?.Annotation;
      expect(annotation).toHaveLength(256);
    });

    it('makes no call for no evaluation', async () => {
      await adapter().putEvaluations(TOKEN, [], ORDERING);

      expect(config).not.toHaveReceivedAnyCommand();
    });

    it('throws PutEvaluationsError listing the evaluations Config refused, after sending every chunk', async () => {
      config
        .on(PutEvaluationsCommand)
        .resolvesOnce({
          FailedEvaluations: [
            {
              ComplianceResourceType: 'AWS::EC2::VPCEndpoint',
              ComplianceResourceId: 'vpce-7',
              ComplianceType: 'NON_COMPLIANT',
              OrderingTimestamp: ORDERING,
            },
          ],
        })
        .resolves({ FailedEvaluations: [] });
      const evaluations = Array.from({ length: 150 }, (_, i) => evaluation(`vpce-${i}`));

      const error = await adapter()
        .putEvaluations(TOKEN, evaluations, ORDERING)
        .catch((e: unknown) => e);

      expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
      expect(error).toBeInstanceOf(PutEvaluationsError);
      expect((error as PutEvaluationsError).failed).toEqual([
        { resourceType: 'AWS::EC2::VPCEndpoint', resourceId: 'vpce-7', complianceType: 'NON_COMPLIANT' },
      ]);
      expect((error as Error).message).toBe(
        'AWS Config rejected 1 evaluation: AWS::EC2::VPCEndpoint vpce-7 (NON_COMPLIANT)',
      );
    });
  });
});

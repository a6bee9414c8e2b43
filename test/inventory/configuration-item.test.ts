import { describe, expect, it } from 'vitest';
import { ConfigurationItemError } from '../../shared/errors';
import { normalizeConfigurationItem, normalizeGrantee } from '../../shared/inventory/configuration-item';
import { Inventory } from '../../shared/inventory/inventory';
import { parseConfigurationItems } from '../../shared/inventory/load';
import type { Bucket, RouteTable, Subnet, VpcEndpoint } from '../../shared/model';
import { bucket, mainAssoc, routeTable, subnet, subnetAssoc, vpcEndpoint } from '../support/config-items';

/** The API form of an item (BatchGetResourceConfig / GetResourceConfigHistory). */
function apiForm(item: Record<string, unknown>): Record<string, unknown> {
  const { awsAccountId, ARN, configuration, supplementaryConfiguration, tags, ...rest } = item;
  return {
    ...rest,
    accountId: awsAccountId,
    arn: ARN,
    configurationStateId: '1740830400000',
    configuration: JSON.stringify(configuration),
    supplementaryConfiguration: Object.fromEntries(
      Object.entries(supplementaryConfiguration as Record<string, unknown>).map(([key, value]) => [
        key,
        // Config double-encodes some values in API form: a string holding a JSON string.
        JSON.stringify(typeof value === 'string' ? value : JSON.stringify(value)),
      ]),
    ),
    tags,
  };
}

describe('normalizeConfigurationItem', () => {
  it('reads a subnet in notification form', () => {
    const item = subnet({ id: 'subnet-1', az: 'us-east-1b', freeIps: 42, name: 'app-private-us-east-1b' });

    const resource = normalizeConfigurationItem(item, 'x') as Subnet;

    expect(resource).toMatchObject({
      resourceType: 'AWS::EC2::Subnet',
      resourceId: 'subnet-1',
      accountId: '111122223333',
      region: 'us-east-1',
      vpcId: 'vpc-0a000001',
      availabilityZone: 'us-east-1b',
      availableIpAddressCount: 42,
      itemStatus: 'OK',
    });
    expect(resource.tags.Name).toBe('app-private-us-east-1b');
  });

  it('reads the same bucket identically in notification and API form (double-encoded supplementary values)', () => {
    const item = bucket({
      name: 'b1',
      bpa: {
        blockPublicAcls: true,
        ignorePublicAcls: false,
        blockPublicPolicy: true,
        restrictPublicBuckets: false,
      },
      policy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b1/*' },
        ],
      },
      grants: [{ grantee: 'AllUsers', permission: 'Read' }],
    }) as unknown as Record<string, unknown>;

    const fromNotification = normalizeConfigurationItem(item, 'a') as Bucket;
    const fromApi = normalizeConfigurationItem(apiForm(item), 'b') as Bucket;

    expect(fromApi).toEqual({ ...fromNotification });
    expect(fromApi.publicAccessBlock).toEqual({
      blockPublicAcls: true,
      ignorePublicAcls: false,
      blockPublicPolicy: true,
      restrictPublicBuckets: false,
    });
    expect(JSON.parse(fromApi.policyText ?? '')).toMatchObject({ Statement: [{ Principal: '*' }] });
    expect(fromApi.aclGrants).toContainEqual({
      grantee: { kind: 'group', group: 'AllUsers' },
      permission: 'Read',
    });
  });

  it('accepts an endpoint state written as {"value": ...}', () => {
    const item = { ...vpcEndpoint({ id: 'vpce-1', subnetIds: [] }) } as unknown as Record<string, unknown>;
    const configuration = {
      ...(item.configuration as Record<string, unknown>),
      state: { value: 'Available' },
    };

    const resource = normalizeConfigurationItem({ ...item, configuration }, 'x') as VpcEndpoint;

    expect(resource.state).toBe('Available');
  });

  it('reads tags from query rows (a list of {tag, key, value}) and from configuration.tags', () => {
    const item = subnet({ id: 'subnet-1', az: 'us-east-1a' }) as unknown as Record<string, unknown>;
    const row = {
      ...item,
      tags: [{ tag: 'team=platform', key: 'team', value: 'platform' }],
      configuration: { ...(item.configuration as object), tags: [{ key: 'Name', value: 'n1' }] },
    };

    const resource = normalizeConfigurationItem(row, 'x') as Subnet;

    expect(resource.tags).toEqual({ Name: 'n1', team: 'platform' });
  });

  it('reads a deleted item without configuration', () => {
    const item = {
      ...(routeTable({ id: 'rtb-1', associations: [mainAssoc()] }) as unknown as Record<string, unknown>),
      configurationItemStatus: 'ResourceDeleted',
      configuration: null,
    };

    const resource = normalizeConfigurationItem(item, 'x') as RouteTable;

    expect(resource).toMatchObject({ itemStatus: 'ResourceDeleted', routes: [], associations: [] });
  });

  it('skips resource types no rule reads', () => {
    expect(
      normalizeConfigurationItem({ resourceType: 'AWS::IAM::Role', resourceId: 'r' }, 'x'),
    ).toBeUndefined();
  });

  it.each([
    [{ resourceId: 'x' }, 'x[0]: missing resourceType'],
    [{ resourceType: 'AWS::EC2::Subnet' }, 'x[0]: AWS::EC2::Subnet: missing resourceId'],
    [
      { resourceType: 'AWS::EC2::Subnet', resourceId: 's', awsRegion: 'us-east-1' },
      'x[0]: AWS::EC2::Subnet s: missing awsAccountId / accountId',
    ],
    [
      { resourceType: 'AWS::EC2::Subnet', resourceId: 's', accountId: '1', awsRegion: 'us-east-1' },
      'x[0]: AWS::EC2::Subnet s: missing configuration',
    ],
    [
      {
        resourceType: 'AWS::EC2::VPCEndpoint',
        resourceId: 'v',
        accountId: '1',
        awsRegion: 'us-east-1',
        configuration: { vpcId: 'vpc-1', vpcEndpointType: 'Interface', subnetIds: 'subnet-1' },
      },
      'x[0]: AWS::EC2::VPCEndpoint v: configuration.subnetIds must be an array, got string "subnet-1"',
    ],
    [
      {
        resourceType: 'AWS::EC2::RouteTable',
        resourceId: 'r',
        accountId: '1',
        awsRegion: 'us-east-1',
        configuration: { vpcId: 'vpc-1', associations: [{ main: 'yes' }] },
      },
      'x[0]: AWS::EC2::RouteTable r: configuration.associations[0].main must be a boolean, got string "yes"',
    ],
    ['not an object', 'x[0]: configuration item must be an object, got string "not an object"'],
  ])('rejects a malformed item with a message naming it: %j', (item, message) => {
    const error = captureError(() => normalizeConfigurationItem(item, 'x[0]'));

    expect(error).toBeInstanceOf(ConfigurationItemError);
    expect((error as Error).message).toBe(message);
  });
});

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('normalizeGrantee', () => {
  it.each([
    ['AllUsers', { kind: 'group', group: 'AllUsers' }],
    [
      'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
      { kind: 'group', group: 'AuthenticatedUsers' },
    ],
    [{ uri: 'http://acs.amazonaws.com/groups/s3/LogDelivery' }, { kind: 'group', group: 'LogDelivery' }],
    [
      { identifier: 'http://acs.amazonaws.com/groups/global/AllUsers', typeIdentifier: 'uri' },
      { kind: 'group', group: 'AllUsers' },
    ],
    [
      { id: 'abc', displayName: 'owner' },
      { kind: 'canonicalUser', id: 'abc' },
    ],
    [
      { identifier: 'a@b.c', typeIdentifier: 'emailAddress' },
      { kind: 'email', email: 'a@b.c' },
    ],
  ])('normalizes %j', (raw, expected) => {
    expect(normalizeGrantee(raw)).toEqual(expected);
  });
});

describe('Inventory', () => {
  it('keeps the item captured last when a resource appears twice', () => {
    const older = {
      ...subnet({ id: 'subnet-1', az: 'us-east-1a', freeIps: 1 }),
      configurationItemCaptureTime: '2025-01-02T00:00:00Z',
    };
    const newer = {
      ...subnet({ id: 'subnet-1', az: 'us-east-1a', freeIps: 2 }),
      configurationItemCaptureTime: '2025-01-03T00:00:00Z',
    };
    const resources = [newer, older].map((item, index) => normalizeConfigurationItem(item, `${index}`));

    const inventory = Inventory.from(resources.filter((r) => r !== undefined));

    expect(inventory.subnet('subnet-1')?.availableIpAddressCount).toBe(2);
  });

  it('resolves a subnet to its explicit route table, else the main table, ignoring disassociated links', () => {
    const items = [
      subnet({ id: 'subnet-1', az: 'us-east-1a' }),
      subnet({ id: 'subnet-2', az: 'us-east-1b' }),
      routeTable({ id: 'rtb-main', associations: [mainAssoc()] }),
      routeTable({ id: 'rtb-app', associations: [subnetAssoc('subnet-1')] }),
    ];
    const withStale = items.map((item) => {
      if (item.resourceId !== 'rtb-app') return item;
      const configuration = item.configuration as { associations: Record<string, unknown>[] };
      return {
        ...item,
        configuration: {
          ...configuration,
          associations: [
            ...configuration.associations,
            { subnetId: 'subnet-2', main: false, associationState: { state: 'disassociated' } },
          ],
        },
      };
    });
    const inventory = Inventory.from(
      withStale.map((item, i) => normalizeConfigurationItem(item, `${i}`)).filter((r) => r !== undefined),
    );

    expect(inventory.routeTableOfSubnet(inventory.subnet('subnet-1') as Subnet)?.resourceId).toBe('rtb-app');
    expect(inventory.routeTableOfSubnet(inventory.subnet('subnet-2') as Subnet)?.resourceId).toBe('rtb-main');
  });
});

describe('parseConfigurationItems', () => {
  it('names the row of a select-resource-config result that is not JSON', () => {
    expect(() =>
      parseConfigurationItems(JSON.stringify({ Results: ['{"a":1}', '{oops'] }), 'q.json'),
    ).toThrow(/^q\.json: Results\[1\]: row is not valid JSON: /);
  });

  it('rejects a document whose item list is not an array', () => {
    expect(() => parseConfigurationItems('{"configurationItems": {}}', 'f')).toThrow(
      'f: "configurationItems" must be an array',
    );
  });
});

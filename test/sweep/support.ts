/**
 * An in-memory AWS Config aggregator for the sweep tests: advanced-query rows (the shape
 * SelectAggregateResourceConfig returns: top-level fields, `configuration` with the selected
 * fields, `tags` as a list) and the answers to the sweep's three queries (account counts, a
 * shard's accounts, shared VPCs' context), paged by `MaxResults` (500 when absent, as for
 * aggregations) with NextToken, plus
 * BatchGetAggregateResourceConfig for bucket details.
 */
import {
  type BaseConfigurationItem,
  BatchGetAggregateResourceConfigCommand,
  type BatchGetAggregateResourceConfigCommandInput,
  type ConfigServiceClientResolvedConfig,
  SelectAggregateResourceConfigCommand,
  type SelectAggregateResourceConfigCommandInput,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-config-service';
import type { AwsStub } from 'aws-sdk-client-mock';
import { findingIdOf } from '../../shared/findings/finding';
import { arnFor } from '../../shared/inventory/arn';
import type { ResourceType } from '../../shared/model';
import type { RuleId } from '../../shared/rules/types';

export type Row = Record<string, unknown>;

export const REGION = 'eu-west-1';
export const CAPTURED = '2025-06-01T10:00:00.000Z';

function base(accountId: string, resourceType: string, resourceId: string, extra: Row = {}): Row {
  return {
    resourceId,
    resourceType,
    accountId,
    awsRegion: REGION,
    configurationItemStatus: 'OK',
    configurationItemCaptureTime: CAPTURED,
    tags: [],
    ...extra,
  };
}

/** A subnet row; the state in the query's `{value}` spelling. */
export function subnetRow(accountId: string, vpcId: string, subnetId: string, az: string, free = 200): Row {
  return base(accountId, 'AWS::EC2::Subnet', subnetId, {
    configuration: {
      vpcId,
      availabilityZone: az,
      availableIpAddressCount: free,
      state: { value: 'available' },
    },
    tags: [{ tag: `Name=${subnetId}`, key: 'Name', value: subnetId }],
  });
}

/** A route table with explicit associations (or the main one). */
export function tableRow(
  accountId: string,
  vpcId: string,
  tableId: string,
  options: {
    subnets?: readonly string[];
    main?: boolean;
    gatewayEndpoints?: readonly string[];
    internet?: boolean;
  } = {},
): Row {
  return base(accountId, 'AWS::EC2::RouteTable', tableId, {
    configuration: {
      vpcId,
      routes: [
        { destinationCidrBlock: '10.0.0.0/16', gatewayId: 'local', state: 'active' },
        ...(options.internet
          ? [{ destinationCidrBlock: '0.0.0.0/0', gatewayId: `igw-${vpcId}`, state: 'active' }]
          : []),
        ...(options.gatewayEndpoints ?? []).map((id) => ({
          destinationPrefixListId: 'pl-6da54004',
          gatewayId: id,
          state: 'active',
        })),
      ],
      associations: [
        ...(options.main ? [{ main: true, routeTableAssociationId: `rtbassoc-${tableId}-main` }] : []),
        ...(options.subnets ?? []).map((subnetId) => ({
          main: false,
          subnetId,
          routeTableAssociationId: `rtbassoc-${subnetId}`,
        })),
      ],
    },
  });
}

/** An endpoint row, its state in the query's `{value}` spelling. */
export function endpointRow(
  accountId: string,
  vpcId: string,
  endpointId: string,
  options: {
    type?: string;
    service?: string;
    subnets?: readonly string[];
    tables?: readonly string[];
    state?: string;
  } = {},
): Row {
  return base(accountId, 'AWS::EC2::VPCEndpoint', endpointId, {
    configuration: {
      vpcId,
      vpcEndpointType: options.type ?? 'Interface',
      serviceName: options.service ?? `com.amazonaws.${REGION}.ssm`,
      state: { value: options.state ?? 'available' },
      subnetIds: options.subnets ?? [],
      routeTableIds: options.tables ?? [],
    },
  });
}

const ALL_ON = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};
const ALL_OFF = {
  blockPublicAcls: false,
  ignorePublicAcls: false,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
};

/** A bucket row: Block Public Access all on, or none at bucket level. */
export function bucketRow(
  accountId: string,
  name: string,
  blocked: boolean,
  tags: Record<string, string> = {},
): Row {
  return base(accountId, 'AWS::S3::Bucket', name, {
    configuration: { name },
    ...(blocked ? { supplementaryConfiguration: { PublicAccessBlockConfiguration: ALL_ON } } : {}),
    tags: Object.entries(tags).map(([key, value]) => ({ tag: `${key}=${value}`, key, value })),
  });
}

export function accountBlockRow(accountId: string, on: boolean): Row {
  return base(accountId, 'AWS::S3::AccountPublicAccessBlock', accountId, {
    configuration: on ? ALL_ON : ALL_OFF,
  });
}

/** A bucket's full item as BatchGetAggregateResourceConfig returns it (API form, strings). */
export function bucketItem(
  accountId: string,
  name: string,
  options: { publicPolicy?: boolean } = {},
): BaseConfigurationItem {
  const policy = options.publicPolicy
    ? JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/*` },
        ],
      })
    : null;
  return {
    version: '1.3',
    accountId,
    configurationItemCaptureTime: new Date('2025-06-01T10:05:00.000Z'),
    configurationItemStatus: 'OK',
    arn: `arn:aws:s3:::${name}`,
    resourceType: 'AWS::S3::Bucket',
    resourceId: name,
    resourceName: name,
    awsRegion: REGION,
    configuration: JSON.stringify({ name, owner: { id: 'owner' } }),
    supplementaryConfiguration: {
      BucketPolicy: JSON.stringify({ policyText: policy }),
      AccessControlList: JSON.stringify(
        JSON.stringify({
          grantList: [{ grantee: { id: 'owner' }, permission: 'FullControl' }],
          owner: { id: 'owner' },
        }),
      ),
    },
  };
}

/** The id of the finding of `rule` on a resource of these rows' region. */
export function findingIdFor(
  ruleId: RuleId,
  type: ResourceType,
  accountId: string,
  resourceId: string,
): string {
  return findingIdOf(ruleId, arnFor(type, { region: REGION, accountId, resourceId }));
}

function listIn(expression: string, field: string): Set<string> | undefined {
  const match = new RegExp(`${field.replace('.', '\\.')} IN \\(([^)]*)\\)`).exec(expression);
  if (!match?.[1]) return undefined;
  return new Set([...match[1].matchAll(/'([^']*)'/g)].map((m) => m[1] ?? ''));
}

export interface FakeAggregator {
  /** Expressions received, in order. */
  readonly expressions: string[];
  /** Replaces the rows served. */
  setRows(rows: readonly Row[]): void;
}

/** Answers the sweep's queries from `rows` (NextToken = offset), and bucket details from `items`. */
export function serveAggregator(
  config: AwsStub<ServiceInputTypes, ServiceOutputTypes, ConfigServiceClientResolvedConfig>,
  initialRows: readonly Row[],
  items: readonly BaseConfigurationItem[] = [],
): FakeAggregator {
  let rows = [...initialRows];
  const expressions: string[] = [];
  config
    .on(SelectAggregateResourceConfigCommand)
    .callsFake((input: SelectAggregateResourceConfigCommandInput) => {
      const expression = input.Expression ?? '';
      expressions.push(expression);
      const types = listIn(expression, 'resourceType');
      let results: Row[];
      if (/GROUP BY accountId/.test(expression)) {
        const counts = new Map<string, number>();
        for (const row of rows) {
          if (types && !types.has(String(row.resourceType))) continue;
          counts.set(String(row.accountId), (counts.get(String(row.accountId)) ?? 0) + 1);
        }
        results = [...counts].map(([accountId, count]) => ({ accountId, 'COUNT(*)': count }));
      } else {
        const accounts = listIn(expression, 'accountId');
        const vpcs = listIn(expression, 'configuration.vpcId');
        results = rows.filter(
          (row) =>
            (!types || types.has(String(row.resourceType))) &&
            (!accounts || accounts.has(String(row.accountId))) &&
            (!vpcs || vpcs.has(String((row.configuration as Row | undefined)?.vpcId))),
        );
      }
      const size = input.MaxResults ?? 500;
      const offset = Number(input.NextToken ?? 0);
      const page = results.slice(offset, offset + size);
      const next = offset + size < results.length ? String(offset + size) : undefined;
      return {
        Results: page.map((row) => JSON.stringify(row)),
        QueryInfo: { SelectFields: [] },
        ...(next === undefined ? {} : { NextToken: next }),
      };
    });
  config
    .on(BatchGetAggregateResourceConfigCommand)
    .callsFake((input: BatchGetAggregateResourceConfigCommandInput) => {
      const asked = input.ResourceIdentifiers ?? [];
      return {
        BaseConfigurationItems: items.filter((item) =>
          asked.some((id) => id.ResourceId === item.resourceId && id.SourceAccountId === item.accountId),
        ),
        UnprocessedResourceIdentifiers: [],
      };
    });
  return {
    expressions,
    setRows(next) {
      rows = [...next];
    },
  };
}

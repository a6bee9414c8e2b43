/**
 * Which CloudTrail API calls can change which rule's verdicts, and on which resources: the
 * mapping the cloudtrail-event Lambda runs, as data. Each rule's entries sit under its id, so
 * infra builds the EventBridge pattern from {@link CLOUDTRAIL_EVENT_NAMES} and a test holds the
 * table equal to the `triggers` the rules declare.
 *
 * A call names one resource; the resources whose verdict it changes are often others (a subnet
 * in a new AZ makes its VPC's interface endpoints NON_COMPLIANT; an association brings a route
 * table into scope). Each entry turns the record into the {@link LiveScope} to read from live
 * state. When the record does not name enough to find them, the entry says why and evaluates
 * nothing, or widens to every VPC of the account and region, whichever the entry documents.
 */
import type { LiveScope } from '../aws/live-inventory';
import type { RuleId } from '../rules/types';
import { type CloudTrailRecord, type SelfCallerOptions, selfCaller } from './cloudtrail';

export type CloudTrailEventSource = 'ec2.amazonaws.com' | 's3.amazonaws.com';

/** What one call means for one rule: the scope to evaluate, or why there is nothing to evaluate. */
export type MappedScope = { readonly scope: LiveScope; readonly note?: string } | { readonly skip: string };

/** One entry of the table: a call, and how to find what it affects. */
export interface CloudTrailMapping {
  readonly eventSource: CloudTrailEventSource;
  readonly eventName: string;
  /** Why this call matters to the rule (documentation for readers of the table). */
  readonly why: string;
  readonly affects: (record: CloudTrailRecord) => MappedScope;
}

// ---------------------------------------------------------------------------------------------
// Scope finders: each reads one shape of record. Request keys are matched case-insensitively
// and through the `XxxRequest` wrapper (see ParameterReader), so one finder covers both EC2
// encodings.

const ec2 = (eventName: string, why: string, affects: CloudTrailMapping['affects']): CloudTrailMapping => ({
  eventSource: 'ec2.amazonaws.com',
  eventName,
  why,
  affects,
});

const s3 = (eventName: string, why: string, affects: CloudTrailMapping['affects']): CloudTrailMapping => ({
  eventSource: 's3.amazonaws.com',
  eventName,
  why,
  affects,
});

/**
 * CreateVpcEndpoint: the new endpoint's VPC (request or response). The live reader evaluates a
 * VPC whole (every endpoint and route table), which covers a new gateway endpoint's effect on
 * the tables too; the endpoint id is resolved to its VPC only when neither names it.
 */
function createdEndpoint(record: CloudTrailRecord): MappedScope {
  const vpcId = record.request.string('VpcId') ?? record.response.string('vpcEndpoint', 'vpcId');
  if (vpcId !== undefined) return { scope: { vpcIds: [vpcId] } };
  const endpointId = record.response.string('vpcEndpoint', 'vpcEndpointId');
  if (endpointId !== undefined) return { scope: { endpointIds: [endpointId] } };
  return { skip: 'neither the response nor the request names the endpoint or its VPC' };
}

/**
 * ModifyVpcEndpoint: the endpoint, whose VPC the live reader resolves and reads whole. That
 * covers subnets added to or removed from an interface endpoint and route tables added to or
 * removed from a gateway endpoint (a removed table is still in the VPC, now without the route).
 */
function modifiedEndpoint(record: CloudTrailRecord): MappedScope {
  const endpointId = record.request.string('VpcEndpointId');
  if (endpointId === undefined) return { skip: 'the request names no VpcEndpointId' };
  return { scope: { endpointIds: [endpointId] } };
}

/**
 * DeleteVpcEndpoints: deleting a gateway endpoint leaves its VPC's private tables without the
 * route. The request names only endpoint ids, and the endpoints are gone, so their VPC cannot be
 * looked up: unless the request names it, every VPC of the account and region is re-evaluated
 * (the deletion is rare, and missing it would leave tables non-compliant until the next sweep).
 */
function deletedEndpoints(record: CloudTrailRecord): MappedScope {
  const vpcId = record.request.string('VpcId');
  if (vpcId !== undefined) return { scope: { vpcIds: [vpcId] } };
  const ids = record.request.strings('VpcEndpointId');
  return {
    scope: { allVpcs: true },
    note:
      `DeleteVpcEndpoints names only the deleted endpoints (${ids.join(', ') || 'none'}), whose VPC cannot be ` +
      'resolved after the fact: every VPC of the account and region is re-evaluated',
  };
}

/**
 * CreateTags / DeleteTags: the `endpoint-guard:exempt` tag turns a verdict into NOT_APPLICABLE
 * and back. The request lists the tagged ids as `resourcesSet.items[].resourceId`; only the ids
 * of the rule's resource type (by prefix) matter.
 */
function taggedResources(
  prefix: 'vpce-' | 'rtb-',
  key: 'endpointIds' | 'routeTableIds',
): CloudTrailMapping['affects'] {
  return (record) => {
    const items = record.request.value('resourcesSet', 'items');
    const ids = (Array.isArray(items) ? items : [items])
      .map((item) =>
        typeof item === 'object' && item !== null ? (item as Record<string, unknown>).resourceId : item,
      )
      .filter((id): id is string => typeof id === 'string' && id.startsWith(prefix));
    if (ids.length === 0) return { skip: `no ${prefix} resource among the tagged ones` };
    return { scope: { [key]: [...new Set(ids)] } };
  };
}

/** CreateSubnet: the VPC (a new AZ, and a subnet implicitly on the main table). */
function createdSubnet(record: CloudTrailRecord): MappedScope {
  const vpcId = record.request.string('vpcId') ?? record.response.string('subnet', 'vpcId');
  if (vpcId === undefined) return { skip: 'neither the request nor the response names the VPC' };
  return { scope: { vpcIds: [vpcId] } };
}

/** A call that changes a VPC it does not name, when it names one in the request: else all VPCs. */
function vpcOrAllVpcs(what: string): CloudTrailMapping['affects'] {
  return (record) => {
    const vpcId = record.request.string('vpcId');
    if (vpcId !== undefined) return { scope: { vpcIds: [vpcId] } };
    return {
      scope: { allVpcs: true },
      note: `${record.eventName} names ${what} but not the VPC, which cannot be resolved after the fact: every VPC of the account and region is re-evaluated`,
    };
  };
}

/**
 * CreateRouteTable: the VPC it was created in (a new table is evaluated with its VPC), else the
 * new table from the response, which the live reader resolves to its VPC.
 */
function createdRouteTable(record: CloudTrailRecord): MappedScope {
  const vpcId = record.request.string('vpcId') ?? record.response.string('routeTable', 'vpcId');
  if (vpcId !== undefined) return { scope: { vpcIds: [vpcId] } };
  const tableId = record.response.string('routeTable', 'routeTableId');
  if (tableId !== undefined) return { scope: { routeTableIds: [tableId] } };
  return { skip: 'neither the request nor the response names the VPC or the route table' };
}

/**
 * Calls that name the route table they change: routes, and associations. A new association also
 * takes the subnet off the table it used before (the main table, implicitly, or the replaced
 * one), which the request does not name; the live reader reads the named table's whole VPC and
 * evaluates every table in it, so that one is re-evaluated as well.
 */
function namedRouteTable(record: CloudTrailRecord): MappedScope {
  const tableId = record.request.string('routeTableId');
  if (tableId === undefined) return { skip: 'the request names no routeTableId' };
  return { scope: { routeTableIds: [tableId] } };
}

/** Bucket-level calls: the bucket, with the account's Block Public Access (effective flags). */
function namedBucket(record: CloudTrailRecord): MappedScope {
  const bucket = record.request.string('bucketName');
  if (bucket === undefined) return { skip: 'the request names no bucketName' };
  return { scope: { bucketNames: [bucket], accountPublicAccessBlock: true } };
}

/** Account-level Block Public Access: every bucket of the account (and region) is affected. */
function everyBucket(): MappedScope {
  return { scope: { allBuckets: true, accountPublicAccessBlock: true } };
}

// ---------------------------------------------------------------------------------------------
// The table. Keep each rule's list equal to its `triggers` (test/events/cloudtrail-map.test.ts).

/**
 * Every call each rule reacts to. Adding a trigger to a rule means adding its entry here.
 *
 * @example
 * CLOUDTRAIL_MAP['gateway-endpoint-routes'].map((entry) => entry.eventName);
 */
export const CLOUDTRAIL_MAP: Readonly<Record<RuleId, readonly CloudTrailMapping[]>> = {
  'interface-endpoint-multi-az': [
    ec2('CreateVpcEndpoint', 'a new endpoint must span the VPC’s AZs', createdEndpoint),
    ec2('ModifyVpcEndpoint', 'subnets added to or removed from an endpoint change its AZs', modifiedEndpoint),
    ec2(
      'CreateSubnet',
      'a subnet in a new AZ makes the VPC’s interface endpoints miss that AZ',
      createdSubnet,
    ),
    ec2(
      'DeleteSubnet',
      'the last subnet of an AZ leaving shrinks the AZs endpoints need',
      vpcOrAllVpcs('the subnet'),
    ),
    ec2(
      'CreateTags',
      'the endpoint-guard:exempt tag exempts an endpoint',
      taggedResources('vpce-', 'endpointIds'),
    ),
    ec2(
      'DeleteTags',
      'removing endpoint-guard:exempt brings an endpoint back',
      taggedResources('vpce-', 'endpointIds'),
    ),
  ],
  'gateway-endpoint-routes': [
    ec2('CreateRouteTable', 'a new table (in scope once associated)', createdRouteTable),
    ec2('AssociateRouteTable', 'an association brings a table into scope', namedRouteTable),
    ec2(
      'ReplaceRouteTableAssociation',
      'a subnet (or the main role) moves to another table',
      namedRouteTable,
    ),
    ec2(
      'DisassociateRouteTable',
      'the subnet falls back to the main table, which may come into scope',
      vpcOrAllVpcs('only the association id'),
    ),
    ec2('CreateRoute', 'a default route to an IGW makes a table public; an endpoint route', namedRouteTable),
    ec2('ReplaceRoute', 'a route’s target changes', namedRouteTable),
    ec2('DeleteRoute', 'a prefix-list route to the endpoint or the IGW route goes away', namedRouteTable),
    ec2(
      'CreateVpcEndpoint',
      'a new gateway endpoint (S3 or DynamoDB) applies to the VPC’s tables',
      createdEndpoint,
    ),
    ec2('ModifyVpcEndpoint', 'route tables added to or removed from a gateway endpoint', modifiedEndpoint),
    ec2('DeleteVpcEndpoints', 'the VPC’s tables lose a gateway endpoint', deletedEndpoints),
    ec2('CreateSubnet', 'a new subnet uses the main table implicitly', createdSubnet),
    ec2('DeleteSubnet', 'the main table may lose its last implicit subnet', vpcOrAllVpcs('the subnet')),
    ec2(
      'CreateTags',
      'the endpoint-guard:exempt tag exempts a route table',
      taggedResources('rtb-', 'routeTableIds'),
    ),
    ec2(
      'DeleteTags',
      'removing endpoint-guard:exempt brings a table back',
      taggedResources('rtb-', 'routeTableIds'),
    ),
  ],
  's3-bucket-public-access': [
    s3('CreateBucket', 'a new bucket', namedBucket),
    s3('PutBucketPolicy', 'the policy may be public', namedBucket),
    s3('DeleteBucketPolicy', 'a public policy may be gone', namedBucket),
    s3('PutBucketAcl', 'the ACL may grant AllUsers / AuthenticatedUsers', namedBucket),
    s3('PutBucketTagging', 'the endpoint-guard:exempt tag exempts a bucket', namedBucket),
    s3('DeleteBucketTagging', 'removing endpoint-guard:exempt brings a bucket back', namedBucket),
    s3('PutBucketPublicAccessBlock', 'bucket-level Block Public Access changed', namedBucket),
    s3('DeleteBucketPublicAccessBlock', 'bucket-level Block Public Access removed', namedBucket),
    // Account-level Block Public Access is an S3 Control API (PutPublicAccessBlock /
    // DeletePublicAccessBlock with x-amz-account-id), but CloudTrail records it with the other S3
    // management events, as eventSource s3.amazonaws.com and these event names. Source: Amazon
    // S3 User Guide, "Amazon S3 CloudTrail events" > "Amazon S3 account-level actions tracked by
    // CloudTrail logging" (awsdocs/amazon-s3-userguide doc_source/cloudtrail-logging-s3-info.md),
    // which lists DeleteAccountPublicAccessBlock, GetAccountPublicAccessBlock and
    // PutAccountPublicAccessBlock.
    s3('PutAccountPublicAccessBlock', 'the account-level flags apply to every bucket', everyBucket),
    s3('DeleteAccountPublicAccessBlock', 'the account-level flags apply to every bucket', everyBucket),
  ],
};

/** The EventBridge `source` of each CloudTrail event source. */
const EVENTBRIDGE_SOURCE: Readonly<Record<CloudTrailEventSource, 'aws.ec2' | 'aws.s3'>> = {
  'ec2.amazonaws.com': 'aws.ec2',
  's3.amazonaws.com': 'aws.s3',
};

/**
 * The event names to match per EventBridge source, derived from {@link CLOUDTRAIL_MAP}: infra
 * builds the member accounts' forwarding rule from this (`detail-type` "AWS API Call via
 * CloudTrail", `source`, `detail.eventName`).
 *
 * @example
 * // [{ source: 'aws.ec2', eventNames: ['AssociateRouteTable', ...] }, { source: 'aws.s3', eventNames: [...] }]
 * CLOUDTRAIL_EVENT_NAMES;
 */
export const CLOUDTRAIL_EVENT_NAMES: readonly {
  readonly source: 'aws.ec2' | 'aws.s3';
  readonly eventNames: readonly string[];
}[] = (['ec2.amazonaws.com', 's3.amazonaws.com'] as const).map((eventSource) => ({
  source: EVENTBRIDGE_SOURCE[eventSource],
  eventNames: unique(
    Object.values(CLOUDTRAIL_MAP)
      .flat()
      .filter((entry) => entry.eventSource === eventSource)
      .map((entry) => entry.eventName),
  ).sort(),
}));

// ---------------------------------------------------------------------------------------------
// Planning one record.

/** What to do with one CloudTrail record. */
export type CloudTrailPlan =
  | {
      readonly kind: 'evaluate';
      /** The union of the affected scopes of every rule the call matters to. */
      readonly scope: LiveScope;
      readonly ruleIds: readonly RuleId[];
      /** Widenings and per-rule skips worth logging. */
      readonly notes: readonly string[];
    }
  | {
      readonly kind: 'ignore';
      /**
       * `failed`: the call has an errorCode and changed nothing; `self`: endpoint-guard's own role
       * made it; `unmapped`: no rule reacts to it; `unresolved`: it matters, but the record
       * does not name what it changed.
       */
      readonly reason: 'failed' | 'self' | 'unmapped' | 'unresolved';
      readonly detail: string;
    };

/**
 * Decides what one CloudTrail record makes endpoint-guard evaluate. Pure.
 *
 * @example
 * const plan = planCloudTrailEvaluation(parseCloudTrailEvent(event), { memberRoleName: 'EndpointGuardMember' });
 * if (plan.kind === 'evaluate') await evaluateLive(reader, plan.scope, plan.ruleIds, options);
 */
export function planCloudTrailEvaluation(
  record: CloudTrailRecord,
  options: SelfCallerOptions = {},
): CloudTrailPlan {
  if (record.errorCode !== undefined) {
    return { kind: 'ignore', reason: 'failed', detail: `the call failed with ${record.errorCode}` };
  }
  const role = selfCaller(record.caller, options);
  if (role !== undefined) {
    return { kind: 'ignore', reason: 'self', detail: `made by endpoint-guard's own role ${role}` };
  }
  const entries = (Object.entries(CLOUDTRAIL_MAP) as [RuleId, readonly CloudTrailMapping[]][]).flatMap(
    ([ruleId, mappings]) =>
      mappings
        .filter((entry) => entry.eventSource === record.eventSource && entry.eventName === record.eventName)
        .map((entry) => ({ ruleId, mapped: entry.affects(record) })),
  );
  if (entries.length === 0) {
    return {
      kind: 'ignore',
      reason: 'unmapped',
      detail: `no rule reacts to ${record.eventSource} ${record.eventName}`,
    };
  }

  const scopes: LiveScope[] = [];
  const ruleIds: RuleId[] = [];
  const notes: string[] = [];
  for (const { ruleId, mapped } of entries) {
    if ('skip' in mapped) {
      notes.push(`${ruleId}: ${mapped.skip}`);
      continue;
    }
    scopes.push(mapped.scope);
    ruleIds.push(ruleId);
    if (mapped.note !== undefined) notes.push(`${ruleId}: ${mapped.note}`);
  }
  if (ruleIds.length === 0) return { kind: 'ignore', reason: 'unresolved', detail: notes.join('; ') };
  return { kind: 'evaluate', scope: mergeScopes(scopes), ruleIds, notes: unique(notes) };
}

/** The union of scopes: id lists merged without duplicates, flags or-ed. */
export function mergeScopes(scopes: readonly LiveScope[]): LiveScope {
  const ids = (key: 'vpcIds' | 'endpointIds' | 'routeTableIds' | 'subnetIds' | 'bucketNames') => {
    const merged = unique(scopes.flatMap((scope) => scope[key] ?? []));
    return merged.length === 0 ? {} : { [key]: merged };
  };
  const flag = (key: 'allVpcs' | 'allBuckets' | 'accountPublicAccessBlock') =>
    scopes.some((scope) => scope[key] === true) ? { [key]: true } : {};
  return {
    ...ids('vpcIds'),
    ...ids('endpointIds'),
    ...ids('routeTableIds'),
    ...ids('subnetIds'),
    ...ids('bucketNames'),
    ...flag('allVpcs'),
    ...flag('allBuckets'),
    ...flag('accountPublicAccessBlock'),
  };
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

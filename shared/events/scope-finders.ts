/**
 * How a CloudTrail record maps to the resources whose verdict it may change: the scope finders a
 * rule's `triggers` use (`ec2('ModifyVpcEndpoint', why, modifiedEndpoint)`). Each reads one shape
 * of record and returns the {@link LiveScope} to read from live state, or why there is none. Pure.
 *
 * A call names one resource; the resources whose verdict it changes are often others (a subnet
 * in a new AZ makes its VPC's interface endpoints NON_COMPLIANT; an association brings a route
 * table into scope). When the record does not name enough to find them, the finder says why and
 * evaluates nothing, or widens to every VPC of the account and region, whichever it documents.
 */
import type { LiveScope } from '../aws/live-inventory';
import type { CloudTrailRecord } from './cloudtrail';

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

export const ec2 = (
  eventName: string,
  why: string,
  affects: CloudTrailMapping['affects'],
): CloudTrailMapping => ({
  eventSource: 'ec2.amazonaws.com',
  eventName,
  why,
  affects,
});

export const s3 = (
  eventName: string,
  why: string,
  affects: CloudTrailMapping['affects'],
): CloudTrailMapping => ({
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
export function createdEndpoint(record: CloudTrailRecord): MappedScope {
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
export function modifiedEndpoint(record: CloudTrailRecord): MappedScope {
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
export function deletedEndpoints(record: CloudTrailRecord): MappedScope {
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
export function taggedResources(
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
export function createdSubnet(record: CloudTrailRecord): MappedScope {
  const vpcId = record.request.string('vpcId') ?? record.response.string('subnet', 'vpcId');
  if (vpcId === undefined) return { skip: 'neither the request nor the response names the VPC' };
  return { scope: { vpcIds: [vpcId] } };
}

/** A call that changes a VPC it does not name, when it names one in the request: else all VPCs. */
export function vpcOrAllVpcs(what: string): CloudTrailMapping['affects'] {
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
export function createdRouteTable(record: CloudTrailRecord): MappedScope {
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
export function namedRouteTable(record: CloudTrailRecord): MappedScope {
  const tableId = record.request.string('routeTableId');
  if (tableId === undefined) return { skip: 'the request names no routeTableId' };
  return { scope: { routeTableIds: [tableId] } };
}

/** Bucket-level calls: the bucket, with the account's Block Public Access (effective flags). */
export function namedBucket(record: CloudTrailRecord): MappedScope {
  const bucket = record.request.string('bucketName');
  if (bucket === undefined) return { skip: 'the request names no bucketName' };
  return { scope: { bucketNames: [bucket], accountPublicAccessBlock: true } };
}

/** Account-level Block Public Access: every bucket of the account (and region) is affected. */
export function everyBucket(): MappedScope {
  return { scope: { allBuckets: true, accountPublicAccessBlock: true } };
}

/**
 * The live state rollback reads before and after reversing changes: VPC endpoints (one
 * paginated DescribeVpcEndpoints for all of them) and bucket Block Public Access (one read per
 * bucket). Shared by the change modules that need them.
 */
import { paginateDescribeVpcEndpoints, type VpcEndpoint as SdkVpcEndpoint } from '@aws-sdk/client-ec2';
import { GetPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { hasCode } from '../../aws/errors';
import { type PublicAccessBlock, sameEnum } from '../../model';
import type { LiveProbe } from './types';

/** VPC endpoints by id; a deleted one is absent. */
export const endpointsProbe: LiveProbe<SdkVpcEndpoint> = {
  name: 'endpoints',
  async read(clients, keys) {
    const endpoints = new Map<string, SdkVpcEndpoint>();
    // A filter, not VpcEndpointIds: an id that no longer exists is then absent, not an error.
    const input = { Filters: [{ Name: 'vpc-endpoint-id', Values: [...keys] }] };
    for await (const page of paginateDescribeVpcEndpoints({ client: clients.ec2 }, input)) {
      for (const endpoint of page.VpcEndpoints ?? []) {
        if (endpoint.VpcEndpointId) endpoints.set(endpoint.VpcEndpointId, endpoint);
      }
    }
    return endpoints;
  },
  summarize: (endpoint) => ({
    state: endpoint.State ?? null,
    subnetIds: endpoint.SubnetIds ?? [],
    routeTableIds: endpoint.RouteTableIds ?? [],
  }),
};

/** A bucket's Block Public Access configuration; `null` when it has none. */
export const publicAccessBlocksProbe: LiveProbe<PublicAccessBlock | null> = {
  name: 'publicAccessBlocks',
  async read(clients, keys) {
    const blocks = new Map<string, PublicAccessBlock | null>();
    for (const bucket of keys) {
      try {
        const response = await clients.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
        const c = response.PublicAccessBlockConfiguration ?? {};
        blocks.set(bucket, {
          blockPublicAcls: c.BlockPublicAcls === true,
          ignorePublicAcls: c.IgnorePublicAcls === true,
          blockPublicPolicy: c.BlockPublicPolicy === true,
          restrictPublicBuckets: c.RestrictPublicBuckets === true,
        });
      } catch (error) {
        if (!hasCode(error, 'NoSuchPublicAccessBlockConfiguration')) throw error;
        blocks.set(bucket, null);
      }
    }
    return blocks;
  },
  summarize: (block) => block,
};

const GONE_STATES = ['deleting', 'deleted'];

/** An endpoint that no longer exists, or is being deleted. */
export function isGone(endpoint: SdkVpcEndpoint | undefined): boolean {
  return endpoint === undefined || GONE_STATES.some((state) => sameEnum(endpoint.State, state));
}

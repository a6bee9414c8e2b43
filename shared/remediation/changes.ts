/**
 * What an applied fix changed, precisely enough to take it back. The executor returns these, the
 * audit record stores them, and `rollback` reverses them (and nothing else).
 */
import { z } from 'zod';
import type { PublicAccessBlock } from '../model';

const nonEmpty = z.string().min(1);

const publicAccessBlockSchema = z.object({
  blockPublicAcls: z.boolean(),
  ignorePublicAcls: z.boolean(),
  blockPublicPolicy: z.boolean(),
  restrictPublicBuckets: z.boolean(),
});

/** Validates changes read back from the store: rollback acts on them, so they are checked. */
export const appliedChangeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('subnets-added'),
    vpcEndpointId: nonEmpty,
    subnetIds: z.array(nonEmpty).min(1),
  }),
  z.object({
    kind: z.literal('route-tables-added'),
    vpcEndpointId: nonEmpty,
    routeTableIds: z.array(nonEmpty).min(1),
  }),
  z.object({
    kind: z.literal('endpoint-created'),
    vpcEndpointId: nonEmpty,
    vpcId: nonEmpty,
    serviceName: nonEmpty,
    routeTableIds: z.array(nonEmpty),
  }),
  z.object({
    kind: z.literal('public-access-block-set'),
    bucket: nonEmpty,
    previous: publicAccessBlockSchema.nullable(),
    applied: publicAccessBlockSchema,
  }),
]);

/**
 * One change a fix made. Only additions and Block Public Access: an automatic fix never removes
 * or widens anything, so each change has exactly one reverse.
 *
 * @example
 * const change: AppliedChange = { kind: 'subnets-added', vpcEndpointId: 'vpce-1', subnetIds: ['subnet-b'] };
 */
export type AppliedChange =
  | {
      readonly kind: 'subnets-added';
      readonly vpcEndpointId: string;
      readonly subnetIds: readonly string[];
    }
  | {
      readonly kind: 'route-tables-added';
      readonly vpcEndpointId: string;
      readonly routeTableIds: readonly string[];
    }
  | {
      readonly kind: 'endpoint-created';
      readonly vpcEndpointId: string;
      readonly vpcId: string;
      readonly serviceName: string;
      /** The route tables the endpoint was created with: rollback refuses if they differ now. */
      readonly routeTableIds: readonly string[];
    }
  | {
      readonly kind: 'public-access-block-set';
      readonly bucket: string;
      /** The bucket-level configuration before the fix; `null`: the bucket had none. */
      readonly previous: PublicAccessBlock | null;
      readonly applied: PublicAccessBlock;
    };

/** All four Block Public Access flags on: what the fix sets. */
export const ALL_BLOCKED: PublicAccessBlock = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};

/**
 * One line for people: what a change did.
 *
 * @example
 * describeChange({ kind: 'subnets-added', vpcEndpointId: 'vpce-1', subnetIds: ['subnet-b'] });
 * // 'added subnet-b to vpce-1'
 */
export function describeChange(change: AppliedChange): string {
  switch (change.kind) {
    case 'subnets-added':
      return `added ${change.subnetIds.join(', ')} to ${change.vpcEndpointId}`;
    case 'route-tables-added':
      return `added ${change.routeTableIds.join(', ')} to ${change.vpcEndpointId}`;
    case 'endpoint-created':
      return `created ${change.serviceName} gateway endpoint ${change.vpcEndpointId} in ${change.vpcId} for ${change.routeTableIds.join(', ')}`;
    case 'public-access-block-set':
      return `turned on Block Public Access on ${change.bucket} (before: ${describeBlock(change.previous)})`;
  }
}

/** `none`, `all four on`, or the flags that are on. */
export function describeBlock(block: PublicAccessBlock | null): string {
  if (block === null) return 'none';
  const on = (Object.keys(block) as (keyof PublicAccessBlock)[]).filter((flag) => block[flag]);
  if (on.length === 4) return 'all four on';
  return on.length === 0 ? 'all four off' : `only ${on.join(', ')} on`;
}

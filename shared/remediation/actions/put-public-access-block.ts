/**
 * `PutPublicAccessBlock` (all four flags on, on one bucket): how `s3-bucket-public-access` fixes
 * a bucket. The plan carries the bucket's configuration before the fix (`previous`); the change
 * records it, and rollback restores it (or deletes the configuration the fix added).
 */
import { DeletePublicAccessBlockCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { PUBLIC_ACCESS_BLOCK_FLAGS, type PublicAccessBlock } from '../../model';
import { publicAccessBlocksProbe } from './live-probes';
import type { ActionModule, ChangeModule, PlannedActionShape } from './types';

const nonEmpty = z.string().min(1);

const publicAccessBlockSchema = z.object({
  blockPublicAcls: z.boolean(),
  ignorePublicAcls: z.boolean(),
  blockPublicPolicy: z.boolean(),
  restrictPublicBuckets: z.boolean(),
});

export const putPublicAccessBlockSchema = z.object({
  service: z.literal('s3'),
  action: z.literal('PutPublicAccessBlock'),
  parameters: z.object({
    Bucket: nonEmpty,
    PublicAccessBlockConfiguration: z.object({
      BlockPublicAcls: z.literal(true),
      IgnorePublicAcls: z.literal(true),
      BlockPublicPolicy: z.literal(true),
      RestrictPublicBuckets: z.literal(true),
    }),
  }),
  /** The bucket-level configuration before the fix (`null`: none), kept for rollback. */
  previous: publicAccessBlockSchema.nullable(),
});

export type PutPublicAccessBlockAction = z.output<typeof putPublicAccessBlockSchema>;

const publicAccessBlockSetSchema = z.object({
  kind: z.literal('public-access-block-set'),
  bucket: nonEmpty,
  /** The bucket-level configuration before the fix; `null`: the bucket had none. */
  previous: publicAccessBlockSchema.nullable(),
  applied: publicAccessBlockSchema,
});

export type PublicAccessBlockSet = z.output<typeof publicAccessBlockSetSchema>;

/** All four Block Public Access flags on: what the fix sets. */
export const ALL_BLOCKED: PublicAccessBlock = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};

/** `none`, `all four on`, or the flags that are on. */
export function describeBlock(block: PublicAccessBlock | null): string {
  if (block === null) return 'none';
  const on = (Object.keys(block) as (keyof PublicAccessBlock)[]).filter((flag) => block[flag]);
  if (on.length === 4) return 'all four on';
  return on.length === 0 ? 'all four off' : `only ${on.join(', ')} on`;
}

function sameBlock(a: PublicAccessBlock | null, b: PublicAccessBlock | null): boolean {
  if (a === null || b === null) return a === b;
  return PUBLIC_ACCESS_BLOCK_FLAGS.every((flag) => a[flag] === b[flag]);
}

export const publicAccessBlockSet: ChangeModule<PublicAccessBlockSet, PublicAccessBlock | null> = {
  kind: 'public-access-block-set',
  schema: publicAccessBlockSetSchema,
  probe: publicAccessBlocksProbe,
  keyOf: (change) => change.bucket,
  describe: (change) =>
    `turned on Block Public Access on ${change.bucket} (before: ${describeBlock(change.previous)})`,
  describeUndo: (change) =>
    change.previous === null
      ? `delete the Block Public Access configuration of ${change.bucket} (it had none before the fix)`
      : `restore Block Public Access of ${change.bucket} to ${describeBlock(change.previous)}`,
  reverse: (change) =>
    change.previous === null
      ? { service: 's3', action: 'DeletePublicAccessBlock', parameters: { Bucket: change.bucket } }
      : {
          service: 's3',
          action: 'PutPublicAccessBlock',
          parameters: {
            Bucket: change.bucket,
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: change.previous.blockPublicAcls,
              IgnorePublicAcls: change.previous.ignorePublicAcls,
              BlockPublicPolicy: change.previous.blockPublicPolicy,
              RestrictPublicBuckets: change.previous.restrictPublicBuckets,
            },
          },
        },
  async sendReverse(clients, call) {
    const { Bucket, PublicAccessBlockConfiguration } = call.parameters as {
      Bucket: string;
      PublicAccessBlockConfiguration?: Record<string, boolean>;
    };
    if (call.action === 'DeletePublicAccessBlock') {
      await clients.s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
      return;
    }
    await clients.s3.send(
      new PutPublicAccessBlockCommand({
        Bucket,
        PublicAccessBlockConfiguration: { ...PublicAccessBlockConfiguration },
      }),
    );
  },
  conflicts(change, live) {
    const current = live ?? null;
    if (sameBlock(current, change.applied)) return [];
    return [
      `Block Public Access of ${change.bucket} is ${describeBlock(current)} now, not ${describeBlock(change.applied)} as the fix set it`,
    ];
  },
  leftovers(change, live) {
    const current = live ?? null;
    if (sameBlock(current, change.previous)) return [];
    return [
      `Block Public Access of ${change.bucket} is ${describeBlock(current)}, not ${describeBlock(change.previous)}`,
    ];
  },
};

/**
 * The bucket's configuration before the fix: as just read live (the fresh plan), which is newer
 * than the finding's.
 */
function previousBlock(
  action: PutPublicAccessBlockAction,
  freshActions: readonly PlannedActionShape[],
): PublicAccessBlock | null {
  const fresh = freshActions.find(
    (candidate): candidate is PutPublicAccessBlockAction =>
      candidate.action === action.action && candidate.parameters.Bucket === action.parameters.Bucket,
  );
  const previous = (fresh ?? action).previous;
  return previous === null ? null : { ...previous };
}

export const putPublicAccessBlock: ActionModule<PutPublicAccessBlockAction> = {
  action: 'PutPublicAccessBlock',
  service: 's3',
  serviceLabel: 'S3',
  schema: putPublicAccessBlockSchema,
  changes: [publicAccessBlockSet as ChangeModule],
  permissions: ['s3:PutBucketPublicAccessBlock'],
  async apply(action, { clients, count, freshActions }) {
    const { Bucket } = action.parameters;
    const previous = previousBlock(action, freshActions);
    count(action.action);
    await clients.s3.send(
      new PutPublicAccessBlockCommand({
        Bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
    const set: PublicAccessBlockSet = {
      kind: 'public-access-block-set',
      bucket: Bucket,
      previous,
      applied: { ...ALL_BLOCKED },
    };
    return { kind: 'done', changes: [set] };
  },
  target: (action) => `bucket ${action.parameters.Bucket}`,
};

/**
 * What a fix-action module holds: one API call a rule may plan (its parameter schema, the one
 * definition of its shape), how to apply it, the changes it records, and for each change how to
 * reverse it, how to tell that the resource changed since, and how to describe it to people. The
 * executor, rollback and the audit schemas are generic loops over these modules. See
 * ARCHITECTURE.md, "A fix-action module".
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import type { z } from 'zod';

/** The clients of the finding's account and region. */
export interface ActionClients {
  readonly ec2: EC2Client;
  readonly s3: S3Client;
}

/** The shape every planned action has: one API call with its exact SDK parameters. */
export interface PlannedActionShape {
  readonly service: string;
  readonly action: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** The shape every recorded change has: its `kind` names the change module that reverses it. */
export interface ChangeShape {
  readonly kind: string;
}

/** One reverse call, with the exact SDK parameters it sends. */
export interface RollbackCall {
  readonly service: string;
  readonly action: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** What applying one action did. */
export type ApplyResult<C extends ChangeShape = ChangeShape> =
  /** Applied: the changes to record, in order. */
  | { readonly kind: 'done'; readonly changes: readonly C[] }
  /** AWS refused it; nothing (more) changed. */
  | { readonly kind: 'refused'; readonly why: string }
  /** Another actor made the change meanwhile; stop and say so. */
  | { readonly kind: 'exists'; readonly why: string };

export interface ApplyContext<A extends PlannedActionShape = PlannedActionShape> {
  readonly clients: ActionClients;
  /** The plan live state calls for now (just evaluated): fresher than the finding's. */
  readonly freshActions: readonly PlannedActionShape[];
  /** Counts one write (or read) call by API name, for the outcome's `calls`. */
  readonly count: (api: string) => void;
  /** Only for the type: the action being applied. */
  readonly action?: A;
}

/**
 * Live state that reversing a change depends on, read once for every change that needs it
 * (one DescribeVpcEndpoints for every endpoint, one read per bucket...).
 */
export interface LiveProbe<V = unknown> {
  /** Its key in the rollback audit record's `before` / `after` summaries. */
  readonly name: string;
  /** Reads the current state of these keys; a key that no longer exists is absent. */
  read(clients: ActionClients, keys: readonly string[]): Promise<ReadonlyMap<string, V>>;
  /** The state of one key as the audit record keeps it. */
  summarize(value: V): unknown;
}

/** One kind of recorded change: how it is validated, reversed, checked and described. */
export interface ChangeModule<C extends ChangeShape = ChangeShape, V = unknown> {
  readonly kind: C['kind'];
  /** Validates a change read back from the store (rollback acts on it). */
  readonly schema: z.ZodType<C>;
  /** The live state reversing it depends on, and the key of this change in it. */
  readonly probe: LiveProbe<V>;
  keyOf(change: C): string;
  /** One line: what the change did (`added subnet-b to vpce-1`). */
  describe(change: C): string;
  /** One line: what reversing it does (`remove subnet-b from vpce-1`). */
  describeUndo(change: C): string;
  /** The reverse call. */
  reverse(change: C): RollbackCall;
  /** Makes the reverse call; throws when AWS refuses it. */
  sendReverse(clients: ActionClients, call: RollbackCall): Promise<void>;
  /** Why reversing it now would undo more (or other) than the fix did; empty: safe. */
  conflicts(change: C, live: V | undefined): string[];
  /** What is still there after the reverse call; empty: reverted. */
  leftovers(change: C, live: V | undefined): string[];
}

/** A fix action: one API call a rule may plan. */
export interface ActionModule<A extends PlannedActionShape = PlannedActionShape> {
  /** The API name, as plans and the `calls` counters spell it (`ModifyVpcEndpoint`). */
  readonly action: A['action'];
  readonly service: A['service'];
  /** The service as people name it in reasons (`EC2`). */
  readonly serviceLabel: string;
  /** The planned action's schema: the one definition of its shape. */
  readonly schema: z.ZodType<A>;
  /** The kinds of change it records. */
  readonly changes: readonly ChangeModule[];
  /** IAM actions applying it needs (checked against the rules that plan it). */
  readonly permissions: readonly string[];
  /**
   * Makes the call. Throws when the call fails for a reason that may pass (throttling, a 5xx);
   * the executor turns that into a retry or a recorded failure.
   */
  apply(action: A, context: ApplyContext<A>): Promise<ApplyResult>;
  /**
   * What it acts on: the same target in a fresh plan after the fix means that part is not fixed.
   */
  target(action: A): string;
  /** What it costs, in one line for people; `undefined`: nothing billed. */
  cost?(action: A): string | undefined;
}

/**
 * What the store's four concerns share: the table (a document client and its name), the clock,
 * the options, and how an item read back is validated. See `finding-store.ts` for the layout.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditSigner } from './audit-signature';
import { StoredItemError } from './errors';

export interface FindingStoreOptions {
  /** A document client (`DynamoDBDocumentClient.from(new DynamoDBClient({}))`). */
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** State items of resources no longer observed expire this long after the last observation. @default 90 */
  readonly stateRetentionDays?: number;
  /** Audit records expire this long after they are written. @default undefined (kept) */
  readonly auditRetentionDays?: number;
  /** Signs every audit record written (remediate); see `audit-signature.ts`. @default unsigned */
  readonly signer?: AuditSigner;
  /** How long a fix claim holds: the same plan is not applied twice within it. @default 3600 */
  readonly fixClaimSeconds?: number;
  /** How long a ticket claim holds: one ticket per finding within it. @default 30 days */
  readonly ticketClaimSeconds?: number;
  /** How long a rollback claim holds while a rollback runs. @default 900 */
  readonly rollbackClaimSeconds?: number;
}

export const DAY_SECONDS = 24 * 60 * 60;

/** One concern over the findings table: its client, name, clock and options. */
export abstract class StoreTable {
  readonly tableName: string;
  protected readonly client: DynamoDBDocumentClient;
  protected readonly now: () => Date;
  protected readonly options: FindingStoreOptions;

  constructor(options: FindingStoreOptions) {
    for (const key of [
      'stateRetentionDays',
      'fixClaimSeconds',
      'ticketClaimSeconds',
      'rollbackClaimSeconds',
    ] as const) {
      const value = options[key];
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
        throw new RangeError(`FindingStore option ${key} must be a positive number, got ${value}`);
      }
    }
    if (!options.tableName) throw new RangeError('FindingStore needs a tableName');
    this.options = options;
    this.client = options.client;
    this.tableName = options.tableName;
    this.now = options.now ?? (() => new Date());
  }
}

interface Schema<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: readonly Issue[] } };
}

interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export function parseItem<T>(schema: Schema<T>, item: Record<string, unknown>, pk: string, sk: string): T {
  const result = schema.safeParse(item);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new StoredItemError(pk, sk, problems);
}

/** A JSON copy: drops `undefined` (the document client rejects it) and any class instance. */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

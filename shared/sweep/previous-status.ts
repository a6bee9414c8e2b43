/**
 * The status the store last recorded for each finding: read in batches (BatchGetItem, 100 keys
 * a call) on the findings' state items (`pk = FINDING#<findingId>`, `sk = STATE`, see
 * `shared/store/keys.ts`), only the attributes the comparison needs.
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapWithConcurrency } from '../aws/concurrency';
import type { ComplianceStatus, Severity } from '../rules/types';
import { findingPk, SK_STATE } from '../store/keys';
import { UnprocessedStoreKeysError } from './errors';

/** What the store holds of a finding, for the comparison. */
export interface PreviousStatus {
  readonly status: ComplianceStatus;
  readonly severity: Severity;
  /** `observedAt` of the newest observation the store accepted (ISO-8601). */
  readonly lastObservedAt: string;
}

/** BatchGetItem takes at most this many keys per call. */
export const MAX_KEYS_PER_BATCH_GET = 100;

export interface PreviousStatusReaderOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** How many times unprocessed keys are asked again. @default 5 */
  readonly unprocessedRetries?: number;
  /** BatchGetItem calls in flight at once. @default 4 */
  readonly concurrency?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called once per AWS request, with the API name. */
  readonly onCall?: (api: string) => void;
}

const STATUSES: ReadonlySet<string> = new Set(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']);
const SEVERITIES: ReadonlySet<string> = new Set(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL']);

/**
 * @example
 * const reader = new PreviousStatusReader({ client: documentClient, tableName: 'endpoint-guard' });
 * const previous = await reader.statuses(findingIds); // Map findingId -> { status, severity, lastObservedAt }
 */
export class PreviousStatusReader {
  private readonly retries: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: PreviousStatusReaderOptions) {
    this.retries = options.unprocessedRetries ?? 5;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * The recorded status of each finding that has one (a finding never recorded, or whose state
   * expired, is absent). Eventually consistent reads: the sweep compares with what was recorded
   * before it started, and a write racing it is the newer observation anyway. Keys DynamoDB
   * leaves unprocessed (throttling) are asked again with backoff; if some are still left, throws
   * {@link UnprocessedStoreKeysError}.
   */
  async statuses(findingIds: readonly string[]): Promise<Map<string, PreviousStatus>> {
    const found = new Map<string, PreviousStatus>();
    const distinct = [...new Set(findingIds)];
    const batches: string[][] = [];
    for (let i = 0; i < distinct.length; i += MAX_KEYS_PER_BATCH_GET) {
      batches.push(distinct.slice(i, i + MAX_KEYS_PER_BATCH_GET));
    }
    await mapWithConcurrency(batches, this.options.concurrency ?? 4, async (batch) => {
      for (const [findingId, status] of await this.batch(batch)) found.set(findingId, status);
    });
    return found;
  }

  /** One BatchGetItem of at most 100 keys, its unprocessed keys asked again with backoff. */
  private async batch(findingIds: readonly string[]): Promise<Map<string, PreviousStatus>> {
    const { client, tableName } = this.options;
    const found = new Map<string, PreviousStatus>();
    let keys: Record<string, unknown>[] = findingIds.map((id) => ({ pk: findingPk(id), sk: SK_STATE }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > this.retries) {
        throw new UnprocessedStoreKeysError(
          tableName,
          keys.map((key) => String(key.pk).slice('FINDING#'.length)),
        );
      }
      if (attempt > 0) await this.sleep(50 * 2 ** (attempt - 1));
      this.options.onCall?.('BatchGetItem');
      const response = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: keys,
              ProjectionExpression: 'findingId, #status, severity, lastObservedAt',
              ExpressionAttributeNames: { '#status': 'status' },
            },
          },
        }),
      );
      for (const item of response.Responses?.[tableName] ?? []) {
        const previous = readPrevious(item);
        if (previous) found.set(previous.findingId, previous.status);
      }
      keys = response.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
    return found;
  }
}

/** A state item's comparison fields; an item that does not have them is ignored. */
function readPrevious(
  item: Record<string, unknown>,
): { readonly findingId: string; readonly status: PreviousStatus } | undefined {
  const { findingId, status, severity, lastObservedAt } = item;
  if (typeof findingId !== 'string' || typeof status !== 'string' || !STATUSES.has(status)) return undefined;
  return {
    findingId,
    status: {
      status: status as ComplianceStatus,
      severity:
        typeof severity === 'string' && SEVERITIES.has(severity) ? (severity as Severity) : 'INFORMATIONAL',
      lastObservedAt: typeof lastObservedAt === 'string' ? lastObservedAt : '',
    },
  };
}

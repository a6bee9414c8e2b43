/**
 * Puts `Finding` events on the endpoint-guard bus (source `endpoint-guard`, detail-type
 * `Finding`), the one hand-off between the detectors and remediate.
 */
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { FINDING_DETAIL_TYPE, FINDING_SOURCE, type Finding, parseFinding } from '../findings/finding';
import { type FailedFinding, PublishError } from './errors';

/** PutEvents takes at most 10 entries per call. */
export const MAX_ENTRIES_PER_CALL = 10;
/** PutEvents rejects a request whose entries add up to more than 256 KB. */
export const MAX_REQUEST_BYTES = 256 * 1024;

export interface FindingPublisherOptions {
  readonly eventBridge: EventBridgeClient;
  /** The bus name or ARN (`EVENT_BUS_NAME`). */
  readonly eventBusName: string;
  /** Waits before the one retry of failed entries. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PublishResult {
  /** Events accepted by EventBridge. */
  readonly published: number;
  /** PutEvents calls made, retries included. */
  readonly calls: number;
}

interface PendingEntry {
  readonly finding: Finding;
  readonly entry: PutEventsRequestEntry;
  readonly bytes: number;
}

/**
 * @example
 * const publisher = new FindingPublisher({ eventBridge: new EventBridgeClient({}), eventBusName: 'endpoint-guard' });
 * await publisher.publish(evaluations.map((e) => toFinding(e, { detector: 'config-rule', observedAt })));
 */
export class FindingPublisher {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: FindingPublisherOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Validates every finding first (an invalid one throws before anything is sent), then sends
   * them in calls of at most 10 entries and 256 KB. Entries EventBridge refuses (throttling,
   * internal failure) are sent once more; any still refused are reported together in a
   * {@link PublishError} once every batch has been tried.
   */
  async publish(findings: readonly Finding[]): Promise<PublishResult> {
    const pending = findings.map((finding) => this.entryOf(parseFinding(finding)));
    let calls = 0;
    let published = 0;
    const failed: FailedFinding[] = [];
    for (const batch of batches(pending)) {
      let rejected = await this.send(batch);
      calls++;
      if (rejected.length > 0) {
        await this.sleep(200);
        rejected = await this.send(rejected.map((r) => r.pending));
        calls++;
      }
      published += batch.length - rejected.length;
      for (const { pending: entry, errorCode, errorMessage } of rejected) {
        failed.push({
          findingId: entry.finding.findingId,
          errorCode,
          ...(errorMessage === undefined ? {} : { errorMessage }),
        });
      }
    }
    if (failed.length > 0) throw new PublishError(this.options.eventBusName, failed);
    return { published, calls };
  }

  private entryOf(finding: Finding): PendingEntry {
    const entry: PutEventsRequestEntry = {
      Source: FINDING_SOURCE,
      DetailType: FINDING_DETAIL_TYPE,
      Detail: JSON.stringify(finding),
      EventBusName: this.options.eventBusName,
      Resources: [finding.resourceArn],
    };
    // EventBridge's size rule: Source + DetailType + Detail + Resources, plus 14 bytes for Time.
    const bytes =
      14 +
      [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])].reduce(
        (sum, text) => sum + Buffer.byteLength(text ?? '', 'utf8'),
        0,
      );
    return { finding, entry, bytes };
  }

  /** Sends one batch; returns the entries refused, with their error codes (the answer keeps order). */
  private async send(
    batch: readonly PendingEntry[],
  ): Promise<{ pending: PendingEntry; errorCode: string; errorMessage?: string }[]> {
    const response = await this.options.eventBridge.send(
      new PutEventsCommand({ Entries: batch.map((item) => item.entry) }),
    );
    if (!response.FailedEntryCount) return [];
    const rejected: { pending: PendingEntry; errorCode: string; errorMessage?: string }[] = [];
    batch.forEach((item, index) => {
      const result = response.Entries?.[index];
      if (result?.ErrorCode) {
        rejected.push({
          pending: item,
          errorCode: result.ErrorCode,
          ...(result.ErrorMessage === undefined ? {} : { errorMessage: result.ErrorMessage }),
        });
      }
    });
    return rejected;
  }
}

/** Groups entries into PutEvents calls of at most 10 entries and 256 KB, keeping their order. */
function batches(entries: readonly PendingEntry[]): PendingEntry[][] {
  const out: PendingEntry[][] = [];
  let current: PendingEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (
      current.length === MAX_ENTRIES_PER_CALL ||
      (current.length > 0 && bytes + entry.bytes > MAX_REQUEST_BYTES)
    ) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

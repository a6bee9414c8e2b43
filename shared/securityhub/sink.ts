/**
 * The Security Hub sink: every finding, as ASFF (`asff.ts`), imported into the Security Hub of
 * endpoint-guard's central account in its home Region with `BatchImportFindings`, when
 * `securityHub.enabled` is on.
 *
 * - **One Security Hub finding per rule and resource**, updated in place: the ASFF `Id` and
 *   `ProductArn` never change for a finding, so each import overwrites the last.
 * - **What is imported.** A NON_COMPLIANT observation is imported `ACTIVE` / `FAILED`. A COMPLIANT
 *   or NOT_APPLICABLE one (compliant again, deleted, exempt) is imported `ARCHIVED` /
 *   `PASSED` or `NOT_AVAILABLE` when the finding is active in Security Hub; a resource that was
 *   never non-compliant is not imported at all (nothing to say, and Security Hub bills every
 *   finding ingested). A regression imports it `ACTIVE` / `FAILED` again, and Security Hub resets
 *   its workflow from `RESOLVED` to `NEW` by itself.
 * - **Repeats** (the daily sweep, a redelivery) import nothing while the document is unchanged,
 *   except once every {@link REFRESH_HOURS} hours, which keeps an open finding from reaching
 *   Security Hub's 90-day limit for findings that are not updated.
 * - **Concurrency and redelivery**, over the findings store, as for tickets: the import claim
 *   (`CLAIM#securityhub#<findingId>#import`, a conditional put) lets one delivery import at a
 *   time; a delivery with the same document leaves it to the holder, one with a different
 *   document fails with a retryable {@link SecurityHubBusyError} so SQS brings it back after the
 *   holder is done. Under the claim, an observation older than the newest recorded is not
 *   imported (it would put an old state back). What was imported last is kept on the record
 *   claim (`CLAIM#securityhub#<findingId>`, for 90 days).
 * - **Failures.** Throttling, server faults and the retryable `FailedFindings` codes throw (the
 *   claim is given back, and SQS redelivers the message); a refusal (access denied, Security Hub
 *   not enabled, invalid input) is logged and reported, never retried forever.
 */
import { createHash } from 'node:crypto';
import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  type ImportFindingsError,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { describeAwsError, isRefusal } from '../aws/errors';
import type { Finding } from '../findings/finding';
import type { Settings } from '../settings/schema';
import type { FindingStore } from '../store/finding-store';
import type { Claim, FindingState } from '../store/records';
import { toAsff } from './asff';

/** Hours after which an unchanged, active finding is imported again. */
export const REFRESH_HOURS = 24;
/** How long the record of the last import is kept (Security Hub drops findings not updated for 90 days). */
const RECORD_SECONDS = 90 * 24 * 3600;
/** How long one delivery may hold the import claim (a dead holder's claim is taken after it). */
const IMPORT_CLAIM_SECONDS = 120;
/** `BatchImportFindings` takes at most 100 findings per request. */
const MAX_BATCH = 100;

/** `FailedFindings` error codes worth a retry. */
const RETRYABLE_CODES = new Set([
  'InternalFailure',
  'InternalException',
  'ConcurrentUpdateError',
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
]);

/** What the sink did with one finding. */
export interface SecurityHubResult {
  readonly action: /** `securityHub.enabled` is off (`id` is empty: no document was built). */
    | 'disabled'
    /** Imported (created, updated, archived or made active again). */
    | 'imported'
    /** The same document was imported less than {@link REFRESH_HOURS} hours ago. */
    | 'unchanged'
    /** Nothing to import: compliant and not active in Security Hub. */
    | 'skipped'
    /** Another delivery is importing the same document right now. */
    | 'pending'
    /** A newer observation was recorded meanwhile: it is the one to import. */
    | 'superseded'
    /** Security Hub refused it for good (logged; not retried). */
    | 'failed';
  /** The ASFF `Id`. */
  readonly id: string;
  /** `ACTIVE` or `ARCHIVED`, when a document was built. */
  readonly recordState?: string;
  /** One line for people. */
  readonly why: string;
}

/** The port remediate hands every recorded observation to. */
export interface SecurityHubService {
  publish(
    finding: Finding,
    context: { readonly settings: Settings; readonly state?: FindingState },
  ): Promise<SecurityHubResult>;
}

/** A structured logger (Powertools Logger fits). */
export interface SecurityHubLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

export interface SecurityHubSinkOptions {
  /** A client in the home Region, with the central account's credentials. */
  readonly client: Pick<SecurityHubClient, 'send'>;
  readonly store: Pick<FindingStore, 'getState' | 'claim' | 'getClaim' | 'releaseClaim'>;
  /** The central account: the caller of `BatchImportFindings`, and `AwsAccountId` of every finding. */
  readonly hubAccountId: string;
  /** The home Region. */
  readonly hubRegion: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  readonly logger?: SecurityHubLogger;
}

/** Another delivery is importing a different state of the finding: retry later. */
export class SecurityHubBusyError extends Error {
  override readonly name = 'SecurityHubBusyError';
  readonly retryable = true;
}

/** Security Hub failed to import a finding in a way a retry may fix (throttling, internal failure). */
export class SecurityHubImportError extends Error {
  override readonly name = 'SecurityHubImportError';
  readonly retryable = true;
}

/** One finding `BatchImportFindings` did not import. */
export interface ImportFailure {
  readonly id: string;
  readonly code: string;
  readonly message: string;
  /** True when a retry may import it. */
  readonly retryable: boolean;
}

/**
 * Imports findings, at most 100 per request, and sorts out `FailedFindings`. A request AWS refuses
 * as a whole fails every finding in it; throttling and server faults are thrown.
 *
 * @example
 * const { imported, failed } = await importFindings(client, documents);
 */
export async function importFindings(
  client: Pick<SecurityHubClient, 'send'>,
  findings: readonly AwsSecurityFinding[],
): Promise<{ readonly imported: readonly string[]; readonly failed: readonly ImportFailure[] }> {
  const imported: string[] = [];
  const failed: ImportFailure[] = [];
  for (let start = 0; start < findings.length; start += MAX_BATCH) {
    const batch = findings.slice(start, start + MAX_BATCH);
    let errors: readonly ImportFindingsError[];
    try {
      const output = await client.send(new BatchImportFindingsCommand({ Findings: [...batch] }));
      errors = output.FailedFindings ?? [];
    } catch (error) {
      if (!isRefusal(error) || hasName(error, 'LimitExceededException')) throw error;
      for (const finding of batch) {
        failed.push({
          id: finding.Id ?? '',
          code: nameOf(error),
          message: describeAwsError(error),
          retryable: false,
        });
      }
      continue;
    }
    const failedIds = new Set<string>();
    for (const error of errors) {
      const id = error.Id ?? '';
      failedIds.add(id);
      const code = error.ErrorCode ?? 'Unknown';
      failed.push({ id, code, message: error.ErrorMessage ?? code, retryable: RETRYABLE_CODES.has(code) });
    }
    for (const finding of batch) if (finding.Id && !failedIds.has(finding.Id)) imported.push(finding.Id);
  }
  return { imported, failed };
}

/**
 * The {@link SecurityHubService} of endpoint-guard.
 *
 * @example
 * const hub = new SecurityHubSink({ client: new SecurityHubClient({}), store, hubAccountId, hubRegion: 'us-east-1' });
 * await hub.publish(finding, { settings, state });
 */
export class SecurityHubSink implements SecurityHubService {
  private readonly options: SecurityHubSinkOptions;
  private readonly now: () => Date;

  constructor(options: SecurityHubSinkOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Imports the finding's document when there is something new to say.
   *
   * Calls: an unchanged repeat, 1 store read (the record); a compliant resource with nothing to
   * archive, 2 reads (the record and the import claim); an import, 1 more claim, 2 reads (state
   * and record), 1 `BatchImportFindings`, a delete and a write (the record) and 1 delete (the claim).
   */
  async publish(
    finding: Finding,
    context: { readonly settings: Settings; readonly state?: FindingState },
  ): Promise<SecurityHubResult> {
    if (!context.settings.securityHub.enabled) {
      return { action: 'disabled', id: '', why: 'securityHub.enabled is off: not imported' };
    }
    const { store } = this.options;
    const { findingId } = finding;

    // Without the import claim: most observations (repeats, compliant resources) stop here.
    const known = this.live(await store.getClaim('securityhub', findingId));
    const first = this.documentOf(finding, context.state, known);
    const early = this.nothingToDo(known, first);
    if (early) {
      // A compliant observation while a failing one is being imported must not be lost.
      if (early.action === 'skipped') await this.assertNotImporting(findingId, first.digest);
      return early;
    }

    let lock = await store.claim('securityhub', importKey(findingId), {
      seconds: IMPORT_CLAIM_SECONDS,
      holder: { findingId, observedAt: finding.observedAt, digest: first.digest },
    });
    // The holder gave the claim up between our put and our read: one more try.
    if (!lock.claimed && lock.current === undefined) {
      lock = await store.claim('securityhub', importKey(findingId), {
        seconds: IMPORT_CLAIM_SECONDS,
        holder: { findingId, observedAt: finding.observedAt, digest: first.digest },
      });
    }
    if (!lock.claimed) {
      if (lock.current?.holder.digest === first.digest) {
        return {
          action: 'pending',
          id: first.id,
          recordState: first.recordState,
          why: 'another delivery is importing the same document',
        };
      }
      throw new SecurityHubBusyError(
        `another delivery is importing a different state of ${findingId} into Security Hub (since ${lock.current?.claimedAt ?? 'just now'}): retry`,
      );
    }
    try {
      const state = await store.getState(findingId);
      if (state && Date.parse(state.lastObservedAt) > Date.parse(finding.observedAt)) {
        return {
          action: 'superseded',
          id: first.id,
          recordState: first.recordState,
          why: `a newer observation (${state.lastObservedAt}) was recorded: it is the one to import`,
        };
      }
      // What was imported may have changed while we waited: decide again on what is there now.
      const record = this.live(await store.getClaim('securityhub', findingId));
      const built = this.documentOf(finding, context.state, record);
      const settled = this.nothingToDo(record, built);
      if (settled) return settled;
      const { id, recordState, digest, document } = built;

      const { failed } = await importFindings(this.options.client, [document]);
      const failure = failed[0];
      if (failure) {
        const why = `Security Hub did not import ${id}: ${failure.code}: ${failure.message}`;
        if (failure.retryable) throw new SecurityHubImportError(why);
        this.options.logger?.error('finding not imported into Security Hub', {
          findingId,
          code: failure.code,
          error: failure.message,
        });
        return { action: 'failed', id, recordState, why };
      }

      if (record) await store.releaseClaim(record);
      await store.claim('securityhub', findingId, {
        seconds: RECORD_SECONDS,
        holder: {
          findingId,
          digest,
          recordState,
          createdAt: document.CreatedAt ?? finding.observedAt,
          importedAt: this.now().toISOString(),
          observedAt: finding.observedAt,
        },
      });
      const why =
        recordState === 'ACTIVE'
          ? `imported into Security Hub as ${document.Compliance?.Status ?? 'FAILED'}, ACTIVE`
          : `archived in Security Hub as ${document.Compliance?.Status ?? 'PASSED'}`;
      this.options.logger?.info('finding imported into Security Hub', { findingId, id, recordState });
      return { action: 'imported', id, recordState, why };
    } finally {
      await store.releaseClaim(lock.claim);
    }
  }

  /** Throws {@link SecurityHubBusyError} while another delivery imports a different document. */
  private async assertNotImporting(findingId: string, digest: string): Promise<void> {
    const lock = this.live(await this.options.store.getClaim('securityhub', importKey(findingId)));
    if (lock && lock.holder.digest !== digest) {
      throw new SecurityHubBusyError(
        `another delivery is importing a different state of ${findingId} into Security Hub (since ${lock.claimedAt}): retry`,
      );
    }
  }

  /** The claim, unless it has expired. */
  private live(claim: Claim | undefined): Claim | undefined {
    return claim && claim.expiresAt * 1000 > this.now().getTime() ? claim : undefined;
  }

  /**
   * The ASFF document of a finding. `CreatedAt` is the one of the finding in Security Hub (kept on
   * the record), else the first sighting.
   */
  private documentOf(finding: Finding, state: FindingState | undefined, record: Claim | undefined): Built {
    const observed = Date.parse(finding.observedAt);
    const firstSeen = state ? Date.parse(state.firstSeen) : Number.NaN;
    const recorded = Date.parse(record?.holder.createdAt ?? '');
    const created = Number.isFinite(recorded)
      ? recorded
      : Number.isFinite(firstSeen) && firstSeen < observed
        ? firstSeen
        : observed;
    const document = toAsff(finding, {
      hubAccountId: this.options.hubAccountId,
      hubRegion: this.options.hubRegion,
      observedAt: new Date(observed).toISOString(),
      firstObservedAt: new Date(created).toISOString(),
    });
    return {
      document,
      id: document.Id ?? '',
      recordState: document.RecordState ?? 'ACTIVE',
      digest: digestOf(document),
    };
  }

  /** Why this document need not be imported, given the record of the last import; `undefined`: import it. */
  private nothingToDo(record: Claim | undefined, built: Built): SecurityHubResult | undefined {
    const { id, recordState, digest } = built;
    if (recordState === 'ARCHIVED' && record?.holder.recordState !== 'ACTIVE') {
      return {
        action: 'skipped',
        id,
        recordState,
        why: record ? 'already archived in Security Hub' : 'not active in Security Hub: nothing to archive',
      };
    }
    if (record?.holder.digest === digest) {
      const importedAt = Date.parse(record.holder.importedAt ?? '');
      if (this.now().getTime() - importedAt < REFRESH_HOURS * 3600 * 1000) {
        return {
          action: 'unchanged',
          id,
          recordState,
          why: `the same document was imported at ${record.holder.importedAt}`,
        };
      }
    }
    return undefined;
  }
}

/** A document and what the sink keeps of it. */
interface Built {
  readonly document: AwsSecurityFinding;
  readonly id: string;
  readonly recordState: string;
  readonly digest: string;
}

/** The claim key of a finding's import in progress. */
function importKey(findingId: string): string {
  return `${findingId}#import`;
}

/** What a document says, without the times that change on every observation. */
function digestOf(document: AwsSecurityFinding): string {
  const { UpdatedAt: _updated, LastObservedAt: _last, ...content } = document;
  return createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 32);
}

function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function hasName(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

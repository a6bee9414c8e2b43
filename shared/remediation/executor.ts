/**
 * Applies a fix plan to AWS: re-read and re-evaluate, apply exactly the planned calls, verify.
 * ARCHITECTURE.md, "Safety": a finding is always re-checked against live state before anything
 * is changed, because events arrive late, twice, and out of order.
 *
 * The calls themselves are the fix-action modules' (`actions/`): this is the generic loop. Fix
 * actions only add or turn protections on; nothing here removes or widens anything (that is
 * `rollback.ts`, run by a person).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import { describeAwsError, isRefusal } from '../aws/errors';
import type { Finding } from '../findings/finding';
import type { Evaluation, PlannedAction, RemediationPlan } from '../rules/types';
import { type ApplyResult, actionModule } from './actions/index';
import { type AppliedChange, describeChange } from './changes';
import { RemediationError } from './errors';
import { canonicalAction, sameActions } from './plan-key';

/** The verdict at one moment, as the audit record keeps it. */
export type EvaluationSnapshot = {
  readonly status: Evaluation['status'];
  readonly severity: Evaluation['severity'];
  readonly reason: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly remediation: RemediationPlan | null;
  /** When it was evaluated (ISO-8601). */
  readonly at: string;
};

/** What `apply` did. */
export interface RemediationOutcome {
  /** `applied`: changed and verified; `skipped`: nothing changed (and why); `failed`: see `why`. */
  readonly status: 'applied' | 'skipped' | 'failed';
  /** One or two sentences for people and the audit record. */
  readonly why: string;
  /** What was changed in AWS, in order; rollback reverses exactly these. */
  readonly changes: readonly AppliedChange[];
  /** The live verdict before acting; `null` when the resource no longer exists. */
  readonly before: EvaluationSnapshot | null;
  /** The verdict after acting (the verification); `null` when nothing was changed. */
  readonly after: EvaluationSnapshot | null;
  /** On a "state changed" skip: the plan live state calls for now. */
  readonly freshPlan?: RemediationPlan | null;
  /** Write calls made, by API name. */
  readonly calls: Readonly<Record<string, number>>;
}

export interface RemediationExecutorOptions {
  /** EC2 client of the finding's account and region. */
  readonly ec2: EC2Client;
  /** S3 client of the finding's account. */
  readonly s3: S3Client;
  /**
   * Reads the finding's resource live and evaluates it with the finding's rule; `undefined` when
   * the resource no longer exists.
   */
  readonly reevaluate: (finding: Finding) => Promise<Evaluation | undefined>;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /**
   * Evaluations made to verify a fix. EC2 applies endpoint changes asynchronously (an endpoint
   * is `pending` for a moment), so a first "not yet" is read again. @default 3
   */
  readonly verifyAttempts?: number;
  /** Wait between verification attempts. @default 2000 */
  readonly verifyDelayMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Applies remediation plans to one account and region.
 *
 * @example
 * const executor = new RemediationExecutor({ ec2, s3, reevaluate: (finding) => evaluateOne(finding) });
 * const outcome = await executor.apply(finding, finding.remediation);
 * if (outcome.status === 'applied') console.log(outcome.changes);
 */
export class RemediationExecutor {
  private readonly options: RemediationExecutorOptions;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: RemediationExecutorOptions) {
    const attempts = options.verifyAttempts ?? 3;
    if (!Number.isInteger(attempts) || attempts < 1) {
      throw new RangeError(`verifyAttempts must be an integer ≥ 1, got ${attempts}`);
    }
    this.options = options;
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Re-reads and re-evaluates the resource; applies the plan only when the resource is still
   * NON_COMPLIANT and the fix live state calls for is exactly this plan; then verifies.
   *
   * Throws {@link RemediationError} when a write fails for a reason that may pass (throttling, a
   * 5xx, the network) before anything was changed, so the caller can retry the whole fix. Once
   * something was changed, failures are returned as `failed` with the changes made, never thrown,
   * so the changes are always recorded.
   */
  async apply(finding: Finding, plan: RemediationPlan): Promise<RemediationOutcome> {
    const calls: Record<string, number> = {};
    if (plan.kind !== 'fix') {
      return nothing(
        'skipped',
        `the plan is ticket-only (${plan.why}): there is nothing to apply`,
        null,
        calls,
      );
    }

    const fresh = await this.options.reevaluate(finding);
    const before = fresh ? this.snapshot(fresh) : null;
    const subject = `${finding.resourceId}`;
    if (!fresh) {
      return nothing('skipped', `${subject} no longer exists: nothing to fix`, null, calls);
    }
    if (fresh.status !== 'NON_COMPLIANT') {
      return nothing(
        'skipped',
        `${subject} is ${fresh.status} now (${fresh.reason}): nothing to fix`,
        before,
        calls,
      );
    }
    const freshPlan = fresh.remediation;
    if (freshPlan?.kind !== 'fix' || !sameActions(freshPlan.actions, plan.actions)) {
      const now = freshPlan
        ? freshPlan.kind === 'fix'
          ? `the fix now would be: ${freshPlan.summary}`
          : `it now needs a ticket: ${freshPlan.why}`
        : 'live state offers no fix';
      return {
        ...nothing(
          'skipped',
          `state changed since the finding (observed ${finding.observedAt}): ${now}; not applying the old plan (${plan.summary})`,
          before,
          calls,
        ),
        freshPlan,
      };
    }

    const changes: AppliedChange[] = [];
    const executed: PlannedAction[] = [];
    const notes: string[] = [];
    for (const action of plan.actions) {
      const result = await this.applyAction(finding, action, freshPlan, changes, calls);
      if (result.kind === 'done') {
        changes.push(...result.changes);
        executed.push(action);
        continue;
      }
      if (result.kind === 'refused') {
        const done = changes.length ? `; already done: ${changes.map(describeChange).join('; ')}` : '';
        return {
          status: 'failed',
          why: `${result.why}${done}`,
          changes,
          before,
          after: null,
          calls,
        };
      }
      // `exists`: another actor made the change meanwhile; stop and say so.
      if (changes.length === 0) return nothing('skipped', result.why, before, calls);
      notes.push(result.why);
      break;
    }

    const verification = await this.verify(finding, executed);
    const done = changes.map(describeChange).join('; ');
    const note = notes.length ? ` (${notes.join('; ')})` : '';
    if (verification.verified) {
      return {
        status: 'applied',
        why: `${done}; verified: ${verification.evaluation?.status} (${verification.evaluation?.reason})${note}`,
        changes,
        before,
        after: verification.evaluation ? this.snapshot(verification.evaluation) : null,
        calls,
      };
    }
    return {
      status: 'failed',
      why: `${done}; verification failed: ${verification.why}${note}`,
      changes,
      before,
      after: verification.evaluation ? this.snapshot(verification.evaluation) : null,
      calls,
    };
  }

  private async applyAction(
    finding: Finding,
    action: PlannedAction,
    freshPlan: Extract<RemediationPlan, { kind: 'fix' }>,
    changes: readonly AppliedChange[],
    calls: Record<string, number>,
  ): Promise<ApplyResult<AppliedChange>> {
    const module = actionModule(action);
    const count = (api: string): void => {
      calls[api] = (calls[api] ?? 0) + 1;
    };
    try {
      const { ec2, s3 } = this.options;
      return (await module.apply(action, {
        clients: { ec2, s3 },
        freshActions: freshPlan.actions,
        count,
      })) as ApplyResult<AppliedChange>;
    } catch (error) {
      if (isRefusal(error)) {
        return {
          kind: 'refused',
          why: `${module.serviceLabel} refused ${action.action}: ${describeAwsError(error)}`,
        };
      }
      if (changes.length === 0) {
        throw new RemediationError(
          `${action.action} for ${finding.findingId} failed before anything was changed: ${describeAwsError(error)}`,
          { findingId: finding.findingId, action: action.action, cause: error },
        );
      }
      return { kind: 'refused', why: `${action.action} failed: ${describeAwsError(error)}` };
    }
  }

  private async verify(
    finding: Finding,
    executed: readonly PlannedAction[],
  ): Promise<{ verified: boolean; why: string; evaluation: Evaluation | undefined }> {
    const attempts = this.options.verifyAttempts ?? 3;
    let last: { verified: boolean; why: string; evaluation: Evaluation | undefined } = {
      verified: false,
      why: 'not evaluated',
      evaluation: undefined,
    };
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (attempt > 1) await this.sleep(this.options.verifyDelayMs ?? 2000);
      let evaluation: Evaluation | undefined;
      try {
        evaluation = await this.options.reevaluate(finding);
      } catch (error) {
        // The change is made: a failed read must not throw it away unrecorded (a retry would
        // find the resource compliant and audit "skipped"). Try again, then report it unverified.
        last = {
          verified: false,
          why: `the verification read failed: ${describeAwsError(error)}`,
          evaluation: undefined,
        };
        continue;
      }
      last = judge(evaluation, executed);
      if (last.verified) return last;
    }
    return last;
  }

  private snapshot(evaluation: Evaluation): EvaluationSnapshot {
    return {
      status: evaluation.status,
      severity: evaluation.severity,
      reason: evaluation.reason,
      evidence: evaluation.evidence,
      remediation: evaluation.remediation,
      at: this.now().toISOString(),
    };
  }
}

/**
 * Verified: COMPLIANT, or still NON_COMPLIANT for a part the plan did not cover (a partial plan)
 * while nothing live state calls for touches what was acted on.
 */
function judge(
  evaluation: Evaluation | undefined,
  executed: readonly PlannedAction[],
): { verified: boolean; why: string; evaluation: Evaluation | undefined } {
  if (!evaluation) return { verified: false, why: 'the resource is no longer found', evaluation };
  if (evaluation.status === 'COMPLIANT') return { verified: true, why: evaluation.reason, evaluation };
  if (evaluation.status === 'NOT_APPLICABLE') {
    return { verified: false, why: `${evaluation.status} (${evaluation.reason})`, evaluation };
  }
  const plan = evaluation.remediation;
  const targets = new Set(executed.map(targetOf));
  const pending = plan?.kind === 'fix' ? plan.actions.filter((action) => targets.has(targetOf(action))) : [];
  if (pending.length === 0) {
    return {
      verified: true,
      why: `the part acted on is fixed; still NON_COMPLIANT: ${evaluation.reason}`,
      evaluation,
    };
  }
  return {
    verified: false,
    why: `still NON_COMPLIANT (${evaluation.reason}); live state still calls for ${pending.map(canonicalAction).join(', ')}`,
    evaluation,
  };
}

/** What an action acts on: the same target in a fresh plan means that part is not fixed yet. */
function targetOf(action: PlannedAction): string {
  return actionModule(action).target(action);
}

function nothing(
  status: 'skipped' | 'failed',
  why: string,
  before: EvaluationSnapshot | null,
  calls: Readonly<Record<string, number>>,
): RemediationOutcome {
  return { status, why, changes: [], before, after: null, calls };
}

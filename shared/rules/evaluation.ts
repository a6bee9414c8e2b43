import { EXEMPT_TAG, isDeletedOrNotRecorded, type Resource } from '../model';
import type { ComplianceStatus, Evaluation, RemediationPlan, Rule, RuleId, Severity } from './types';

/** AWS Config rejects annotations longer than this. */
export const MAX_REASON_LENGTH = 256;

/** Shortens a reason to Config's annotation limit, marking the cut. */
export function clampReason(reason: string): string {
  return reason.length <= MAX_REASON_LENGTH ? reason : `${reason.slice(0, MAX_REASON_LENGTH - 1)}…`;
}

interface Verdict {
  readonly status: ComplianceStatus;
  readonly reason: string;
  readonly evidence?: Readonly<Record<string, unknown>>;
  /** For NON_COMPLIANT: overrides the rule's severity. */
  readonly severity?: Exclude<Severity, 'INFORMATIONAL'>;
  readonly remediation?: RemediationPlan;
}

/** Builds the evaluation of `rule` on `resource`; only NON_COMPLIANT carries severity and a plan. */
export function evaluationOf(
  rule: Pick<Rule<Resource['resourceType'], string>, 'id' | 'severity'>,
  resource: Resource,
  verdict: Verdict,
): Evaluation {
  const nonCompliant = verdict.status === 'NON_COMPLIANT';
  return {
    // A registered rule's id (a rule registered at run time is not in the static `RuleId` union).
    ruleId: rule.id as RuleId,
    resourceType: resource.resourceType,
    resourceId: resource.resourceId,
    accountId: resource.accountId,
    region: resource.region,
    arn: resource.arn,
    status: verdict.status,
    severity: nonCompliant ? (verdict.severity ?? rule.severity) : 'INFORMATIONAL',
    reason: clampReason(verdict.reason),
    evidence: verdict.evidence ?? {},
    remediation: nonCompliant ? (verdict.remediation ?? null) : null,
  };
}

/**
 * The first tag key that is `endpoint-guard:exempt` in any case. Every resource of every rule is
 * checked, so keys of another length are skipped before lower-casing them (a key can only
 * lower-case to the ASCII tag name if it has the same length).
 */
function exemptTagKey(tags: Readonly<Record<string, string>>): string | undefined {
  for (const key in tags) {
    if (key.length === EXEMPT_TAG.length && Object.hasOwn(tags, key) && key.toLowerCase() === EXEMPT_TAG) {
      return key;
    }
  }
  return undefined;
}

/**
 * The verdict every rule gives first: NOT_APPLICABLE for a deleted / not-recorded item, or one
 * tagged `endpoint-guard:exempt` (the tag's value is the reason). `undefined` otherwise.
 */
export function preliminaryVerdict(resource: Resource): Verdict | undefined {
  if (isDeletedOrNotRecorded(resource)) {
    return { status: 'NOT_APPLICABLE', reason: `configuration item status is ${resource.itemStatus}` };
  }
  const exemptKey = exemptTagKey(resource.tags);
  if (exemptKey !== undefined) {
    const why = resource.tags[exemptKey]?.trim();
    return {
      status: 'NOT_APPLICABLE',
      reason: why ? `exempt by tag ${EXEMPT_TAG}: ${why}` : `exempt by tag ${EXEMPT_TAG}`,
      evidence: { exemption: why ?? '' },
    };
  }
  return undefined;
}

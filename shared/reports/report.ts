/**
 * What every report format renders: the evaluations of a scan (after the user's filters), each
 * with what the deployed service would do with it when a settings document was given, and the
 * scan's summary. Pure.
 */
import { RULES } from '../rules/index';
import type { ComplianceStatus, Evaluation, RuleId, Severity } from '../rules/types';
import { type ScanSummary, summarize } from '../scan/scan';
import type { Action } from '../settings/decision';

/** What the deployed service would do with a finding: its settings decision. */
export interface ServiceDecision {
  /** `ignore` (mode off, or exempt), `notify`, `ticket` or `fix`. */
  readonly action: Action;
  /** One sentence: why. */
  readonly why: string;
}

export interface ReportFinding {
  readonly evaluation: Evaluation;
  /** Present when the scan was given a settings document and the finding is NON_COMPLIANT. */
  readonly decision?: ServiceDecision;
}

export interface Report {
  readonly findings: readonly ReportFinding[];
  readonly summary: ScanSummary;
  /** NON_COMPLIANT findings the service would ignore (mode off or exempt); 0 without settings. */
  readonly ignored: number;
  /** When the report was made (ISO-8601). */
  readonly generatedAt: string;
}

/** Which findings a report keeps; an empty list keeps every value. */
export interface ReportFilter {
  readonly severities: readonly Severity[];
  readonly statuses: readonly ComplianceStatus[];
}

/**
 * The report of a scan: its evaluations filtered by severity and status, with the service's
 * decision on each NON_COMPLIANT one when settings are given, and the summary of what is kept.
 *
 * @example
 * const report = buildReport(result.evaluations, ['s3-bucket-public-access'], { severities: ['CRITICAL'], statuses: [] });
 */
export function buildReport(
  evaluations: readonly Evaluation[],
  rules: readonly RuleId[],
  filter: ReportFilter,
  options: {
    /** What the service would do with a NON_COMPLIANT finding (see `decisions.ts`); none: not asked. */
    readonly decide?: (evaluation: Evaluation) => ServiceDecision;
    readonly now: Date;
  },
): Report {
  const kept = evaluations.filter(
    (evaluation) =>
      (filter.severities.length === 0 || filter.severities.includes(evaluation.severity)) &&
      (filter.statuses.length === 0 || filter.statuses.includes(evaluation.status)),
  );
  const findings = kept.map((evaluation): ReportFinding => {
    const { decide } = options;
    if (!decide || evaluation.status !== 'NON_COMPLIANT') return { evaluation };
    return { evaluation, decision: decide(evaluation) };
  });
  return {
    findings,
    summary: summarize(kept, rules),
    ignored: findings.filter((finding) => finding.decision?.action === 'ignore').length,
    generatedAt: options.now.toISOString(),
  };
}

/** The rule's one-line title, for reports. */
export function ruleTitle(ruleId: RuleId): string {
  return RULES.find((rule) => rule.id === ruleId)?.title ?? ruleId;
}

/** The plan as one line: `fix: ...` or `ticket: ... (why)`; empty when there is none. */
export function fixText(evaluation: Evaluation): string {
  const plan = evaluation.remediation;
  if (!plan) return '';
  return plan.kind === 'fix' ? `fix: ${plan.summary}` : `ticket: ${plan.summary} (${plan.why})`;
}

/**
 * Renders scan results: JSON for machines (the shape ARCHITECTURE.md, "Local use", fixes) and a table for people.
 * Pure: returns strings, so the CLI can print all or nothing.
 */
import type { ComplianceStatus, Evaluation, RemediationPlan } from '../rules/types';
import type { ScanResult, ScanSummary } from './scan';

/** One finding in `--format json` output. */
export interface JsonFinding {
  readonly rule: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly accountId: string;
  readonly region: string;
  readonly status: ComplianceStatus;
  readonly severity: string;
  readonly reason: string;
  readonly remediation: RemediationPlan | null;
}

export function toJsonFinding(evaluation: Evaluation): JsonFinding {
  return {
    rule: evaluation.ruleId,
    resourceType: evaluation.resourceType,
    resourceId: evaluation.resourceId,
    accountId: evaluation.accountId,
    region: evaluation.region,
    status: evaluation.status,
    severity: evaluation.severity,
    reason: evaluation.reason,
    remediation: evaluation.remediation,
  };
}

/** `{"findings": [...], "summary": {...}}`, one finding per evaluated resource per rule. */
export function formatJson(result: ScanResult): string {
  return `${JSON.stringify({ findings: result.evaluations.map(toJsonFinding), summary: result.summary }, null, 2)}\n`;
}

export interface TableStyle {
  readonly color: boolean;
}

const ANSI = { red: 31, green: 32, yellow: 33, grey: 90, bold: 1 } as const;

function paint(style: TableStyle, code: keyof typeof ANSI, text: string): string {
  return style.color ? `\u001b[${ANSI[code]}m${text}\u001b[0m` : text;
}

const STATUS_COLOR: Record<ComplianceStatus, keyof typeof ANSI> = {
  NON_COMPLIANT: 'red',
  COMPLIANT: 'green',
  NOT_APPLICABLE: 'grey',
};

/** A table for people: grouped by account and region, one line per finding, the planned fix under it. */
export function formatTable(result: ScanResult, style: TableStyle): string {
  const lines: string[] = [];
  const groups = new Map<string, Evaluation[]>();
  for (const evaluation of result.evaluations) {
    const key = `${evaluation.accountId} ${evaluation.region}`;
    const group = groups.get(key);
    if (group) group.push(evaluation);
    else groups.set(key, [evaluation]);
  }
  const ruleWidth = Math.max(4, ...result.evaluations.map((e) => e.ruleId.length));
  const idWidth = Math.max(8, ...result.evaluations.map((e) => e.resourceId.length));
  for (const [key, evaluations] of groups) {
    const [accountId, region] = key.split(' ');
    lines.push(paint(style, 'bold', `Account ${accountId} · ${region}`));
    for (const evaluation of evaluations) {
      const status = paint(style, STATUS_COLOR[evaluation.status], evaluation.status.padEnd(14));
      const severity = evaluation.status === 'NON_COMPLIANT' ? evaluation.severity : '';
      lines.push(
        `  ${status} ${severity.padEnd(8)} ${evaluation.ruleId.padEnd(ruleWidth)} ${evaluation.resourceId.padEnd(idWidth)} ${evaluation.reason}`,
      );
      const plan = evaluation.remediation;
      if (plan) {
        const indent = ' '.repeat(2 + 14 + 1 + 8 + 1 + ruleWidth + 1 + idWidth + 1);
        const text = plan.kind === 'fix' ? `fix: ${plan.summary}` : `ticket: ${plan.summary} (${plan.why})`;
        lines.push(paint(style, 'yellow', `${indent}${text}`));
      }
    }
    lines.push('');
  }
  if (groups.size === 0) lines.push('No resources to evaluate in this input.', '');
  lines.push(summaryLine(result.summary));
  return `${lines.join('\n')}\n`;
}

/** `42 evaluated: 10 NON_COMPLIANT (2 CRITICAL, 5 HIGH, 3 MEDIUM), 20 COMPLIANT, 12 NOT_APPLICABLE` */
export function summaryLine(summary: ScanSummary): string {
  const severities = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']
    .filter((severity) => (summary.bySeverity[severity] ?? 0) > 0)
    .map((severity) => `${summary.bySeverity[severity]} ${severity}`);
  const detail = severities.length ? ` (${severities.join(', ')})` : '';
  return (
    `${summary.evaluated} evaluated: ${summary.nonCompliant} NON_COMPLIANT${detail}, ` +
    `${summary.compliant} COMPLIANT, ${summary.notApplicable} NOT_APPLICABLE`
  );
}

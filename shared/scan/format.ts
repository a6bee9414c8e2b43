/**
 * Renders scan results: JSON for machines (the `{findings, summary}` document) and a table for
 * people. Pure: returns strings, so the CLI can print all or nothing.
 */
import { fixText, type Report, type ReportFinding, type ServiceDecision } from '../reports/report';
import type { ComplianceStatus, Evaluation, RemediationPlan } from '../rules/types';
import { type Paint, painter } from './color';
import type { ScanSummary } from './scan';

/** One finding in `--format json` output. */
export interface JsonFinding {
  readonly rule: string;
  readonly resourceType: string;
  readonly resourceId: string;
  /** The resource's ARN; null for a resource without one (an account's Block Public Access). */
  readonly resourceArn: string | null;
  readonly accountId: string;
  readonly region: string;
  readonly status: ComplianceStatus;
  readonly severity: string;
  readonly reason: string;
  readonly remediation: RemediationPlan | null;
  /** What the deployed service would do; only with `scan --settings`, on NON_COMPLIANT findings. */
  readonly decision?: ServiceDecision;
}

export function toJsonFinding(evaluation: Evaluation, decision?: ServiceDecision): JsonFinding {
  return {
    rule: evaluation.ruleId,
    resourceType: evaluation.resourceType,
    resourceId: evaluation.resourceId,
    resourceArn: evaluation.arn === '' ? null : evaluation.arn,
    accountId: evaluation.accountId,
    region: evaluation.region,
    status: evaluation.status,
    severity: evaluation.severity,
    reason: evaluation.reason,
    remediation: evaluation.remediation,
    ...(decision ? { decision } : {}),
  };
}

/**
 * `{"findings": [...], "summary": {...}}`, one finding per evaluated resource per rule, plus
 * `extra` keys (scan --live adds `errors`).
 */
export function formatJson(report: Report, extra: Readonly<Record<string, unknown>> = {}): string {
  const findings = report.findings.map(({ evaluation, decision }) => toJsonFinding(evaluation, decision));
  const summary = report.ignored > 0 ? { ...report.summary, ignored: report.ignored } : report.summary;
  return `${JSON.stringify({ findings, summary, ...extra }, null, 2)}\n`;
}

export interface TableStyle {
  readonly color: boolean;
  /** Wrap long reasons and fixes to this many columns; undefined: never wrap (one line each). */
  readonly width?: number;
  /** Show COMPLIANT, NOT_APPLICABLE and ignored findings too. @default false */
  readonly all?: boolean;
  /** Only the finding lines: no headers, fixes, notes or summary. @default false */
  readonly quiet?: boolean;
}

const STATUS_COLOR: Record<ComplianceStatus, Paint> = {
  NON_COMPLIANT: 'red',
  COMPLIANT: 'green',
  NOT_APPLICABLE: 'grey',
};

const STATUS_WIDTH = 14;
const SEVERITY_WIDTH = 8;
/** Below this many columns for the reason, it goes on lines of its own under the finding. */
const MIN_TEXT_WIDTH = 30;

/** What the table shows unless `--all`: findings someone must act on. */
export function isActionable(finding: ReportFinding): boolean {
  return finding.evaluation.status === 'NON_COMPLIANT' && finding.decision?.action !== 'ignore';
}

/**
 * A table for people: grouped by account and region, one line per finding, the planned fix under
 * it. COMPLIANT, NOT_APPLICABLE and ignored findings are counted but shown only with `all`.
 */
export function formatTable(report: Report, style: TableStyle): string {
  const paint = painter(style.color);
  const shown = style.all ? report.findings : report.findings.filter(isActionable);
  const hidden = report.findings.length - shown.length;
  const ruleWidth = Math.max(4, ...shown.map((f) => f.evaluation.ruleId.length));
  const idWidth = Math.max(8, ...shown.map((f) => f.evaluation.resourceId.length));
  const row = (finding: ReportFinding, prefix: string): string[] => {
    const { evaluation } = finding;
    const status = paint(STATUS_COLOR[evaluation.status], evaluation.status.padEnd(STATUS_WIDTH));
    const severity = evaluation.status === 'NON_COMPLIANT' ? evaluation.severity : '';
    const head = `${prefix}${status} ${severity.padEnd(SEVERITY_WIDTH)} ${evaluation.ruleId.padEnd(ruleWidth)} ${evaluation.resourceId.padEnd(idWidth)} `;
    const headWidth = prefix.length + STATUS_WIDTH + 1 + SEVERITY_WIDTH + 1 + ruleWidth + 1 + idWidth + 1;
    return hanging(head, headWidth, evaluation.reason, style.width);
  };

  if (style.quiet) {
    const lines = shown.flatMap((finding) =>
      row(finding, `${finding.evaluation.accountId} ${finding.evaluation.region.padEnd(14)} `),
    );
    return lines.length ? `${lines.join('\n')}\n` : '';
  }

  const lines: string[] = [];
  const groups = new Map<string, ReportFinding[]>();
  for (const finding of shown) {
    const key = `${finding.evaluation.accountId} ${finding.evaluation.region}`;
    const group = groups.get(key);
    if (group) group.push(finding);
    else groups.set(key, [finding]);
  }
  const indent = 2 + STATUS_WIDTH + 1 + SEVERITY_WIDTH + 1 + ruleWidth + 1 + idWidth + 1;
  for (const [key, findings] of groups) {
    const [accountId, region] = key.split(' ');
    lines.push(paint('bold', `Account ${accountId} · ${region}`));
    for (const finding of findings) {
      lines.push(...row(finding, '  '));
      const fix = fixText(finding.evaluation);
      const { decision } = finding;
      if (decision?.action === 'ignore') {
        lines.push(
          ...hanging(' '.repeat(indent), indent, `ignored: ${decision.why}`, style.width, 'grey', paint),
        );
      } else if (fix) {
        lines.push(...hanging(' '.repeat(indent), indent, fix, style.width, 'yellow', paint));
        if (decision) {
          lines.push(
            ...hanging(
              ' '.repeat(indent),
              indent,
              `service: ${decision.action}: ${decision.why}`,
              style.width,
            ),
          );
        }
      }
    }
    lines.push('');
  }
  if (report.findings.length === 0) lines.push('No resources to evaluate in this input.', '');
  else if (shown.length === 0) lines.push('Nothing to act on.', '');
  if (hidden > 0) {
    lines.push(
      `${hidden} COMPLIANT, NOT_APPLICABLE or ignored finding${hidden === 1 ? '' : 's'} not shown (--all shows them)`,
    );
  }
  lines.push(summaryLine(report.summary, report.ignored));
  return `${lines.join('\n')}\n`;
}

/**
 * `head` then `text`, wrapped to `width` columns with continuation lines aligned under the
 * text; when fewer than {@link MIN_TEXT_WIDTH} columns are left, the text goes on lines of its
 * own, indented by four.
 */
function hanging(
  head: string,
  headWidth: number,
  text: string,
  width: number | undefined,
  color?: Paint,
  paint?: (code: Paint, text: string) => string,
): string[] {
  const tint = (line: string): string => (color && paint ? paint(color, line) : line);
  if (width === undefined) return [`${head}${tint(text)}`.trimEnd()];
  if (width - headWidth >= MIN_TEXT_WIDTH) {
    const [first = '', ...rest] = wrap(text, width - headWidth);
    return [
      `${head}${tint(first)}`.trimEnd(),
      ...rest.map((line) => `${' '.repeat(headWidth)}${tint(line)}`),
    ];
  }
  const own = wrap(text, Math.max(MIN_TEXT_WIDTH, width - 4)).map((line) => `    ${tint(line)}`);
  return head.trim() === '' ? own : [head.trimEnd(), ...own];
}

/** Words in lines of at most `width` characters; a longer word (an ARN) gets a line of its own. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** `42 evaluated: 10 NON_COMPLIANT (2 CRITICAL, 5 HIGH, 3 MEDIUM), 20 COMPLIANT, 12 NOT_APPLICABLE` */
export function summaryLine(summary: ScanSummary, ignored = 0): string {
  const severities = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']
    .filter((severity) => (summary.bySeverity[severity] ?? 0) > 0)
    .map((severity) => `${summary.bySeverity[severity]} ${severity}`);
  const detail = severities.length ? ` (${severities.join(', ')})` : '';
  const ignoredNote = ignored > 0 ? `, ${ignored} of them ignored by the settings` : '';
  return (
    `${summary.evaluated} evaluated: ${summary.nonCompliant} NON_COMPLIANT${detail}${ignoredNote}, ` +
    `${summary.compliant} COMPLIANT, ${summary.notApplicable} NOT_APPLICABLE`
  );
}

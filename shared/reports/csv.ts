/**
 * `scan --format csv`: one row per finding, RFC 4180 (comma-separated, CRLF line ends, fields
 * quoted when they hold a comma, a quote or a line break, quotes doubled). Opens in any
 * spreadsheet; a field that a spreadsheet would run as a formula is prefixed with `'`.
 */
import { fixText, type Report } from './report';

export const CSV_COLUMNS = [
  'account_id',
  'region',
  'rule',
  'resource_type',
  'resource_id',
  'resource_arn',
  'status',
  'severity',
  'reason',
  'remediation',
  'decision',
] as const;

/**
 * The report as CSV text with a header row.
 *
 * @example
 * writeFileSync('findings.csv', formatCsv(report));
 */
export function formatCsv(report: Report): string {
  const rows = report.findings.map(({ evaluation, decision }) => [
    evaluation.accountId,
    evaluation.region,
    evaluation.ruleId,
    evaluation.resourceType,
    evaluation.resourceId,
    evaluation.arn,
    evaluation.status,
    evaluation.severity,
    evaluation.reason,
    fixText(evaluation),
    decision ? `${decision.action}: ${decision.why}` : '',
  ]);
  return [[...CSV_COLUMNS], ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/** One field, quoted when needed (RFC 4180 section 2), defused when a spreadsheet would run it. */
export function csvField(value: string): string {
  // OWASP "CSV injection": a cell starting with = + - @ (or a tab / carriage return) is a formula.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * `scan --format html`: one self-contained HTML file (inline style and script, no request to any
 * network: its Content-Security-Policy forbids every fetch). It shows
 * - the totals, and counts per account, region, rule and severity;
 * - every finding in a table sortable by any column (click its header) and filterable by text,
 *   status and severity;
 * - each finding's reason, evidence and fix, in a row that opens under it.
 * Rows are rendered here, so the page reads without script; the script only sorts and filters.
 */
import type { ComplianceStatus, Evaluation } from '../rules/types';
import { fixText, type Report, type ReportFinding, ruleTitle } from './report';

const STATUSES: readonly ComplianceStatus[] = ['NON_COMPLIANT', 'COMPLIANT', 'NOT_APPLICABLE'];
const SEVERITY_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'] as const;

export interface HtmlOptions {
  /** What was scanned, shown in the title (a file name, or "live: 3 accounts"). */
  readonly source: string;
  readonly productVersion: string;
}

/**
 * The report as one HTML document.
 *
 * @example
 * writeFileSync('report.html', formatHtml(report, { source: 'snapshot.json', productVersion: '0.1.0' }));
 */
export function formatHtml(report: Report, options: HtmlOptions): string {
  const { summary } = report;
  const evaluations = report.findings.map((finding) => finding.evaluation);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>endpoint-guard report: ${escapeHtml(options.source)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>endpoint-guard report</h1>
<p class="meta">${escapeHtml(options.source)} · generated ${escapeHtml(report.generatedAt)} · endpoint-guard ${escapeHtml(options.productVersion)}</p>
</header>
<section aria-label="Totals" class="totals">
${total('evaluated', summary.evaluated, 'evaluated')}
${total('NON_COMPLIANT', summary.nonCompliant, 'non-compliant')}
${total('COMPLIANT', summary.compliant, 'compliant')}
${total('NOT_APPLICABLE', summary.notApplicable, 'not-applicable')}
${report.ignored > 0 ? total('ignored by settings', report.ignored, 'ignored') : ''}
</section>
<section aria-label="Summary" class="summaries">
${countTable('By account', 'account', evaluations, (e) => e.accountId)}
${countTable('By region', 'region', evaluations, (e) => e.region)}
${countTable('By rule', 'rule', evaluations, (e) => e.ruleId)}
${severityTable(report)}
</section>
<section aria-label="Findings">
<h2>Findings</h2>
<form class="filters" role="search" onsubmit="return false">
<label>Filter <input id="filter-text" type="search" placeholder="account, resource, reason…" autocomplete="off"></label>
<label>Status <select id="filter-status"><option value="">any</option>${STATUSES.map((s) => `<option>${s}</option>`).join('')}</select></label>
<label>Severity <select id="filter-severity"><option value="">any</option>${SEVERITY_ORDER.map((s) => `<option>${s}</option>`).join('')}</select></label>
<output id="shown-count">${report.findings.length} of ${report.findings.length} findings</output>
</form>
<table id="findings">
<thead><tr>${COLUMNS.map((column, index) => `<th scope="col" data-column="${index}" aria-sort="none" tabindex="0">${column}</th>`).join('')}</tr></thead>
<tbody>
${report.findings.map(findingRows).join('\n')}
</tbody>
</table>
</section>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

const COLUMNS = ['Account', 'Region', 'Rule', 'Resource', 'Status', 'Severity', 'Reason'] as const;

function total(label: string, count: number, id: string): string {
  return `<div class="total" id="total-${id}"><span class="count">${count}</span> <span class="label">${escapeHtml(label)}</span></div>`;
}

/** Counts of each status per key (account, region or rule). */
function countTable(
  caption: string,
  id: string,
  evaluations: readonly Evaluation[],
  keyOf: (evaluation: Evaluation) => string,
): string {
  const counts = new Map<string, Record<ComplianceStatus, number>>();
  for (const evaluation of evaluations) {
    const key = keyOf(evaluation);
    const row = counts.get(key) ?? { NON_COMPLIANT: 0, COMPLIANT: 0, NOT_APPLICABLE: 0 };
    row[evaluation.status]++;
    counts.set(key, row);
  }
  const rows = [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(
      ([key, row]) =>
        `<tr><th scope="row">${escapeHtml(key)}</th>${STATUSES.map((status) => `<td>${row[status]}</td>`).join('')}</tr>`,
    );
  return `<table class="summary" id="summary-${id}"><caption>${caption}</caption>
<thead><tr><th scope="col">${id}</th>${STATUSES.map((status) => `<th scope="col">${status}</th>`).join('')}</tr></thead>
<tbody>${rows.join('')}</tbody></table>`;
}

function severityTable(report: Report): string {
  const rows = SEVERITY_ORDER.filter((severity) => severity !== 'INFORMATIONAL')
    .filter((severity) => (report.summary.bySeverity[severity] ?? 0) > 0)
    .map(
      (severity) =>
        `<tr><th scope="row">${severity}</th><td>${report.summary.bySeverity[severity] ?? 0}</td></tr>`,
    );
  return `<table class="summary" id="summary-severity"><caption>NON_COMPLIANT by severity</caption>
<thead><tr><th scope="col">severity</th><th scope="col">findings</th></tr></thead>
<tbody>${rows.join('') || '<tr><td colspan="2">none</td></tr>'}</tbody></table>`;
}

/** The finding's row, and under it the row with its reason, evidence and fix. */
function findingRows(finding: ReportFinding, index: number): string {
  const { evaluation, decision } = finding;
  const cells = [
    evaluation.accountId,
    evaluation.region,
    evaluation.ruleId,
    evaluation.resourceId,
    evaluation.status,
    evaluation.status === 'NON_COMPLIANT' ? evaluation.severity : '',
    evaluation.reason,
  ];
  const severityRank = SEVERITY_ORDER.indexOf(evaluation.severity);
  const fix = fixText(evaluation);
  const plan = evaluation.remediation;
  const details = [
    `<h3>${escapeHtml(ruleTitle(evaluation.ruleId))}</h3>`,
    `<p><b>Resource</b> ${escapeHtml(evaluation.resourceType)} <code>${escapeHtml(evaluation.arn || evaluation.resourceId)}</code></p>`,
    `<p><b>Reason</b> ${escapeHtml(evaluation.reason)}</p>`,
    `<p><b>Evidence</b></p><pre>${escapeHtml(JSON.stringify(evaluation.evidence, null, 2))}</pre>`,
    fix ? `<p class="fix"><b>Fix</b> ${escapeHtml(fix)}</p>` : '<p class="fix"><b>Fix</b> none needed</p>',
    plan?.kind === 'fix'
      ? `<pre>${escapeHtml(JSON.stringify(plan.actions, null, 2))}</pre>${plan.warnings.map((w) => `<p class="warning">${escapeHtml(w)}</p>`).join('')}`
      : '',
    decision ? `<p><b>Service</b> ${escapeHtml(`${decision.action}: ${decision.why}`)}</p>` : '',
  ].join('');
  return (
    `<tr class="finding status-${evaluation.status}" data-index="${index}" data-status="${evaluation.status}" data-severity="${evaluation.severity}" data-severity-rank="${severityRank}" tabindex="0" aria-expanded="false">` +
    cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('') +
    `</tr>\n<tr class="details" hidden><td colspan="${COLUMNS.length}">${details}</td></tr>`
  );
}

/** Text safe inside HTML elements and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `
:root { color-scheme: light dark; --fail: #c62828; --pass: #2e7d32; --na: #757575; --line: #8884; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem; }
h1 { margin: 0; font-size: 1.5rem; } .meta { color: var(--na); margin-top: .25rem; }
.totals { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.total { border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem; }
.total .count { font-size: 1.6rem; font-weight: 600; }
#total-non-compliant .count { color: var(--fail); } #total-compliant .count { color: var(--pass); }
.summaries { display: flex; gap: 1.5rem; flex-wrap: wrap; align-items: flex-start; }
table { border-collapse: collapse; } caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
.summary td { text-align: right; }
#findings { width: 100%; margin-top: .5rem; }
#findings thead th { cursor: pointer; user-select: none; position: sticky; top: 0; background: Canvas; }
#findings th[aria-sort="ascending"]::after { content: " ▲"; } #findings th[aria-sort="descending"]::after { content: " ▼"; }
tr.finding { cursor: pointer; } tr.finding:hover { background: #8881; }
.status-NON_COMPLIANT td:nth-child(5) { color: var(--fail); font-weight: 600; }
.status-COMPLIANT td:nth-child(5) { color: var(--pass); } .status-NOT_APPLICABLE td:nth-child(5) { color: var(--na); }
tr.details td { background: #8881; } pre { white-space: pre-wrap; word-break: break-word; font-size: 12px; }
.fix { font-weight: 500; } .warning { color: #b26a00; }
.filters { display: flex; gap: 1rem; flex-wrap: wrap; align-items: center; }
`;

/** Sorting and filtering; the rows come in pairs (finding, details) that move together. */
const SCRIPT = `
(() => {
  const body = document.querySelector('#findings tbody');
  const pairs = [...body.querySelectorAll('tr.finding')].map((row) => [row, row.nextElementSibling]);
  const text = document.getElementById('filter-text');
  const status = document.getElementById('filter-status');
  const severity = document.getElementById('filter-severity');
  const shown = document.getElementById('shown-count');
  const apply = () => {
    const words = text.value.toLowerCase().split(/\\s+/).filter(Boolean);
    let count = 0;
    for (const [row, details] of pairs) {
      const haystack = row.textContent.toLowerCase() + ' ' + details.textContent.toLowerCase();
      const visible = words.every((word) => haystack.includes(word)) &&
        (!status.value || row.dataset.status === status.value) &&
        (!severity.value || row.dataset.severity === severity.value);
      row.hidden = !visible;
      if (!visible) { details.hidden = true; row.setAttribute('aria-expanded', 'false'); }
      if (visible) count++;
    }
    shown.textContent = count + ' of ' + pairs.length + ' findings';
  };
  for (const input of [text, status, severity]) input.addEventListener('input', apply);
  const sortBy = (header) => {
    const column = Number(header.dataset.column);
    const ascending = header.getAttribute('aria-sort') !== 'ascending';
    for (const other of document.querySelectorAll('#findings thead th')) other.setAttribute('aria-sort', 'none');
    header.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    const key = (row) => column === 5 ? String(row.dataset.severityRank).padStart(2, '0') : row.cells[column].textContent;
    pairs.sort((a, b) => {
      const x = key(a[0]); const y = key(b[0]);
      const order = x < y ? -1 : x > y ? 1 : Number(a[0].dataset.index) - Number(b[0].dataset.index);
      return ascending ? order : -order;
    });
    for (const [row, details] of pairs) body.append(row, details);
  };
  for (const header of document.querySelectorAll('#findings thead th')) {
    header.addEventListener('click', () => sortBy(header));
    header.addEventListener('keydown', (event) => { if (event.key === 'Enter') sortBy(header); });
  }
  const toggle = (row) => {
    const details = row.nextElementSibling;
    details.hidden = !details.hidden;
    row.setAttribute('aria-expanded', String(!details.hidden));
  };
  body.addEventListener('click', (event) => { const row = event.target.closest('tr.finding'); if (row) toggle(row); });
  body.addEventListener('keydown', (event) => { const row = event.target.closest('tr.finding'); if (row && event.key === 'Enter') toggle(row); });
})();
`;

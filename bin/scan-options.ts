/**
 * What `scan` and `scan --live` share: the output options, their checks, and the rendering of a
 * report in the chosen format (to stdout, or atomically to `--output-file`).
 */
import { buildReport, type Report, type ServiceDecision } from '../shared/reports/report';
import { RULE_IDS } from '../shared/rules/index';
import type { ComplianceStatus, Evaluation, RuleId, Severity } from '../shared/rules/types';
import { colorEnabled } from '../shared/scan/color';
import { formatJson, formatTable, isActionable } from '../shared/scan/format';
import { choices, unknownValue } from './args';
import { type CliIo, UsageError } from './cli-error';
import { checkOutputFile, writeFileAtomic } from './output-file';
import { VERSION } from './version';

/** The output formats of `scan`. */
export const SCAN_FORMATS = ['table', 'json', 'csv', 'ocsf', 'asff', 'html'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];
const STATUSES: readonly ComplianceStatus[] = ['NON_COMPLIANT', 'COMPLIANT', 'NOT_APPLICABLE'];

/** parseArgs specs of the options both scans take. */
export const OUTPUT_OPTIONS = {
  format: { type: 'string', short: 'f' },
  'output-file': { type: 'string', short: 'o' },
  rule: { type: 'string', multiple: true },
  severity: { type: 'string', multiple: true },
  status: { type: 'string', multiple: true },
  all: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  'fail-on-findings': { type: 'boolean' },
  'hub-account': { type: 'string' },
  'hub-region': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Their lines in the commands' help. */
export const OUTPUT_USAGE = `  -f, --format FORMAT    table (default), json, csv, ocsf (OCSF 1.3 Compliance Findings, JSON
                         lines), asff (for aws securityhub batch-import-findings) or html (one
                         self-contained page with summaries and a sortable, filterable table)
  --hub-account ID       asff: the account whose Security Hub imports the findings (the one that
                         runs batch-import-findings; scan --live: the caller's account)
  --hub-region REGION    asff: that Security Hub's region (default: $AWS_REGION, $AWS_DEFAULT_REGION;
                         scan --live: the first region scanned)
  -o, --output-file FILE write the report to FILE (atomically: never half-written) instead of stdout
  --rule ID[,ID]         only these rules (${RULE_IDS.join(', ')})
  --severity S[,S]       only findings of these severities (${SEVERITIES.join(', ')})
  --status S[,S]         only findings of these statuses (${STATUSES.join(', ')})
  --all                  table: also show COMPLIANT, NOT_APPLICABLE and ignored findings
  -q, --quiet            only the findings: no headers, fixes, summary or notes
  --fail-on-findings     exit 1 when a NON_COMPLIANT finding is reported (and not ignored by
                         --settings); the filters above apply
  -h, --help             show this help`;

export interface OutputChoices {
  readonly format: ScanFormat;
  readonly outputFile: string | undefined;
  readonly rules: RuleId[];
  readonly severities: Severity[];
  readonly statuses: ComplianceStatus[];
  readonly all: boolean;
  readonly quiet: boolean;
  readonly failOnFindings: boolean;
  /** `--hub-account`, `--hub-region` (asff only). */
  readonly hub: { readonly accountId?: string; readonly region?: string };
}

type OutputValues = {
  format?: string;
  'output-file'?: string;
  rule?: string[];
  severity?: string[];
  status?: string[];
  all?: boolean;
  quiet?: boolean;
  'fail-on-findings'?: boolean;
  'hub-account'?: string;
  'hub-region'?: string;
};

/**
 * The output options, checked (each list comma-separated or repeated), and the output file's
 * folder checked before any work is done.
 */
export async function parseOutputChoices(values: OutputValues): Promise<OutputChoices> {
  const format = values.format ?? 'table';
  if (!(SCAN_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(unknownValue('--format', format, SCAN_FORMATS));
  }
  const hubAccount = values['hub-account'];
  const hubRegion = values['hub-region'];
  if ((hubAccount !== undefined || hubRegion !== undefined) && format !== 'asff') {
    throw new UsageError('--hub-account and --hub-region are for --format asff');
  }
  if (hubAccount !== undefined && !/^\d{12}$/.test(hubAccount)) {
    throw new UsageError(`invalid --hub-account "${hubAccount}": expected 12 digits`);
  }
  if (hubRegion !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(hubRegion)) {
    throw new UsageError(`invalid --hub-region "${hubRegion}": expected e.g. us-east-1`);
  }
  const outputFile = values['output-file'];
  if (outputFile !== undefined) await checkOutputFile(outputFile);
  return {
    format: format as ScanFormat,
    outputFile,
    rules: choices('--rule', values.rule, RULE_IDS),
    severities: choices('--severity', values.severity, SEVERITIES),
    statuses: choices('--status', values.status, STATUSES),
    all: values.all ?? false,
    quiet: values.quiet ?? false,
    failOnFindings: values['fail-on-findings'] ?? false,
    hub: {
      ...(hubAccount !== undefined ? { accountId: hubAccount } : {}),
      ...(hubRegion !== undefined ? { region: hubRegion } : {}),
    },
  };
}

/** The report of a scan, with the user's filters and (with settings) the service's decisions. */
export function reportOf(
  evaluations: readonly Evaluation[],
  rules: readonly RuleId[],
  choices: OutputChoices,
  decide?: (evaluation: Evaluation) => ServiceDecision,
): Report {
  return buildReport(
    evaluations,
    rules,
    { severities: choices.severities, statuses: choices.statuses },
    { now: new Date(), ...(decide ? { decide } : {}) },
  );
}

export interface RenderContext {
  readonly io: CliIo;
  /** What was scanned, for the HTML title. */
  readonly source: string;
  /** More keys for the JSON document (scan --live: `errors`). */
  readonly jsonExtra?: Readonly<Record<string, unknown>>;
  /** Lines after the table (scan --live: the accounts not scanned); dropped with --quiet. */
  readonly tableFooter?: string;
  /** The Security Hub to address ASFF findings to when --hub-* are not given (scan --live). */
  readonly hub?: () => Promise<{ readonly accountId: string; readonly region: string }>;
}

/**
 * Renders the report in the chosen format. With `--output-file` the report is written there
 * (atomically) and stdout gets one line saying so (nothing with --quiet).
 */
export async function emitReport(
  report: Report,
  choices: OutputChoices,
  context: RenderContext,
): Promise<string> {
  const text = await render(report, choices, context);
  if (choices.outputFile === undefined) return text;
  await writeFileAtomic(choices.outputFile, text);
  if (choices.quiet) return '';
  const count = report.findings.filter(isActionable).length;
  return `wrote ${choices.outputFile} (${choices.format}, ${report.findings.length} findings, ${count} to act on)\n`;
}

async function render(report: Report, choices: OutputChoices, context: RenderContext): Promise<string> {
  switch (choices.format) {
    case 'json':
      return formatJson(report, context.jsonExtra);
    case 'csv':
      return (await import('../shared/reports/csv')).formatCsv(report);
    case 'ocsf':
      return (await import('../shared/reports/ocsf')).formatOcsf(report, { productVersion: VERSION });
    case 'html':
      return (await import('../shared/reports/html')).formatHtml(report, {
        source: context.source,
        productVersion: VERSION,
      });
    case 'asff': {
      const hub = await hubOf(choices, context);
      const { toAsff } = await import('../shared/securityhub/asff');
      const findings = report.findings.map(({ evaluation }) =>
        toAsff(evaluation, {
          hubAccountId: hub.accountId,
          hubRegion: hub.region,
          observedAt: report.generatedAt,
        }),
      );
      return `${JSON.stringify(findings, null, 2)}\n`;
    }
    case 'table': {
      const { io } = context;
      // A file gets plain text, one line per finding; a terminal gets colour and wrapping.
      const toFile = choices.outputFile !== undefined;
      const table = formatTable(report, {
        color: !toFile && colorEnabled(io.env, io.stdoutIsTty),
        width: toFile ? undefined : terminalWidth(io),
        all: choices.all,
        quiet: choices.quiet,
      });
      return choices.quiet || !context.tableFooter ? table : `${table}${context.tableFooter}`;
    }
  }
}

/**
 * The Security Hub ASFF documents are addressed to: `BatchImportFindings` accepts, under the
 * account's default integration, only findings naming the calling account.
 */
async function hubOf(
  choices: OutputChoices,
  context: RenderContext,
): Promise<{ readonly accountId: string; readonly region: string }> {
  const { env } = context.io;
  const fallback =
    choices.hub.accountId && (choices.hub.region ?? envRegion(env)) ? undefined : await context.hub?.();
  const accountId = choices.hub.accountId ?? fallback?.accountId;
  const region = choices.hub.region ?? fallback?.region ?? envRegion(env);
  if (accountId === undefined) {
    throw new UsageError(
      '--format asff needs --hub-account ID: the account that will run "aws securityhub batch-import-findings" (Security Hub accepts only findings naming it)',
    );
  }
  if (region === undefined) {
    throw new UsageError(
      '--format asff needs --hub-region REGION (or AWS_REGION): the region of that Security Hub',
    );
  }
  return { accountId, region };
}

function envRegion(env: NodeJS.ProcessEnv): string | undefined {
  return env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || undefined;
}

/** The terminal's width, else `$COLUMNS`; undefined (no wrapping) when output is piped. */
function terminalWidth(io: CliIo): number | undefined {
  if (io.stdoutIsTty && io.stdoutColumns !== undefined && io.stdoutColumns > 0) return io.stdoutColumns;
  const columns = Number(io.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}

/** Exit 1 under --fail-on-findings when a NON_COMPLIANT finding is reported and not ignored. */
export function exitCodeOf(report: Report, choices: OutputChoices): number {
  return choices.failOnFindings && report.findings.some(isActionable) ? 1 : 0;
}

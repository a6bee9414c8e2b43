import { Inventory } from '../../shared/inventory/inventory';
import { loadResources } from '../../shared/inventory/load';
import type { ServiceDecision } from '../../shared/reports/report';
import { RULE_IDS } from '../../shared/rules/index';
import type { Evaluation, RuleOptions } from '../../shared/rules/types';
import { scanInventory } from '../../shared/scan/scan';
import { parseOptions } from '../args';
import { type CliIo, type CommandResult, UsageError } from '../cli-error';
import { readInput } from '../read-input';
import {
  emitReport,
  exitCodeOf,
  OUTPUT_OPTIONS,
  OUTPUT_USAGE,
  parseOutputChoices,
  reportOf,
} from '../scan-options';

export const SCAN_USAGE = `Usage: endpoint-guard scan --snapshot FILE [options]
       endpoint-guard scan --live [options]     (live, read-only: endpoint-guard scan --live --help)

Evaluates AWS Config configuration items offline and prints the findings and the fix each would get.

FILE is any of (gzipped or not; "-" reads standard input):
  the snapshot or history file AWS Config delivers to S3, the output of
  "aws configservice select-resource-config", "batch-get-resource-config" or
  "get-resource-config-history", or a JSON array of configuration items.

Options:
  --snapshot FILE        input file (required)
  --settings FILE        a settings document: scan with its rule options, and say what the deployed
                         service would do with each finding (its modes and exemptions)
${OUTPUT_USAGE}

The table shows the findings to act on; --all shows every evaluation.
Exit codes: 0 scanned, 1 findings with --fail-on-findings, 2 bad arguments or input.`;

const SCAN_OPTIONS = {
  snapshot: { type: 'string' },
  settings: { type: 'string' },
  live: { type: 'boolean' },
  ...OUTPUT_OPTIONS,
} as const;

export async function scanCommand(args: readonly string[], io: CliIo): Promise<CommandResult> {
  if (args.includes('--live')) {
    if (args.some((arg) => arg === '--snapshot' || arg.startsWith('--snapshot='))) {
      throw new UsageError('--live and --snapshot exclude each other: scan live state or a file, not both');
    }
    if (args.includes('--help') || args.includes('-h')) {
      const { SCAN_LIVE_USAGE } = await import('./scan-live-usage');
      return { stdout: `${SCAN_LIVE_USAGE}\n`, exitCode: 0 };
    }
    // Loaded only when asked for: the AWS SDK clients would slow every offline scan down.
    const { scanLiveCommand } = await import('./scan-live');
    return scanLiveCommand(args, io);
  }
  const { values } = parseOptions('scan', args, SCAN_OPTIONS, { positionals: false });
  if (values.help) return { stdout: `${SCAN_USAGE}\n`, exitCode: 0 };
  if (values.snapshot === undefined || values.snapshot === '') {
    throw new UsageError('scan needs --snapshot FILE (see endpoint-guard scan --help)');
  }
  const choices = await parseOutputChoices(values);
  if (values.settings === '-' && values.snapshot === '-') {
    throw new UsageError('--snapshot and --settings cannot both read standard input');
  }
  const settings = values.settings === undefined ? undefined : await loadSettings(values.settings, io);

  const data = await readInput(values.snapshot, io);
  const source = values.snapshot === '-' ? 'standard input' : values.snapshot;
  const { resources } = loadResources(data, source);
  const rules = choices.rules.length ? choices.rules : [...RULE_IDS];
  const result = scanInventory(Inventory.from(resources), {
    rules,
    ...(settings ? { ruleOptions: settings.ruleOptions } : {}),
  });
  const report = reportOf(result.evaluations, rules, choices, settings?.decide);
  const stdout = await emitReport(report, choices, { io, source });
  return { stdout, exitCode: exitCodeOf(report, choices) };
}

/** The settings document's rule options, and the service's decision function under it. */
async function loadSettings(
  path: string,
  io: CliIo,
): Promise<{ ruleOptions: RuleOptions; decide: (evaluation: Evaluation) => ServiceDecision }> {
  const [{ parseSettingsJson, ruleOptionsOf }, { serviceDecider }] = await Promise.all([
    import('../../shared/settings/schema'),
    import('../../shared/reports/decisions'),
  ]);
  const text = (await readInput(path, io)).toString('utf8');
  const settings = parseSettingsJson(text, path === '-' ? 'standard input' : path);
  return { ruleOptions: ruleOptionsOf(settings), decide: serviceDecider(settings, new Date()) };
}

import { parseArgs } from 'node:util';
import { Inventory } from '../../shared/inventory/inventory';
import { loadResources } from '../../shared/inventory/load';
import { RULE_IDS } from '../../shared/rules/index';
import { formatJson, formatTable } from '../../shared/scan/format';
import { scanInventory } from '../../shared/scan/scan';
import { type CliIo, type CommandResult, UsageError } from '../cli-error';
import { readInput } from '../read-input';
import { parseFormat, parseRuleIds } from '../scan-options';

export const SCAN_USAGE = `Usage: endpoint-guard scan --snapshot FILE [options]
       endpoint-guard scan --live [options]     (live, read-only: endpoint-guard scan --live --help)

Evaluates AWS Config configuration items offline and prints the findings and the fix each would get.

FILE is any of (gzipped or not; "-" reads standard input):
  the snapshot or history file AWS Config delivers to S3, the output of
  "aws configservice select-resource-config", "batch-get-resource-config" or
  "get-resource-config-history", or a JSON array of configuration items.

Options:
  --snapshot FILE        input file (required)
  --format table|json    output format (default: table)
  --rule ID              only this rule; repeat for several (${RULE_IDS.join(', ')})
  --fail-on-findings     exit 1 when anything is NON_COMPLIANT (for pipelines)
  -h, --help             show this help

Exit codes: 0 scanned, 1 findings with --fail-on-findings, 2 bad arguments or input.`;

export async function scanCommand(args: readonly string[], io: CliIo): Promise<CommandResult> {
  if (args.includes('--live')) {
    if (args.some((arg) => arg === '--snapshot' || arg.startsWith('--snapshot='))) {
      throw new UsageError('--live and --snapshot exclude each other: scan live state or a file, not both');
    }
    // Loaded only when asked for: the AWS SDK clients would slow every offline scan down.
    const { scanLiveCommand } = await import('./scan-live');
    return scanLiveCommand(args, io);
  }
  const { values } = parseArgs({
    args: [...args],
    options: {
      snapshot: { type: 'string' },
      format: { type: 'string', default: 'table' },
      rule: { type: 'string', multiple: true },
      'fail-on-findings': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return { stdout: `${SCAN_USAGE}\n`, exitCode: 0 };
  if (values.snapshot === undefined || values.snapshot === '') {
    throw new UsageError('scan needs --snapshot FILE (see endpoint-guard scan --help)');
  }
  const format = parseFormat(values.format);
  const rules = parseRuleIds(values.rule ?? []);

  const data = await readInput(values.snapshot, io);
  const { resources } = loadResources(data, values.snapshot === '-' ? 'standard input' : values.snapshot);
  const inventory = Inventory.from(resources);
  const result = scanInventory(inventory, rules.length ? { rules } : {});

  const stdout = format === 'json' ? formatJson(result) : formatTable(result, { color: wantsColor(io) });
  const exitCode = values['fail-on-findings'] && result.summary.nonCompliant > 0 ? 1 : 0;
  return { stdout, exitCode };
}

/** NO_COLOR (no-color.org) wins; FORCE_COLOR turns colour on without a terminal; else only on a TTY. */
export function wantsColor(io: Pick<CliIo, 'env' | 'stdoutIsTty'>): boolean {
  if (io.env.NO_COLOR) return false;
  if (io.env.FORCE_COLOR && io.env.FORCE_COLOR !== '0') return true;
  return io.stdoutIsTty;
}

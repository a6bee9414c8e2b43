import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AwsClientFactory } from '../../shared/aws/clients';
import { DEFAULT_MEMBER_ROLE_NAME } from '../../shared/events/cloudtrail';
import { RollbackFailedError, RollbackRefusedError } from '../../shared/remediation/errors';
import {
  describeCall,
  type RollbackClients,
  Rollbacker,
  type RollbackResult,
} from '../../shared/remediation/rollback';
import { isAuditId } from '../../shared/store/audit-id';
import { AuditNotFoundError, StoredItemError } from '../../shared/store/errors';
import { FindingStore } from '../../shared/store/finding-store';
import { type CliIo, type CommandResult, UsageError } from '../cli-error';

export const ROLLBACK_USAGE = `Usage: endpoint-guard rollback <audit-id> [options]

Reverses a fix endpoint-guard made, from its audit record: removes the subnets or route tables
it added, deletes the gateway endpoint it created, or restores the bucket's previous Block
Public Access configuration (deleting it when there was none). Refuses, changing nothing, when
the record is not an applied fix, was already rolled back, or the resource changed since.
The rollback is verified and recorded as an audit record of its own, with your identity.

Options:
  --dry-run          print the calls it would make; change nothing
  --table NAME       the findings and audit table (default: $TABLE_NAME)
  --role-name NAME   role assumed in the member account (default: $MEMBER_ROLE_NAME or ${DEFAULT_MEMBER_ROLE_NAME})
  -h, --help         show this help

AWS credentials, region and endpoint come from the usual AWS configuration (AWS_PROFILE,
AWS_REGION, ...); the table is read in that region.

Exit codes: 0 rolled back (or dry run), 1 a rollback call or its verification failed,
2 bad arguments, unknown audit id, or refused (nothing changed).`;

/** What the command uses; tests replace these, the CLI builds them from the AWS configuration. */
export interface RollbackCommandDeps {
  /** The store of a table. */
  readonly store?: (tableName: string) => FindingStore;
  /** Clients of a member account, entered through `roleName`. */
  readonly clientsFor?: (roleName: string) => (accountId: string, region: string) => Promise<RollbackClients>;
  /** The caller's identity (STS GetCallerIdentity), recorded as the rollback's actor. */
  readonly callerArn?: () => Promise<string>;
  /** Waits between verification reads. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * `endpoint-guard rollback <audit-id> [--dry-run] [--table NAME] [--role-name NAME]`.
 *
 * @example
 * const { stdout, exitCode } = await rollbackCommand(['01JGFJJZ00ABCDEFGHJKMNPQRS', '--dry-run'], io);
 */
export async function rollbackCommand(
  args: readonly string[],
  io: CliIo,
  deps: RollbackCommandDeps = {},
): Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      'dry-run': { type: 'boolean', default: false },
      table: { type: 'string' },
      'role-name': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return { stdout: `${ROLLBACK_USAGE}\n`, exitCode: 0 };
  const [given, ...extra] = positionals;
  if (given === undefined)
    throw new UsageError('rollback needs an audit id (see endpoint-guard rollback --help)');
  if (extra.length)
    throw new UsageError(`rollback takes one audit id, got ${positionals.length}: ${positionals.join(' ')}`);
  if (!isAuditId(given)) {
    throw new UsageError(
      `"${given}" is not an audit id: expected 26 characters such as 01JGFJJZ00ABCDEFGHJKMNPQRS`,
    );
  }
  const auditId = given.toUpperCase();
  const tableName = values.table?.trim() || io.env.TABLE_NAME?.trim();
  if (!tableName)
    throw new UsageError('rollback needs the findings table: pass --table NAME or set TABLE_NAME');
  const roleName = values['role-name']?.trim() || io.env.MEMBER_ROLE_NAME?.trim() || DEFAULT_MEMBER_ROLE_NAME;
  if (!/^[\w+=,.@-]{1,64}$/.test(roleName))
    throw new UsageError(`"${roleName}" is not a valid IAM role name`);

  const defaults = defaultDeps();
  const store = (deps.store ?? defaults.store)(tableName);
  const rollbacker = new Rollbacker({
    store,
    clientsFor: (deps.clientsFor ?? defaults.clientsFor)(roleName),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  const dryRun = values['dry-run'];
  try {
    // A dry run changes nothing and records nothing, so it needs no identity.
    const actor = dryRun ? 'dry-run' : await (deps.callerArn ?? defaults.callerArn)();
    const result = await rollbacker.rollback(auditId, { actor, dryRun });
    return { stdout: render(result), exitCode: 0 };
  } catch (error) {
    if (error instanceof RollbackRefusedError || error instanceof StoredItemError)
      throw new UsageError(error.message);
    if (error instanceof AuditNotFoundError) {
      throw new UsageError(`no audit record ${auditId} in table ${tableName}`);
    }
    if (error instanceof RollbackFailedError) {
      const recorded = error.rollbackAuditId ? ` (recorded as audit record ${error.rollbackAuditId})` : '';
      io.stderr.write(`endpoint-guard: ${error.message}${recorded}\n`);
      return { stdout: '', exitCode: 1 };
    }
    throw error;
  }
}

function render(result: RollbackResult): string {
  const { original } = result;
  const subject = `${original.ruleId} on ${original.resourceId} (account ${original.accountId}, ${original.region}), fixed ${original.createdAt}`;
  const calls = result.calls.map((call) => `  ${describeCall(call)}`);
  if (result.status === 'dry-run') {
    return [
      `Dry run: rolling back ${original.auditId} (${subject}) would make these calls; nothing was changed:`,
      ...calls,
      `It ${result.why}.`,
      '',
    ].join('\n');
  }
  return [
    `Rolled back ${original.auditId} (${subject}):`,
    ...calls,
    `Done: ${result.why}.`,
    `Rollback audit record: ${result.record?.auditId ?? '(none)'}`,
    '',
  ].join('\n');
}

/** The real dependencies, built only when used (so `--help` and bad arguments create no client). */
function defaultDeps(): Required<Omit<RollbackCommandDeps, 'sleep'>> {
  let sts: STSClient | undefined;
  const stsClient = (): STSClient => {
    sts ??= new STSClient({});
    return sts;
  };
  return {
    store: (tableName) =>
      new FindingStore({ client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName }),
    clientsFor: (roleName) => {
      const factory = new AwsClientFactory({
        memberRoleName: roleName,
        sts: stsClient(),
        roleSessionName: 'endpoint-guard-rollback',
      });
      return (accountId, region) => factory.forAccount(accountId, region);
    },
    callerArn: async () => {
      const identity = await stsClient().send(new GetCallerIdentityCommand({}));
      if (!identity.Arn) throw new Error('STS GetCallerIdentity returned no Arn');
      return identity.Arn;
    },
  };
}

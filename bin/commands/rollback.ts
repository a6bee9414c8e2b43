import type { RollbackClients, RollbackResult } from '../../shared/remediation/rollback';
import { isAuditId } from '../../shared/store/audit-id';
import type { AuditVerifier } from '../../shared/store/audit-signature';
import type { FindingStore } from '../../shared/store/finding-store';
import { parseOptions } from '../args';
import {
  AWS_OPTIONS_USAGE,
  type AwsTarget,
  PROFILE_OPTION,
  REGION_OPTION,
  ROLE_NAME_OPTION,
  resolveAwsTarget,
  resolveRoleName,
} from '../aws-options';
import { type CliIo, type CommandResult, UsageError } from '../cli-error';

export const ROLLBACK_USAGE = `Usage: endpoint-guard rollback <audit-id> [options]

Reverses a fix endpoint-guard made, from its audit record: removes the subnets or route tables
it added, deletes the gateway endpoint it created, or restores the bucket's previous Block
Public Access configuration (deleting it when there was none). Refuses, changing nothing, when
the record is not an applied fix, was already rolled back, or the resource changed since.
The rollback is verified and recorded as an audit record of its own, with your identity.

Options:
  --dry-run              print the calls it would make; change nothing
  --table NAME           the findings and audit table (default: $TABLE_NAME)
${AWS_OPTIONS_USAGE.roleName}
${AWS_OPTIONS_USAGE.profile}
${AWS_OPTIONS_USAGE.region}
                         (the table's region, the central account's home region)
  -h, --help             show this help

Credentials come from the profile or the SDK's default chain; the member account is entered
through the role.

The audit record must carry a valid signature by endpoint-guard's audit key (KMS HMAC,
kms:VerifyMac on alias/endpoint-guard-audit, or the key in $AUDIT_KEY_ID); a record without one
was not written by endpoint-guard and is refused before anything is read or changed.

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
  /** Checks that endpoint-guard wrote the audit record (KMS VerifyMac with the audit key). */
  readonly verifier?: (keyId: string) => AuditVerifier;
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
  const { values, positionals } = parseOptions(
    'rollback',
    args,
    {
      'dry-run': { type: 'boolean' },
      table: { type: 'string' },
      ...ROLE_NAME_OPTION,
      ...PROFILE_OPTION,
      ...REGION_OPTION,
      help: { type: 'boolean', short: 'h' },
    },
    { positionals: true },
  );
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
  const roleName = resolveRoleName(values['role-name'], io.env);
  const injected = deps.store && deps.clientsFor && deps.callerArn && deps.verifier;
  // Checked before any call, so a misspelled profile or a missing region is said as such.
  const target = injected ? undefined : resolveAwsTarget(values.profile, values.region, io.env);

  // The rollback code and the AWS SDK are loaded only now, when a rollback really runs.
  const [{ Rollbacker }, errors, storeErrors, { describeAwsError }, signatures] = await Promise.all([
    import('../../shared/remediation/rollback'),
    import('../../shared/remediation/errors'),
    import('../../shared/store/errors'),
    import('../../shared/aws/errors'),
    import('../../shared/store/audit-signature'),
  ]);
  const defaults = target ? await defaultDeps(target) : undefined;
  // The audit key is configuration (never a record's field): a record cannot choose who vouches for it.
  const auditKey = io.env.AUDIT_KEY_ID?.trim() || signatures.DEFAULT_AUDIT_KEY_ALIAS;
  const pick = <K extends keyof RollbackCommandDeps>(key: K): NonNullable<RollbackCommandDeps[K]> => {
    const chosen = deps[key] ?? defaults?.[key as keyof typeof defaults];
    if (chosen === undefined) throw new Error(`rollback: no ${String(key)} dependency`);
    return chosen as NonNullable<RollbackCommandDeps[K]>;
  };
  const store = pick('store')(tableName);
  const rollbacker = new Rollbacker({
    store,
    verifier: pick('verifier')(auditKey),
    clientsFor: pick('clientsFor')(roleName),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  const dryRun = values['dry-run'] ?? false;
  try {
    // A dry run changes nothing and records nothing, so it needs no identity.
    const actor = dryRun ? 'dry-run' : await pick('callerArn')();
    const result = await rollbacker.rollback(auditId, { actor, dryRun });
    return { stdout: await render(result), exitCode: 0 };
  } catch (error) {
    if (
      error instanceof errors.RollbackRefusedError ||
      error instanceof storeErrors.StoredItemError ||
      error instanceof signatures.AuditSignatureError
    )
      throw new UsageError(error.message);
    if (error instanceof storeErrors.AuditNotFoundError) {
      throw new UsageError(`no audit record ${auditId} in table ${tableName}`);
    }
    if (error instanceof errors.RollbackFailedError) {
      const recorded = error.rollbackAuditId ? ` (recorded as audit record ${error.rollbackAuditId})` : '';
      io.stderr.write(`endpoint-guard: ${error.message}${recorded}\n`);
      return { stdout: '', exitCode: 1 };
    }
    // AWS could not be reached or refused (no credentials, an expired session, access denied):
    // one line naming why, and exit 1 like any failed AWS call. Nothing was changed.
    io.stderr.write(
      `endpoint-guard: rollback of ${auditId} did not start: ${describeAwsError(error)}${credentialsHint(error)}\n`,
    );
    return { stdout: '', exitCode: 1 };
  }
}

/** A hint when the SDK found no credentials at all. */
function credentialsHint(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  return name === 'CredentialsProviderError'
    ? ' (no AWS credentials: pass --profile, or set AWS_PROFILE or AWS_ACCESS_KEY_ID)'
    : '';
}

async function render(result: RollbackResult): Promise<string> {
  const { describeCall } = await import('../../shared/remediation/rollback');
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

/** The real dependencies for the AWS target: the SDK is loaded here, only when a rollback runs. */
async function defaultDeps(target: AwsTarget): Promise<Required<Omit<RollbackCommandDeps, 'sleep'>>> {
  const [
    { DynamoDBClient },
    { GetCallerIdentityCommand, STSClient },
    { DynamoDBDocumentClient },
    clients,
    stores,
    { KMSClient },
    { KmsAuditVerifier },
  ] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/client-sts'),
    import('@aws-sdk/lib-dynamodb'),
    import('../../shared/aws/clients'),
    import('../../shared/store/finding-store'),
    import('@aws-sdk/client-kms'),
    import('../../shared/store/audit-signature'),
  ]);
  const config = target.clientConfig;
  let sts: InstanceType<typeof STSClient> | undefined;
  const stsClient = (): InstanceType<typeof STSClient> => {
    sts ??= new STSClient(config);
    return sts;
  };
  return {
    store: (tableName) =>
      new stores.FindingStore({ client: DynamoDBDocumentClient.from(new DynamoDBClient(config)), tableName }),
    clientsFor: (roleName) => {
      const factory = new clients.AwsClientFactory({
        memberRoleName: roleName,
        sts: stsClient(),
        roleSessionName: 'endpoint-guard-rollback',
        ...(target.profile ? { clientConfig: { profile: target.profile } } : {}),
      });
      return (accountId, region) => factory.forAccount(accountId, region);
    },
    // The audit key lives with the table, in the home region.
    verifier: (keyId) => new KmsAuditVerifier({ kms: new KMSClient(config), keyId }),
    callerArn: async () => {
      const identity = await stsClient().send(new GetCallerIdentityCommand({}));
      if (!identity.Arn) throw new Error('STS GetCallerIdentity returned no Arn');
      return identity.Arn;
    },
  };
}

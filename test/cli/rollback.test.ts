/**
 * `endpoint-guard rollback`, run in-process (rollbackCommand) with the store on dynalite and the
 * member account's EC2 / S3 mocked: the bundled CLI in a child process could not reach mocks.
 */

import { PassThrough } from 'node:stream';
import {
  DescribeVpcEndpointsCommand,
  EC2Client,
  ModifyVpcEndpointCommand,
  type State,
} from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type CliIo, UsageError } from '../../bin/cli-error';
import { ROLLBACK_USAGE, type RollbackCommandDeps, rollbackCommand } from '../../bin/commands/rollback';
import { FindingStore } from '../../shared/store/finding-store';
import type { AuditRecord } from '../../shared/store/records';
import { endpointFinding, REGION } from '../remediation/fixtures';
import { fakeAuditKey } from '../support/audit-key';
import { useDynalite } from '../support/dynalite';

const db = useDynalite();
const ec2 = new EC2Client({ region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const s3 = new S3Client({ region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const ec2Mock = mockClient(ec2);
const ALICE = 'arn:aws:sts::111122223333:assumed-role/Admin/alice';

let tableName: string;
let store: FindingStore;
let stderr: string;
let io: CliIo;
let roleNames: string[];
let deps: RollbackCommandDeps;
const auditKey = fakeAuditKey();

beforeEach(async () => {
  ec2Mock.reset();
  tableName = await db.createTable();
  // remediate signs what it writes; rollback verifies it (test/security/audit-signature.test.ts).
  store = new FindingStore({ client: db.documentClient, tableName, signer: auditKey.signer });
  stderr = '';
  io = {
    stdin: new PassThrough(),
    stdoutIsTty: false,
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
  };
  roleNames = [];
  deps = {
    store: (name) => new FindingStore({ client: db.documentClient, tableName: name }),
    clientsFor: (roleName) => {
      roleNames.push(roleName);
      return async () => ({ ec2, s3 });
    },
    callerArn: async () => ALICE,
    verifier: () => auditKey.verifier,
    sleep: async () => {},
  };
});

async function appliedFix(): Promise<AuditRecord> {
  const finding = endpointFinding();
  await store.recordObservation(finding);
  return store.putAudit({
    kind: 'fix',
    findingId: finding.findingId,
    ruleId: finding.ruleId,
    resourceType: finding.resourceType,
    resourceId: finding.resourceId,
    resourceArn: finding.resourceArn,
    accountId: finding.accountId,
    region: finding.region,
    actor: 'endpoint-guard',
    outcome: 'applied',
    reason: 'added subnet-0b to vpce-0a1; verified',
    decision: { action: 'fix', why: 'auto-fix', mode: 'auto-fix', dryRun: false },
    plan: finding.remediation,
    before: null,
    after: null,
    changes: [{ kind: 'subnets-added', vpcEndpointId: 'vpce-0a1', subnetIds: ['subnet-0b'] }],
    observedAt: finding.observedAt,
  });
}

function endpointWith(...subnets: string[]) {
  return {
    VpcEndpoints: [
      { VpcEndpointId: 'vpce-0a1', State: 'available' as State, SubnetIds: subnets, RouteTableIds: [] },
    ],
  };
}

describe('endpoint-guard rollback', () => {
  it('prints the calls of a dry run and changes nothing', async () => {
    // Prepare
    const fix = await appliedFix();
    ec2Mock.on(DescribeVpcEndpointsCommand).resolves(endpointWith('subnet-0a', 'subnet-0b'));

    // Act
    const result = await rollbackCommand([fix.auditId, '--dry-run', '--table', tableName], io, deps);

    // Assess
    expect(result).toEqual({
      exitCode: 0,
      stdout: [
        `Dry run: rolling back ${fix.auditId} (interface-endpoint-multi-az on vpce-0a1 (account 222233334444, eu-west-1), fixed ${fix.createdAt}) would make these calls; nothing was changed:`,
        '  ec2 ModifyVpcEndpoint {"VpcEndpointId":"vpce-0a1","RemoveSubnetIds":["subnet-0b"]}',
        'It would remove subnet-0b from vpce-0a1.',
        '',
      ].join('\n'),
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(ModifyVpcEndpointCommand, 0);
    expect((await store.getAudit(fix.auditId)).rolledBackBy).toBeUndefined();
  });

  it('rolls the fix back, records the caller as actor, and names the rollback record', async () => {
    // Prepare
    const fix = await appliedFix();
    ec2Mock
      .on(DescribeVpcEndpointsCommand)
      .resolvesOnce(endpointWith('subnet-0a', 'subnet-0b'))
      .resolves(endpointWith('subnet-0a'));
    ec2Mock.on(ModifyVpcEndpointCommand).resolves({ Return: true });

    // Act
    const result = await rollbackCommand(
      [fix.auditId.toLowerCase()],
      { ...io, env: { TABLE_NAME: tableName } },
      deps,
    );

    // Assess
    expect(result.exitCode).toBe(0);
    const rolledBack = await store.getAudit(fix.auditId);
    expect(rolledBack.rolledBackBy).toBeDefined();
    expect(result.stdout).toBe(
      [
        `Rolled back ${fix.auditId} (interface-endpoint-multi-az on vpce-0a1 (account 222233334444, eu-west-1), fixed ${fix.createdAt}):`,
        '  ec2 ModifyVpcEndpoint {"VpcEndpointId":"vpce-0a1","RemoveSubnetIds":["subnet-0b"]}',
        'Done: remove subnet-0b from vpce-0a1; verified.',
        `Rollback audit record: ${rolledBack.rolledBackBy}`,
        '',
      ].join('\n'),
    );
    expect(await store.getAudit(rolledBack.rolledBackBy ?? '')).toMatchObject({
      actor: ALICE,
      rollsBack: fix.auditId,
    });
    expect(ec2Mock.commandCalls(ModifyVpcEndpointCommand).map((call) => call.args[0].input)).toEqual([
      { VpcEndpointId: 'vpce-0a1', RemoveSubnetIds: ['subnet-0b'] },
    ]);
    expect(roleNames).toEqual(['EndpointGuardMember']);
  });

  it('refuses with exit code 2 (a usage error) when the resource changed since the fix', async () => {
    // Prepare
    const fix = await appliedFix();
    ec2Mock.on(DescribeVpcEndpointsCommand).resolves(endpointWith('subnet-0a'));

    // Act
    const running = rollbackCommand(
      [fix.auditId, '--table', tableName, '--role-name', 'AuditRole'],
      io,
      deps,
    );

    // Assess
    await expect(running).rejects.toThrow(UsageError);
    await expect(running).rejects.toThrow(
      `rollback of ${fix.auditId} refused: the resource changed since the fix: subnet subnet-0b added by the fix is no longer on vpce-0a1 (it has subnet-0a); nothing was changed`,
    );
    expect(ec2Mock).toHaveReceivedCommandTimes(ModifyVpcEndpointCommand, 0);
    expect(roleNames).toEqual(['AuditRole']);
  });

  it('exits 1 and says what was recorded when the rollback cannot be verified', async () => {
    // Prepare
    const fix = await appliedFix();
    ec2Mock.on(DescribeVpcEndpointsCommand).resolves(endpointWith('subnet-0a', 'subnet-0b'));
    ec2Mock.on(ModifyVpcEndpointCommand).resolves({ Return: true });

    // Act
    const result = await rollbackCommand([fix.auditId, '--table', tableName], io, deps);

    // Assess
    expect(result).toEqual({ stdout: '', exitCode: 1 });
    expect(stderr).toMatch(
      new RegExp(
        `^endpoint-guard: rollback of ${fix.auditId} failed: .*verification failed: subnet-0b still on vpce-0a1 \\(recorded as audit record [0-9A-Z]{26}\\)\\n$`,
      ),
    );
  });

  it('rejects an unknown audit id, a malformed one, and a missing table', async () => {
    await expect(
      rollbackCommand(['01JX0000000000000000000000', '--table', tableName], io, deps),
    ).rejects.toThrow(`no audit record 01JX0000000000000000000000 in table ${tableName}`);
    await expect(rollbackCommand(['vpce-0a1', '--table', tableName], io, deps)).rejects.toThrow(
      '"vpce-0a1" is not an audit id: expected 26 characters such as 01JGFJJZ00ABCDEFGHJKMNPQRS',
    );
    await expect(rollbackCommand(['01JX0000000000000000000000'], io, deps)).rejects.toThrow(
      'rollback needs the findings table: pass --table NAME or set TABLE_NAME',
    );
    await expect(rollbackCommand([], io, deps)).rejects.toThrow('rollback needs an audit id');
  });

  it('prints its usage with --help', async () => {
    expect(await rollbackCommand(['--help'], io, deps)).toEqual({
      stdout: `${ROLLBACK_USAGE}\n`,
      exitCode: 0,
    });
  });
});

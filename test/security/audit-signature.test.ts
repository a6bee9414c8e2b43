/**
 * Boundary: the audit table → rollback (SECURITY.md). Someone who can write the findings table but
 * cannot use the audit key for GenerateMac writes an audit record by hand, or alters a genuine one,
 * so that `endpoint-guard rollback` turns Block Public Access off on a bucket endpoint-guard never
 * touched. rollback refuses before any S3 call and changes nothing in the table.
 */
import { PassThrough } from 'node:stream';
import { EC2Client } from '@aws-sdk/client-ec2';
import { VerifyMacCommand } from '@aws-sdk/client-kms';
import { GetPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../bin/cli-error';
import { type RollbackCommandDeps, rollbackCommand } from '../../bin/commands/rollback';
import { FindingStore } from '../../shared/store/finding-store';
import type { AuditRecord } from '../../shared/store/records';
import { bucketFinding, REGION } from '../remediation/fixtures';
import { fakeAuditKey } from '../support/audit-key';
import { useDynalite } from '../support/dynalite';

const db = useDynalite();
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
const s3 = new S3Client({ region: REGION, credentials });
const s3Mock = mockClient(s3);
const ec2 = new EC2Client({ region: REGION, credentials });
const ec2Mock = mockClient(ec2);
const auditKey = fakeAuditKey();
const ALL_ON = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};

let tableName: string;
let store: FindingStore;
let deps: RollbackCommandDeps;
let io: CliIo;

beforeEach(async () => {
  s3Mock.reset();
  ec2Mock.reset();
  auditKey.mock.resetHistory();
  tableName = await db.createTable();
  store = new FindingStore({ client: db.documentClient, tableName, signer: auditKey.signer });
  io = { stdin: new PassThrough(), stdoutIsTty: false, stderr: { write: () => true }, env: {} };
  deps = {
    store: (name) => new FindingStore({ client: db.documentClient, tableName: name }),
    clientsFor: () => async () => ({ ec2, s3 }),
    callerArn: async () => 'arn:aws:sts::111122223333:assumed-role/Admin/alice',
    verifier: () => auditKey.verifier,
    sleep: async () => {},
  };
  s3Mock.on(GetPublicAccessBlockCommand).resolves({
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
  });
});

/** A fix record of the bucket as remediate writes it (signed). */
async function genuineFix(bucket: string): Promise<AuditRecord> {
  const finding = bucketFinding(null, {
    resourceId: bucket,
    resourceArn: `arn:aws:s3:::${bucket}`,
    findingId: `s3-bucket-public-access:arn:aws:s3:::${bucket}`,
  });
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
    reason: 'turned Block Public Access on; verified',
    decision: { action: 'fix', why: 'auto-fix', mode: 'auto-fix', dryRun: false },
    plan: finding.remediation,
    before: null,
    after: null,
    changes: [{ kind: 'public-access-block-set', bucket, previous: null, applied: ALL_ON }],
  });
}

async function tableItems(): Promise<unknown[]> {
  return (await db.documentClient.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
}

async function refusal(auditId: string): Promise<string> {
  try {
    await rollbackCommand([auditId, '--table', tableName], io, deps);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the rollback to be refused');
}

describe('rollback trusts only records endpoint-guard wrote', () => {
  it('refuses a hand-written audit record: no S3 call, no table change', async () => {
    // Prepare: a genuine record of one bucket, copied by hand onto another, unsigned.
    const genuine = await genuineFix('reports-bucket');
    const { signature: _, ...unsigned } = genuine;
    const forgedId = '01JX0000000000000000000001';
    await db.documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...unsigned,
          pk: `AUDIT#${forgedId}`,
          sk: 'AUDIT',
          auditId: forgedId,
          resourceId: 'payroll-exports',
          resourceArn: 'arn:aws:s3:::payroll-exports',
          changes: [
            { kind: 'public-access-block-set', bucket: 'payroll-exports', previous: null, applied: ALL_ON },
          ],
        },
      }),
    );
    const before = await tableItems();

    // Act
    const message = await refusal(forgedId);

    // Assess
    expect(message).toBe(
      `audit record ${forgedId} is not authenticated (it carries no signature): endpoint-guard did not write it, or it was changed since; refusing to act on it`,
    );
    expect(s3Mock.calls()).toHaveLength(0);
    expect(auditKey.mock.commandCalls(VerifyMacCommand)).toHaveLength(0);
    expect(await tableItems()).toEqual(before);
  });

  it('refuses a genuine record whose bucket was changed by hand, though it keeps its signature', async () => {
    // Prepare
    const genuine = await genuineFix('reports-bucket');
    const key = { pk: `AUDIT#${genuine.auditId}`, sk: 'AUDIT' };
    const stored = (await db.documentClient.send(new GetCommand({ TableName: tableName, Key: key }))).Item;
    await db.documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...stored,
          changes: [
            { kind: 'public-access-block-set', bucket: 'payroll-exports', previous: null, applied: ALL_ON },
          ],
        },
      }),
    );
    const before = await tableItems();

    // Act
    const message = await refusal(genuine.auditId);

    // Assess: KMS was asked, said no; nothing else happened.
    expect(message).toBe(
      `audit record ${genuine.auditId} is not authenticated (its signature is not valid): endpoint-guard did not write it, or it was changed since; refusing to act on it`,
    );
    expect(auditKey.mock.commandCalls(VerifyMacCommand)).toHaveLength(1);
    expect(s3Mock.calls()).toHaveLength(0);
    expect(await tableItems()).toEqual(before);
  });

  it('accepts the record remediate signed (the refusals above are the signature’s doing)', async () => {
    // Prepare
    const genuine = await genuineFix('reports-bucket');

    // Act
    const result = await rollbackCommand([genuine.auditId, '--dry-run', '--table', tableName], io, deps);

    // Assess
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`Dry run: rolling back ${genuine.auditId}`);
    expect(s3Mock.commandCalls(GetPublicAccessBlockCommand)).toHaveLength(1);
  });
});

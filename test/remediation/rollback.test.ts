import {
  DeleteVpcEndpointsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  ModifyVpcEndpointCommand,
  type State,
} from '@aws-sdk/client-ec2';
import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/findings/finding';
import type { AppliedChange } from '../../shared/remediation/changes';
import { RollbackFailedError, RollbackRefusedError } from '../../shared/remediation/errors';
import { Rollbacker } from '../../shared/remediation/rollback';
import { FindingStore } from '../../shared/store/finding-store';
import type { AuditRecord, NewAuditRecord } from '../../shared/store/records';
import { useDynalite } from '../support/dynalite';
import { bucketFinding, endpointFinding, HALF_BLOCKED, REGION, routeTableFinding } from './fixtures';

const db = useDynalite();
const ec2 = new EC2Client({ region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const s3 = new S3Client({ region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const ec2Mock = mockClient(ec2);
const s3Mock = mockClient(s3);

const ALICE = 'arn:aws:sts::111122223333:assumed-role/Admin/alice';
const ALL_ON = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};
const ALL_ON_SDK = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

let store: FindingStore;
let rollbacker: Rollbacker;
let clientRequests: string[];

beforeEach(async () => {
  ec2Mock.reset();
  s3Mock.reset();
  store = new FindingStore({ client: db.documentClient, tableName: await db.createTable() });
  clientRequests = [];
  rollbacker = new Rollbacker({
    store,
    clientsFor: async (accountId, region) => {
      clientRequests.push(`${accountId} ${region}`);
      return { ec2, s3 };
    },
    sleep: async () => {},
  });
});

/** Records a finding and the audit record of a fix that made `changes`. */
async function recordedFix(
  finding: Finding,
  changes: AppliedChange[],
  overrides: Partial<NewAuditRecord> = {},
): Promise<AuditRecord> {
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
    reason: 'applied; verified',
    decision: { action: 'fix', why: 'auto-fix', mode: 'auto-fix', dryRun: false },
    plan: finding.remediation,
    before: null,
    after: null,
    changes,
    observedAt: finding.observedAt,
    ...overrides,
  });
}

function endpoints(...list: { id: string; subnets?: string[]; tables?: string[]; state?: string }[]) {
  return {
    VpcEndpoints: list.map((endpoint) => ({
      VpcEndpointId: endpoint.id,
      State: (endpoint.state ?? 'available') as State,
      SubnetIds: endpoint.subnets ?? [],
      RouteTableIds: endpoint.tables ?? [],
    })),
  };
}

function noBlock(): S3ServiceException {
  return new S3ServiceException({
    name: 'NoSuchPublicAccessBlockConfiguration',
    $fault: 'client',
    $metadata: { httpStatusCode: 404 },
    message: 'The public access block configuration was not found',
  });
}

function writes(): string[] {
  const write = /^(Modify|Delete|Put|Create)/;
  return [...ec2Mock.calls(), ...s3Mock.calls()]
    .map((call) => call.args[0].constructor.name)
    .filter((name) => write.test(name));
}

describe('rollback of added subnets', () => {
  it('removes exactly the added subnets, verifies, and records the rollback linked to the fix', async () => {
    // Prepare
    const finding = endpointFinding();
    const fix = await recordedFix(finding, [
      { kind: 'subnets-added', vpcEndpointId: 'vpce-0a1', subnetIds: ['subnet-0b'] },
    ]);
    ec2Mock
      .on(DescribeVpcEndpointsCommand)
      .resolvesOnce(endpoints({ id: 'vpce-0a1', subnets: ['subnet-0a', 'subnet-0b'] }))
      .resolves(endpoints({ id: 'vpce-0a1', subnets: ['subnet-0a'] }));
    ec2Mock.on(ModifyVpcEndpointCommand).resolves({ Return: true });

    // Act
    const result = await rollbacker.rollback(fix.auditId, { actor: ALICE });

    // Assess
    expect(clientRequests).toEqual(['222233334444 eu-west-1']);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcEndpointsCommand, {
      Filters: [{ Name: 'vpc-endpoint-id', Values: ['vpce-0a1'] }],
    });
    expect(ec2Mock.commandCalls(ModifyVpcEndpointCommand).map((call) => call.args[0].input)).toEqual([
      { VpcEndpointId: 'vpce-0a1', RemoveSubnetIds: ['subnet-0b'] },
    ]);
    expect(writes()).toEqual(['ModifyVpcEndpointCommand']);
    expect(result.status).toBe('rolled-back');
    expect(result.why).toBe('remove subnet-0b from vpce-0a1; verified');
    const record = await store.getAudit(result.record?.auditId ?? '');
    expect(record).toMatchObject({
      kind: 'rollback',
      actor: ALICE,
      outcome: 'rolled-back',
      rollsBack: fix.auditId,
      findingId: finding.findingId,
      before: {
        endpoints: {
          'vpce-0a1': { state: 'available', subnetIds: ['subnet-0a', 'subnet-0b'], routeTableIds: [] },
        },
      },
      after: {
        endpoints: { 'vpce-0a1': { state: 'available', subnetIds: ['subnet-0a'], routeTableIds: [] } },
      },
    });
    expect(await store.getAudit(fix.auditId)).toMatchObject({ rolledBackBy: record.auditId });
    expect(await store.getState(finding.findingId)).toMatchObject({
      lastFixOutcome: 'rolled-back',
      lastAuditId: record.auditId,
    });
  });

  it('refuses, changing nothing, when an added subnet is no longer on the endpoint', async () => {
    // Prepare
    const fix = await recordedFix(endpointFinding(), [
      { kind: 'subnets-added', vpcEndpointId: 'vpce-0a1', subnetIds: ['subnet-0b'] },
    ]);
    ec2Mock
      .on(DescribeVpcEndpointsCommand)
      .resolves(endpoints({ id: 'vpce-0a1', subnets: ['subnet-0a', 'subnet-0c'] }));

    // Act
    const rollingBack = rollbacker.rollback(fix.auditId, { actor: ALICE });

    // Assess
    await expect(rollingBack).rejects.toThrow(RollbackRefusedError);
    await expect(rollingBack).rejects.toThrow(
      `rollback of ${fix.auditId} refused: the resource changed since the fix: subnet subnet-0b added by the fix is no longer on vpce-0a1 (it has subnet-0a, subnet-0c); nothing was changed`,
    );
    expect(writes()).toEqual([]);
    expect(await store.listAudits(endpointFinding().findingId)).toHaveLength(1);
  });

  it('refuses when the endpoint no longer exists', async () => {
    // Prepare
    const fix = await recordedFix(endpointFinding(), [
      { kind: 'subnets-added', vpcEndpointId: 'vpce-0a1', subnetIds: ['subnet-0b'] },
    ]);
    ec2Mock.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });

    // Act / Assess
    await expect(rollbacker.rollback(fix.auditId, { actor: ALICE })).rejects.toThrow(
      'endpoint vpce-0a1 no longer exists',
    );
    expect(writes()).toEqual([]);
  });
});

describe('rollback of added route tables', () => {
  it('removes exactly the added route tables', async () => {
    // Prepare
    const fix = await recordedFix(routeTableFinding(), [
      { kind: 'route-tables-added', vpcEndpointId: 'vpce-0s3', routeTableIds: ['rtb-0p1'] },
    ]);
    ec2Mock
      .on(DescribeVpcEndpointsCommand)
      .resolvesOnce(endpoints({ id: 'vpce-0s3', tables: ['rtb-0main', 'rtb-0p1'] }))
      .resolves(endpoints({ id: 'vpce-0s3', tables: ['rtb-0main'] }));
    ec2Mock.on(ModifyVpcEndpointCommand).resolves({ Return: true });

    // Act
    const result = await rollbacker.rollback(fix.auditId, { actor: ALICE });

    // Assess
    expect(ec2Mock.commandCalls(ModifyVpcEndpointCommand).map((call) => call.args[0].input)).toEqual([
      { VpcEndpointId: 'vpce-0s3', RemoveRouteTableIds: ['rtb-0p1'] },
    ]);
    expect(writes()).toEqual(['ModifyVpcEndpointCommand']);
    expect(result.status).toBe('rolled-back');
  });
});

describe('rollback of a created endpoint', () => {
  it('deletes the endpoint the fix created', async () => {
    // Prepare
    const change: AppliedChange = {
      kind: 'endpoint-created',
      vpcEndpointId: 'vpce-0new',
      vpcId: 'vpc-01',
      serviceName: 'com.amazonaws.eu-west-1.s3',
      routeTableIds: ['rtb-0p1'],
    };
    const fix = await recordedFix(routeTableFinding(), [change]);
    ec2Mock
      .on(DescribeVpcEndpointsCommand)
      .resolvesOnce(endpoints({ id: 'vpce-0new', tables: ['rtb-0p1'] }))
      .resolves(endpoints({ id: 'vpce-0new', tables: ['rtb-0p1'], state: 'deleting' }));
    ec2Mock.on(DeleteVpcEndpointsCommand).resolves({ Unsuccessful: [] });

    // Act
    const result = await rollbacker.rollback(fix.auditId, { actor: ALICE });

    // Assess
    expect(ec2Mock.commandCalls(DeleteVpcEndpointsCommand).map((call) => call.args[0].input)).toEqual([
      { VpcEndpointIds: ['vpce-0new'] },
    ]);
    expect(writes()).toEqual(['DeleteVpcEndpointsCommand']);
    expect(result.why).toBe(
      'delete gateway endpoint vpce-0new (com.amazonaws.eu-west-1.s3) created by the fix; verified',
    );
  });

  it('refuses when route tables were added to the created endpoint since', async () => {
    // Prepare
    const fix = await recordedFix(routeTableFinding(), [
      {
        kind: 'endpoint-created',
        vpcEndpointId: 'vpce-0new',
        vpcId: 'vpc-01',
        serviceName: 'com.amazonaws.eu-west-1.s3',
        routeTableIds: ['rtb-0p1'],
      },
    ]);
    ec2Mock
      .on(DescribeVpcEndpointsCommand)
      .resolves(endpoints({ id: 'vpce-0new', tables: ['rtb-0p1', 'rtb-0p2'] }));

    // Act / Assess
    await expect(rollbacker.rollback(fix.auditId, { actor: ALICE })).rejects.toThrow(
      'endpoint vpce-0new now serves route tables rtb-0p1, rtb-0p2, not rtb-0p1 as created: deleting it would cut the others off',
    );
    expect(writes()).toEqual([]);
  });
});

describe('rollback of Block Public Access', () => {
  it('restores the previous bucket configuration', async () => {
    // Prepare
    const fix = await recordedFix(bucketFinding(HALF_BLOCKED), [
      { kind: 'public-access-block-set', bucket: 'reports-bucket', previous: HALF_BLOCKED, applied: ALL_ON },
    ]);
    s3Mock
      .on(GetPublicAccessBlockCommand)
      .resolvesOnce({ PublicAccessBlockConfiguration: ALL_ON_SDK })
      .resolves({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: false,
          RestrictPublicBuckets: false,
        },
      });
    s3Mock.on(PutPublicAccessBlockCommand).resolves({});

    // Act
    const result = await rollbacker.rollback(fix.auditId, { actor: ALICE });

    // Assess
    expect(s3Mock).toHaveReceivedCommandWith(GetPublicAccessBlockCommand, { Bucket: 'reports-bucket' });
    expect(s3Mock.commandCalls(PutPublicAccessBlockCommand).map((call) => call.args[0].input)).toEqual([
      {
        Bucket: 'reports-bucket',
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: false,
          RestrictPublicBuckets: false,
        },
      },
    ]);
    expect(writes()).toEqual(['PutPublicAccessBlockCommand']);
    expect(result.why).toBe(
      'restore Block Public Access of reports-bucket to only blockPublicAcls, ignorePublicAcls on; verified',
    );
  });

  it('deletes the configuration when the bucket had none before the fix', async () => {
    // Prepare
    const fix = await recordedFix(bucketFinding(null), [
      { kind: 'public-access-block-set', bucket: 'reports-bucket', previous: null, applied: ALL_ON },
    ]);
    s3Mock
      .on(GetPublicAccessBlockCommand)
      .resolvesOnce({ PublicAccessBlockConfiguration: ALL_ON_SDK })
      .rejects(noBlock());
    s3Mock.on(DeletePublicAccessBlockCommand).resolves({});

    // Act
    const result = await rollbacker.rollback(fix.auditId, { actor: ALICE });

    // Assess
    expect(s3Mock.commandCalls(DeletePublicAccessBlockCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: 'reports-bucket' },
    ]);
    expect(writes()).toEqual(['DeletePublicAccessBlockCommand']);
    expect(result.status).toBe('rolled-back');
    expect(result.record?.after).toEqual({ endpoints: {}, publicAccessBlocks: { 'reports-bucket': null } });
  });

  it('refuses when the configuration differs from what the fix set', async () => {
    // Prepare
    const fix = await recordedFix(bucketFinding(null), [
      { kind: 'public-access-block-set', bucket: 'reports-bucket', previous: null, applied: ALL_ON },
    ]);
    s3Mock.on(GetPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: { ...ALL_ON_SDK, RestrictPublicBuckets: false },
    });

    // Act / Assess
    await expect(rollbacker.rollback(fix.auditId, { actor: ALICE })).rejects.toThrow(
      'Block Public Access of reports-bucket is only blockPublicAcls, ignorePublicAcls, blockPublicPolicy on now, not all four on as the fix set it',
    );
    expect(writes()).toEqual([]);
  });
});

describe('rollback refusals and dry run', () => {
  it('refuses a second rollback of the same fix', async () => {
    // Prepare
    const fix = await recordedFix(endpointFinding(), [
      { kind: 'subnets-added', vpcEndpointId: 'vpce-0a1', subnetIds: ['subnet-0b'] },
    ]);
    ec2Mock
      .on(DescribeVpcEndpointsCommand)
      .resolvesOnce(endpoints({ id: 'vpce-0a1', subnets: ['subnet-0a', 'subnet-0b'] }))
      .resolves(endpoints({ id: 'vpce-0a1', subnets: ['subnet-0a'] }));
    ec2Mock.on(ModifyVpcEndpointCommand).resolves({ Return: true });
    const first = await rollbacker.rollback(fix.auditId, { actor: ALICE });
    ec2Mock.resetHistory();

    // Act
    const second = rollbacker.rollback(fix.auditId, { actor: ALICE });

    // Assess
    await expect(second).rejects.toThrow(
      `rollback of ${fix.auditId} refused: it was already rolled back by ${first.record?.auditId}`,
    );
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('rolls back a fix whose verification failed, from the changes it recorded', async () => {
    // Prepare
    const fix = await recordedFix(
      endpointFinding(),
      [{ kind: 'subnets-added', vpcEndpointId: 'vpce-0a1', subnetIds: ['subnet-0b'] }],
      { outcome: 'failed', reason: 'added subnet-0b to vpce-0a1; verification failed: still NON_COMPLIANT' },
    );
    ec2Mock
      .on(DescribeVpcEndpointsCommand)
      .resolvesOnce(endpoints({ id: 'vpce-0a1', subnets: ['subnet-0a', 'subnet-0b'] }))
      .resolves(endpoints({ id: 'vpce-0a1', subnets: ['subnet-0a'] }));
    ec2Mock.on(ModifyVpcEndpointCommand).resolves({ Return: true });

    // Act
    const result = await rollbacker.rollback(fix.auditId, { actor: ALICE });

    // Assess
    expect(result.status).toBe('rolled-back');
    expect((await store.getAudit(fix.auditId)).rolledBackBy).toBe(result.record?.auditId);
  });

  it('refuses a fix that changed nothing', async () => {
    // Prepare
    const fix = await recordedFix(endpointFinding(), [], {
      outcome: 'skipped',
      reason: 'vpce-0a1 is COMPLIANT now',
    });

    // Act / Assess
    await expect(rollbacker.rollback(fix.auditId, { actor: ALICE })).rejects.toThrow(
      'it is not an applied fix: the fix was skipped and changed nothing (vpce-0a1 is COMPLIANT now)',
    );
    expect(clientRequests).toEqual([]);
  });

  it('refuses a record that is not a fix', async () => {
    // Prepare
    const fix = await recordedFix(endpointFinding(), [], { kind: 'notify', outcome: 'notified' });

    // Act / Assess
    await expect(rollbacker.rollback(fix.auditId, { actor: ALICE })).rejects.toThrow(
      'it is a notify record (notified), not a fix',
    );
  });

  it('prints the calls in a dry run and changes and records nothing', async () => {
    // Prepare
    const finding = endpointFinding();
    const fix = await recordedFix(finding, [
      { kind: 'subnets-added', vpcEndpointId: 'vpce-0a1', subnetIds: ['subnet-0b'] },
    ]);
    ec2Mock
      .on(DescribeVpcEndpointsCommand)
      .resolves(endpoints({ id: 'vpce-0a1', subnets: ['subnet-0a', 'subnet-0b'] }));

    // Act
    const result = await rollbacker.rollback(fix.auditId, { actor: ALICE, dryRun: true });

    // Assess
    expect(result).toMatchObject({
      status: 'dry-run',
      calls: [
        {
          service: 'ec2',
          action: 'ModifyVpcEndpoint',
          parameters: { VpcEndpointId: 'vpce-0a1', RemoveSubnetIds: ['subnet-0b'] },
        },
      ],
      why: 'would remove subnet-0b from vpce-0a1',
    });
    expect(writes()).toEqual([]);
    expect(await store.listAudits(finding.findingId)).toHaveLength(1);
    expect((await store.getAudit(fix.auditId)).rolledBackBy).toBeUndefined();
  });

  it('records rollback-failed and frees the rollback when verification fails', async () => {
    // Prepare
    const finding = endpointFinding();
    const fix = await recordedFix(finding, [
      { kind: 'subnets-added', vpcEndpointId: 'vpce-0a1', subnetIds: ['subnet-0b'] },
    ]);
    ec2Mock
      .on(DescribeVpcEndpointsCommand)
      .resolves(endpoints({ id: 'vpce-0a1', subnets: ['subnet-0a', 'subnet-0b'] }));
    ec2Mock.on(ModifyVpcEndpointCommand).resolves({ Return: true });

    // Act
    const rollingBack = rollbacker.rollback(fix.auditId, { actor: ALICE });

    // Assess
    await expect(rollingBack).rejects.toThrow(RollbackFailedError);
    await expect(rollingBack).rejects.toThrow('verification failed: subnet-0b still on vpce-0a1');
    const [latest] = await store.listAudits(finding.findingId);
    expect(latest).toMatchObject({ kind: 'rollback', outcome: 'rollback-failed' });
    expect((await store.getAudit(fix.auditId)).rolledBackBy).toBeUndefined();
    expect((await store.claimRollback(fix.auditId, ALICE)).claimed).toBe(true);
  });
});

import {
  CreateVpcEndpointCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  EC2ServiceException,
  ModifyVpcEndpointCommand,
  type State,
} from '@aws-sdk/client-ec2';
import { PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/findings/finding';
import { RemediationError } from '../../shared/remediation/errors';
import { RemediationExecutor } from '../../shared/remediation/executor';
import type { Evaluation, RemediationPlan } from '../../shared/rules/types';
import {
  ADD_ROUTE_TABLE,
  bucketFinding,
  CREATE_ENDPOINT,
  endpointFinding,
  evaluationOf,
  fixPlan,
  HALF_BLOCKED,
  putBlock,
  REGION,
  routeTableFinding,
} from './fixtures';

const ec2 = new EC2Client({ region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const s3 = new S3Client({ region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const ec2Mock = mockClient(ec2);
const s3Mock = mockClient(s3);

const NOW = new Date('2025-06-01T12:30:00.000Z');

/** An executor whose live re-evaluations return `answers` in turn (the last one repeats). */
function executorAnswering(...answers: (Evaluation | undefined)[]) {
  const seen: Finding[] = [];
  const sleeps: number[] = [];
  const order: string[] = [];
  const executor = new RemediationExecutor({
    ec2,
    s3,
    reevaluate: async (finding) => {
      seen.push(finding);
      order.push('reevaluate');
      return answers.length > 1 ? answers.shift() : answers[0];
    },
    now: () => NOW,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { executor, seen, sleeps, order };
}

function plan(finding: Finding): RemediationPlan {
  if (!finding.remediation) throw new Error('fixture without a plan');
  return finding.remediation;
}

function ec2Error(
  name: string,
  fault: 'client' | 'server',
  message = `${name} happened`,
): EC2ServiceException {
  return new EC2ServiceException({
    name,
    $fault: fault,
    $metadata: { httpStatusCode: fault === 'client' ? 400 : 503 },
    message,
  });
}

beforeEach(() => {
  ec2Mock.reset();
  s3Mock.reset();
});

describe('RemediationExecutor: applying a plan that still fits', () => {
  it('adds the planned subnet to the interface endpoint, exactly, then verifies it', async () => {
    // Prepare
    const finding = endpointFinding();
    ec2Mock.on(ModifyVpcEndpointCommand).resolves({ Return: true });
    const { executor, seen } = executorAnswering(
      evaluationOf(finding, 'NON_COMPLIANT'),
      evaluationOf(finding, 'COMPLIANT'),
    );

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(ModifyVpcEndpointCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(ModifyVpcEndpointCommand, {
      VpcEndpointId: 'vpce-0a1',
      AddSubnetIds: ['subnet-0b'],
    });
    expect(ec2Mock.commandCalls(ModifyVpcEndpointCommand)[0]?.args[0].input).toEqual({
      VpcEndpointId: 'vpce-0a1',
      AddSubnetIds: ['subnet-0b'],
    });
    expect(s3Mock.calls()).toHaveLength(0);
    expect(seen).toHaveLength(2);
    expect(outcome).toMatchObject({
      status: 'applied',
      why: 'added subnet-0b to vpce-0a1; verified: COMPLIANT (vpce-0a1 is COMPLIANT)',
      changes: [{ kind: 'subnets-added', vpcEndpointId: 'vpce-0a1', subnetIds: ['subnet-0b'] }],
      before: { status: 'NON_COMPLIANT', at: NOW.toISOString() },
      after: { status: 'COMPLIANT', at: NOW.toISOString() },
      calls: { ModifyVpcEndpoint: 1 },
    });
  });

  it('re-reads live state before it writes anything', async () => {
    // Prepare
    const finding = endpointFinding();
    const { executor, order } = executorAnswering(
      evaluationOf(finding, 'NON_COMPLIANT'),
      evaluationOf(finding, 'COMPLIANT'),
    );
    ec2Mock.on(ModifyVpcEndpointCommand).callsFake(() => {
      order.push('ModifyVpcEndpoint');
      return { Return: true };
    });

    // Act
    await executor.apply(finding, plan(finding));

    // Assess
    expect(order).toEqual(['reevaluate', 'ModifyVpcEndpoint', 'reevaluate']);
  });

  it('adds the route table to the gateway endpoint', async () => {
    // Prepare
    const finding = routeTableFinding([ADD_ROUTE_TABLE]);
    ec2Mock.on(ModifyVpcEndpointCommand).resolves({ Return: true });
    const { executor } = executorAnswering(
      evaluationOf(finding, 'NON_COMPLIANT'),
      evaluationOf(finding, 'COMPLIANT'),
    );

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(ec2Mock.commandCalls(ModifyVpcEndpointCommand).map((call) => call.args[0].input)).toEqual([
      { VpcEndpointId: 'vpce-0s3', AddRouteTableIds: ['rtb-0p1'] },
    ]);
    expect(outcome.status).toBe('applied');
    expect(outcome.changes).toEqual([
      { kind: 'route-tables-added', vpcEndpointId: 'vpce-0s3', routeTableIds: ['rtb-0p1'] },
    ]);
  });

  it('creates the gateway endpoint with the planned ClientToken and records its id', async () => {
    // Prepare
    const finding = routeTableFinding([CREATE_ENDPOINT]);
    ec2Mock.on(CreateVpcEndpointCommand).resolves({
      VpcEndpoint: { VpcEndpointId: 'vpce-0new', RouteTableIds: ['rtb-0p1'], State: 'available' as State },
    });
    const { executor } = executorAnswering(
      evaluationOf(finding, 'NON_COMPLIANT'),
      evaluationOf(finding, 'COMPLIANT'),
    );

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(ec2Mock.commandCalls(CreateVpcEndpointCommand).map((call) => call.args[0].input)).toEqual([
      {
        VpcId: 'vpc-01',
        ServiceName: 'com.amazonaws.eu-west-1.s3',
        VpcEndpointType: 'Gateway',
        RouteTableIds: ['rtb-0p1'],
        ClientToken: 'endpoint-guard-vpc-01-s3',
      },
    ]);
    expect(outcome.status).toBe('applied');
    expect(outcome.changes).toEqual([
      {
        kind: 'endpoint-created',
        vpcEndpointId: 'vpce-0new',
        vpcId: 'vpc-01',
        serviceName: 'com.amazonaws.eu-west-1.s3',
        routeTableIds: ['rtb-0p1'],
      },
    ]);
  });

  it('turns Block Public Access on and keeps the configuration it replaced, as read live', async () => {
    // Prepare: the finding saw no bucket setting; live state now has half of it
    const finding = bucketFinding(null);
    const fresh = evaluationOf(finding, 'NON_COMPLIANT', { remediation: fixPlan([putBlock(HALF_BLOCKED)]) });
    s3Mock.on(PutPublicAccessBlockCommand).resolves({});
    const { executor } = executorAnswering(fresh, evaluationOf(finding, 'COMPLIANT'));

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(s3Mock.commandCalls(PutPublicAccessBlockCommand).map((call) => call.args[0].input)).toEqual([
      {
        Bucket: 'reports-bucket',
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      },
    ]);
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(outcome.status).toBe('applied');
    expect(outcome.changes).toEqual([
      {
        kind: 'public-access-block-set',
        bucket: 'reports-bucket',
        previous: HALF_BLOCKED,
        applied: {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        },
      },
    ]);
  });

  it('verifies again after a wait while the endpoint is still pending', async () => {
    // Prepare
    const finding = endpointFinding();
    ec2Mock.on(ModifyVpcEndpointCommand).resolves({ Return: true });
    const { executor, sleeps, seen } = executorAnswering(
      evaluationOf(finding, 'NON_COMPLIANT'),
      evaluationOf(finding, 'NOT_APPLICABLE', { reason: 'endpoint state is pending, not available' }),
      evaluationOf(finding, 'COMPLIANT'),
    );

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(outcome.status).toBe('applied');
    expect(seen).toHaveLength(3);
    expect(sleeps).toEqual([2000]);
  });

  it('counts a partial plan as verified when what it acted on is fixed and the rest needs a ticket', async () => {
    // Prepare
    const finding = endpointFinding();
    ec2Mock.on(ModifyVpcEndpointCommand).resolves({ Return: true });
    const rest: RemediationPlan = {
      kind: 'ticket-only',
      summary: 'make room',
      why: 'no subnet in eu-west-1c has a free IP address',
    };
    const { executor } = executorAnswering(
      evaluationOf(finding, 'NON_COMPLIANT'),
      evaluationOf(finding, 'NON_COMPLIANT', { reason: 'missing eu-west-1c', remediation: rest }),
    );

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(outcome.status).toBe('applied');
    expect(outcome.why).toBe('added subnet-0b to vpce-0a1; verified: NON_COMPLIANT (missing eu-west-1c)');
  });
});

describe('RemediationExecutor: nothing is written when the plan no longer fits', () => {
  it('skips a resource that is compliant now, and says so', async () => {
    // Prepare
    const finding = endpointFinding();
    const { executor } = executorAnswering(
      evaluationOf(finding, 'COMPLIANT', {
        reason: 'subnets in 2 AZs (eu-west-1a, eu-west-1b) cover every AZ of vpc-01',
      }),
    );

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(s3Mock.calls()).toHaveLength(0);
    expect(outcome).toEqual({
      status: 'skipped',
      why: 'vpce-0a1 is COMPLIANT now (subnets in 2 AZs (eu-west-1a, eu-west-1b) cover every AZ of vpc-01): nothing to fix',
      changes: [],
      before: expect.objectContaining({ status: 'COMPLIANT' }),
      after: null,
      calls: {},
    });
  });

  it('skips a resource that is not applicable now', async () => {
    // Prepare
    const finding = bucketFinding(null);
    const { executor } = executorAnswering(
      evaluationOf(finding, 'NOT_APPLICABLE', { reason: 'exempt by tag endpoint-guard:exempt: website' }),
    );

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(s3Mock.calls()).toHaveLength(0);
    expect(outcome.status).toBe('skipped');
    expect(outcome.why).toBe(
      'reports-bucket is NOT_APPLICABLE now (exempt by tag endpoint-guard:exempt: website): nothing to fix',
    );
  });

  it('skips a resource that no longer exists', async () => {
    // Prepare
    const finding = endpointFinding();
    const { executor } = executorAnswering(undefined);

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(outcome).toMatchObject({
      status: 'skipped',
      why: 'vpce-0a1 no longer exists: nothing to fix',
      before: null,
    });
  });

  it('skips with "state changed since the finding" when live state calls for another fix, and reports it', async () => {
    // Prepare: subnet-0b filled up; the rule now picks subnet-0c
    const finding = endpointFinding();
    const freshPlan = fixPlan(
      [
        {
          service: 'ec2',
          action: 'ModifyVpcEndpoint',
          parameters: { VpcEndpointId: 'vpce-0a1', AddSubnetIds: ['subnet-0c'] },
        },
      ],
      'Add subnet-0c (eu-west-1b) to endpoint vpce-0a1',
    );
    const { executor } = executorAnswering(
      evaluationOf(finding, 'NON_COMPLIANT', { remediation: freshPlan }),
    );

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(outcome.status).toBe('skipped');
    expect(outcome.why).toBe(
      'state changed since the finding (observed 2025-06-01T12:00:00.000Z): the fix now would be: Add subnet-0c (eu-west-1b) to endpoint vpce-0a1; ' +
        'not applying the old plan (Add subnet-0b (eu-west-1b) to endpoint vpce-0a1)',
    );
    expect(outcome.freshPlan).toEqual(freshPlan);
  });

  it('skips when live state now needs a ticket instead of the planned fix', async () => {
    // Prepare
    const finding = endpointFinding();
    const ticket: RemediationPlan = {
      kind: 'ticket-only',
      summary: 'make room',
      why: 'no subnet of vpc-01 in eu-west-1b has a free IP address',
    };
    const { executor } = executorAnswering(evaluationOf(finding, 'NON_COMPLIANT', { remediation: ticket }));

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(outcome.status).toBe('skipped');
    expect(outcome.why).toContain('state changed since the finding');
    expect(outcome.why).toContain(
      'it now needs a ticket: no subnet of vpc-01 in eu-west-1b has a free IP address',
    );
  });

  it('treats the same calls in another order as the same plan', async () => {
    // Prepare
    const finding = routeTableFinding([ADD_ROUTE_TABLE, CREATE_ENDPOINT]);
    ec2Mock.on(ModifyVpcEndpointCommand).resolves({ Return: true });
    ec2Mock
      .on(CreateVpcEndpointCommand)
      .resolves({ VpcEndpoint: { VpcEndpointId: 'vpce-0new', RouteTableIds: ['rtb-0p1'] } });
    const { executor } = executorAnswering(
      evaluationOf(finding, 'NON_COMPLIANT', { remediation: fixPlan([CREATE_ENDPOINT, ADD_ROUTE_TABLE]) }),
      evaluationOf(finding, 'COMPLIANT'),
    );

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(outcome.status).toBe('applied');
    expect(ec2Mock).toHaveReceivedCommandTimes(ModifyVpcEndpointCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateVpcEndpointCommand, 1);
  });

  it('does not apply a ticket-only plan', async () => {
    // Prepare
    const finding = endpointFinding();
    const { executor, seen } = executorAnswering(evaluationOf(finding, 'NON_COMPLIANT'));

    // Act
    const outcome = await executor.apply(finding, { kind: 'ticket-only', summary: 's', why: 'one AZ only' });

    // Assess
    expect(seen).toHaveLength(0);
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(outcome.status).toBe('skipped');
  });

  it('re-reads and reports the endpoint another fix created when CreateVpcEndpoint hits IdempotentParameterMismatch', async () => {
    // Prepare
    const finding = routeTableFinding([CREATE_ENDPOINT]);
    ec2Mock.on(CreateVpcEndpointCommand).rejects(ec2Error('IdempotentParameterMismatch', 'client'));
    ec2Mock.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: [
        { VpcEndpointId: 'vpce-0other', State: 'available' as State, RouteTableIds: ['rtb-0p2'] },
      ],
    });
    const { executor } = executorAnswering(evaluationOf(finding, 'NON_COMPLIANT'));

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcEndpointsCommand, {
      Filters: [
        { Name: 'vpc-id', Values: ['vpc-01'] },
        { Name: 'service-name', Values: ['com.amazonaws.eu-west-1.s3'] },
        { Name: 'vpc-endpoint-type', Values: ['Gateway'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(ModifyVpcEndpointCommand, 0);
    expect(outcome.status).toBe('skipped');
    expect(outcome.changes).toEqual([]);
    expect(outcome.why).toBe(
      'CreateVpcEndpoint com.amazonaws.eu-west-1.s3 in vpc-01 was refused with IdempotentParameterMismatch: IdempotentParameterMismatch happened: ' +
        'state changed since the finding; gateway endpoints there now: vpce-0other (available, route tables rtb-0p2); the next evaluation plans against it',
    );
  });
});

describe('RemediationExecutor: failures', () => {
  it('fails with "verification failed" when the resource is still non-compliant after the fix', async () => {
    // Prepare
    const finding = endpointFinding();
    ec2Mock.on(ModifyVpcEndpointCommand).resolves({ Return: true });
    const { executor, sleeps, seen } = executorAnswering(evaluationOf(finding, 'NON_COMPLIANT'));

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(seen).toHaveLength(4);
    expect(sleeps).toEqual([2000, 2000]);
    expect(outcome.status).toBe('failed');
    expect(outcome.why).toBe(
      `added subnet-0b to vpce-0a1; verification failed: still NON_COMPLIANT (${finding.reason}); live state still calls for ` +
        '{"action":"ModifyVpcEndpoint","parameters":{"AddSubnetIds":["subnet-0b"],"VpcEndpointId":"vpce-0a1"},"service":"ec2"}',
    );
    // The change is recorded, so a person can roll it back.
    expect(outcome.changes).toEqual([
      { kind: 'subnets-added', vpcEndpointId: 'vpce-0a1', subnetIds: ['subnet-0b'] },
    ]);
  });

  it('fails with "verification failed" when the resource is gone after the fix', async () => {
    // Prepare
    const finding = bucketFinding(null);
    s3Mock.on(PutPublicAccessBlockCommand).resolves({});
    const { executor } = executorAnswering(evaluationOf(finding, 'NON_COMPLIANT'), undefined);

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(outcome.status).toBe('failed');
    expect(outcome.why).toContain('verification failed: the resource is no longer found');
  });

  it('returns failed, without verifying, when EC2 refuses the call', async () => {
    // Prepare
    const finding = endpointFinding();
    ec2Mock
      .on(ModifyVpcEndpointCommand)
      .rejects(ec2Error('InvalidSubnetID.NotFound', 'client', "The subnet ID 'subnet-0b' does not exist"));
    const { executor, seen } = executorAnswering(evaluationOf(finding, 'NON_COMPLIANT'));

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(seen).toHaveLength(1);
    expect(outcome).toMatchObject({
      status: 'failed',
      why: "EC2 refused ModifyVpcEndpoint: InvalidSubnetID.NotFound: The subnet ID 'subnet-0b' does not exist",
      changes: [],
      after: null,
    });
  });

  it('throws RemediationError when a call fails for a reason that may pass, before anything changed', async () => {
    // Prepare
    const finding = endpointFinding();
    ec2Mock.on(ModifyVpcEndpointCommand).rejects(ec2Error('ServiceUnavailable', 'server'));
    const { executor } = executorAnswering(evaluationOf(finding, 'NON_COMPLIANT'));

    // Act
    const applying = executor.apply(finding, plan(finding));

    // Assess
    await expect(applying).rejects.toThrow(RemediationError);
    await expect(applying).rejects.toThrow(
      `ModifyVpcEndpoint for ${finding.findingId} failed before anything was changed: ServiceUnavailable: ServiceUnavailable happened`,
    );
  });

  it('returns failed with the changes made when a later call fails', async () => {
    // Prepare
    const finding = routeTableFinding([ADD_ROUTE_TABLE, CREATE_ENDPOINT]);
    ec2Mock.on(ModifyVpcEndpointCommand).resolves({ Return: true });
    ec2Mock.on(CreateVpcEndpointCommand).rejects(ec2Error('RequestLimitExceeded', 'client'));
    const { executor } = executorAnswering(evaluationOf(finding, 'NON_COMPLIANT'));

    // Act
    const outcome = await executor.apply(finding, plan(finding));

    // Assess
    expect(outcome.status).toBe('failed');
    expect(outcome.changes).toEqual([
      { kind: 'route-tables-added', vpcEndpointId: 'vpce-0s3', routeTableIds: ['rtb-0p1'] },
    ]);
    expect(outcome.why).toBe(
      'CreateVpcEndpoint failed: RequestLimitExceeded: RequestLimitExceeded happened; already done: added rtb-0p1 to vpce-0s3',
    );
  });
});

// The plan module itself only adds and turns protections on: prove no write outside that list is sent.
describe('RemediationExecutor: only narrows or adds', () => {
  it('sends no command other than ModifyVpcEndpoint with Add*, CreateVpcEndpoint and PutPublicAccessBlock', async () => {
    // Prepare
    const findings: Finding[] = [
      endpointFinding(),
      routeTableFinding([ADD_ROUTE_TABLE, CREATE_ENDPOINT]),
      bucketFinding(HALF_BLOCKED),
    ];
    ec2Mock.on(ModifyVpcEndpointCommand).resolves({ Return: true });
    ec2Mock.on(CreateVpcEndpointCommand).resolves({ VpcEndpoint: { VpcEndpointId: 'vpce-0new' } });
    s3Mock.on(PutPublicAccessBlockCommand).resolves({});

    // Act
    for (const finding of findings) {
      const { executor } = executorAnswering(
        evaluationOf(finding, 'NON_COMPLIANT'),
        evaluationOf(finding, 'COMPLIANT'),
      );
      await executor.apply(finding, plan(finding));
    }

    // Assess
    const names = [...ec2Mock.calls(), ...s3Mock.calls()].map((call) => call.args[0].constructor.name);
    expect(new Set(names)).toEqual(
      new Set(['ModifyVpcEndpointCommand', 'CreateVpcEndpointCommand', 'PutPublicAccessBlockCommand']),
    );
    for (const call of ec2Mock.commandCalls(ModifyVpcEndpointCommand)) {
      expect(Object.keys(call.args[0].input).filter((key) => key.startsWith('Remove'))).toEqual([]);
    }
  });
});

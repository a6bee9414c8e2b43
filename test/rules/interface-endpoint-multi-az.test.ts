/**
 * Spec tests for `interface-endpoint-multi-az` (ARCHITECTURE.md, "The rules"), run end to
 * end through `scanConfigurationItems` on notification-form configuration items.
 */
import { describe, expect, it } from 'vitest';
import type { Evaluation, RemediationPlan, RuleId } from '../../shared/rules/types';
import { type ScanOptions, scanConfigurationItems } from '../../shared/scan/scan';
import {
  ACCOUNT,
  type ConfigurationItem,
  deleted,
  routeTable,
  subnet,
  subnetAssoc,
  vpc,
  vpcEndpoint,
} from '../support/config-items';

const RULE: RuleId = 'interface-endpoint-multi-az';

const ENDPOINT = 'vpce-0e000001';
const OTHER_VPC = 'vpc-0b000001';
const SUBNET_A1 = 'subnet-0a000001';
const SUBNET_A2 = 'subnet-0a000002';
const SUBNET_B1 = 'subnet-0b000001';
const SUBNET_B2 = 'subnet-0b000002';
const SUBNET_C1 = 'subnet-0c000001';
const SUBNET_C2 = 'subnet-0c000002';

/** Scans the items and returns this rule's one evaluation of `resourceId`, checking the invariants. */
function evaluationOf(items: readonly unknown[], resourceId: string, options: ScanOptions = {}): Evaluation {
  const { evaluations } = scanConfigurationItems(items, { rules: [RULE], ...options });
  const matches = evaluations.filter((e) => e.ruleId === RULE && e.resourceId === resourceId);
  expect(matches, `one ${RULE} evaluation of ${resourceId}`).toHaveLength(1);
  const [evaluation] = matches;
  if (evaluation === undefined) throw new Error(`no ${RULE} evaluation of ${resourceId}`);
  expect(evaluation.resourceType).toBe('AWS::EC2::VPCEndpoint');
  expect(evaluation.reason.trim()).not.toBe('');
  expect(evaluation.reason.length).toBeLessThanOrEqual(256);
  expect(evaluation.remediation === null, 'remediation present exactly when NON_COMPLIANT').toBe(
    evaluation.status !== 'NON_COMPLIANT',
  );
  return evaluation;
}

function fixOf(evaluation: Evaluation): Extract<RemediationPlan, { kind: 'fix' }> {
  const plan = evaluation.remediation;
  expect(plan?.kind).toBe('fix');
  if (plan?.kind !== 'fix') throw new Error('expected a fix plan');
  expect(plan.summary.trim()).not.toBe('');
  // Each added AZ is one more ENI-hour: the plan must say so.
  expect(plan.warnings.join('\n')).toMatch(/ENI|cost|hour/i);
  return plan;
}

function expectTicketOnly(evaluation: Evaluation): void {
  expect(evaluation.remediation).toEqual({
    kind: 'ticket-only',
    summary: expect.stringMatching(/\S/),
    why: expect.stringMatching(/\S/),
  });
}

function addSubnets(...subnetIds: string[]) {
  return {
    service: 'ec2',
    action: 'ModifyVpcEndpoint',
    parameters: { VpcEndpointId: ENDPOINT, AddSubnetIds: subnetIds },
  };
}

/** A VPC with one subnet in each of us-east-1a, us-east-1b (and us-east-1c with `threeAzs`). */
function network({ threeAzs = false } = {}): ConfigurationItem[] {
  return [
    vpc(),
    subnet({ id: SUBNET_A1, az: 'us-east-1a' }),
    subnet({ id: SUBNET_B1, az: 'us-east-1b' }),
    ...(threeAzs ? [subnet({ id: SUBNET_C1, az: 'us-east-1c' })] : []),
  ];
}

describe('interface-endpoint-multi-az', () => {
  describe('Noncompliance', () => {
    it('Noncompliance 1: is NON_COMPLIANT (HIGH) when the endpoint has one subnet and the VPC spans two AZs', () => {
      // Prepare
      const items = [...network(), vpcEndpoint({ id: ENDPOINT, subnetIds: [SUBNET_A1] })];

      // Act
      const evaluation = evaluationOf(items, ENDPOINT);

      // Assess
      expect(evaluation).toMatchObject({
        status: 'NON_COMPLIANT',
        severity: 'HIGH',
        resourceType: 'AWS::EC2::VPCEndpoint',
        accountId: ACCOUNT,
        region: 'us-east-1',
        arn: `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc-endpoint/${ENDPOINT}`,
      });
      expect(evaluation.reason).toMatch(/us-east-1b/);
      expect(fixOf(evaluation).actions).toEqual([addSubnets(SUBNET_B1)]);
    });

    it('Noncompliance 2: is NON_COMPLIANT when its two subnets share one AZ', () => {
      // Prepare
      const items = [
        ...network(),
        subnet({ id: SUBNET_A2, az: 'us-east-1a' }),
        vpcEndpoint({ id: ENDPOINT, subnetIds: [SUBNET_A1, SUBNET_A2] }),
      ];

      // Act
      const evaluation = evaluationOf(items, ENDPOINT);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'HIGH' });
      expect(evaluation.reason).toMatch(/us-east-1b/);
      expect(fixOf(evaluation).actions).toEqual([addSubnets(SUBNET_B1)]);
    });

    it('Noncompliance 3: is NON_COMPLIANT when it covers two of the VPC’s three AZs', () => {
      // Prepare
      const items = [
        ...network({ threeAzs: true }),
        vpcEndpoint({ id: ENDPOINT, subnetIds: [SUBNET_A1, SUBNET_B1] }),
      ];

      // Act
      const evaluation = evaluationOf(items, ENDPOINT);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'HIGH' });
      expect(evaluation.reason).toMatch(/us-east-1c/);
      expect(fixOf(evaluation).actions).toEqual([addSubnets(SUBNET_C1)]);
    });

    it('Noncompliance 4: adds exactly one subnet per missing AZ', () => {
      // Prepare: two candidates in us-east-1b; the one with more free IPs wins (nothing else differs).
      const items = [
        ...network({ threeAzs: true }),
        subnet({ id: SUBNET_B2, az: 'us-east-1b', freeIps: 100 }),
        vpcEndpoint({ id: ENDPOINT, subnetIds: [SUBNET_A1] }),
      ];

      // Act
      const evaluation = evaluationOf(items, ENDPOINT);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'HIGH' });
      expect(evaluation.reason).toMatch(/us-east-1b/);
      expect(evaluation.reason).toMatch(/us-east-1c/);
      const { actions } = fixOf(evaluation);
      expect(actions).toHaveLength(1);
      const [action] = actions;
      expect(action).toMatchObject({ service: 'ec2', action: 'ModifyVpcEndpoint' });
      if (action?.action !== 'ModifyVpcEndpoint') throw new Error('expected ModifyVpcEndpoint');
      expect(action.parameters).toEqual({ VpcEndpointId: ENDPOINT, AddSubnetIds: expect.any(Array) });
      expect([...(action.parameters.AddSubnetIds ?? [])].sort()).toEqual([SUBNET_B1, SUBNET_C1]);
    });

    it.each([
      {
        case: 'one subnet in a single-AZ VPC',
        items: [
          vpc(),
          subnet({ id: SUBNET_A1, az: 'us-east-1a' }),
          vpcEndpoint({ id: ENDPOINT, subnetIds: [SUBNET_A1] }),
        ],
      },
      {
        case: 'two subnets in a single-AZ VPC',
        items: [
          vpc(),
          subnet({ id: SUBNET_A1, az: 'us-east-1a' }),
          subnet({ id: SUBNET_A2, az: 'us-east-1a' }),
          vpcEndpoint({ id: ENDPOINT, subnetIds: [SUBNET_A1, SUBNET_A2] }),
        ],
      },
    ])('Noncompliance 5: is NON_COMPLIANT and ticket-only with $case (cannot be HA)', ({ items }) => {
      // Act
      const evaluation = evaluationOf(items, ENDPOINT);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'HIGH' });
      expectTicketOnly(evaluation);
    });

    it('Noncompliance 6: is ticket-only when the only subnet in the missing AZ has no free IP address', () => {
      // Prepare
      const items = [
        vpc(),
        subnet({ id: SUBNET_A1, az: 'us-east-1a' }),
        subnet({ id: SUBNET_B1, az: 'us-east-1b', freeIps: 0 }),
        vpcEndpoint({ id: ENDPOINT, subnetIds: [SUBNET_A1] }),
      ];

      // Act
      const evaluation = evaluationOf(items, ENDPOINT);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'HIGH' });
      expect(evaluation.reason).toMatch(/us-east-1b/);
      expectTicketOnly(evaluation);
    });

    it.each([
      { case: "state 'Available'", type: 'Interface', state: 'Available' },
      { case: "state 'AVAILABLE'", type: 'Interface', state: 'AVAILABLE' },
      { case: "state {value: 'available'}", type: 'Interface', state: { value: 'available' } },
      { case: "state {value: 'Available'}", type: 'Interface', state: { value: 'Available' } },
      { case: "type 'interface' (lower case)", type: 'interface', state: 'available' },
    ])(
      'Noncompliance 7: evaluates an endpoint with $case like an available Interface endpoint',
      ({ type, state }) => {
        // Prepare
        const items = [...network(), vpcEndpoint({ id: ENDPOINT, type, state, subnetIds: [SUBNET_A1] })];

        // Act
        const evaluation = evaluationOf(items, ENDPOINT);

        // Assess
        expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'HIGH' });
        expect(fixOf(evaluation).actions).toEqual([addSubnets(SUBNET_B1)]);
      },
    );
  });

  describe('subnet choice for the missing AZ', () => {
    /**
     * The endpoint sits in A1 (us-east-1a) and B1 (us-east-1b); us-east-1c is missing and has
     * two candidates. Every subnet has an explicit route-table association, so no subnet shares
     * a table implicitly through the main table.
     */
    function choiceNetwork(
      c1: { name: string; freeIps: number },
      c2: { name: string; freeIps: number },
      c2SharesTable: boolean,
    ) {
      return [
        vpc(),
        subnet({ id: SUBNET_A1, az: 'us-east-1a', name: 'app-private-us-east-1a', freeIps: 200 }),
        subnet({ id: SUBNET_B1, az: 'us-east-1b', name: 'app-private-us-east-1b', freeIps: 200 }),
        subnet({ id: SUBNET_C1, az: 'us-east-1c', ...c1 }),
        subnet({ id: SUBNET_C2, az: 'us-east-1c', ...c2 }),
        routeTable({
          id: 'rtb-0a000001',
          associations: [
            subnetAssoc(SUBNET_A1),
            subnetAssoc(SUBNET_B1),
            ...(c2SharesTable ? [subnetAssoc(SUBNET_C2)] : []),
          ],
        }),
        routeTable({ id: 'rtb-0c000001', associations: [subnetAssoc(SUBNET_C1)] }),
        ...(c2SharesTable
          ? []
          : [routeTable({ id: 'rtb-0c000002', associations: [subnetAssoc(SUBNET_C2)] })]),
        vpcEndpoint({ id: ENDPOINT, subnetIds: [SUBNET_A1, SUBNET_B1] }),
      ];
    }

    it.each([
      {
        case: 'a subnet sharing a route table with the endpoint’s subnets beats a Name match and more free IPs',
        c1: { name: 'app-private-us-east-1c', freeIps: 4000 },
        c2: { name: 'db-isolated-us-east-1c', freeIps: 100 },
        c2SharesTable: true,
        expected: SUBNET_C2,
      },
      {
        case: 'a Name tag matching apart from the AZ beats more free IPs',
        c1: { name: 'app-private-us-east-1c', freeIps: 100 },
        c2: { name: 'db-isolated-us-east-1c', freeIps: 4000 },
        c2SharesTable: false,
        expected: SUBNET_C1,
      },
      {
        case: 'with no shared table and no Name match, the most free IPs wins',
        c1: { name: 'db-isolated-us-east-1c', freeIps: 100 },
        c2: { name: 'web-public-us-east-1c', freeIps: 4000 },
        c2SharesTable: false,
        expected: SUBNET_C2,
      },
      {
        case: 'a subnet with no free IP is never chosen, even when it shares a table and its Name matches',
        c1: { name: 'db-isolated-us-east-1c', freeIps: 16 },
        c2: { name: 'app-private-us-east-1c', freeIps: 0 },
        c2SharesTable: true,
        expected: SUBNET_C1,
      },
    ])('chooses the right subnet: $case', ({ c1, c2, c2SharesTable, expected }) => {
      // Prepare
      const items = choiceNetwork(c1, c2, c2SharesTable);

      // Act
      const evaluation = evaluationOf(items, ENDPOINT);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'HIGH' });
      expect(evaluation.reason).toMatch(/us-east-1c/);
      expect(fixOf(evaluation).actions).toEqual([addSubnets(expected)]);
    });
  });

  describe('Compliance', () => {
    it.each([
      { case: 'all three AZs of the VPC', threeAzs: true, subnetIds: [SUBNET_A1, SUBNET_B1, SUBNET_C1] },
      { case: 'both AZs of a two-AZ VPC', threeAzs: false, subnetIds: [SUBNET_A1, SUBNET_B1] },
    ])('is COMPLIANT when its subnets span $case', ({ threeAzs, subnetIds }) => {
      // Prepare
      const items = [...network({ threeAzs }), vpcEndpoint({ id: ENDPOINT, subnetIds })];

      // Act
      const evaluation = evaluationOf(items, ENDPOINT);

      // Assess
      expect(evaluation).toMatchObject({ status: 'COMPLIANT', severity: 'INFORMATIONAL', remediation: null });
    });

    it('is COMPLIANT when only another VPC has subnets in a third AZ', () => {
      // Prepare
      const items = [
        ...network(),
        vpc({ id: OTHER_VPC, cidr: '10.1.0.0/16' }),
        subnet({ id: SUBNET_C1, vpcId: OTHER_VPC, az: 'us-east-1c' }),
        vpcEndpoint({ id: ENDPOINT, subnetIds: [SUBNET_A1, SUBNET_B1] }),
      ];

      // Act
      const evaluation = evaluationOf(items, ENDPOINT);

      // Assess
      expect(evaluation).toMatchObject({ status: 'COMPLIANT', severity: 'INFORMATIONAL', remediation: null });
    });

    it('is COMPLIANT when the only subnet in a third AZ has been deleted', () => {
      // Prepare
      const items = [
        ...network(),
        deleted(subnet({ id: SUBNET_C1, az: 'us-east-1c' })),
        vpcEndpoint({ id: ENDPOINT, subnetIds: [SUBNET_A1, SUBNET_B1] }),
      ];

      // Act
      const evaluation = evaluationOf(items, ENDPOINT);

      // Assess
      expect(evaluation).toMatchObject({ status: 'COMPLIANT', severity: 'INFORMATIONAL', remediation: null });
    });
  });

  describe('Not applicable', () => {
    it.each([
      { type: 'Gateway', serviceName: 'com.amazonaws.us-east-1.s3' },
      { type: 'GatewayLoadBalancer', serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0a1b2c3d4e5f60718' },
      { type: 'Resource', serviceName: 'com.amazonaws.vpce.us-east-1.rcfg-0a1b2c3d4e5f60718' },
      { type: 'ServiceNetwork', serviceName: 'com.amazonaws.vpce.us-east-1.sn-0a1b2c3d4e5f60718' },
    ])('is NOT_APPLICABLE for a $type endpoint', ({ type, serviceName }) => {
      // Prepare: one subnet in a two-AZ VPC would be NON_COMPLIANT for an Interface endpoint.
      const items = [...network(), vpcEndpoint({ id: ENDPOINT, type, serviceName, subnetIds: [SUBNET_A1] })];

      // Act
      const evaluation = evaluationOf(items, ENDPOINT);

      // Assess
      expect(evaluation).toMatchObject({
        status: 'NOT_APPLICABLE',
        severity: 'INFORMATIONAL',
        remediation: null,
      });
    });

    it.each([
      { state: 'pending' },
      { state: 'pendingAcceptance' },
      { state: 'rejected' },
      { state: 'Rejected' },
      { state: 'failed' },
      { state: 'deleting' },
      { state: { value: 'pending' } },
    ])('is NOT_APPLICABLE when the state is $state', ({ state }) => {
      // Prepare
      const items = [...network(), vpcEndpoint({ id: ENDPOINT, state, subnetIds: [SUBNET_A1] })];

      // Act
      const evaluation = evaluationOf(items, ENDPOINT);

      // Assess
      expect(evaluation).toMatchObject({
        status: 'NOT_APPLICABLE',
        severity: 'INFORMATIONAL',
        remediation: null,
      });
    });

    it.each([
      { status: 'ResourceDeleted' },
      { status: 'ResourceNotRecorded' },
      { status: 'ResourceDeletedNotRecorded' },
    ] as const)('is NOT_APPLICABLE when the configuration item says $status', ({ status }) => {
      // Prepare
      const items = [...network(), deleted(vpcEndpoint({ id: ENDPOINT, subnetIds: [SUBNET_A1] }), status)];

      // Act
      const evaluation = evaluationOf(items, ENDPOINT);

      // Assess
      expect(evaluation).toMatchObject({
        status: 'NOT_APPLICABLE',
        severity: 'INFORMATIONAL',
        remediation: null,
      });
    });

    it.each([{ value: 'single-AZ test environment' }, { value: '' }])(
      'is NOT_APPLICABLE when tagged endpoint-guard:exempt = "$value"',
      ({ value }) => {
        // Prepare
        const items = [
          ...network(),
          vpcEndpoint({ id: ENDPOINT, subnetIds: [SUBNET_A1], tags: { 'endpoint-guard:exempt': value } }),
        ];

        // Act
        const evaluation = evaluationOf(items, ENDPOINT);

        // Assess
        expect(evaluation).toMatchObject({
          status: 'NOT_APPLICABLE',
          severity: 'INFORMATIONAL',
          remediation: null,
        });
      },
    );
  });

  it('reports every VPC endpoint exactly once, whatever its status, and nothing else', () => {
    // Prepare
    const items = [
      ...network(),
      vpcEndpoint({ id: 'vpce-0e000001', subnetIds: [SUBNET_A1, SUBNET_B1] }),
      vpcEndpoint({ id: 'vpce-0e000002', subnetIds: [SUBNET_A1] }),
      vpcEndpoint({ id: 'vpce-0e000003', type: 'Gateway', routeTableIds: ['rtb-0a000001'] }),
    ];

    // Act
    const { evaluations } = scanConfigurationItems(items, { rules: [RULE] });

    // Assess
    const mine = evaluations.filter((e) => e.ruleId === RULE);
    expect(mine.map((e) => e.resourceId).sort()).toEqual(['vpce-0e000001', 'vpce-0e000002', 'vpce-0e000003']);
    expect(mine.map((e) => e.status).sort()).toEqual(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']);
  });
});

/**
 * Spec tests for `gateway-endpoint-routes` (ARCHITECTURE.md, "The rules"), run end to end
 * through `scanConfigurationItems` on notification-form configuration items.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RULE_OPTIONS,
  type Evaluation,
  type RemediationPlan,
  type RuleId,
  type RuleOptions,
} from '../../shared/rules/types';
import { type ScanOptions, scanConfigurationItems } from '../../shared/scan/scan';
import {
  ACCOUNT,
  type ConfigurationItem,
  deleted,
  gatewayAssoc,
  igwRoute,
  localRoute,
  mainAssoc,
  natRoute,
  prefixListRoute,
  type RouteSpec,
  routeTable,
  subnet,
  subnetAssoc,
  VPC_ID,
  type VpcEndpointProps,
  vpc,
  vpcEndpoint,
} from '../support/config-items';

const RULE: RuleId = 'gateway-endpoint-routes';

const OTHER_VPC = 'vpc-0b000001';
const S3_ENDPOINT = 'vpce-05300001';
const DDB_ENDPOINT = 'vpce-0dd00001';
const S3_SERVICE = 'com.amazonaws.us-east-1.s3';
const DDB_SERVICE = 'com.amazonaws.us-east-1.dynamodb';
const S3_PREFIX_LIST = 'pl-63a5400a';
const DDB_PREFIX_LIST = 'pl-02cd2c6b';
const PRIVATE_RTB = 'rtb-0a000001';
const PUBLIC_RTB = 'rtb-0b000001';
const MAIN_RTB = 'rtb-0c000001';
const SUBNET_PRIVATE = 'subnet-0a000001';
const SUBNET_PUBLIC = 'subnet-0b000001';
const SUBNET_IMPLICIT = 'subnet-0c000001';

/** Scans the items and returns this rule's one evaluation of `resourceId`, checking the invariants. */
function evaluationOf(items: readonly unknown[], resourceId: string, options: ScanOptions = {}): Evaluation {
  const { evaluations } = scanConfigurationItems(items, { rules: [RULE], ...options });
  const matches = evaluations.filter((e) => e.ruleId === RULE && e.resourceId === resourceId);
  expect(matches, `one ${RULE} evaluation of ${resourceId}`).toHaveLength(1);
  const [evaluation] = matches;
  if (evaluation === undefined) throw new Error(`no ${RULE} evaluation of ${resourceId}`);
  expect(evaluation.resourceType).toBe('AWS::EC2::RouteTable');
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
  return plan;
}

/** A fix that moves S3 traffic onto the endpoint must warn about `aws:SourceIp` bucket policies. */
function s3FixOf(evaluation: Evaluation): Extract<RemediationPlan, { kind: 'fix' }> {
  const plan = fixOf(evaluation);
  expect(plan.warnings.join('\n')).toMatch(/aws:SourceIp/);
  return plan;
}

function expectTicketOnly(evaluation: Evaluation): void {
  expect(evaluation.remediation).toEqual({
    kind: 'ticket-only',
    summary: expect.stringMatching(/\S/),
    why: expect.stringMatching(/\S/),
  });
}

function addRouteTables(endpointId: string, ...routeTableIds: string[]) {
  return {
    service: 'ec2',
    action: 'ModifyVpcEndpoint',
    parameters: { VpcEndpointId: endpointId, AddRouteTableIds: routeTableIds },
  };
}

function createGatewayEndpoint(serviceName: string, ...routeTableIds: string[]) {
  return {
    service: 'ec2',
    action: 'CreateVpcEndpoint',
    parameters: {
      VpcId: VPC_ID,
      ServiceName: serviceName,
      VpcEndpointType: 'Gateway',
      RouteTableIds: routeTableIds,
      ClientToken: expect.stringMatching(/\S/),
    },
  };
}

function withOptions(overrides: Partial<RuleOptions['gateway-endpoint-routes']>): ScanOptions {
  return {
    ruleOptions: {
      ...DEFAULT_RULE_OPTIONS,
      'gateway-endpoint-routes': { ...DEFAULT_RULE_OPTIONS['gateway-endpoint-routes'], ...overrides },
    },
  };
}

function s3Endpoint(props: Partial<VpcEndpointProps> = {}): ConfigurationItem {
  return vpcEndpoint({ id: S3_ENDPOINT, type: 'Gateway', serviceName: S3_SERVICE, ...props });
}

function dynamoDbEndpoint(props: Partial<VpcEndpointProps> = {}): ConfigurationItem {
  return vpcEndpoint({ id: DDB_ENDPOINT, type: 'Gateway', serviceName: DDB_SERVICE, ...props });
}

/**
 * One VPC: a private subnet on PRIVATE_RTB (default route to a NAT), a public subnet on
 * PUBLIC_RTB (default route to the IGW) and the main table MAIN_RTB. Every subnet is explicitly
 * associated unless `implicitSubnet` adds one that falls back to the main table.
 */
function network(
  opts: { privateRoutes?: RouteSpec[]; mainRoutes?: RouteSpec[]; implicitSubnet?: boolean } = {},
): ConfigurationItem[] {
  const { privateRoutes = [], mainRoutes = [], implicitSubnet = false } = opts;
  return [
    vpc(),
    subnet({ id: SUBNET_PRIVATE, az: 'us-east-1a', name: 'private-us-east-1a' }),
    subnet({ id: SUBNET_PUBLIC, az: 'us-east-1a', name: 'public-us-east-1a' }),
    ...(implicitSubnet
      ? [subnet({ id: SUBNET_IMPLICIT, az: 'us-east-1b', name: 'isolated-us-east-1b' })]
      : []),
    routeTable({
      id: PRIVATE_RTB,
      routes: [localRoute(), natRoute(), ...privateRoutes],
      associations: [subnetAssoc(SUBNET_PRIVATE)],
    }),
    routeTable({
      id: PUBLIC_RTB,
      routes: [localRoute(), igwRoute()],
      associations: [subnetAssoc(SUBNET_PUBLIC)],
    }),
    routeTable({ id: MAIN_RTB, routes: [localRoute(), ...mainRoutes], associations: [mainAssoc()] }),
  ];
}

describe('gateway-endpoint-routes', () => {
  describe('Noncompliance', () => {
    it('Noncompliance 1: is NON_COMPLIANT (MEDIUM) when a private table is not associated with the VPC’s S3 endpoint', () => {
      // Prepare
      const items = [...network(), s3Endpoint({ routeTableIds: [] })];

      // Act
      const evaluation = evaluationOf(items, PRIVATE_RTB);

      // Assess
      expect(evaluation).toMatchObject({
        status: 'NON_COMPLIANT',
        severity: 'MEDIUM',
        resourceType: 'AWS::EC2::RouteTable',
        accountId: ACCOUNT,
        region: 'us-east-1',
        arn: `arn:aws:ec2:us-east-1:${ACCOUNT}:route-table/${PRIVATE_RTB}`,
      });
      expect(s3FixOf(evaluation).actions).toEqual([addRouteTables(S3_ENDPOINT, PRIVATE_RTB)]);
    });

    it('Noncompliance 2: is ticket-only when the VPC has no S3 endpoint and allowCreateEndpoint is off (default)', () => {
      // Prepare
      const items = network();

      // Act
      const evaluation = evaluationOf(items, PRIVATE_RTB);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
      expectTicketOnly(evaluation);
    });

    it('Noncompliance 3: plans CreateVpcEndpoint (Gateway, with a ClientToken) when allowCreateEndpoint is on', () => {
      // Prepare
      const items = network();

      // Act
      const evaluation = evaluationOf(items, PRIVATE_RTB, withOptions({ allowCreateEndpoint: true }));

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
      expect(s3FixOf(evaluation).actions).toEqual([createGatewayEndpoint(S3_SERVICE, PRIVATE_RTB)]);
    });

    it.each([
      {
        case: 'the only S3 gateway endpoint belongs to another VPC',
        endpoint: s3Endpoint({ vpcId: OTHER_VPC, routeTableIds: ['rtb-0f000001'] }),
      },
      {
        case: 'the VPC’s only S3 endpoint is an Interface endpoint',
        endpoint: s3Endpoint({ type: 'Interface', subnetIds: [SUBNET_PRIVATE] }),
      },
    ])('Noncompliance 4: is NON_COMPLIANT and ticket-only when $case', ({ endpoint }) => {
      // Prepare
      const items = [...network(), endpoint];

      // Act
      const evaluation = evaluationOf(items, PRIVATE_RTB);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
      expectTicketOnly(evaluation);
    });

    it.each([
      { state: 'pending' },
      { state: 'rejected' },
      { state: 'deleting' },
      { state: { value: 'pending' } },
    ])(
      'Noncompliance 5: an S3 endpoint in state $state does not count, even when associated',
      ({ state }) => {
        // Prepare: associated both ways, but the endpoint is not available.
        const items = [
          ...network({ privateRoutes: [prefixListRoute(S3_PREFIX_LIST, S3_ENDPOINT)] }),
          s3Endpoint({ state, routeTableIds: [PRIVATE_RTB] }),
        ];

        // Act
        const evaluation = evaluationOf(items, PRIVATE_RTB);

        // Assess
        expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
      },
    );

    it('Noncompliance 6: is NON_COMPLIANT when the VPC has an available DynamoDB endpoint the table lacks (if-present)', () => {
      // Prepare
      const items = [
        ...network(),
        s3Endpoint({ routeTableIds: [PRIVATE_RTB] }),
        dynamoDbEndpoint({ routeTableIds: [] }),
      ];

      // Act
      const evaluation = evaluationOf(items, PRIVATE_RTB);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
      expect(fixOf(evaluation).actions).toEqual([addRouteTables(DDB_ENDPOINT, PRIVATE_RTB)]);
    });

    it('Noncompliance 7: a route to the DynamoDB endpoint does not count for S3', () => {
      // Prepare
      const items = [
        ...network({ privateRoutes: [prefixListRoute(DDB_PREFIX_LIST, DDB_ENDPOINT)] }),
        s3Endpoint({ routeTableIds: [] }),
        dynamoDbEndpoint({ routeTableIds: [PRIVATE_RTB] }),
      ];

      // Act
      const evaluation = evaluationOf(items, PRIVATE_RTB);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
      expect(s3FixOf(evaluation).actions).toEqual([addRouteTables(S3_ENDPOINT, PRIVATE_RTB)]);
    });

    it('Noncompliance 8: plans one association per missing service when both endpoints exist', () => {
      // Prepare
      const items = [
        ...network(),
        s3Endpoint({ routeTableIds: [] }),
        dynamoDbEndpoint({ routeTableIds: [] }),
      ];

      // Act
      const evaluation = evaluationOf(items, PRIVATE_RTB);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
      const { actions } = s3FixOf(evaluation);
      expect(actions).toHaveLength(2);
      expect(actions).toEqual(
        expect.arrayContaining([
          addRouteTables(S3_ENDPOINT, PRIVATE_RTB),
          addRouteTables(DDB_ENDPOINT, PRIVATE_RTB),
        ]),
      );
    });

    it("Noncompliance 9: with dynamodb 'required', a VPC without a DynamoDB endpoint is ticket-only by default", () => {
      // Prepare
      const items = [...network(), s3Endpoint({ routeTableIds: [PRIVATE_RTB] })];

      // Act
      const evaluation = evaluationOf(
        items,
        PRIVATE_RTB,
        withOptions({ services: { s3: 'required', dynamodb: 'required' } }),
      );

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
      expectTicketOnly(evaluation);
    });

    it("Noncompliance 10: with dynamodb 'required' and allowCreateEndpoint, plans a DynamoDB gateway endpoint", () => {
      // Prepare
      const items = [...network(), s3Endpoint({ routeTableIds: [PRIVATE_RTB] })];

      // Act
      const evaluation = evaluationOf(
        items,
        PRIVATE_RTB,
        withOptions({ allowCreateEndpoint: true, services: { s3: 'required', dynamodb: 'required' } }),
      );

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
      expect(fixOf(evaluation).actions).toEqual([createGatewayEndpoint(DDB_SERVICE, PRIVATE_RTB)]);
    });

    it('Noncompliance 11: the main table is in scope when some subnet of the VPC has no explicit association', () => {
      // Prepare
      const items = [...network({ implicitSubnet: true }), s3Endpoint({ routeTableIds: [PRIVATE_RTB] })];

      // Act
      const evaluation = evaluationOf(items, MAIN_RTB);

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
      expect(s3FixOf(evaluation).actions).toEqual([addRouteTables(S3_ENDPOINT, MAIN_RTB)]);
    });

    it('Noncompliance 12: a public table is in scope with includePublicRouteTables', () => {
      // Prepare
      const items = [...network(), s3Endpoint({ routeTableIds: [PRIVATE_RTB] })];

      // Act
      const evaluation = evaluationOf(items, PUBLIC_RTB, withOptions({ includePublicRouteTables: true }));

      // Assess
      expect(evaluation).toMatchObject({ status: 'NON_COMPLIANT', severity: 'MEDIUM' });
      expect(s3FixOf(evaluation).actions).toEqual([addRouteTables(S3_ENDPOINT, PUBLIC_RTB)]);
    });
  });

  describe('Compliance', () => {
    it.each([
      { case: 'the endpoint’s routeTableIds', routeTableIds: [PRIVATE_RTB], routes: [] },
      {
        case: 'a prefix-list route to the endpoint',
        routeTableIds: [],
        routes: [prefixListRoute(S3_PREFIX_LIST, S3_ENDPOINT)],
      },
      {
        case: 'both routeTableIds and the prefix-list route',
        routeTableIds: [PRIVATE_RTB],
        routes: [prefixListRoute(S3_PREFIX_LIST, S3_ENDPOINT)],
      },
    ])('is COMPLIANT when associated with the S3 endpoint through $case', ({ routeTableIds, routes }) => {
      // Prepare
      const items = [...network({ privateRoutes: routes }), s3Endpoint({ routeTableIds })];

      // Act
      const evaluation = evaluationOf(items, PRIVATE_RTB);

      // Assess
      expect(evaluation).toMatchObject({ status: 'COMPLIANT', severity: 'INFORMATIONAL', remediation: null });
    });

    it.each([{ state: 'Available' }, { state: { value: 'available' } }])(
      'is COMPLIANT when the S3 endpoint state is $state',
      ({ state }) => {
        // Prepare
        const items = [...network(), s3Endpoint({ state, routeTableIds: [PRIVATE_RTB] })];

        // Act
        const evaluation = evaluationOf(items, PRIVATE_RTB);

        // Assess
        expect(evaluation).toMatchObject({
          status: 'COMPLIANT',
          severity: 'INFORMATIONAL',
          remediation: null,
        });
      },
    );

    it.each([
      {
        case: 'is associated with the VPC’s DynamoDB endpoint too (routeTableIds)',
        ddb: dynamoDbEndpoint({ routeTableIds: [PRIVATE_RTB] }),
        routes: [],
      },
      {
        case: 'is associated with the VPC’s DynamoDB endpoint too (prefix-list route)',
        ddb: dynamoDbEndpoint({ routeTableIds: [] }),
        routes: [prefixListRoute(DDB_PREFIX_LIST, DDB_ENDPOINT)],
      },
      {
        case: 'lacks DynamoDB but only another VPC has a DynamoDB endpoint',
        ddb: dynamoDbEndpoint({ vpcId: OTHER_VPC, routeTableIds: ['rtb-0f000001'] }),
        routes: [],
      },
      {
        case: 'lacks DynamoDB and the VPC’s DynamoDB endpoint is still pending',
        ddb: dynamoDbEndpoint({ state: 'pending', routeTableIds: [] }),
        routes: [],
      },
    ])('is COMPLIANT when the table has S3 and $case', ({ ddb, routes }) => {
      // Prepare
      const items = [
        ...network({ privateRoutes: routes }),
        s3Endpoint({ routeTableIds: [PRIVATE_RTB] }),
        ddb,
      ];

      // Act
      const evaluation = evaluationOf(items, PRIVATE_RTB);

      // Assess
      expect(evaluation).toMatchObject({ status: 'COMPLIANT', severity: 'INFORMATIONAL', remediation: null });
    });

    it('is COMPLIANT when the in-scope main table is associated with the S3 endpoint', () => {
      // Prepare
      const items = [
        ...network({ implicitSubnet: true }),
        s3Endpoint({ routeTableIds: [PRIVATE_RTB, MAIN_RTB] }),
      ];

      // Act
      const evaluation = evaluationOf(items, MAIN_RTB);

      // Assess
      expect(evaluation).toMatchObject({ status: 'COMPLIANT', severity: 'INFORMATIONAL', remediation: null });
    });

    it('is COMPLIANT when a public table brought in by includePublicRouteTables is associated', () => {
      // Prepare
      const items = [...network(), s3Endpoint({ routeTableIds: [PRIVATE_RTB, PUBLIC_RTB] })];

      // Act
      const evaluation = evaluationOf(items, PUBLIC_RTB, withOptions({ includePublicRouteTables: true }));

      // Assess
      expect(evaluation).toMatchObject({ status: 'COMPLIANT', severity: 'INFORMATIONAL', remediation: null });
    });
  });

  describe('Not applicable', () => {
    it('is NOT_APPLICABLE for a public table (0.0.0.0/0 to an igw-) by default', () => {
      // Prepare
      const items = [...network(), s3Endpoint({ routeTableIds: [PRIVATE_RTB] })];

      // Act
      const evaluation = evaluationOf(items, PUBLIC_RTB);

      // Assess
      expect(evaluation).toMatchObject({
        status: 'NOT_APPLICABLE',
        severity: 'INFORMATIONAL',
        remediation: null,
      });
    });

    it('is NOT_APPLICABLE for the main table when every subnet of the VPC is explicitly associated', () => {
      // Prepare
      const items = [...network(), s3Endpoint({ routeTableIds: [PRIVATE_RTB] })];

      // Act
      const evaluation = evaluationOf(items, MAIN_RTB);

      // Assess
      expect(evaluation).toMatchObject({
        status: 'NOT_APPLICABLE',
        severity: 'INFORMATIONAL',
        remediation: null,
      });
    });

    it('is NOT_APPLICABLE for the main table when only a subnet of another VPC lacks an explicit association', () => {
      // Prepare
      const items = [
        ...network(),
        vpc({ id: OTHER_VPC, cidr: '10.1.0.0/16' }),
        subnet({ id: 'subnet-0f000001', vpcId: OTHER_VPC, az: 'us-east-1a' }),
        s3Endpoint({ routeTableIds: [PRIVATE_RTB] }),
      ];

      // Act
      const evaluation = evaluationOf(items, MAIN_RTB);

      // Assess
      expect(evaluation).toMatchObject({
        status: 'NOT_APPLICABLE',
        severity: 'INFORMATIONAL',
        remediation: null,
      });
    });

    it.each([
      { case: 'no association at all', associations: [] },
      { case: 'only an edge (gateway) association', associations: [gatewayAssoc()] },
    ])('is NOT_APPLICABLE for a non-main table with $case', ({ associations }) => {
      // Prepare
      const orphan = 'rtb-0d000001';
      const items = [
        ...network(),
        routeTable({ id: orphan, routes: [localRoute(), natRoute()], associations }),
        s3Endpoint({ routeTableIds: [PRIVATE_RTB] }),
      ];

      // Act
      const evaluation = evaluationOf(items, orphan);

      // Assess
      expect(evaluation).toMatchObject({
        status: 'NOT_APPLICABLE',
        severity: 'INFORMATIONAL',
        remediation: null,
      });
    });

    it('is NOT_APPLICABLE when tagged endpoint-guard:exempt', () => {
      // Prepare
      const items = [
        vpc(),
        subnet({ id: SUBNET_PRIVATE, az: 'us-east-1a' }),
        routeTable({
          id: PRIVATE_RTB,
          routes: [localRoute(), natRoute()],
          associations: [subnetAssoc(SUBNET_PRIVATE)],
          tags: { 'endpoint-guard:exempt': 'isolated batch subnet, no S3 access needed' },
        }),
        s3Endpoint({ routeTableIds: [] }),
      ];

      // Act
      const evaluation = evaluationOf(items, PRIVATE_RTB);

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
      const items = [
        vpc(),
        subnet({ id: SUBNET_PRIVATE, az: 'us-east-1a' }),
        deleted(
          routeTable({
            id: PRIVATE_RTB,
            routes: [localRoute(), natRoute()],
            associations: [subnetAssoc(SUBNET_PRIVATE)],
          }),
          status,
        ),
        s3Endpoint({ routeTableIds: [] }),
      ];

      // Act
      const evaluation = evaluationOf(items, PRIVATE_RTB);

      // Assess
      expect(evaluation).toMatchObject({
        status: 'NOT_APPLICABLE',
        severity: 'INFORMATIONAL',
        remediation: null,
      });
    });
  });

  it('reports every route table exactly once, whatever its status', () => {
    // Prepare
    const items = [...network({ implicitSubnet: true }), s3Endpoint({ routeTableIds: [PRIVATE_RTB] })];

    // Act
    const { evaluations } = scanConfigurationItems(items, { rules: [RULE] });

    // Assess
    const mine = evaluations.filter((e) => e.ruleId === RULE);
    expect(mine.map((e) => [e.resourceId, e.status]).sort()).toEqual([
      [PRIVATE_RTB, 'COMPLIANT'],
      [PUBLIC_RTB, 'NOT_APPLICABLE'],
      [MAIN_RTB, 'NON_COMPLIANT'],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { parseCloudTrailEvent } from '../../shared/events/cloudtrail';
import {
  CLOUDTRAIL_EVENT_NAMES,
  CLOUDTRAIL_MAP,
  mergeScopes,
  planCloudTrailEvaluation,
} from '../../shared/events/cloudtrail-map';
import { RULES } from '../../shared/rules/index';
import type { RuleId } from '../../shared/rules/types';
import { eventFixture, eventFixtureNames } from './support';

const BUCKET = 'eg-reports-111122223333';
const ENDPOINT_RULE: RuleId = 'interface-endpoint-multi-az';
const ROUTE_RULE: RuleId = 'gateway-endpoint-routes';
const BUCKET_RULE: RuleId = 's3-bucket-public-access';

/** The detectors run in the central account; the fixtures' own function calls come from it. */
const CENTRAL = { centralAccountId: '111122223333' };

function planOf(path: string, mutate?: (detail: Record<string, unknown>) => void) {
  const event = eventFixture(path);
  if (mutate) mutate(event.detail as Record<string, unknown>);
  return planCloudTrailEvaluation(parseCloudTrailEvent(event), CENTRAL);
}

describe('the CloudTrail mapping table', () => {
  it("holds, for each rule, exactly the rule's declared triggers", () => {
    for (const rule of RULES) {
      const mapped = CLOUDTRAIL_MAP[rule.id].map((entry) => `${entry.eventSource} ${entry.eventName}`).sort();
      const declared = rule.triggers.map((trigger) => `${trigger.eventSource} ${trigger.eventName}`).sort();

      expect(mapped, rule.id).toEqual(declared);
    }
  });

  it('derives CLOUDTRAIL_EVENT_NAMES, the union of every rule trigger per EventBridge source', () => {
    // Prepare
    const union = (source: string) =>
      [
        ...new Set(
          RULES.flatMap((rule) => rule.triggers)
            .filter((trigger) => trigger.eventSource === source)
            .map((trigger) => trigger.eventName),
        ),
      ].sort();

    // Assess
    expect(CLOUDTRAIL_EVENT_NAMES).toEqual([
      { source: 'aws.ec2', eventNames: union('ec2.amazonaws.com') },
      { source: 'aws.s3', eventNames: union('s3.amazonaws.com') },
    ]);
    expect(CLOUDTRAIL_EVENT_NAMES).toEqual([
      {
        source: 'aws.ec2',
        eventNames: [
          'AssociateRouteTable',
          'CreateRoute',
          'CreateRouteTable',
          'CreateSubnet',
          'CreateTags',
          'CreateVpcEndpoint',
          'DeleteRoute',
          'DeleteSubnet',
          'DeleteTags',
          'DeleteVpcEndpoints',
          'DisassociateRouteTable',
          'ModifyVpcEndpoint',
          'ReplaceRoute',
          'ReplaceRouteTableAssociation',
        ],
      },
      {
        source: 'aws.s3',
        eventNames: [
          'CreateBucket',
          'DeleteAccountPublicAccessBlock',
          'DeleteBucketPolicy',
          'DeleteBucketPublicAccessBlock',
          'DeleteBucketTagging',
          'PutAccountPublicAccessBlock',
          'PutBucketAcl',
          'PutBucketPolicy',
          'PutBucketPublicAccessBlock',
          'PutBucketTagging',
        ],
      },
    ]);
  });

  it('has a fixture for every mapped event name', () => {
    const named = new Set(
      eventFixtureNames('cloudtrail').map((name) =>
        String((eventFixture(`cloudtrail/${name}`).detail as { eventName: string }).eventName),
      ),
    );

    for (const { eventNames } of CLOUDTRAIL_EVENT_NAMES) {
      for (const eventName of eventNames) expect(named, eventName).toContain(eventName);
    }
  });
});

describe('planCloudTrailEvaluation', () => {
  it.each([
    ['create-vpc-endpoint.json', [ENDPOINT_RULE, ROUTE_RULE], { vpcIds: ['vpc-0a000001'] }],
    ['modify-vpc-endpoint.json', [ENDPOINT_RULE, ROUTE_RULE], { endpointIds: ['vpce-0e000002'] }],
    ['create-subnet.json', [ENDPOINT_RULE, ROUTE_RULE], { vpcIds: ['vpc-0a000001'] }],
    ['delete-subnet.json', [ENDPOINT_RULE, ROUTE_RULE], { allVpcs: true }],
    ['create-route-table.json', [ROUTE_RULE], { vpcIds: ['vpc-0a000001'] }],
    ['associate-route-table.json', [ROUTE_RULE], { routeTableIds: ['rtb-0b000005'] }],
    ['replace-route-table-association.json', [ROUTE_RULE], { routeTableIds: ['rtb-0b000001'] }],
    ['disassociate-route-table.json', [ROUTE_RULE], { allVpcs: true }],
    ['create-route.json', [ROUTE_RULE], { routeTableIds: ['rtb-0b000001'] }],
    ['replace-route.json', [ROUTE_RULE], { routeTableIds: ['rtb-0b000001'] }],
    ['delete-route.json', [ROUTE_RULE], { routeTableIds: ['rtb-0b000001'] }],
    ['delete-tags.json', [ENDPOINT_RULE], { endpointIds: ['vpce-0e000001'] }],
    ['put-bucket-tagging.json', [BUCKET_RULE], { bucketNames: [BUCKET], accountPublicAccessBlock: true }],
    ['delete-bucket-tagging.json', [BUCKET_RULE], { bucketNames: [BUCKET], accountPublicAccessBlock: true }],
    ['create-bucket.json', [BUCKET_RULE], { bucketNames: [BUCKET], accountPublicAccessBlock: true }],
    ['put-bucket-policy.json', [BUCKET_RULE], { bucketNames: [BUCKET], accountPublicAccessBlock: true }],
    ['delete-bucket-policy.json', [BUCKET_RULE], { bucketNames: [BUCKET], accountPublicAccessBlock: true }],
    ['put-bucket-acl.json', [BUCKET_RULE], { bucketNames: [BUCKET], accountPublicAccessBlock: true }],
    [
      'put-bucket-public-access-block.json',
      [BUCKET_RULE],
      { bucketNames: [BUCKET], accountPublicAccessBlock: true },
    ],
    [
      'delete-bucket-public-access-block.json',
      [BUCKET_RULE],
      { bucketNames: [BUCKET], accountPublicAccessBlock: true },
    ],
    [
      'put-account-public-access-block.json',
      [BUCKET_RULE],
      { allBuckets: true, accountPublicAccessBlock: true },
    ],
    [
      'delete-account-public-access-block.json',
      [BUCKET_RULE],
      { allBuckets: true, accountPublicAccessBlock: true },
    ],
    ['cross-account-create-route.json', [ROUTE_RULE], { routeTableIds: ['rtb-0b000101'] }],
  ])('%s → rules %j, scope %j', (file, ruleIds, scope) => {
    // Act
    const plan = planOf(`cloudtrail/${file}`);

    // Assess
    expect(plan.kind).toBe('evaluate');
    expect(plan.kind === 'evaluate' && plan.ruleIds).toEqual(ruleIds);
    expect(plan.kind === 'evaluate' && plan.scope).toEqual(scope);
  });

  it('says why it widens to every VPC when the VPC is not named', () => {
    const plan = planOf('cloudtrail/disassociate-route-table.json');

    expect(plan.kind === 'evaluate' && plan.notes).toEqual([
      'gateway-endpoint-routes: DisassociateRouteTable names only the association id but not the VPC, which cannot be resolved after the fact: every VPC of the account and region is re-evaluated',
    ]);
  });

  it('re-evaluates every VPC for DeleteVpcEndpoints, whose VPC cannot be resolved, and says why', () => {
    const plan = planOf('cloudtrail/delete-vpc-endpoints.json');

    expect(plan).toEqual({
      kind: 'evaluate',
      scope: { allVpcs: true },
      ruleIds: [ROUTE_RULE],
      notes: [
        'gateway-endpoint-routes: DeleteVpcEndpoints names only the deleted endpoints (vpce-0e000002), whose VPC cannot be resolved after the fact: every VPC of the account and region is re-evaluated',
      ],
    });
  });

  it('evaluates only the tagged resources of each rule type for CreateTags', () => {
    const plan = planOf('cloudtrail/create-tags.json');

    expect(plan).toEqual({
      kind: 'evaluate',
      scope: { endpointIds: ['vpce-0e000001'], routeTableIds: ['rtb-0b000001'] },
      ruleIds: [ENDPOINT_RULE, ROUTE_RULE],
      notes: [],
    });
  });

  it('ignores tags on resources no rule evaluates', () => {
    const plan = planOf('cloudtrail/create-tags.json', (detail) => {
      detail.requestParameters = { resourcesSet: { items: [{ resourceId: 'sg-0c000001' }] }, tagSet: {} };
    });

    expect(plan.kind === 'ignore' && plan.reason).toBe('unresolved');
  });

  it('uses the VPC when a DeleteVpcEndpoints request happens to name it', () => {
    const plan = planOf('cloudtrail/delete-vpc-endpoints.json', (detail) => {
      detail.requestParameters = {
        DeleteVpcEndpointsRequest: { VpcEndpointId: { tag: 1, content: 'vpce-1' }, VpcId: 'vpc-9' },
      };
    });

    expect(plan).toEqual({
      kind: 'evaluate',
      scope: { vpcIds: ['vpc-9'] },
      ruleIds: [ROUTE_RULE],
      notes: [],
    });
  });

  describe('reads both EC2 request encodings', () => {
    it('a wrapped CreateSubnet request', () => {
      const plan = planOf('cloudtrail/create-subnet.json', (detail) => {
        detail.requestParameters = { CreateSubnetRequest: { VpcId: 'vpc-7', CidrBlock: '10.0.9.0/24' } };
        detail.responseElements = null;
      });

      expect(plan.kind === 'evaluate' && plan.scope).toEqual({ vpcIds: ['vpc-7'] });
    });

    it('the VPC of a CreateVpcEndpoint from the response when the request lacks it', () => {
      const plan = planOf('cloudtrail/create-vpc-endpoint.json', (detail) => {
        detail.requestParameters = {
          CreateVpcEndpointRequest: { ServiceName: 'com.amazonaws.us-east-1.ssm' },
        };
      });

      expect(plan.kind === 'evaluate' && plan.scope).toEqual({ vpcIds: ['vpc-0a000001'] });
    });

    it('the endpoint id alone when neither names the VPC', () => {
      const plan = planOf('cloudtrail/create-vpc-endpoint.json', (detail) => {
        detail.requestParameters = {};
        detail.responseElements = { CreateVpcEndpointResponse: { vpcEndpoint: { vpcEndpointId: 'vpce-5' } } };
      });

      expect(plan.kind === 'evaluate' && plan.scope).toEqual({ endpointIds: ['vpce-5'] });
    });

    it('a flat lowerCamelCase ModifyVpcEndpoint', () => {
      const plan = planOf('cloudtrail/modify-vpc-endpoint.json', (detail) => {
        detail.requestParameters = { vpcEndpointId: 'vpce-3', addSubnetId: ['subnet-1'] };
      });

      expect(plan.kind === 'evaluate' && plan.scope).toEqual({ endpointIds: ['vpce-3'] });
    });

    it('the new table of a CreateRouteTable when the VPC is nowhere', () => {
      const plan = planOf('cloudtrail/create-route-table.json', (detail) => {
        detail.requestParameters = {};
        detail.responseElements = { routeTable: { routeTableId: 'rtb-8' } };
      });

      expect(plan.kind === 'evaluate' && plan.scope).toEqual({ routeTableIds: ['rtb-8'] });
    });
  });

  describe('ignores', () => {
    it('a failed call (errorCode), before anything else', () => {
      expect(planOf('cloudtrail/ignored/create-route-failed.json')).toEqual({
        kind: 'ignore',
        reason: 'failed',
        detail: 'the call failed with Client.UnauthorizedOperation',
      });
    });

    it("a call by endpoint-guard's member role", () => {
      expect(planOf('cloudtrail/ignored/modify-vpc-endpoint-by-member-role.json')).toEqual({
        kind: 'ignore',
        reason: 'self',
        detail: "made by endpoint-guard's own role EndpointGuardMember",
      });
    });

    it("a call by one of endpoint-guard's central functions", () => {
      expect(planOf('cloudtrail/ignored/put-bucket-public-access-block-by-function.json')).toEqual({
        kind: 'ignore',
        reason: 'self',
        detail: "made by endpoint-guard's own role endpoint-guard-remediate-role",
      });
    });

    it('a call no rule reacts to', () => {
      expect(planOf('cloudtrail/ignored/create-security-group.json')).toEqual({
        kind: 'ignore',
        reason: 'unmapped',
        detail: 'no rule reacts to ec2.amazonaws.com CreateSecurityGroup',
      });
    });

    it('a known call from another service with the same name', () => {
      const plan = planOf('cloudtrail/create-route.json', (detail) => {
        detail.eventSource = 'ec2messages.amazonaws.com';
      });

      expect(plan.kind === 'ignore' && plan.reason).toBe('unmapped');
    });

    it('a mapped call whose request does not name what it changed', () => {
      expect(planOf('cloudtrail/malformed/request-without-route-table.json')).toEqual({
        kind: 'ignore',
        reason: 'unresolved',
        detail: 'gateway-endpoint-routes: the request names no routeTableId',
      });
    });

    it('a bucket call without a bucket name', () => {
      const plan = planOf('cloudtrail/put-bucket-policy.json', (detail) => {
        detail.requestParameters = { Host: 's3.amazonaws.com' };
      });

      expect(plan).toEqual({
        kind: 'ignore',
        reason: 'unresolved',
        detail: 's3-bucket-public-access: the request names no bucketName',
      });
    });
  });
});

describe('mergeScopes', () => {
  it('unions id lists without duplicates and ors the flags', () => {
    expect(
      mergeScopes([
        { vpcIds: ['vpc-1'], endpointIds: ['vpce-1'] },
        { vpcIds: ['vpc-1', 'vpc-2'], accountPublicAccessBlock: true },
        { allVpcs: false, bucketNames: [] },
      ]),
    ).toEqual({ vpcIds: ['vpc-1', 'vpc-2'], endpointIds: ['vpce-1'], accountPublicAccessBlock: true });
  });
});

/**
 * The promise of ARCHITECTURE.md, "How to add a rule", kept by a test: a rule and a fix action
 * defined only here, registered through the public registry API, flow end to end with no change
 * anywhere else in the repository: a snapshot scan, a live evaluation over faked clients, the
 * Finding schema, the store, remediate (the fix applied, verified and audited), and rollback.
 *
 * The rule: every VPC endpoint carries an owner tag (its key and default value are the rule's
 * settings options). The fix: EC2 CreateTags; its reverse: DeleteTags.
 */
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  type Tag,
} from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { evaluateLive, LiveInventoryReader } from '../../shared/aws/live-inventory';
import { planCloudTrailEvaluation } from '../../shared/events/cloudtrail-map';
import { ec2 as ec2Trigger, taggedResources } from '../../shared/events/scope-finders';
import { parseFinding, toFinding } from '../../shared/findings/finding';
import { Inventory } from '../../shared/inventory/inventory';
import { normalizeItems, parseConfigurationItems } from '../../shared/inventory/load';
import type { VpcEndpoint } from '../../shared/model';
import { SnsNotifier } from '../../shared/notifications/sns-notifier';
import { type ActionModule, type ChangeModule, registerAction } from '../../shared/remediation/actions/index';
import { EventBridgeRemediationSink } from '../../shared/remediation/event-publisher';
import { FindingProcessor } from '../../shared/remediation/processor';
import { Rollbacker } from '../../shared/remediation/rollback';
import { evaluationOf, preliminaryVerdict } from '../../shared/rules/evaluation';
import { isRuleId, RULE_IDS, registerRule } from '../../shared/rules/index';
import type { Evaluation, Rule } from '../../shared/rules/types';
import { scanInventory } from '../../shared/scan/scan';
import { SettingsProvider } from '../../shared/settings/provider';
import { parseSettings, ruleOptionsOf } from '../../shared/settings/schema';
import { strictObject } from '../../shared/settings/strict-object';
import { FindingStore } from '../../shared/store/finding-store';
import { TicketLifecycle } from '../../shared/tickets/lifecycle';
import type { TicketSink } from '../../shared/tickets/ports';
import { vpcEndpoint } from '../support/config-items';
import { useDynalite } from '../support/dynalite';

// ─── The action, defined only here ─────────────────────────────────────────────────────────────

const tagParameters = z.object({
  Resources: z.array(z.string().min(1)).length(1),
  Tags: z.array(z.object({ Key: z.string().min(1), Value: z.string() })).length(1),
});
const createTagsSchema = z.object({
  service: z.literal('ec2'),
  action: z.literal('CreateTags'),
  parameters: tagParameters,
});
type CreateTagsAction = z.output<typeof createTagsSchema>;

const tagAddedSchema = z.object({
  kind: z.literal('test-tag-added'),
  resourceId: z.string().min(1),
  key: z.string().min(1),
  value: z.string(),
});
type TagAdded = z.output<typeof tagAddedSchema>;

/** The tags of a resource, live: DescribeTags filtered by resource id. */
const tagsProbe = {
  name: 'ownerTags',
  async read(clients: { ec2: EC2Client }, keys: readonly string[]) {
    const response = await clients.ec2.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [...keys] }] }),
    );
    const tags = new Map<string, Record<string, string>>();
    for (const tag of response.Tags ?? []) {
      const entry = tags.get(tag.ResourceId ?? '') ?? {};
      entry[tag.Key ?? ''] = tag.Value ?? '';
      tags.set(tag.ResourceId ?? '', entry);
    }
    return tags;
  },
  summarize: (tags: Record<string, string>) => tags,
};

const tagAdded: ChangeModule<TagAdded, Record<string, string>> = {
  kind: 'test-tag-added',
  schema: tagAddedSchema,
  probe: tagsProbe,
  keyOf: (change) => change.resourceId,
  describe: (change) => `tagged ${change.resourceId} ${change.key}=${change.value}`,
  describeUndo: (change) => `remove tag ${change.key} from ${change.resourceId}`,
  reverse: (change) => ({
    service: 'ec2',
    action: 'DeleteTags',
    parameters: { Resources: [change.resourceId], Tags: [{ Key: change.key, Value: change.value }] },
  }),
  async sendReverse(clients, call) {
    await clients.ec2.send(new DeleteTagsCommand(call.parameters as { Resources: string[]; Tags: Tag[] }));
  },
  conflicts: (change, tags) =>
    tags?.[change.key] === change.value
      ? []
      : [`${change.key} of ${change.resourceId} is ${tags?.[change.key] ?? 'gone'} now, not ${change.value}`],
  leftovers: (change, tags) =>
    tags?.[change.key] === undefined ? [] : [`${change.key} still on ${change.resourceId}`],
};

const createTags: ActionModule<CreateTagsAction> = {
  action: 'CreateTags',
  service: 'ec2',
  serviceLabel: 'EC2',
  schema: createTagsSchema,
  changes: [tagAdded as unknown as ChangeModule],
  permissions: ['ec2:CreateTags'],
  async apply(action, { clients, count }) {
    count(action.action);
    const { Resources, Tags } = action.parameters;
    await clients.ec2.send(new CreateTagsCommand({ Resources: [...Resources], Tags: [...Tags] }));
    const [resourceId = ''] = Resources;
    const [{ Key, Value } = { Key: '', Value: '' }] = Tags;
    const change: TagAdded = { kind: 'test-tag-added', resourceId, key: Key, value: Value };
    return { kind: 'done', changes: [change] };
  },
  target: (action) => `tags of ${action.parameters.Resources.join(', ')}`,
};

// ─── The rule, defined only here ───────────────────────────────────────────────────────────────

const RULE_ID = 'test-endpoint-owner-tag';

const ownerOptions = strictObject({
  tagKey: z.string().min(1).default('owner'),
  defaultOwner: z.string().min(1).default('network-team'),
});

const ownerTagRule: Rule<'AWS::EC2::VPCEndpoint', typeof RULE_ID, typeof ownerOptions> = {
  id: RULE_ID,
  resourceType: 'AWS::EC2::VPCEndpoint',
  reads: [],
  severity: 'LOW',
  title: 'VPC endpoints name their owner',
  description: 'Every VPC endpoint carries an owner tag, so someone answers for it.',
  triggers: [
    ec2Trigger('CreateTags', 'the owner tag may be set', taggedResources('vpce-', 'endpointIds')),
    ec2Trigger('DeleteTags', 'the owner tag may be gone', taggedResources('vpce-', 'endpointIds')),
  ],
  configurationFields: { 'AWS::EC2::VPCEndpoint': ['configuration.vpcId'] },
  permissions: { detect: ['ec2:DescribeVpcEndpoints'], fix: ['ec2:CreateTags'] },
  options: ownerOptions,
  text: {
    title: 'VPC endpoint without an owner',
    whyItMatters: 'Nobody is paged when an endpoint nobody owns breaks.',
    ticketCategory: 'Recovery',
  },
  evaluate(endpoint: VpcEndpoint, context): Evaluation {
    const preliminary = preliminaryVerdict(endpoint);
    if (preliminary) return evaluationOf(ownerTagRule, endpoint, preliminary);
    const { tagKey, defaultOwner } = (
      context.options as unknown as Record<string, z.output<typeof ownerOptions>>
    )[RULE_ID] ?? { tagKey: 'owner', defaultOwner: 'network-team' };
    const owner = endpoint.tags[tagKey];
    if (owner) {
      return evaluationOf(ownerTagRule, endpoint, { status: 'COMPLIANT', reason: `owned by ${owner}` });
    }
    const action: CreateTagsAction = {
      service: 'ec2',
      action: 'CreateTags',
      parameters: { Resources: [endpoint.resourceId], Tags: [{ Key: tagKey, Value: defaultOwner }] },
    };
    return evaluationOf(ownerTagRule, endpoint, {
      status: 'NON_COMPLIANT',
      reason: `no ${tagKey} tag`,
      evidence: { tagKey },
      remediation: {
        kind: 'fix',
        summary: `tag ${endpoint.resourceId} ${tagKey}=${defaultOwner}`,
        // A registered action the built-in PlannedAction type does not list.
        actions: [action as never],
        warnings: [],
      },
    });
  },
};

registerAction(createTags);
registerRule(ownerTagRule);

// ─── The world: EC2 faked at the client, the store on dynalite ─────────────────────────────────

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const ENDPOINT = 'vpce-0a000001';
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
const ec2 = new EC2Client({ region: REGION, credentials });
const s3 = new S3Client({ region: REGION, credentials });
const s3control = new S3ControlClient({ region: REGION, credentials });
const ssm = new SSMClient({ region: REGION, credentials });
const sns = new SNSClient({ region: REGION, credentials });
const eventBridge = new EventBridgeClient({ region: REGION, credentials });
const ec2Mock = mockClient(ec2);
const ssmMock = mockClient(ssm);
const snsMock = mockClient(sns);
const eventsMock = mockClient(eventBridge);
const db = useDynalite();

/** The endpoint's live tags, changed by CreateTags / DeleteTags. */
let liveTags: Record<string, string>;

const noTickets: TicketSink = {
  name: 'opscenter',
  open: () => Promise.reject(new Error('no ticket expected')),
  update: () => Promise.reject(new Error('no ticket expected')),
  resolve: () => Promise.reject(new Error('no ticket expected')),
  findOpen: async () => undefined,
};

beforeEach(() => {
  for (const mock of [ec2Mock, ssmMock, snsMock, eventsMock]) mock.reset();
  liveTags = { Name: 'ssm' };
  ec2Mock.on(DescribeVpcEndpointsCommand).callsFake(() => ({
    VpcEndpoints: [
      {
        VpcEndpointId: ENDPOINT,
        VpcEndpointType: 'Gateway',
        VpcId: 'vpc-0a000001',
        ServiceName: `com.amazonaws.${REGION}.s3`,
        State: 'available',
        SubnetIds: [],
        RouteTableIds: [],
        OwnerId: ACCOUNT,
        Tags: Object.entries(liveTags).map(([Key, Value]) => ({ Key, Value })),
      },
    ],
  }));
  ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
  ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
  ec2Mock.on(DescribeVpcEndpointServicesCommand).resolves({ ServiceDetails: [] });
  ec2Mock.on(DescribeTagsCommand).callsFake(() => ({
    Tags: Object.entries(liveTags).map(([Key, Value]) => ({ ResourceId: ENDPOINT, Key, Value })),
  }));
  ec2Mock.on(CreateTagsCommand).callsFake((input: { Tags: Tag[] }) => {
    for (const tag of input.Tags) liveTags[tag.Key ?? ''] = tag.Value ?? '';
    return {};
  });
  ec2Mock.on(DeleteTagsCommand).callsFake((input: { Tags: Tag[] }) => {
    for (const tag of input.Tags) delete liveTags[tag.Key ?? ''];
    return {};
  });
  ssmMock.on(GetParameterCommand).resolves({
    Parameter: {
      Name: '/endpoint-guard/settings',
      Value: JSON.stringify({
        version: 1,
        defaultMode: 'notify',
        rules: { [RULE_ID]: { mode: 'auto-fix', defaultOwner: 'platform-team' } },
      }),
      Version: 1,
    },
  });
  snsMock.on(PublishCommand).resolves({ MessageId: 'sns-1' });
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

const settings = () =>
  parseSettings({ version: 1, rules: { [RULE_ID]: { mode: 'auto-fix', defaultOwner: 'platform-team' } } });

async function liveEvaluation(): Promise<Evaluation> {
  const reader = new LiveInventoryReader({ accountId: ACCOUNT, region: REGION, ec2, s3, s3control });
  const { evaluations } = await evaluateLive(
    reader,
    { endpointIds: [ENDPOINT] },
    [RULE_ID as never],
    ruleOptionsOf(settings()),
  );
  const [evaluation] = evaluations;
  if (evaluation === undefined) throw new Error('no evaluation');
  return evaluation;
}

describe('a rule and a fix action registered from outside the code base', () => {
  it('is a rule id of the registry, with settings options and CloudTrail triggers', () => {
    expect(isRuleId(RULE_ID)).toBe(true);
    expect(RULE_IDS).toContain(RULE_ID);
    expect(settings().rules[RULE_ID as never]).toEqual({
      mode: 'auto-fix',
      tagKey: 'owner',
      defaultOwner: 'platform-team',
    });
    expect(() => parseSettings({ version: 1, rules: { [RULE_ID]: { ownerTag: 'x' } } })).toThrow(
      `rules.${RULE_ID}.ownerTag: unknown key; expected one of mode, tagKey, defaultOwner`,
    );

    const plan = planCloudTrailEvaluation({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DeleteTags',
      request: { value: () => ({ resourceId: ENDPOINT }), string: () => undefined, strings: () => [] },
      response: { value: () => undefined, string: () => undefined, strings: () => [] },
      caller: {},
    } as never);
    expect(plan).toMatchObject({ kind: 'evaluate', scope: { endpointIds: [ENDPOINT] } });
    expect(plan.kind === 'evaluate' ? plan.ruleIds : []).toContain(RULE_ID);
  });

  it('judges a Config snapshot', () => {
    const snapshot = JSON.stringify({
      configurationItems: [
        vpcEndpoint({ id: 'vpce-0a000001', type: 'Gateway' }),
        vpcEndpoint({ id: 'vpce-0a000002', type: 'Gateway', tags: { owner: 'data-team' } }),
      ],
    });
    const resources = normalizeItems(parseConfigurationItems(snapshot, 'snapshot.json'));

    const { evaluations } = scanInventory(Inventory.from(resources), { rules: [RULE_ID as never] });

    expect(evaluations.map((e) => [e.resourceId, e.status, e.reason])).toEqual([
      ['vpce-0a000001', 'NON_COMPLIANT', 'no owner tag'],
      ['vpce-0a000002', 'COMPLIANT', 'owned by data-team'],
    ]);
  });

  it('judges live state, publishes a valid Finding, fixes it through remediate, and rolls the fix back', async () => {
    // Live evaluation over the faked EC2 client, with the settings' options.
    const evaluation = await liveEvaluation();
    expect(evaluation).toMatchObject({ ruleId: RULE_ID, status: 'NON_COMPLIANT', severity: 'LOW' });

    // The Finding schema accepts the rule and its plan, and still refuses an unknown action.
    const finding = parseFinding(
      toFinding(evaluation, { detector: 'cloudtrail-event', observedAt: '2026-01-01T00:00:00.000Z' }),
    );
    expect(finding.remediation).toEqual({
      kind: 'fix',
      summary: `tag ${ENDPOINT} owner=platform-team`,
      actions: [
        {
          service: 'ec2',
          action: 'CreateTags',
          parameters: { Resources: [ENDPOINT], Tags: [{ Key: 'owner', Value: 'platform-team' }] },
        },
      ],
      warnings: [],
    });
    const unknownAction = {
      ...finding,
      remediation: {
        kind: 'fix',
        summary: 's',
        warnings: [],
        actions: [{ service: 'ec2', action: 'TerminateInstances', parameters: {} }],
      },
    };
    expect(() => parseFinding(unknownAction)).toThrow(/^invalid Finding: remediation\.actions\.0\.action: /);

    // remediate: the store records it, the fix is applied, verified and audited.
    const tableName = await db.createTable();
    const store = new FindingStore({ client: db.documentClient, tableName });
    const processor = new FindingProcessor({
      store,
      settings: new SettingsProvider({ ssm, parameterName: '/endpoint-guard/settings', maxAgeSeconds: 0 }),
      clientsFor: async (accountId, region) => ({ accountId, region, ec2, s3, s3control }),
      notifier: new SnsNotifier({ sns, topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:endpoint-guard` }),
      tickets: new TicketLifecycle({ store, sinks: { forNew: () => noTickets, byName: () => noTickets } }),
      events: new EventBridgeRemediationSink({ eventBridge, eventBusName: 'endpoint-guard' }),
    });

    const result = await processor.process(finding);

    expect(result).toMatchObject({ outcome: 'applied', ruleId: RULE_ID });
    expect(ec2Mock.commandCalls(CreateTagsCommand).map((call) => call.args[0].input)).toEqual([
      { Resources: [ENDPOINT], Tags: [{ Key: 'owner', Value: 'platform-team' }] },
    ]);
    const state = await store.getState(finding.findingId);
    expect(state).toMatchObject({ ruleId: RULE_ID, lastFixOutcome: 'applied' });
    const auditId = state?.lastAuditId ?? '';
    const audit = await store.getAudit(auditId);
    expect(audit).toMatchObject({
      kind: 'fix',
      ruleId: RULE_ID,
      outcome: 'applied',
      changes: [{ kind: 'test-tag-added', resourceId: ENDPOINT, key: 'owner', value: 'platform-team' }],
    });
    expect(audit.reason).toMatch(
      /^tagged vpce-0a000001 owner=platform-team; verified: COMPLIANT \(owned by platform-team\)/,
    );

    // rollback: the change is reversed with its own reverse call, verified and audited.
    const rollbacker = new Rollbacker({
      store,
      clientsFor: async () => ({ ec2, s3 }),
      sleep: async () => undefined,
    });
    const rolledBack = await rollbacker.rollback(auditId, { actor: 'arn:aws:iam::111122223333:user/alice' });

    expect(rolledBack.calls).toEqual([
      {
        service: 'ec2',
        action: 'DeleteTags',
        parameters: { Resources: [ENDPOINT], Tags: [{ Key: 'owner', Value: 'platform-team' }] },
      },
    ]);
    expect(ec2Mock.commandCalls(DeleteTagsCommand).map((call) => call.args[0].input)).toEqual([
      { Resources: [ENDPOINT], Tags: [{ Key: 'owner', Value: 'platform-team' }] },
    ]);
    expect(liveTags).toEqual({ Name: 'ssm' });
    expect(rolledBack.record).toMatchObject({
      kind: 'rollback',
      outcome: 'rolled-back',
      reason: `remove tag owner from ${ENDPOINT}; verified`,
      before: { ownerTags: { [ENDPOINT]: { Name: 'ssm', owner: 'platform-team' } } },
      after: { ownerTags: { [ENDPOINT]: { Name: 'ssm' } } },
    });
  });
});

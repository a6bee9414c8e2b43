/**
 * The organization deployment (two governed regions), synthesized once with the real handlers
 * (the sweep included: its handler exists, so `sweep=auto` deploys it): what matters in each
 * template, a normalized snapshot, and cdk-nag with nothing unacknowledged.
 */
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_SPECS } from '../../infra/constructs/endpoint-guard-functions';
import { TEMPLATE_BODY_LIMIT } from '../../infra/constructs/member-stack-set';
import { ORGANIZATION_TRIGGER_TYPES } from '../../infra/constructs/organization-rules';
import { DEFAULT_SETTINGS_DOCUMENT } from '../../infra/constructs/settings-parameter';
import { anyResourceWriteExceptions, cloudTrailEventPatterns } from '../../infra/permissions';
import { RULES } from '../../shared/rules/index';
import { parseSettingsJson } from '../../shared/settings/schema';
import {
  ACCOUNT,
  buildTestApp,
  normalizedTemplate,
  ORGANIZATION_CONTEXT,
  onlyResource,
  type TestApp,
} from './support';

const ORGANIZATION_ID = ORGANIZATION_CONTEXT.organizationId;

let built: TestApp;
let home: Template;
let regional: Template;
let members: Template;
let member: Template;

beforeAll(() => {
  // The one app here that also runs CDK's CloudFormation schema checks, as `cdk synth` does.
  built = buildTestApp({ ...ORGANIZATION_CONTEXT }, { cloudFormationValidation: true });
  const { deployment } = built;
  const [euWest1] = deployment.regional;
  if (euWest1 === undefined || deployment.members === undefined || deployment.memberStack === undefined) {
    throw new Error('organization mode must build a regional, a members and a member stack');
  }
  home = Template.fromStack(deployment.home);
  regional = Template.fromStack(euWest1);
  members = Template.fromStack(deployment.members);
  member = Template.fromStack(deployment.memberStack);
});

function arnOf(stack: Stack, fn: { functionArn: string }): unknown {
  return stack.resolve(fn.functionArn);
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

describe('stacks', () => {
  it('deploys home, one stack per other governed region, then the StackSet; the member template is not top-level', () => {
    // Act
    const { deployment } = built;

    // Assess
    expect(deployment.home.stackName).toBe('EndpointGuardHome');
    expect(deployment.home.region).toBe('us-east-1');
    expect(deployment.regional.map((stack) => [stack.stackName, stack.region])).toEqual([
      ['EndpointGuardRegion-eu-west-1', 'eu-west-1'],
    ]);
    expect(deployment.members?.dependencies.map((stack) => stack.stackName).sort()).toEqual([
      'EndpointGuardHome',
      'EndpointGuardRegion-eu-west-1',
    ]);
    expect(deployment.regional[0]?.dependencies.map((stack) => stack.stackName)).toEqual([
      'EndpointGuardHome',
    ]);
    expect(deployment.memberStack?.node.path).toBe('MemberTemplate/EndpointGuardMember');
  });
});

describe('organization Config rules', () => {
  it.each([
    ['home (us-east-1)', () => [built.deployment.home, home] as const],
    ['eu-west-1', () => [built.deployment.regional[0], regional] as const],
  ])(
    'creates one per rule in %s, change-triggered on its resource type and periodic, after the permission',
    (_, pick) => {
      // Prepare
      const [stack, template] = pick();
      if (stack === undefined) throw new Error('missing stack');
      const region = 'regional' in stack ? stack.regional : undefined;
      if (region === undefined) throw new Error('stack has no regional construct');
      const functionArn = arnOf(stack, region.configRuleFunction);
      const permissionId = stack.resolve(region.organizationRules?.permission.logicalId);

      // Assess
      template.resourceCountIs('AWS::Config::OrganizationConfigRule', RULES.length);
      for (const rule of RULES) {
        template.hasResource('AWS::Config::OrganizationConfigRule', {
          DependsOn: [permissionId],
          Properties: {
            OrganizationConfigRuleName: `endpoint-guard-${rule.id}`,
            OrganizationCustomRuleMetadata: {
              Description: `endpoint-guard: ${rule.title}`,
              LambdaFunctionArn: functionArn,
              OrganizationConfigRuleTriggerTypes: [
                'ConfigurationItemChangeNotification',
                'OversizedConfigurationItemChangeNotification',
                'ScheduledNotification',
              ],
              ResourceTypesScope: [rule.resourceType],
              InputParameters: JSON.stringify({ ruleId: rule.id }),
              MaximumExecutionFrequency: 'TwentyFour_Hours',
            },
          },
        });
      }
      expect([...ORGANIZATION_TRIGGER_TYPES]).toHaveLength(3);
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'config.amazonaws.com',
        FunctionName: functionArn,
      });
    },
  );
});

describe('event bus', () => {
  it('accepts PutEvents only from accounts of the organization', () => {
    // Prepare
    const stack = built.deployment.home;
    const bus = stack.resolve(
      stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'endpoint-guard' }),
    );

    // Assess: the bus's own policy (no separate AWS::Events::EventBusPolicy)
    home.resourceCountIs('AWS::Events::EventBusPolicy', 0);
    home.hasResourceProperties('AWS::Events::EventBus', {
      Name: 'endpoint-guard',
      Policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AllowOrganizationPutEvents',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 'events:PutEvents',
            Resource: bus,
            Condition: { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID } },
          },
        ],
      },
    });
  });

  it("routes this account's Finding events to the remediation queue, with a dead-letter queue", () => {
    // Prepare
    const stack = built.deployment.home;

    // Assess
    home.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: stack.resolve(stack.regional.bus.eventBus.eventBusName),
      EventPattern: { source: ['endpoint-guard'], 'detail-type': ['Finding'], account: [ACCOUNT] },
      Targets: [
        {
          Arn: stack.resolve(stack.remediationQueue.queue.queueArn),
          DeadLetterConfig: { Arn: stack.resolve(stack.regional.deadLetterQueue.queueArn) },
          Id: Match.anyValue(),
        },
      ],
    });
  });

  it('forwards Finding events of another region to the home bus, with a role', () => {
    // Assess
    regional.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['endpoint-guard'], 'detail-type': ['Finding'], account: [ACCOUNT] },
      Targets: [
        Match.objectLike({
          Arn: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':events:us-east-1:',
                { Ref: 'AWS::AccountId' },
                ':event-bus/endpoint-guard',
              ],
            ],
          },
          RoleArn: Match.anyValue(),
        }),
      ],
    });
  });

  it('sends the forwarded CloudTrail calls on the bus to cloudtrail-event, one rule per service', () => {
    // Prepare
    const stack = built.deployment.home;
    const fn = arnOf(stack, stack.regional.cloudTrailEventFunction);

    // Assess
    for (const pattern of cloudTrailEventPatterns()) {
      home.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: stack.resolve(stack.regional.bus.eventBus.eventBusName),
        EventPattern: pattern,
        Targets: [
          Match.objectLike({
            Arn: fn,
            RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 },
          }),
        ],
      });
    }
  });
});

describe('member template', () => {
  it('lets only the central functions’ roles assume the member role, from inside the organization', () => {
    // Prepare
    const roles = member.findResources('AWS::IAM::Role');
    const memberRole = Object.values(roles).find((resource) => resource.Properties.RoleName !== undefined);
    const centralRole = (name: string) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'CentralAccountId' }, `:role/${name}`],
      ],
    });

    // Assess
    expect(memberRole?.Condition).toBe('InHomeRegion');
    expect(memberRole?.Properties.RoleName).toEqual({ Ref: 'MemberRoleName' });
    expect(memberRole?.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: {
            AWS: {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'CentralAccountId' }, ':root'],
              ],
            },
          },
          Condition: {
            ArnEquals: {
              'aws:PrincipalArn': [
                centralRole('endpoint-guard-config-rule-us-east-1'),
                centralRole('endpoint-guard-config-rule-eu-west-1'),
                centralRole('endpoint-guard-cloudtrail-event-us-east-1'),
                centralRole('endpoint-guard-cloudtrail-event-eu-west-1'),
                centralRole('endpoint-guard-remediate-us-east-1'),
                centralRole('endpoint-guard-sweep-us-east-1'),
              ],
            },
            StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } },
          },
        },
      ],
    });
    expect(member.toJSON().Conditions).toEqual({
      InHomeRegion: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'HomeRegion' }] },
    });
  });

  it('grants no write action on "*" except the documented exceptions, and every fix on scoped ARNs', () => {
    // Prepare
    const roles = Object.values(member.findResources('AWS::IAM::Role'));
    const memberRole = roles.find((resource) => resource.Properties.RoleName !== undefined);
    const statements: { Action: unknown; Resource: unknown }[] =
      memberRole?.Properties.Policies[0].PolicyDocument.Statement;
    const exceptions = anyResourceWriteExceptions();
    const isRead = (action: string) => /^[a-z0-9-]+:(Describe|Get|List|BatchGet|Select)/.test(action);

    // Act
    const writesOnAny = statements
      .filter((statement) => asList(statement.Resource).includes('*'))
      .flatMap((statement) => asList(statement.Action))
      .filter((action): action is string => typeof action === 'string' && !isRead(action));
    const fixActions = new Set(RULES.flatMap((rule) => rule.permissions.fix));
    const fixStatements = statements.filter((statement) =>
      asList(statement.Action).some((a) => fixActions.has(String(a))),
    );

    // Assess
    expect(writesOnAny).toEqual(Object.keys(exceptions));
    expect(writesOnAny).toEqual(['config:PutEvaluations']);
    expect(fixStatements.flatMap((statement) => asList(statement.Action)).sort()).toEqual(
      [...fixActions].sort(),
    );
    for (const statement of fixStatements) expect(asList(statement.Resource)).not.toContain('*');
    for (const action of RULES.flatMap((rule) => rule.permissions.detect)) {
      expect(statements.flatMap((statement) => asList(statement.Action))).toContain(action);
    }
  });

  it('forwards the registry’s CloudTrail calls to the central bus of the same region with a sender role', () => {
    // Prepare
    const centralBus = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':events:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'CentralAccountId' },
          ':event-bus/',
          { Ref: 'EventBusName' },
        ],
      ],
    };

    // Assess
    member.resourceCountIs('AWS::Events::Rule', cloudTrailEventPatterns().length);
    for (const pattern of cloudTrailEventPatterns()) {
      member.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: pattern,
        EventBusName: Match.absent(),
        Targets: [
          {
            Arn: centralBus,
            Id: Match.anyValue(),
            RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SenderRole'), 'Arn'] },
          },
        ],
      });
    }
    member.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: centralBus }] },
    });
    member.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'events.amazonaws.com' } },
        ],
      },
    });
  });

  it('holds no assets, no bootstrap check and no CDK metadata, so a StackSet can carry it inline', () => {
    // Act
    const template = member.toJSON();

    // Assess
    expect(Object.keys(template.Parameters).sort()).toEqual([
      'CentralAccountId',
      'EventBusName',
      'HomeRegion',
      'MemberRoleName',
      'OrganizationId',
    ]);
    expect(template.Rules).toBeUndefined();
    expect(Object.values(template.Resources).map((r) => (r as { Type: string }).Type)).not.toContain(
      'AWS::CDK::Metadata',
    );
    expect(Buffer.byteLength(JSON.stringify(template))).toBeLessThan(TEMPLATE_BODY_LIMIT);
  });
});

describe('StackSet', () => {
  it('is service-managed, deploys to new accounts, removes stacks of leaving accounts, in every governed region', () => {
    // Assess
    members.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'endpoint-guard-member',
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [
        { DeploymentTargets: { OrganizationalUnitIds: ['r-ab12'] }, Regions: ['us-east-1', 'eu-west-1'] },
      ],
      Parameters: [
        { ParameterKey: 'CentralAccountId', ParameterValue: { Ref: 'AWS::AccountId' } },
        { ParameterKey: 'OrganizationId', ParameterValue: ORGANIZATION_ID },
        { ParameterKey: 'HomeRegion', ParameterValue: 'us-east-1' },
        { ParameterKey: 'MemberRoleName', ParameterValue: 'EndpointGuardMember' },
        { ParameterKey: 'EventBusName', ParameterValue: 'endpoint-guard' },
      ],
    });
  });

  it('carries the member template inline, exactly as synthesized', () => {
    // Prepare
    const stackSet = onlyResource(members, 'AWS::CloudFormation::StackSet');

    // Act
    const body = stackSet.Properties.TemplateBody;

    // Assess
    expect(typeof body).toBe('string');
    expect(JSON.parse(String(body))).toEqual(member.toJSON());
    expect(stackSet.Properties.TemplateURL).toBeUndefined();
  });
});

describe('remediation queue', () => {
  it('feeds remediate with partial batch responses and bounded concurrency, and keeps failures in a DLQ', () => {
    // Prepare
    const stack = built.deployment.home;
    const { queue, deadLetterQueue } = stack.remediationQueue;

    // Assess
    home.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'endpoint-guard-remediation',
      VisibilityTimeout: 720,
      RedrivePolicy: { deadLetterTargetArn: stack.resolve(deadLetterQueue.queueArn), maxReceiveCount: 3 },
    });
    home.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: stack.resolve(queue.queueArn),
      FunctionName: stack.resolve(stack.remediateFunction.functionName),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });
});

describe('encryption and recovery', () => {
  it('encrypts the topic with a rotated customer managed key that CloudWatch alarms may use', () => {
    // Prepare
    const stack = built.deployment.home;

    // Assess
    home.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'endpoint-guard-notifications',
      KmsMasterKeyId: stack.resolve(stack.notifications.key.keyArn),
    });
    home.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    home.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'secops@example.com',
    });
  });

  it('encrypts every queue and requires TLS', () => {
    // Assess
    const queues = Object.values(home.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(3);
    for (const queue of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    home.resourceCountIs('AWS::SQS::QueuePolicy', 3);
    home.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('encrypts the table, keeps point-in-time recovery on and expires records by expiresAt', () => {
    // Assess
    home.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        TableName: 'endpoint-guard-findings',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });
});

describe('settings and secrets', () => {
  it('creates the settings parameter with a valid default document: everything ticket', () => {
    // Prepare
    const parameter = onlyResource(home, 'AWS::SSM::Parameter');

    // Act
    const settings = parseSettingsJson(String(parameter.Properties.Value), 'the default settings');

    // Assess
    expect(parameter.Properties.Name).toBe('/endpoint-guard/settings');
    expect(JSON.parse(String(parameter.Properties.Value))).toEqual(DEFAULT_SETTINGS_DOCUMENT);
    expect(settings.defaultMode).toBe('ticket');
    expect(settings.dryRun).toBe(false);
    expect(settings.tickets.sink).toBe('opscenter');
  });

  it('creates empty placeholders for the ticket sinks’ credentials, never a value', () => {
    // Assess
    for (const sink of ['jira', 'servicenow', 'webhook']) {
      home.hasResource('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'Retain',
        Properties: { Name: `endpoint-guard/tickets/${sink}`, SecretString: Match.absent() },
      });
    }
  });
});

describe('functions', () => {
  it('runs every function on Node.js 24, arm64, ESM with source maps, with exactly its contract variables', () => {
    // Prepare
    const { home: stack } = built.deployment;
    const variables = (names: readonly string[]) =>
      Object.fromEntries(names.map((name) => [name, Match.anyValue()]));
    const expected = {
      'endpoint-guard-config-rule': FUNCTION_SPECS['config-rule'].variables,
      'endpoint-guard-cloudtrail-event': FUNCTION_SPECS['cloudtrail-event'].variables,
      'endpoint-guard-remediate': FUNCTION_SPECS.remediate.variables,
      'endpoint-guard-sweep': FUNCTION_SPECS.sweep.variables,
    };

    // Assess
    home.resourceCountIs('AWS::Lambda::Function', 4);
    for (const [name, names] of Object.entries(expected)) {
      home.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: name,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Environment: {
          Variables: Match.exact({
            ...variables(names),
            POWERTOOLS_SERVICE_NAME: 'endpoint-guard',
            POWERTOOLS_METRICS_NAMESPACE: 'EndpointGuard',
            POWERTOOLS_LOG_LEVEL: 'INFO',
            FUNCTION_ROLE_PREFIX: 'endpoint-guard-',
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
      });
    }
    home.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'endpoint-guard-remediate',
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: stack.resolve(stack.table.table.tableName),
          TOPIC_ARN: stack.resolve(stack.notifications.topic.topicArn),
          MEMBER_ROLE_NAME: 'EndpointGuardMember',
          SETTINGS_PARAMETER: '/endpoint-guard/settings',
          EVENT_BUS_NAME: 'endpoint-guard',
          HOME_REGION: 'us-east-1',
        }),
      },
    });
    regional.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'endpoint-guard-config-rule',
      Environment: {
        Variables: Match.objectLike({ HOME_REGION: 'us-east-1', EVENT_BUS_NAME: 'endpoint-guard' }),
      },
    });
  });

  it('names each role after its function and region, with logs on its own log group only', () => {
    // Assess
    for (const name of ['config-rule', 'cloudtrail-event', 'remediate', 'sweep']) {
      home.hasResourceProperties('AWS::IAM::Role', { RoleName: `endpoint-guard-${name}-us-east-1` });
    }
    regional.hasResourceProperties('AWS::IAM::Role', { RoleName: 'endpoint-guard-config-rule-eu-west-1' });
    home.resourceCountIs('AWS::Logs::LogGroup', 4);
    home.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    expect(JSON.stringify(home.toJSON())).not.toContain('AWSLambdaBasicExecutionRole');
  });

  it('sends failed asynchronous detector and sweep invocations to the detectors’ dead-letter queue', () => {
    // Prepare
    const stack = built.deployment.home;

    // Assess
    home.resourceCountIs('AWS::Lambda::EventInvokeConfig', 3);
    home.allResourcesProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: stack.resolve(stack.regional.deadLetterQueue.queueArn) },
      },
    });
  });
});

describe('operations', () => {
  it('alarms on every function’s errors and every dead-letter queue, notifying the topic', () => {
    // Prepare
    const stack = built.deployment.home;
    const topic = stack.resolve(stack.notifications.topic.topicArn);

    // Assess
    // Errors of remediate, config-rule, cloudtrail-event and sweep; the two dead-letter queues.
    home.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    home.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [topic],
      OKActions: [topic],
      Threshold: 1,
    });
    home.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: stack.resolve(stack.remediationQueue.deadLetterQueue.queueName) },
      ],
    });
    regional.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    regional.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'endpoint-guard-alarms' });
  });

  it('shows findings by rule and status per region, fixes, tickets, errors and DLQ depth on one dashboard', () => {
    // Prepare
    const dashboard = onlyResource(home, 'AWS::CloudWatch::Dashboard');

    // Act
    const body = JSON.stringify(built.deployment.home.resolve(dashboard.Properties.DashboardBody));

    // Assess
    for (const text of [
      'Findings by rule and status (us-east-1)',
      'Findings by rule and status (eu-west-1)',
      'Fixes applied and failed',
      'Tickets opened and notifications sent',
      'Function errors',
      'Dead-letter queue depth',
      'FixesApplied',
      'FixesFailed',
      'TicketsOpened',
      'endpoint-guard-detectors-dlq',
      'endpoint-guard-remediation-dlq',
    ]) {
      expect(body).toContain(text);
    }
    for (const rule of RULES) expect(body).toContain(rule.id);
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it('reports nothing unacknowledged for any stack, the member template included', () => {
    // Act
    const report = built.nagReport();

    // Assess
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });
});

describe('snapshot', () => {
  it('matches the normalized templates', () => {
    // Prepare
    const { deployment } = built;
    const stacks = [deployment.home, ...deployment.regional, deployment.members, deployment.memberStack];

    // Act
    const templates = Object.fromEntries(
      stacks.flatMap((stack) => (stack === undefined ? [] : [[stack.node.path, normalizedTemplate(stack)]])),
    );

    // Assess
    expect(templates).toMatchSnapshot();
  });
});

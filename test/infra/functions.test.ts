/**
 * Which functions get deployed (sweep only once its handler exists, or on demand), what a
 * missing handler says, how they are bundled, and the sweep's aggregator, schedule, IAM and trust. Uses stand-in handlers, which
 * bundle in milliseconds.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDeploymentConfig } from '../../infra/config';
import {
  EndpointGuardFunctions,
  entryOf,
  memberRoleTrustees,
} from '../../infra/constructs/endpoint-guard-functions';
import { buildEndpointGuard } from '../../infra/endpoint-guard-app';
import { InvalidPropsError, MissingHandlerError } from '../../infra/errors';
import { buildLambda, LAMBDA_BUNDLING } from '../../scripts/lambda-bundling';
import { parseSweepInput } from '../../shared/sweep/input';
import {
  ACCOUNT,
  buildTestApp,
  ENV,
  FIXTURE_FUNCTIONS,
  ORGANIZATION_CONTEXT,
  onlyResource,
  type TestApp,
} from './support';

/** Stand-in functions directories lacking some handlers (they must live under the project root). */
const WITHOUT_SWEEP = join(import.meta.dirname, 'fixtures/functions-without-sweep');
const WITHOUT_REMEDIATE = join(import.meta.dirname, 'fixtures/functions-without-remediate');

function errorOf(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an error');
}

function build(context: Record<string, unknown>, functionsDir: string) {
  const app = new App({
    builtinCloudFormationValidation: false,
    outdir: mkdtempSync(join(tmpdir(), 'endpoint-guard-cdk-')),
  });
  const config = readDeploymentConfig((key) => context[key], ENV);
  return buildEndpointGuard(app, config, { functionsDir });
}

/** The statements of the policy attached to a role (its default policy: grants and addToRolePolicy). */
function statementsOf(template: Template, roleLogicalId: string): unknown[] {
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleLogicalId }] } }),
  );
  if (policies.length !== 1)
    throw new Error(`expected one policy on ${roleLogicalId}, found ${policies.length}`);
  return policies[0]?.Properties.PolicyDocument.Statement;
}

describe('sweep', () => {
  let withSweep: TestApp;
  let home: Template;

  beforeAll(() => {
    withSweep = buildTestApp({ ...ORGANIZATION_CONTEXT, sweep: 'auto' }, { functionsDir: FIXTURE_FUNCTIONS });
    home = Template.fromStack(withSweep.deployment.home);
  });

  function deployed() {
    const stack = withSweep.deployment.home;
    const { sweep, sweepFunction } = stack;
    if (sweep === undefined || sweepFunction === undefined) throw new Error('sweep was not deployed');
    return { stack, sweep, sweepFunction };
  }

  it('is deployed once its handler exists, with exactly the environment its handler reads', () => {
    // Prepare
    const { stack } = deployed();

    // Assess
    home.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'endpoint-guard-sweep',
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Timeout: 900,
      Environment: {
        Variables: {
          AGGREGATOR_NAME: 'endpoint-guard',
          TABLE_NAME: stack.resolve(stack.table.table.tableName),
          EVENT_BUS_NAME: 'endpoint-guard',
          MEMBER_ROLE_NAME: 'EndpointGuardMember',
          SETTINGS_PARAMETER: '/endpoint-guard/settings',
          HOME_REGION: 'us-east-1',
          FUNCTION_ROLE_PREFIX: 'endpoint-guard-',
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'endpoint-guard',
          POWERTOOLS_METRICS_NAMESPACE: 'EndpointGuard',
          POWERTOOLS_LOG_LEVEL: 'INFO',
        },
      },
    });
  });

  it('reads an organization aggregator over the governed regions', () => {
    // Prepare
    const { stack, sweep } = deployed();

    // Assess
    home.hasResourceProperties('AWS::Config::ConfigurationAggregator', {
      ConfigurationAggregatorName: 'endpoint-guard',
      OrganizationAggregationSource: {
        AwsRegions: ['us-east-1', 'eu-west-1'],
        RoleArn: stack.resolve(sweep.aggregatorRole?.roleArn),
      },
    });
  });

  it('is invoked every 15 minutes with an hourly complete run as input, failures to the DLQ', () => {
    // Prepare
    const { stack, sweep, sweepFunction } = deployed();
    const schedule = onlyResource(home, 'AWS::Scheduler::Schedule');
    const target = schedule.Properties.Target as { Input: string };

    // Assess
    expect(schedule.Properties).toEqual({
      Description:
        'endpoint-guard: sweep for missed findings (a complete run every 1 hour at most, resumed on each invocation)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ScheduleExpression: 'rate(15 minutes)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      Target: {
        Arn: stack.resolve(sweepFunction.functionArn),
        RoleArn: stack.resolve(sweep.scheduleRole.roleArn),
        Input: '{"minIntervalMinutes":60}',
        DeadLetterConfig: { Arn: stack.resolve(stack.regional.deadLetterQueue.queueArn) },
        RetryPolicy: { MaximumEventAgeInSeconds: 900, MaximumRetryAttempts: 2 },
      },
    });
    // The handler reads the payload the schedule sends as it was meant.
    expect(parseSweepInput(JSON.parse(target.Input))).toEqual({ minIntervalMinutes: 60, force: false });
    expect(sweep.input).toEqual({ minIntervalMinutes: 60, force: false });
  });

  it('holds exactly what its adapters call: aggregator, BatchGet/Update on the table, the bus, settings, member role', () => {
    // Prepare
    const { stack, sweep, sweepFunction } = deployed();
    const role = sweepFunction.role;
    if (role === undefined) throw new Error('sweep has no role');
    const roleId = stack.resolve((role.node.defaultChild as CfnRole).logicalId);

    // Act
    const statements = statementsOf(home, roleId);

    // Assess
    expect(statements).toEqual([
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: stack.resolve(sweepFunction.logGroup.logGroupArn),
      },
      {
        // The Lambda on-failure destination (asynchronous invocations out of retries).
        Effect: 'Allow',
        Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        Resource: stack.resolve(stack.regional.deadLetterQueue.queueArn),
      },
      {
        Sid: 'ReadAggregator',
        Effect: 'Allow',
        Action: ['config:BatchGetAggregateResourceConfig', 'config:SelectAggregateResourceConfig'],
        Resource: stack.resolve(sweep.aggregator.attrConfigurationAggregatorArn),
      },
      {
        Sid: 'SweepStore',
        Effect: 'Allow',
        Action: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
        Resource: stack.resolve(stack.table.table.tableArn),
      },
      {
        Sid: 'PublishFindings',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: stack.resolve(stack.regional.bus.eventBus.eventBusArn),
      },
      {
        Sid: 'ReadEndpointServiceZones',
        Effect: 'Allow',
        Action: 'ec2:DescribeVpcEndpointServices',
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
      },
      {
        Sid: 'ReadSettings',
        Effect: 'Allow',
        Action: 'ssm:GetParameter',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':ssm:us-east-1:',
              { Ref: 'AWS::AccountId' },
              ':parameter/endpoint-guard/settings',
            ],
          ],
        },
      },
      {
        Sid: 'AssumeMemberRole',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/EndpointGuardMember']],
        },
      },
    ]);
  });

  it('is trusted by the member role (it reads endpoint service AZs in member accounts), inside the organization', () => {
    // Prepare
    const member = withSweep.deployment.memberStack;
    if (member === undefined) throw new Error('organization mode must build the member template');
    const memberRole = Object.values(Template.fromStack(member).findResources('AWS::IAM::Role')).find(
      (resource) => resource.Properties.RoleName !== undefined,
    );

    // Act
    const trustees = memberRoleTrustees(withSweep.deployment.home.deployedFunctions, 'us-east-1', [
      'us-east-1',
    ]);
    const [trust] = memberRole?.Properties.AssumeRolePolicyDocument.Statement ?? [];

    // Assess
    expect(trustees).toEqual([
      'endpoint-guard-config-rule-us-east-1',
      'endpoint-guard-cloudtrail-event-us-east-1',
      'endpoint-guard-remediate-us-east-1',
      'endpoint-guard-sweep-us-east-1',
    ]);
    expect(trust.Condition.StringEquals).toEqual({ 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } });
    expect(trust.Condition.ArnEquals['aws:PrincipalArn']).toContainEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':iam::',
          { Ref: 'CentralAccountId' },
          ':role/endpoint-guard-sweep-us-east-1',
        ],
      ],
    });
    // The member role can answer what the sweep asks it.
    const memberActions = memberRole?.Properties.Policies[0].PolicyDocument.Statement.flatMap(
      (statement: { Action: string | string[] }) => [statement.Action].flat(),
    );
    expect(memberActions).toContain('ec2:DescribeVpcEndpointServices');
  });

  it('is bundled with the shared build (the benchmark’s): ESM banner first, source map beside it', async () => {
    // Prepare
    const [sweepResource] = Object.values(
      home.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'endpoint-guard-sweep' } }),
    );
    const s3Key: string = sweepResource?.Properties.Code.S3Key;
    const assetDir = join(withSweep.app.outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);

    // Act
    const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');

    // Assess
    expect(bundle.startsWith(LAMBDA_BUNDLING.banner)).toBe(true);
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
    const benchmarked = mkdtempSync(join(tmpdir(), 'endpoint-guard-bundle-'));
    await buildLambda(entryOf('sweep', FIXTURE_FUNCTIONS), benchmarked);
    expect(bundle).toBe(readFileSync(join(benchmarked, 'index.mjs'), 'utf8'));
  });

  it('in account mode, aggregates this account only and assumes no member role', () => {
    // Prepare
    const account = buildTestApp({ mode: 'account', sweep: 'on' }, { functionsDir: FIXTURE_FUNCTIONS });
    const stack = account.deployment.home;
    const template = Template.fromStack(stack);
    const role = stack.sweepFunction?.role;
    if (role === undefined) throw new Error('sweep was not deployed');

    // Act
    const statements = statementsOf(template, stack.resolve((role.node.defaultChild as CfnRole).logicalId));

    // Assess
    template.hasResourceProperties('AWS::Config::ConfigurationAggregator', {
      ConfigurationAggregatorName: 'endpoint-guard',
      AccountAggregationSources: [{ AccountIds: [ACCOUNT], AwsRegions: ['us-east-1'] }],
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: Match.objectLike({ Input: '{"minIntervalMinutes":60}' }),
    });
    expect(statements.map((statement) => (statement as { Sid?: string }).Sid)).toEqual([
      'WriteOwnLogs',
      undefined,
      'ReadAggregator',
      'SweepStore',
      'PublishFindings',
      'ReadEndpointServiceZones',
      'ReadSettings',
    ]);
    expect(account.nagReport().violations).toEqual([]);
  });

  it('leaves cdk-nag nothing unacknowledged (the aggregator role’s managed policy included)', () => {
    // Act
    const report = withSweep.nagReport();

    // Assess
    expect(report.violations).toEqual([]);
  });

  it('is left out until its handler exists, and when switched off', () => {
    // Act
    const auto = build({ mode: 'account' }, WITHOUT_SWEEP);
    const off = build({ mode: 'account', sweep: 'false' }, FIXTURE_FUNCTIONS);

    // Assess
    expect(auto.home.sweep).toBeUndefined();
    expect(auto.home.deployedFunctions).toEqual(['config-rule', 'cloudtrail-event', 'remediate']);
    expect(off.home.sweep).toBeUndefined();
    Template.fromStack(off.home).resourceCountIs('AWS::Scheduler::Schedule', 0);
  });

  it('fails the synth with the missing path when switched on without a handler', () => {
    // Act
    const error = errorOf(() => build({ mode: 'account', sweep: 'true' }, WITHOUT_SWEEP));

    // Assess
    expect(error).toBeInstanceOf(MissingHandlerError);
    expect(error.message).toBe(
      `function "sweep" has no entry file at ${join(WITHOUT_SWEEP, 'sweep', 'handler.ts')}: it must export \`handler\``,
    );
  });
});

describe('EndpointGuardFunctions', () => {
  it('names the missing handler of a required function', () => {
    // Act
    const error = errorOf(() => build({ mode: 'account' }, WITHOUT_REMEDIATE));

    // Assess
    expect(error).toBeInstanceOf(MissingHandlerError);
    expect(error.message).toBe(
      `function "remediate" has no entry file at ${join(WITHOUT_REMEDIATE, 'remediate', 'handler.ts')}: it must export \`handler\``,
    );
  });

  it('rejects a function whose contract variables are not all given', () => {
    // Prepare
    const scope = new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });

    // Act
    const error = errorOf(
      () =>
        new EndpointGuardFunctions(scope, 'Functions', {
          functions: ['remediate'],
          variables: { MEMBER_ROLE_NAME: 'EndpointGuardMember' },
          functionsDir: FIXTURE_FUNCTIONS,
        }),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect(error.message).toBe(
      'Test/Functions: variables lacks EVENT_BUS_NAME, SETTINGS_PARAMETER, TABLE_NAME, TOPIC_ARN, HOME_REGION, AUDIT_KEY_ID for function "remediate"',
    );
  });
});

/**
 * Which functions get deployed (sweep only once its handler exists, or on demand), what a
 * missing handler says, and the sweep's aggregator and schedule. Uses stand-in handlers, which
 * bundle in milliseconds.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDeploymentConfig } from '../../infra/config';
import { EndpointGuardFunctions, memberRoleTrustees } from '../../infra/constructs/endpoint-guard-functions';
import { buildEndpointGuard } from '../../infra/endpoint-guard-app';
import { InvalidPropsError, MissingHandlerError } from '../../infra/errors';
import { buildTestApp, ENV, FIXTURE_FUNCTIONS, ORGANIZATION_CONTEXT, type TestApp } from './support';

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

describe('sweep', () => {
  let withSweep: TestApp;
  let home: Template;

  beforeAll(() => {
    withSweep = buildTestApp({ ...ORGANIZATION_CONTEXT, sweep: 'auto' }, { functionsDir: FIXTURE_FUNCTIONS });
    home = Template.fromStack(withSweep.deployment.home);
  });

  it('is deployed once its handler exists, with an organization aggregator and a daily schedule', () => {
    // Prepare
    const stack = withSweep.deployment.home;
    const sweep = stack.sweep;
    if (sweep === undefined || stack.sweepFunction === undefined) throw new Error('sweep was not deployed');

    // Assess
    home.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'endpoint-guard-sweep',
      Environment: {
        Variables: Match.objectLike({
          AGGREGATOR_NAME: 'endpoint-guard',
          TABLE_NAME: stack.resolve(stack.table.table.tableName),
          EVENT_BUS_NAME: 'endpoint-guard',
        }),
      },
    });
    home.hasResourceProperties('AWS::Config::ConfigurationAggregator', {
      ConfigurationAggregatorName: 'endpoint-guard',
      OrganizationAggregationSource: {
        AwsRegions: ['us-east-1', 'eu-west-1'],
        RoleArn: stack.resolve(sweep.aggregatorRole?.roleArn),
      },
    });
    home.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 day)',
      Target: Match.objectLike({
        Arn: stack.resolve(stack.sweepFunction.functionArn),
        DeadLetterConfig: { Arn: stack.resolve(stack.regional.deadLetterQueue.queueArn) },
      }),
    });
    home.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'ReadAggregator',
            Effect: 'Allow',
            Action: ['config:BatchGetAggregateResourceConfig', 'config:SelectAggregateResourceConfig'],
            Resource: stack.resolve(sweep.aggregator.attrConfigurationAggregatorArn),
          },
        ]),
      },
    });
  });

  it('adds no trust for sweep to the member role: it reads the aggregator, not the accounts', () => {
    // Act
    const trustees = memberRoleTrustees(withSweep.deployment.home.deployedFunctions, 'us-east-1', [
      'us-east-1',
    ]);

    // Assess
    expect(trustees).toEqual([
      'endpoint-guard-config-rule-us-east-1',
      'endpoint-guard-cloudtrail-event-us-east-1',
      'endpoint-guard-remediate-us-east-1',
    ]);
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
      'Test/Functions: variables lacks EVENT_BUS_NAME, SETTINGS_PARAMETER, TABLE_NAME, TOPIC_ARN, HOME_REGION for function "remediate"',
    );
  });
});

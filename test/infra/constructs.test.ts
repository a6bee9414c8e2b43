/**
 * Construct props are checked before anything is created: a wrong prop fails with the construct
 * path, the prop and what was expected.
 */
import { App, Duration, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { FindingsBus } from '../../infra/constructs/findings-bus';
import { MemberStackSet, templateBodyOf } from '../../infra/constructs/member-stack-set';
import { NotificationTopic } from '../../infra/constructs/notification-topic';
import { RemediationQueue } from '../../infra/constructs/remediation-queue';
import { SettingsParameter } from '../../infra/constructs/settings-parameter';
import { Sweep, type SweepProps } from '../../infra/constructs/sweep';
import { InvalidPropsError, MemberTemplateError } from '../../infra/errors';
import { EndpointGuardMemberStack } from '../../infra/stacks/member-stack';

function stack(): Stack {
  return new Stack(new App({ builtinCloudFormationValidation: false }), 'Test', {
    env: { account: '111111111111', region: 'us-east-1' },
  });
}

function errorOf(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an error');
}

function memberStack(): EndpointGuardMemberStack {
  return new EndpointGuardMemberStack(new Stage(new App(), 'Member'), 'EndpointGuardMember', {
    regions: ['us-east-1'],
    trustedRoleNames: ['endpoint-guard-remediate-us-east-1'],
  });
}

const REQUIRED_PARAMETERS = {
  CentralAccountId: '111111111111',
  OrganizationId: 'o-abc123def45',
  HomeRegion: 'us-east-1',
};

describe('FindingsBus', () => {
  it('needs exactly one destination for Finding events', () => {
    // Prepare
    const scope = stack();
    const deadLetterQueue = new Queue(scope, 'Dlq');

    // Act
    const error = errorOf(() => new FindingsBus(scope, 'Bus', { deadLetterQueue }));

    // Assess
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect(error.message).toBe('Test/Bus: findingsQueue / forwardFindingsTo exactly one must be given');
  });

  it('rejects an organization id that is not one', () => {
    // Prepare
    const scope = stack();
    const queue = new Queue(scope, 'Queue');

    // Act
    const error = errorOf(
      () =>
        new FindingsBus(scope, 'Bus', {
          organizationId: 'r-ab12',
          findingsQueue: queue,
          deadLetterQueue: queue,
        }),
    );

    // Assess
    expect(error.message).toBe('Test/Bus: organizationId must look like o-abc123def4, not "r-ab12"');
  });

  it('adds no bus policy without an organization', () => {
    // Prepare
    const scope = stack();
    const queue = new Queue(scope, 'Queue');

    // Act
    new FindingsBus(scope, 'Bus', { findingsQueue: queue, deadLetterQueue: queue });

    // Assess
    const template = Template.fromStack(scope);
    template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
    template.hasResourceProperties('AWS::Events::EventBus', { Policy: Match.absent() });
  });
});

describe('RemediationQueue', () => {
  it.each([
    [{ maxConcurrency: 1 }, 'Test/RemediationQueue: maxConcurrency must be an integer from 2 to 1000'],
    [
      { batchSize: 11 },
      'Test/RemediationQueue: batchSize must be an integer from 1 to 10 (standard queue without a window)',
    ],
    [{ maxReceiveCount: 0 }, 'Test/RemediationQueue: maxReceiveCount must be a positive integer'],
  ])('rejects %j', (props, message) => {
    // Prepare
    const scope = stack();
    const consumer = new LambdaFunction(scope, 'Fn', {
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => {};'),
    });

    // Act
    const error = errorOf(() => new RemediationQueue(scope, 'RemediationQueue', { consumer, ...props }));

    // Assess
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect(error.message).toBe(message);
  });
});

describe('NotificationTopic and SettingsParameter', () => {
  it('rejects an address that is not one', () => {
    // Act
    const error = errorOf(() => new NotificationTopic(stack(), 'Topic', { emails: ['secops'] }));

    // Assess
    expect(error.message).toBe('Test/Topic: emails lists "secops", not an email address');
  });

  it('rejects a parameter name that is not a path', () => {
    // Act
    const error = errorOf(() => new SettingsParameter(stack(), 'Settings', { parameterName: 'settings' }));

    // Assess
    expect(error.message).toBe(
      'Test/Settings: parameterName must be a path such as /endpoint-guard/settings, not "settings"',
    );
  });
});

describe('MemberStackSet', () => {
  it.each([
    [
      { ...REQUIRED_PARAMETERS, Unknown: 'x' },
      ['r-ab12'],
      'parameters sets "Unknown", which the member template does not declare',
    ],
    [
      { CentralAccountId: '111111111111' },
      ['r-ab12'],
      'parameters lacks "OrganizationId", which has no default',
    ],
    [REQUIRED_PARAMETERS, ['ou-bad'], 'targetOus lists "ou-bad", not an OU (ou-...) or root (r-...) id'],
    [REQUIRED_PARAMETERS, [], 'targetOus must list an OU or the root'],
  ])('rejects parameters %j with targets %j', (parameters, targetOus, message) => {
    // Act
    const error = errorOf(
      () =>
        new MemberStackSet(stack(), 'StackSet', {
          memberStack: memberStack(),
          parameters,
          targetOus,
          regions: ['us-east-1'],
        }),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect(error.message).toBe(`Test/StackSet: ${message}`);
  });

  it('cannot carry a stack that is not in a stage of its own', () => {
    // Act
    const error = errorOf(() => templateBodyOf(stack()));

    // Assess
    expect(error).toBeInstanceOf(MemberTemplateError);
    expect(error.message).toBe('Test must be in a Stage of its own to be synthesized to JSON');
  });

  it('carries a member template that holds no assets', () => {
    // Prepare
    const member = memberStack();

    // Act
    const body = JSON.parse(templateBodyOf(member));

    // Assess
    expect(Object.keys(body.Parameters)).toContain('CentralAccountId');
    expect(body.Parameters.BootstrapVersion).toBeUndefined();
  });
});

describe('Sweep', () => {
  function sweepProps(scope: Stack, overrides: Partial<SweepProps> = {}): SweepProps {
    return {
      mode: 'organization',
      function: new LambdaFunction(scope, 'Fn', {
        code: Code.fromInline('exports.handler = async () => {};'),
        handler: 'index.handler',
        runtime: Runtime.NODEJS_22_X,
      }),
      regions: ['us-east-1'],
      homeRegion: 'us-east-1',
      table: new Table(scope, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } }),
      eventBus: new EventBus(scope, 'Bus'),
      memberRoleName: 'EndpointGuardMember',
      deadLetterQueue: new Queue(scope, 'Dlq'),
      ...overrides,
    };
  }

  it.each([
    [{ rate: Duration.seconds(90) }, 'rate must be a whole number of minutes, got 1 minute 30 seconds'],
    [
      { minInterval: Duration.minutes(30) },
      'minInterval must be whole minutes from 60 to 525600 (a complete run reads every account), got 30 minutes',
    ],
    [
      { minInterval: Duration.days(400) },
      'minInterval must be whole minutes from 60 to 525600 (a complete run reads every account), got 400 days',
    ],
    [
      { rate: Duration.hours(3), minInterval: Duration.hours(2) },
      'rate must not exceed minInterval (2 hours): the schedule would space the runs, not minInterval',
    ],
    [
      { memberRoleName: undefined },
      'memberRoleName is required in organization mode (endpoint service AZs are read in member accounts)',
    ],
  ] satisfies [Partial<SweepProps>, string][])('rejects %o', (overrides, message) => {
    // Prepare
    const scope = stack();
    const props = sweepProps(scope, overrides);

    // Act
    const error = errorOf(() => new Sweep(scope, 'Sweep', props));

    // Assess
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect(error.message).toBe(`Test/Sweep: ${message}`);
  });

  it('sends minInterval as the payload and invokes at the rate, giving up on an invocation older than one period', () => {
    // Prepare
    const scope = stack();

    // Act
    const sweep = new Sweep(
      scope,
      'Sweep',
      sweepProps(scope, { rate: Duration.minutes(30), minInterval: Duration.hours(6) }),
    );

    // Assess
    expect(sweep.input).toEqual({ minIntervalMinutes: 360, force: false });
    Template.fromStack(scope).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(30 minutes)',
      Target: Match.objectLike({
        Input: '{"minIntervalMinutes":360}',
        RetryPolicy: { MaximumEventAgeInSeconds: 1800, MaximumRetryAttempts: 2 },
      }),
    });
  });
});

/**
 * Everything endpoint-guard needs in one governed region of the central account: the bus, the
 * detector functions, the Config rules that invoke `config-rule`, the rules that route CloudTrail
 * calls to `cloudtrail-event`, and where `Finding` events go next.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Function as GuardFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Rule } from '../../shared/rules/types';
import type { DeploymentMode } from '../config';
import { InvalidPropsError } from '../errors';
import { EVENT_BUS_NAME, QUEUE_NAMES, SETTINGS_PARAMETER_NAME } from '../names';
import { AccountRules } from './account-rules';
import { grantCentral } from './central-grants';
import { CloudTrailForwarding } from './cloudtrail-forwarding';
import { EndpointGuardFunctions } from './endpoint-guard-functions';
import { FindingsBus } from './findings-bus';
import { type ExecutionFrequency, OrganizationRules } from './organization-rules';

export interface EndpointGuardRegionProps {
  readonly mode: DeploymentMode;
  readonly homeRegion: string;
  /** Governed regions (own-account permissions are limited to them). */
  readonly regions: readonly string[];
  readonly memberRoleName: string;
  /** Required in organization mode. */
  readonly organizationId?: string;
  /** Home region: the remediation queue. Exactly one of this and `homeEventBusArn`. */
  readonly findingsQueue?: IQueue;
  /** Other regions: the home region's bus, which `Finding` events are forwarded to. */
  readonly homeEventBusArn?: string;
  /** Organization mode: accounts the Config rules leave out. @default none */
  readonly excludedAccounts?: readonly string[];
  /** @default 'TwentyFour_Hours' */
  readonly maximumExecutionFrequency?: ExecutionFrequency;
  /** @default `<repo>/functions` */
  readonly functionsDir?: string;
  /** @default every rule of the registry */
  readonly rules?: readonly Rule[];
}

/**
 * @example
 * const region = new EndpointGuardRegion(this, 'Region', { mode: 'organization', homeRegion: 'us-east-1',
 *   regions: ['us-east-1'], memberRoleName: 'EndpointGuardMember', organizationId: 'o-abc123def4',
 *   findingsQueue: remediationQueue.queue });
 */
export class EndpointGuardRegion extends Construct {
  /** The governed regions (own-account permissions are limited to them). */
  public readonly regions: readonly string[];
  /** The role the detectors assume in member accounts. */
  public readonly memberRoleName: string;
  /** Failed asynchronous invocations of the detectors and events EventBridge could not deliver. */
  public readonly deadLetterQueue: Queue;
  public readonly functions: EndpointGuardFunctions;
  public readonly configRuleFunction: GuardFunction;
  public readonly cloudTrailEventFunction: GuardFunction;
  public readonly bus: FindingsBus;
  public readonly cloudTrailRules: CloudTrailForwarding;
  /** Organization mode. */
  public readonly organizationRules: OrganizationRules | undefined;
  /** Account mode. */
  public readonly accountRules: AccountRules | undefined;

  constructor(scope: Construct, id: string, props: EndpointGuardRegionProps) {
    super(scope, id);
    if (props.mode === 'organization' && props.organizationId === undefined) {
      throw new InvalidPropsError(this.node.path, 'organizationId', 'is required in organization mode');
    }
    if ((props.findingsQueue === undefined) === (props.homeEventBusArn === undefined)) {
      throw new InvalidPropsError(
        this.node.path,
        'findingsQueue / homeEventBusArn',
        'exactly one must be given',
      );
    }
    const region = Stack.of(this).region;
    if (!props.regions.includes(region)) {
      throw new InvalidPropsError(this.node.path, 'regions', `must include this stack's region ${region}`);
    }

    this.regions = [...props.regions];
    this.memberRoleName = props.memberRoleName;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: QUEUE_NAMES.detectorsDeadLetter,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.functions = new EndpointGuardFunctions(this, 'Functions', {
      functions: ['config-rule', 'cloudtrail-event'],
      variables: {
        EVENT_BUS_NAME,
        MEMBER_ROLE_NAME: props.memberRoleName,
        SETTINGS_PARAMETER: SETTINGS_PARAMETER_NAME,
        HOME_REGION: props.homeRegion,
      },
      onFailure: new SqsDestination(this.deadLetterQueue),
      ...(props.functionsDir === undefined ? {} : { functionsDir: props.functionsDir }),
    });
    const { 'config-rule': configRule, 'cloudtrail-event': cloudTrailEvent } = this.functions.functions;
    if (configRule === undefined || cloudTrailEvent === undefined) {
      throw new InvalidPropsError(this.node.path, 'functions', 'did not create the detectors');
    }
    this.configRuleFunction = configRule;
    this.cloudTrailEventFunction = cloudTrailEvent;

    let forwardFindingsTo: IEventBus | undefined;
    if (props.homeEventBusArn !== undefined) {
      forwardFindingsTo = EventBus.fromEventBusArn(this, 'HomeEventBus', props.homeEventBusArn);
    }
    this.bus = new FindingsBus(this, 'Bus', {
      deadLetterQueue: this.deadLetterQueue,
      ...(props.mode === 'organization' && props.organizationId !== undefined
        ? { organizationId: props.organizationId }
        : {}),
      ...(props.findingsQueue !== undefined ? { findingsQueue: props.findingsQueue } : {}),
      ...(forwardFindingsTo !== undefined ? { forwardFindingsTo } : {}),
    });

    for (const fn of [configRule, cloudTrailEvent]) {
      this.bus.eventBus.grantPutEventsTo(fn);
      grantCentral(fn.role ?? fail(this.node.path), {
        homeRegion: props.homeRegion,
        regions: props.regions,
        detect: true,
        ...(props.mode === 'organization' ? { memberRoleName: props.memberRoleName } : {}),
        ...(props.rules === undefined ? {} : { rules: props.rules }),
      });
    }

    const target = new LambdaFunction(cloudTrailEvent, {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 4,
      maxEventAge: Duration.hours(2),
    });
    if (props.mode === 'organization') {
      // Member accounts forward their calls to this bus; the central account's own calls
      // arrive the same way when it is in a target OU.
      this.cloudTrailRules = new CloudTrailForwarding(this, 'CloudTrailRules', {
        eventBus: this.bus.eventBus,
        target,
        ...(props.rules === undefined ? {} : { rules: props.rules }),
      });
      this.organizationRules = new OrganizationRules(this, 'OrganizationRules', {
        function: configRule,
        ...(props.rules === undefined ? {} : { rules: props.rules }),
        ...(props.excludedAccounts === undefined ? {} : { excludedAccounts: props.excludedAccounts }),
        ...(props.maximumExecutionFrequency === undefined
          ? {}
          : { maximumExecutionFrequency: props.maximumExecutionFrequency }),
      });
      this.accountRules = undefined;
    } else {
      // One account: AWS services put the calls on its default bus.
      this.cloudTrailRules = new CloudTrailForwarding(this, 'CloudTrailRules', {
        target,
        ...(props.rules === undefined ? {} : { rules: props.rules }),
      });
      this.accountRules = new AccountRules(this, 'AccountRules', {
        function: configRule,
        ...(props.rules === undefined ? {} : { rules: props.rules }),
      });
      this.organizationRules = undefined;
    }
  }
}

function fail(path: string): never {
  throw new InvalidPropsError(path, 'functions', 'created a function without a role');
}

/**
 * The periodic sweep: an AWS Config aggregator over the governed accounts and regions, a
 * schedule that invokes `sweep`, and exactly the permissions the sweep's adapters use
 * (functions/sweep/handler.ts, shared/sweep/*), which reads the aggregator and publishes the
 * findings the event paths missed.
 *
 * Two durations, on purpose: the schedule's `rate` is how often the sweep is *invoked*, the
 * payload's `minIntervalMinutes` how often a complete run *starts*. A run that does not fit in
 * one invocation pauses at a checkpoint and resumes on the next one, so the rate is short
 * (15 minutes) while complete runs stay hourly; an invocation with nothing due returns at once.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { CfnConfigurationAggregator } from 'aws-cdk-lib/aws-config';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MAX_MIN_INTERVAL_MINUTES, type SweepInput } from '../../shared/sweep/input';
import type { DeploymentMode } from '../config';
import { InvalidPropsError } from '../errors';
import { AGGREGATOR_NAME } from '../names';
import { grantCentral } from './central-grants';

/** How often the schedule invokes the sweep by default. */
export const DEFAULT_SWEEP_RATE = Duration.minutes(15);

/** How long after a complete run the next one starts, by default. */
export const DEFAULT_SWEEP_MIN_INTERVAL = Duration.minutes(60);

/** A complete run reads every account of the aggregator: not more often than this. */
const SHORTEST_MIN_INTERVAL = Duration.minutes(60);

export interface SweepProps {
  readonly mode: DeploymentMode;
  /** The `sweep` function. */
  readonly function: IFunction;
  /** Governed regions (the aggregator's scope). */
  readonly regions: readonly string[];
  /** Where the settings parameter lives (the sweep reads it). */
  readonly homeRegion: string;
  /** The findings table: the previous statuses (`BatchGetItem`) and the checkpoint (`UpdateItem`). */
  readonly table: ITable;
  /** The home bus the sweep's Finding events go to. */
  readonly eventBus: IEventBus;
  /**
   * The member role the sweep assumes to ask a member account for an endpoint service's AZs.
   * Required in organization mode; in account mode every resource is the sweep's own account's.
   */
  readonly memberRoleName?: string;
  /** Invocations the scheduler could not deliver. */
  readonly deadLetterQueue: IQueue;
  /** How often the schedule invokes the sweep (whole minutes, at most `minInterval`). @default 15 minutes */
  readonly rate?: Duration;
  /** The least time between two complete runs (whole minutes, at least an hour). @default 60 minutes */
  readonly minInterval?: Duration;
  /** @default 'endpoint-guard' */
  readonly aggregatorName?: string;
}

/**
 * @example
 * new Sweep(this, 'Sweep', {
 *   mode: 'organization', function: sweep, regions, homeRegion: 'us-east-1', table, eventBus,
 *   memberRoleName: 'EndpointGuardMember', deadLetterQueue: dlq,
 * });
 */
export class Sweep extends Construct {
  public readonly aggregator: CfnConfigurationAggregator;
  /** Organization mode: the role Config uses to list the organization's accounts. */
  public readonly aggregatorRole: Role | undefined;
  public readonly schedule: Schedule;
  /** The role EventBridge Scheduler invokes the function with. */
  public readonly scheduleRole: Role;
  /** What the schedule sends on every invocation (shared/sweep/input.ts). */
  public readonly input: SweepInput;

  constructor(scope: Construct, id: string, props: SweepProps) {
    super(scope, id);
    const rate = props.rate ?? DEFAULT_SWEEP_RATE;
    const minInterval = props.minInterval ?? DEFAULT_SWEEP_MIN_INTERVAL;
    validate(this.node.path, props, rate, minInterval);
    const role = props.function.role;
    if (role === undefined) throw new InvalidPropsError(this.node.path, 'function', 'has no role');
    const aggregatorName = props.aggregatorName ?? AGGREGATOR_NAME;

    if (props.mode === 'organization') {
      this.aggregatorRole = new Role(this, 'AggregatorRole', {
        assumedBy: new ServicePrincipal('config.amazonaws.com'),
        description: 'endpoint-guard: lets AWS Config list the organization for the aggregator',
        managedPolicies: [
          ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSConfigRoleForOrganizations'),
        ],
      });
      this.aggregator = new CfnConfigurationAggregator(this, 'Aggregator', {
        configurationAggregatorName: aggregatorName,
        organizationAggregationSource: {
          roleArn: this.aggregatorRole.roleArn,
          awsRegions: [...props.regions],
        },
      });
    } else {
      this.aggregatorRole = undefined;
      this.aggregator = new CfnConfigurationAggregator(this, 'Aggregator', {
        configurationAggregatorName: aggregatorName,
        accountAggregationSources: [{ accountIds: [Stack.of(this).account], awsRegions: [...props.regions] }],
      });
    }

    // Exactly the calls of the sweep's adapters, nothing a grant helper would add besides.
    props.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadAggregator',
        // shared/sweep/aggregator.ts: the shard queries and the oversized items.
        actions: ['config:SelectAggregateResourceConfig', 'config:BatchGetAggregateResourceConfig'],
        resources: [this.aggregator.attrConfigurationAggregatorArn],
      }),
    );
    props.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'SweepStore',
        // previous-status.ts reads the statuses with BatchGetItem; checkpoint.ts writes the
        // checkpoint and its lease with conditional UpdateItem only (never Put, Delete or Query).
        actions: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
      }),
    );
    props.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'PublishFindings',
        actions: ['events:PutEvents'],
        resources: [props.eventBus.eventBusArn],
      }),
    );
    props.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadEndpointServiceZones',
        // The central account's own endpoints are read without assuming a role. The API has no
        // resource-level permissions; the governed regions are the only ones it is asked in.
        actions: ['ec2:DescribeVpcEndpointServices'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': [...props.regions] } },
      }),
    );
    // The settings parameter, and in organization mode the member role (whose trust policy lets
    // this role in only from inside the organization: FUNCTION_SPECS.sweep.assumesMemberRole).
    grantCentral(role, {
      homeRegion: props.homeRegion,
      regions: props.regions,
      ...(props.mode === 'organization' && props.memberRoleName !== undefined
        ? { memberRoleName: props.memberRoleName }
        : {}),
    });

    this.scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'endpoint-guard: EventBridge Scheduler invokes the sweep',
    });
    this.input = { minIntervalMinutes: minInterval.toMinutes(), force: false };
    this.schedule = new Schedule(this, 'Schedule', {
      description: `endpoint-guard: sweep for missed findings (a complete run every ${minInterval.toHumanString()} at most, resumed on each invocation)`,
      schedule: ScheduleExpression.rate(rate),
      target: new LambdaInvoke(props.function, {
        // `force` is left out: only a person asks for a run that is not due.
        input: ScheduleTargetInput.fromObject({ minIntervalMinutes: this.input.minIntervalMinutes }),
        role: this.scheduleRole,
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 2,
        // An invocation older than the next one is redundant: the next one does the same
        // (Scheduler accepts up to a day).
        maxEventAge: Duration.seconds(Math.min(rate.toSeconds(), Duration.days(1).toSeconds())),
      }),
    });
  }
}

function validate(path: string, props: SweepProps, rate: Duration, minInterval: Duration): void {
  if (props.regions.length === 0) throw new InvalidPropsError(path, 'regions', 'must list a region');
  if (props.mode === 'organization' && props.memberRoleName === undefined) {
    throw new InvalidPropsError(
      path,
      'memberRoleName',
      'is required in organization mode (endpoint service AZs are read in member accounts)',
    );
  }
  const minutes = (duration: Duration) => duration.toMilliseconds({ integral: false }) / 60_000;
  if (!Number.isInteger(minutes(rate)) || minutes(rate) < 1) {
    throw new InvalidPropsError(
      path,
      'rate',
      `must be a whole number of minutes, got ${rate.toHumanString()}`,
    );
  }
  if (
    !Number.isInteger(minutes(minInterval)) ||
    minutes(minInterval) < SHORTEST_MIN_INTERVAL.toMinutes() ||
    minutes(minInterval) > MAX_MIN_INTERVAL_MINUTES
  ) {
    throw new InvalidPropsError(
      path,
      'minInterval',
      `must be whole minutes from ${SHORTEST_MIN_INTERVAL.toMinutes()} to ${MAX_MIN_INTERVAL_MINUTES} (a complete run reads every account), got ${minInterval.toHumanString()}`,
    );
  }
  if (minutes(rate) > minutes(minInterval)) {
    throw new InvalidPropsError(
      path,
      'rate',
      `must not exceed minInterval (${minInterval.toHumanString()}): the schedule would space the runs, not minInterval`,
    );
  }
}

/**
 * The periodic sweep: an AWS Config aggregator over the governed accounts and regions, and a
 * schedule that invokes `sweep`, which reads the aggregator and publishes findings the event
 * paths missed.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { CfnConfigurationAggregator } from 'aws-cdk-lib/aws-config';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DeploymentMode } from '../config';
import { InvalidPropsError } from '../errors';
import { AGGREGATOR_NAME } from '../names';

export interface SweepProps {
  readonly mode: DeploymentMode;
  /** The `sweep` function. */
  readonly function: IFunction;
  /** Governed regions (the aggregator's scope). */
  readonly regions: readonly string[];
  /** Invocations the scheduler could not deliver. */
  readonly deadLetterQueue: IQueue;
  /** @default Duration.hours(24) */
  readonly interval?: Duration;
  /** @default 'endpoint-guard' */
  readonly aggregatorName?: string;
}

/**
 * @example
 * new Sweep(this, 'Sweep', { mode: 'organization', function: sweep, regions, deadLetterQueue: dlq });
 */
export class Sweep extends Construct {
  public readonly aggregator: CfnConfigurationAggregator;
  /** Organization mode: the role Config uses to list the organization's accounts. */
  public readonly aggregatorRole: Role | undefined;
  public readonly schedule: Schedule;
  /** The role EventBridge Scheduler invokes the function with. */
  public readonly scheduleRole: Role;

  constructor(scope: Construct, id: string, props: SweepProps) {
    super(scope, id);
    if (props.regions.length === 0)
      throw new InvalidPropsError(this.node.path, 'regions', 'must list a region');
    const interval = props.interval ?? Duration.hours(24);
    if (interval.toMinutes() < 60) {
      throw new InvalidPropsError(
        this.node.path,
        'interval',
        'must be at least an hour (a sweep reads every account)',
      );
    }
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

    props.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadAggregator',
        actions: ['config:SelectAggregateResourceConfig', 'config:BatchGetAggregateResourceConfig'],
        resources: [this.aggregator.attrConfigurationAggregatorArn],
      }),
    );

    this.scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'endpoint-guard: EventBridge Scheduler invokes the sweep',
    });
    this.schedule = new Schedule(this, 'Schedule', {
      description: 'endpoint-guard: periodic sweep for missed findings',
      schedule: ScheduleExpression.rate(interval),
      target: new LambdaInvoke(props.function, {
        role: this.scheduleRole,
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    });
  }
}

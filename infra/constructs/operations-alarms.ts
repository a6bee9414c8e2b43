/**
 * Alarms that need a person: a function failing, or anything waiting in a dead-letter queue.
 * CloudWatch alarms notify a topic of their own region, so each region's stack has its own.
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { InvalidPropsError } from '../errors';
import { pascalCase } from './endpoint-guard-functions';

export interface OperationsAlarmsProps {
  /** Functions whose errors alarm, by a short name used in the alarm's id and description. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** Dead-letter queues whose depth alarms, by short name. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Where alarms (and their return to OK) are sent. */
  readonly topic: ITopic;
  /** @default Duration.minutes(5) */
  readonly period?: Duration;
}

/**
 * @example
 * new OperationsAlarms(this, 'Alarms', { functions: { remediate }, deadLetterQueues: { remediation: dlq }, topic });
 */
export class OperationsAlarms extends Construct {
  public readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    if (Object.keys(props.functions).length + Object.keys(props.deadLetterQueues).length === 0) {
      throw new InvalidPropsError(this.node.path, 'functions / deadLetterQueues', 'give nothing to alarm on');
    }
    const action = new SnsAction(props.topic);
    const alarms: Alarm[] = [];
    for (const [name, fn] of Object.entries(props.functions)) {
      alarms.push(
        new Alarm(this, `${pascalCase(name)}Errors`, {
          alarmDescription: `endpoint-guard: the ${name} function failed (see its log group)`,
          metric: fn.metricErrors({ period, statistic: 'Sum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarms.push(
        new Alarm(this, `${pascalCase(name)}DeadLetters`, {
          alarmDescription: `endpoint-guard: messages are waiting in the ${name} dead-letter queue`,
          metric: queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    this.alarms = alarms;
  }
}

/**
 * One CloudWatch dashboard (home region) over every governed region: findings by rule and
 * status, fixes applied and failed, tickets opened, function errors, dead-letter queue depth.
 * It reads resources by their fixed names (`names.ts`), so it needs no cross-region reference.
 */
import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, type IWidget, Metric, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { RULES } from '../../shared/rules/index';
import type { Rule } from '../../shared/rules/types';
import { InvalidPropsError } from '../errors';
import { FINDING_STATUSES, METRIC_DIMENSIONS, METRIC_NAMES } from '../metrics';
import { functionName, METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME, QUEUE_NAMES } from '../names';
import type { FunctionName } from './endpoint-guard-functions';

export interface OperationsDashboardProps {
  readonly homeRegion: string;
  /** Governed regions, home first. */
  readonly regions: readonly string[];
  /** Functions deployed in the home region only (`remediate`, `sweep` when present). */
  readonly homeFunctions: readonly FunctionName[];
  /** Functions deployed in every governed region. */
  readonly regionalFunctions: readonly FunctionName[];
  /** @default 'endpoint-guard' */
  readonly dashboardName?: string;
  /** @default every rule of the registry */
  readonly rules?: readonly Rule[];
}

const WIDTH = 24;

/**
 * @example
 * new OperationsDashboard(this, 'Dashboard', { homeRegion: 'us-east-1', regions: ['us-east-1'],
 *   homeFunctions: ['remediate'], regionalFunctions: ['config-rule', 'cloudtrail-event'] });
 */
export class OperationsDashboard extends Construct {
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    if (!props.regions.includes(props.homeRegion)) {
      throw new InvalidPropsError(
        this.node.path,
        'regions',
        `must include the home region ${props.homeRegion}`,
      );
    }
    const rules = props.rules ?? RULES;
    const custom = (metricName: string, region: string, dimensions: Record<string, string>, label: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: POWERTOOLS_SERVICE_NAME, ...dimensions },
        statistic: 'Sum',
        period: Duration.hours(1),
        region,
        label,
      });

    const findings: IWidget[] = props.regions.map(
      (region) =>
        new GraphWidget({
          title: `Findings by rule and status (${region})`,
          width: WIDTH / Math.min(props.regions.length, 3),
          stacked: true,
          left: rules.flatMap((rule) =>
            FINDING_STATUSES.map((status) =>
              custom(
                METRIC_NAMES.findings,
                region,
                { [METRIC_DIMENSIONS.ruleId]: rule.id, [METRIC_DIMENSIONS.status]: status },
                `${rule.id} ${status}`,
              ),
            ),
          ),
        }),
    );
    const perRule = (metricName: string, suffix: string) =>
      rules.map((rule) =>
        custom(metricName, props.homeRegion, { [METRIC_DIMENSIONS.ruleId]: rule.id }, `${rule.id} ${suffix}`),
      );
    const actions: IWidget[] = [
      new GraphWidget({
        title: 'Fixes applied and failed',
        width: WIDTH / 2,
        left: perRule(METRIC_NAMES.fixesApplied, 'applied'),
        right: perRule(METRIC_NAMES.fixesFailed, 'failed'),
      }),
      new GraphWidget({
        title: 'Tickets opened and notifications sent',
        width: WIDTH / 2,
        left: perRule(METRIC_NAMES.ticketsOpened, 'tickets'),
        right: perRule(METRIC_NAMES.notificationsSent, 'notifications'),
      }),
    ];

    const lambda = (name: FunctionName, region: string) =>
      new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensionsMap: { FunctionName: functionName(name) },
        statistic: 'Sum',
        period: Duration.minutes(5),
        region,
        label: `${name} (${region})`,
      });
    const depth = (queueName: string, region: string) =>
      new Metric({
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensionsMap: { QueueName: queueName },
        statistic: 'Maximum',
        period: Duration.minutes(5),
        region,
        label: `${queueName} (${region})`,
      });
    const health: IWidget[] = [
      new GraphWidget({
        title: 'Function errors',
        width: WIDTH / 2,
        left: [
          ...props.homeFunctions.map((name) => lambda(name, props.homeRegion)),
          ...props.regions.flatMap((region) => props.regionalFunctions.map((name) => lambda(name, region))),
        ],
      }),
      new GraphWidget({
        title: 'Dead-letter queue depth',
        width: WIDTH / 2,
        left: [
          depth(QUEUE_NAMES.remediationDeadLetter, props.homeRegion),
          ...props.regions.map((region) => depth(QUEUE_NAMES.detectorsDeadLetter, region)),
        ],
      }),
    ];

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? 'endpoint-guard',
      widgets: [
        [
          new TextWidget({
            markdown:
              '# endpoint-guard\nFindings are emitted by the detectors in every governed region; fixes, tickets and ' +
              'notifications by `remediate` in the home region. Anything in a dead-letter queue needs a person.',
            width: WIDTH,
            height: 2,
          }),
        ],
        findings,
        actions,
        health,
      ],
    });
  }
}

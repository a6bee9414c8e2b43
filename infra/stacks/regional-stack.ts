/**
 * A governed region other than the home region: its bus, detectors and Config rules, its
 * findings forwarded to the home region's bus, and alarms on a topic of its own (CloudWatch
 * alarms notify topics of their own region only).
 */
import { Aws, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config';
import { EndpointGuardRegion } from '../constructs/endpoint-guard-region';
import { NotificationTopic } from '../constructs/notification-topic';
import { OperationsAlarms } from '../constructs/operations-alarms';
import { InvalidPropsError } from '../errors';
import { EVENT_BUS_NAME } from '../names';

/** The alarm topic of a non-home region. */
export const REGIONAL_ALARM_TOPIC_NAME = 'endpoint-guard-alarms';

export interface EndpointGuardRegionalStackProps extends StackProps {
  readonly config: DeploymentConfig;
  /** @default `<repo>/functions` */
  readonly functionsDir?: string;
}

/**
 * @example
 * new EndpointGuardRegionalStack(app, 'EndpointGuardRegion-eu-west-1', { env: { region: 'eu-west-1' }, config });
 */
export class EndpointGuardRegionalStack extends Stack {
  public readonly regional: EndpointGuardRegion;
  public readonly alarmTopic: NotificationTopic;
  public readonly alarms: OperationsAlarms;

  constructor(scope: Construct, id: string, props: EndpointGuardRegionalStackProps) {
    super(scope, id, props);
    const { config } = props;
    if (config.mode !== 'organization') {
      throw new InvalidPropsError(
        this.node.path,
        'config.mode',
        'must be organization: account mode has one region',
      );
    }
    if (this.region === config.homeRegion || !config.regions.includes(this.region)) {
      throw new InvalidPropsError(
        this.node.path,
        'env.region',
        `must be a governed region other than ${config.homeRegion}`,
      );
    }
    this.regional = new EndpointGuardRegion(this, 'Region', {
      mode: config.mode,
      homeRegion: config.homeRegion,
      regions: config.regions,
      memberRoleName: config.memberRoleName,
      homeEventBusArn: `arn:${Aws.PARTITION}:events:${config.homeRegion}:${Aws.ACCOUNT_ID}:event-bus/${EVENT_BUS_NAME}`,
      excludedAccounts: config.excludedAccounts,
      ...(config.organizationId === undefined ? {} : { organizationId: config.organizationId }),
      ...(props.functionsDir === undefined ? {} : { functionsDir: props.functionsDir }),
    });
    this.alarmTopic = new NotificationTopic(this, 'AlarmTopic', {
      topicName: REGIONAL_ALARM_TOPIC_NAME,
      emails: config.notificationEmails,
    });
    this.alarms = new OperationsAlarms(this, 'Alarms', {
      functions: {
        'config-rule': this.regional.configRuleFunction,
        'cloudtrail-event': this.regional.cloudTrailEventFunction,
      },
      deadLetterQueues: { detectors: this.regional.deadLetterQueue },
      topic: this.alarmTopic.topic,
    });
  }
}

/**
 * The SNS topic people subscribe to: remediation notifications and operational alarms. It is
 * encrypted with a customer managed key, because CloudWatch alarms cannot publish to a topic
 * encrypted with the AWS managed `aws/sns` key (its key policy cannot grant CloudWatch).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { InvalidPropsError } from '../errors';
import { TOPIC_NAME } from '../names';

const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

export interface NotificationTopicProps {
  /** @default 'endpoint-guard-notifications' */
  readonly topicName?: string;
  /** Each address receives a confirmation email; nothing is delivered until it is confirmed. @default none */
  readonly emails?: readonly string[];
}

/**
 * @example
 * const topic = new NotificationTopic(this, 'Notifications', { emails: ['secops@example.com'] });
 * topic.topic.grantPublish(remediateRole);
 */
export class NotificationTopic extends Construct {
  public readonly topic: Topic;
  public readonly key: Key;

  constructor(scope: Construct, id: string, props: NotificationTopicProps = {}) {
    super(scope, id);
    const emails = props.emails ?? [];
    for (const email of emails) {
      if (!EMAIL.test(email))
        throw new InvalidPropsError(this.node.path, 'emails', `lists "${email}", not an email address`);
    }
    const { account, region, partition } = Stack.of(this);
    // Only alarms of this account and region (confused-deputy protection; CloudWatch sends both keys).
    const alarms = `arn:${partition}:cloudwatch:${region}:${account}:alarm:*`;

    this.key = new Key(this, 'Key', {
      description: 'endpoint-guard: encrypts the notification topic',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
    });
    // CloudWatch alarm actions encrypt what they publish with the topic's key.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseTheKey',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'aws:SourceArn': alarms },
          StringEquals: { 'aws:SourceAccount': account },
        },
      }),
    );

    this.topic = new Topic(this, 'Topic', {
      topicName: props.topicName ?? TOPIC_NAME,
      displayName: 'endpoint-guard',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': alarms },
          StringEquals: { 'aws:SourceAccount': account },
        },
      }),
    );
    for (const email of emails) this.topic.addSubscription(new EmailSubscription(email));
  }
}

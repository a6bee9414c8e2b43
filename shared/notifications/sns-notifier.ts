/**
 * Notifier adapters: SNS (the `TOPIC_ARN` topic, fanned out to e-mail, chat or anything else by
 * its subscriptions, which can filter on the message attributes), and a log-only fallback for
 * deployments without a topic, so a notification is never silently dropped.
 */
import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { ActionEvent, Notifier } from '../remediation/ports';
import {
  formatNotification,
  formatSettingsInvalid,
  type Notification,
  type NotificationAttributes,
} from './format';

/** What the settings notification needs (a `SettingsValidationError` fits). */
export interface InvalidSettings {
  readonly problems: readonly string[];
  /** The parameter or file the document came from. */
  readonly location?: string | undefined;
}

/**
 * Publishes notifications to an SNS topic: one `Publish` per notification, with `Subject`,
 * `Message`, and the `String` message attributes `rule`, `severity`, `accountId` and `action`.
 *
 * A subscription that only wants failed fixes and critical findings of one account, say, uses the
 * filter policy `{"accountId": ["111122223333"], "action": ["fix-failed"]}` or
 * `{"severity": ["CRITICAL"]}`.
 *
 * @example
 * const notifier = new SnsNotifier({ sns: new SNSClient({}), topicArn });
 * await notifier.notify(event);
 */
export class SnsNotifier implements Notifier {
  readonly topicArn: string;
  private readonly sns: SNSClient;

  constructor(options: { readonly sns: SNSClient; readonly topicArn: string }) {
    if (!options.topicArn) throw new TypeError('SnsNotifier needs a topicArn');
    this.sns = options.sns;
    this.topicArn = options.topicArn;
  }

  async notify(event: ActionEvent): Promise<void> {
    await this.publish(formatNotification(event));
  }

  /**
   * Tells people the settings document is invalid (and that the last valid one stays in force).
   *
   * @example
   * onInvalid: (error) => notifier.settingsInvalid(error, ownAccountId),
   */
  async settingsInvalid(error: InvalidSettings, accountId?: string): Promise<void> {
    await this.publish(
      formatSettingsInvalid({
        problems: error.problems,
        ...(error.location ? { source: error.location } : {}),
        ...(accountId ? { accountId } : {}),
      }),
    );
  }

  /**
   * Publishes a formatted notification.
   *
   * @example
   * await notifier.publish(formatNotification(event));
   */
  async publish(notification: Notification): Promise<void> {
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: notification.subject,
        Message: notification.message,
        MessageAttributes: messageAttributes(notification.attributes),
      }),
    );
  }
}

/**
 * Writes notifications to the log, for deployments without a topic.
 *
 * @example
 * const notifier = new LogNotifier((message, attributes) => logger.warn(message, attributes));
 */
export class LogNotifier implements Notifier {
  constructor(private readonly log: (message: string, attributes: Record<string, unknown>) => void) {}

  async notify(event: ActionEvent): Promise<void> {
    this.write(formatNotification(event), event.auditId);
  }

  /** Logs the settings notification. */
  async settingsInvalid(error: InvalidSettings, accountId?: string): Promise<void> {
    this.write(
      formatSettingsInvalid({
        problems: error.problems,
        ...(error.location ? { source: error.location } : {}),
        ...(accountId ? { accountId } : {}),
      }),
    );
  }

  private write(notification: Notification, auditId?: string): void {
    this.log(`notification (no TOPIC_ARN configured): ${notification.subject}`, {
      ...notification.attributes,
      auditId: auditId ?? null,
      notification: notification.message,
    });
  }
}

/**
 * The attributes as SNS message attributes (`DataType: String`).
 *
 * @example
 * messageAttributes({ rule: 'r', severity: 'HIGH', accountId: '111122223333', action: 'notify' });
 */
export function messageAttributes(attributes: NotificationAttributes): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
  );
}

/**
 * Notifier adapters: SNS (the `TOPIC_ARN` topic, fanned out to e-mail or chat), and a log-only
 * fallback used when no topic is configured, so a notification is never silently dropped.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { describeChange } from './changes';
import type { ActionEvent, Notifier } from './ports';

/** SNS rejects subjects over 100 characters, or with line breaks or non-ASCII characters. */
const MAX_SUBJECT = 100;

/**
 * The notification as text: a subject line and a plain body people can act on.
 *
 * @example
 * const { subject, message } = formatNotification(event);
 */
export function formatNotification(event: ActionEvent): { subject: string; message: string } {
  const { finding, decision } = event;
  const headline = `${event.outcome.toUpperCase()}: ${finding.ruleId} on ${finding.resourceId}`;
  const lines = [
    `[endpoint-guard] ${headline}`,
    '',
    `Resource:  ${finding.resourceArn} (account ${finding.accountId}, ${finding.region})`,
    `Finding:   ${finding.status}, ${finding.severity}: ${finding.reason}`,
    `Observed:  ${finding.observedAt} by ${finding.detector}`,
    `Decision:  ${decision.action} (mode ${decision.mode}${decision.dryRun ? ', dry run' : ''}): ${decision.why}`,
    `Outcome:   ${event.outcome}: ${event.why}`,
  ];
  if (finding.remediation) {
    lines.push(
      finding.remediation.kind === 'fix'
        ? `Fix:       ${finding.remediation.summary}`
        : `Fix:       none automatic (${finding.remediation.why})`,
    );
  }
  if (event.changes?.length) {
    lines.push('Changed:', ...event.changes.map((change) => `  - ${describeChange(change)}`));
  }
  if (event.warnings.length) lines.push('Warnings:', ...event.warnings.map((warning) => `  - ${warning}`));
  if (event.auditId) {
    lines.push(`Audit:     ${event.auditId}`);
    if (event.changes?.length) lines.push(`Roll back: endpoint-guard rollback ${event.auditId}`);
  }
  return { subject: sanitizeSubject(`endpoint-guard ${headline}`), message: lines.join('\n') };
}

function sanitizeSubject(text: string): string {
  const ascii = text
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return ascii.length <= MAX_SUBJECT ? ascii : `${ascii.slice(0, MAX_SUBJECT - 3)}...`;
}

/**
 * Publishes notifications to an SNS topic.
 *
 * @example
 * const notifier = new SnsNotifier({ sns: new SNSClient({}), topicArn: process.env.TOPIC_ARN ?? '' });
 * await notifier.notify(event);
 */
export class SnsNotifier implements Notifier {
  private readonly sns: SNSClient;
  readonly topicArn: string;

  constructor(options: { readonly sns: SNSClient; readonly topicArn: string }) {
    if (!options.topicArn) throw new TypeError('SnsNotifier needs a topicArn');
    this.sns = options.sns;
    this.topicArn = options.topicArn;
  }

  async notify(event: ActionEvent): Promise<void> {
    const { subject, message } = formatNotification(event);
    await this.publishText(subject, message);
  }

  /**
   * Publishes a plain message (an invalid settings document, an operational alert).
   *
   * @example
   * await notifier.publishText('endpoint-guard settings are invalid', problems.join('\n'));
   */
  async publishText(subject: string, message: string): Promise<void> {
    await this.sns.send(
      new PublishCommand({ TopicArn: this.topicArn, Subject: sanitizeSubject(subject), Message: message }),
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
    const { subject, message } = formatNotification(event);
    this.log(`notification (no TOPIC_ARN configured): ${subject}`, {
      findingId: event.finding.findingId,
      outcome: event.outcome,
      auditId: event.auditId ?? null,
      notification: message,
    });
  }
}

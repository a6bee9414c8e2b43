/**
 * Notifications as people read them in e-mail or chat: a subject under 100 characters, a plain
 * text message in sections (what, where, why it matters, what was or will be done, cost, ticket,
 * how to roll back), and the attributes subscribers filter on.
 */
import { describeChange } from '../remediation/changes';
import type { ActionEvent } from '../remediation/ports';
import { consoleUrl, costImpact, planText, whyItMatters } from './finding-text';

/** What a notification is about; the `action` message attribute. */
export type NotificationAction = 'notify' | 'ticket' | 'fix-applied' | 'fix-failed' | 'settings-invalid';

/** The SNS message attributes of every notification (all `String`), for subscription filter policies. */
export interface NotificationAttributes {
  /** The rule id, or `settings` for a settings notification. */
  readonly rule: string;
  readonly severity: string;
  /** The finding's account (the central account for a settings notification). */
  readonly accountId: string;
  readonly action: NotificationAction;
}

export interface Notification {
  readonly subject: string;
  readonly message: string;
  readonly attributes: NotificationAttributes;
}

/** SNS subjects: ASCII, no line breaks, fewer than 100 characters. */
export const MAX_SUBJECT_LENGTH = 99;

/**
 * The `action` attribute of an event: what was decided or done.
 *
 * @example
 * notificationAction({ outcome: 'applied', ... }); // 'fix-applied'
 */
export function notificationAction(event: Pick<ActionEvent, 'outcome'>): NotificationAction {
  switch (event.outcome) {
    case 'applied':
      return 'fix-applied';
    case 'failed':
      return 'fix-failed';
    case 'ticketed':
      return 'ticket';
    default:
      return 'notify';
  }
}

/**
 * The notification of a processed finding.
 *
 * @example
 * const { subject, message, attributes } = formatNotification(event);
 * // subject: '[endpoint-guard] Fixed: vpce-0a1 (222233334444) interface-endpoint-multi-az'
 */
export function formatNotification(event: ActionEvent): Notification {
  const { finding, decision } = event;
  const action = notificationAction(event);
  // What matters first in an inbox: what happened, to which resource, in which account. The rule
  // comes last, so a long bucket name or ticket id cuts it, not the rest.
  const target = `${finding.resourceId} (${finding.accountId}) ${finding.ruleId}`;
  const ticket = event.ticket;
  const changes = event.changes ?? [];

  let subject: string;
  let headline: string;
  switch (action) {
    case 'fix-applied':
      subject = `Fixed: ${target}`;
      headline = `endpoint-guard fixed ${finding.resourceId} automatically and verified the fix.`;
      break;
    case 'fix-failed':
      subject = `Fix FAILED: ${target}`;
      headline = `endpoint-guard tried to fix ${finding.resourceId} and did not succeed: a person must look.`;
      break;
    case 'ticket':
      subject = `${ticket ? `Ticket ${ticket.key ?? ticket.reference}` : 'Ticket'}: ${target}`;
      headline = ticket
        ? `endpoint-guard opened ticket ${ticket.reference} for ${finding.resourceId}.`
        : `endpoint-guard is ticketing ${finding.resourceId}.`;
      break;
    default:
      subject = decision.dryRun ? `Dry run, would fix: ${target}` : `${finding.severity}: ${target}`;
      headline = decision.dryRun
        ? `Dry run: endpoint-guard would fix ${finding.resourceId}; nothing was changed.`
        : `${finding.resourceId} breaks ${finding.ruleId}.`;
  }

  const sections: string[][] = [[headline]];
  if (ticket?.previous) {
    sections.push([
      'REGRESSION',
      `This finding came back after ${ticket.previous.reference}${ticket.previous.url ? ` (${ticket.previous.url})` : ''} was resolved.`,
    ]);
  }
  sections.push(
    ['WHAT', `${finding.ruleId} is ${finding.status} (severity ${finding.severity}): ${finding.reason}`],
    [
      'WHERE',
      `${finding.resourceId} (${finding.resourceType}) in account ${finding.accountId}, ${finding.region}`,
      finding.resourceArn,
      ...optional(consoleUrl(finding), (url) => `Console: ${url}`),
    ],
    ['WHY IT MATTERS', whyItMatters(finding.ruleId)],
  );
  if (action === 'fix-applied' || action === 'fix-failed') {
    sections.push([
      'WHAT WAS DONE',
      event.why,
      ...changes.map((change) => `- ${describeChange(change)}`),
      ...(action === 'fix-failed'
        ? ['endpoint-guard does not retry a failed fix: the next observation of this finding opens a ticket.']
        : []),
    ]);
  } else {
    sections.push([
      'WHAT WILL BE DONE',
      decision.why,
      ...optional(planText(finding), (plan) => `Planned fix: ${plan}`),
      ...(action === 'ticket'
        ? ['The ticket is updated while the finding lasts and resolved when the resource is compliant again.']
        : []),
    ]);
  }
  const impact = costImpact(finding);
  if (impact) sections.push(['COST', impact]);
  if (event.warnings.length > 0) {
    sections.push(['WARNINGS', ...event.warnings.map((warning) => `- ${warning}`)]);
  }
  if (ticket) sections.push(['TICKET', `${ticket.reference}${ticket.url ? ` ${ticket.url}` : ''}`]);
  if (event.auditId && changes.length > 0) {
    sections.push(['ROLL BACK', `endpoint-guard rollback ${event.auditId}`]);
  }
  sections.push([
    'DETAILS',
    `Decision: ${decision.action} (mode ${decision.mode}${decision.dryRun ? ', dry run' : ''}).`,
    `Finding ${finding.findingId}, observed ${finding.observedAt} by ${finding.detector}.`,
    ...optional(event.auditId, (auditId) => `Audit record: ${auditId}.`),
  ]);

  return {
    subject: subjectLine(subject),
    message: sections.map((lines) => lines.join('\n')).join('\n\n'),
    attributes: {
      rule: finding.ruleId,
      severity: finding.severity,
      accountId: finding.accountId,
      action,
    },
  };
}

/**
 * The notification of an invalid settings document.
 *
 * @example
 * formatSettingsInvalid({ problems: error.problems, source: '/endpoint-guard/settings', accountId: '111122223333' });
 */
export function formatSettingsInvalid(input: {
  readonly problems: readonly string[];
  readonly source?: string;
  /** The central account, where the settings parameter lives. */
  readonly accountId?: string;
}): Notification {
  const where = input.source ? ` (${input.source})` : '';
  return {
    subject: subjectLine('Settings document is invalid: the last valid settings stay in force'),
    message: [
      [`The endpoint-guard settings document${where} was rejected.`],
      ['PROBLEMS', ...input.problems.map((problem) => `- ${problem}`)],
      [
        'WHAT HAPPENS NOW',
        'The functions keep the last valid settings; when they never had any, they use the defaults with every auto-fix turned into a ticket. Nothing is fixed automatically because of an invalid document.',
      ],
      [
        'HOW TO FIX IT',
        'Check a document with `endpoint-guard settings validate FILE`, then write it with `endpoint-guard settings set FILE`.',
      ],
    ]
      .map((lines) => lines.join('\n'))
      .join('\n\n'),
    attributes: {
      rule: 'settings',
      severity: 'HIGH',
      accountId: input.accountId ?? 'unknown',
      action: 'settings-invalid',
    },
  };
}

/**
 * `[endpoint-guard] <text>` as SNS accepts it: printable ASCII, one line, under 100 characters.
 *
 * @example
 * subjectLine('Fixed: vpce-0a1 (222233334444) interface-endpoint-multi-az');
 */
export function subjectLine(text: string): string {
  const ascii = `[endpoint-guard] ${text}`
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return ascii.length <= MAX_SUBJECT_LENGTH
    ? ascii
    : `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3).trimEnd()}...`;
}

function optional<T>(value: T | undefined, render: (value: T) => string): string[] {
  return value === undefined ? [] : [render(value)];
}

/**
 * What a ticket says, as sections that each sink renders in its own format (Markdown for
 * OpsCenter, Atlassian Document Format for Jira, plain text for ServiceNow and the webhook).
 */
import type { Finding } from '../findings/finding';
import { consoleUrl, costImpact, findingTitle, planText, whyItMatters } from '../notifications/finding-text';
import type { PreviousTicket, TicketOpening } from './ports';

export interface TicketSection {
  readonly heading: string;
  readonly lines: readonly string[];
}

export interface TicketText {
  readonly title: string;
  readonly sections: readonly TicketSection[];
}

/**
 * The title and sections of a new ticket.
 *
 * @example
 * const { title, sections } = ticketText(finding, { why: 'rule set to ticket', warnings: [] });
 */
export function ticketText(finding: Finding, opening: TicketOpening): TicketText {
  const sections: TicketSection[] = [];
  if (opening.previous) {
    sections.push({ heading: 'Regression', lines: [regressionLine(opening.previous)] });
  }
  sections.push(
    {
      heading: 'What',
      lines: [`${finding.ruleId} is ${finding.status} (severity ${finding.severity}): ${finding.reason}`],
    },
    {
      heading: 'Where',
      lines: [
        `${finding.resourceId} (${finding.resourceType}) in account ${finding.accountId}, ${finding.region}`,
        finding.resourceArn,
        ...optional(consoleUrl(finding), (url) => `Console: ${url}`),
      ],
    },
    { heading: 'Why it matters', lines: [whyItMatters(finding.ruleId)] },
    {
      heading: 'What will be done',
      lines: [
        opening.why,
        ...optional(planText(finding), (plan) => `Planned fix: ${plan}`),
        ...optional(costImpact(finding), (cost) => `Cost: ${cost}`),
        ...opening.warnings.map((warning) => `Warning: ${warning}`),
      ],
    },
    {
      heading: 'About this ticket',
      lines: [
        `Finding ${finding.findingId}, observed ${finding.observedAt} by ${finding.detector}.`,
        'endpoint-guard keeps one ticket per finding: it adds updates while the finding lasts and resolves this ticket when the resource is compliant again.',
      ],
    },
  );
  return { title: findingTitle(finding), sections };
}

/**
 * `This finding came back: OPS-12 (url) was resolved at ... (fixed ...). This is a new ticket.`
 *
 * @example
 * regressionLine({ sink: 'jira', id: 'OPS-12', resolvedAt: '2025-06-01T12:00:00.000Z' });
 */
export function regressionLine(previous: PreviousTicket): string {
  const name = previous.key ?? previous.id;
  const link = previous.url ? ` (${previous.url})` : '';
  const when = previous.resolvedAt ? ` at ${previous.resolvedAt}` : '';
  const what = previous.resolution ? `: ${previous.resolution}` : '';
  return `This finding came back after it was resolved. Earlier ticket ${name}${link} was resolved${when}${what}. This is a new ticket for the regression.`;
}

/**
 * Plain text: each heading on its own line, in capitals, then its lines.
 *
 * @example
 * renderPlain(ticketText(finding, opening));
 */
export function renderPlain(text: TicketText): string {
  return text.sections
    .map((section) => [section.heading.toUpperCase(), ...section.lines].join('\n'))
    .join('\n\n');
}

/**
 * Markdown: `## heading` then the lines as paragraphs.
 *
 * @example
 * renderMarkdown(ticketText(finding, opening));
 */
export function renderMarkdown(text: TicketText): string {
  return text.sections
    .map((section) => [`## ${section.heading}`, ...section.lines].join('\n\n'))
    .join('\n\n');
}

/**
 * Cuts text to at most `max` characters, ending with `...` when it was cut.
 *
 * @example
 * clip('abcdef', 5); // 'ab...'
 */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 3))}...`;
}

function optional<T>(value: T | undefined, render: (value: T) => string): string[] {
  return value === undefined ? [] : [render(value)];
}

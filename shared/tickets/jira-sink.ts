/**
 * Jira Cloud (REST API v3) as the ticket sink. Issues carry the label `endpoint-guard` and a
 * per-finding label `endpoint-guard-<hash of the finding id>` (see `findingKey`), which is how the
 * open issue of a finding is found: `GET /rest/api/3/search/jql` (the enhanced search that
 * replaced `/rest/api/3/search`) with `labels = "<key>" AND statusCategory != Done`.
 *
 * Authentication: Basic with `email:apiToken` (Atlassian API token), from the secret
 * `{"email": "...", "apiToken": "..."}`.
 */
import { z } from 'zod';
import type { Finding } from '../findings/finding';
import type { HttpClient, HttpRequest } from '../http/http-client';
import { secretValues } from '../secrets/redact';
import { adfDocument, adfText } from './adf';
import { clip, ticketText } from './content';
import type { CredentialSource, JiraCredentials } from './credentials';
import { TicketSinkError } from './errors';
import { findingKey } from './finding-key';
import { jsonOf, parseBody, wrapHttp } from './http-support';
import type { TicketHandle, TicketOpening, TicketResolution, TicketSink, TicketUpdate } from './ports';

/** The label every endpoint-guard issue carries. */
export const JIRA_LABEL = 'endpoint-guard';
/** Jira's summary field holds 255 characters. */
const MAX_SUMMARY = 255;

export interface JiraTicketSinkOptions {
  /** `https://example.atlassian.net` */
  readonly baseUrl: string;
  /** `OPS` */
  readonly projectKey: string;
  /** `Task` */
  readonly issueType: string;
  /** The transition (or target status) that closes an issue: `Done`. */
  readonly doneTransition: string;
  readonly credentials: CredentialSource<JiraCredentials>;
  /** An {@link HttpClient} for the service `jira`. */
  readonly http: HttpClient;
}

const createdSchema = z.object({ id: z.string(), key: z.string() });
const searchSchema = z.object({ issues: z.array(z.object({ id: z.string(), key: z.string() })).default([]) });
const transitionsSchema = z.object({
  transitions: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      to: z.object({ name: z.string().optional() }).optional(),
    }),
  ),
});

/**
 * Opens, comments on and transitions Jira issues.
 *
 * HTTP calls: `open` 1 (`POST /issue`), `update` 1 (`POST /issue/{key}/comment`), `resolve` 3
 * (comment, `GET` then `POST /issue/{key}/transitions`), `findOpen` 1 (`GET /search/jql`).
 *
 * @example
 * const sink = new JiraTicketSink({
 *   baseUrl: 'https://example.atlassian.net', projectKey: 'OPS', issueType: 'Task', doneTransition: 'Done',
 *   credentials: async () => ({ email: 'bot@example.com', apiToken: token }),
 *   http: new HttpClient({ service: 'jira' }),
 * });
 * const { id, url } = await sink.open(finding, { why: 'rule set to ticket', warnings: [] });
 */
export class JiraTicketSink implements TicketSink {
  readonly name = 'jira' as const;
  private readonly options: JiraTicketSinkOptions;
  private readonly baseUrl: string;

  constructor(options: JiraTicketSinkOptions) {
    this.options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async open(finding: Finding, opening: TicketOpening): Promise<TicketHandle> {
    const text = ticketText(finding, opening);
    const body = await this.call('create issue', finding.findingId, {
      method: 'POST',
      url: `${this.baseUrl}/rest/api/3/issue`,
      json: {
        fields: {
          project: { key: this.options.projectKey },
          issuetype: { name: this.options.issueType },
          summary: clip(text.title, MAX_SUMMARY),
          description: adfDocument(text),
          labels: [JIRA_LABEL, findingKey(finding.findingId)],
        },
      },
    });
    const created = parseBody('jira', createdSchema, body, 'create issue');
    return this.handle(created.key);
  }

  async update(ticket: TicketHandle, update: TicketUpdate): Promise<void> {
    await this.comment(ticket, update.text);
  }

  async resolve(ticket: TicketHandle, resolution: TicketResolution): Promise<void> {
    await this.comment(ticket, resolution.text);
    const path = `${this.baseUrl}/rest/api/3/issue/${encodeURIComponent(ticket.id)}/transitions`;
    const listed = parseBody(
      'jira',
      transitionsSchema,
      await this.call('list transitions', ticket.id, { method: 'GET', url: path }),
      'list transitions',
    );
    const wanted = this.options.doneTransition.toLowerCase();
    const transition =
      listed.transitions.find((candidate) => candidate.name.toLowerCase() === wanted) ??
      listed.transitions.find((candidate) => candidate.to?.name?.toLowerCase() === wanted);
    if (!transition) {
      const available = listed.transitions.map((candidate) => candidate.name).join(', ') || 'none';
      throw new TicketSinkError('jira', 'transition issue', ticket.id, {
        problem: `no transition named "${this.options.doneTransition}" from the issue's current status (available: ${available}); set tickets.jira.doneTransition`,
        retryable: false,
      });
    }
    await this.call('transition issue', ticket.id, {
      method: 'POST',
      url: path,
      json: { transition: { id: transition.id } },
    });
  }

  async findOpen(finding: Finding): Promise<TicketHandle | undefined> {
    const jql =
      `project = "${this.options.projectKey}" AND labels = "${findingKey(finding.findingId)}" ` +
      'AND statusCategory != Done ORDER BY created DESC';
    const query = new URLSearchParams({ jql, fields: 'status', maxResults: '1' });
    const body = await this.call('search issues', finding.findingId, {
      method: 'GET',
      url: `${this.baseUrl}/rest/api/3/search/jql?${query.toString()}`,
    });
    const [issue] = parseBody('jira', searchSchema, body, 'search issues').issues;
    return issue ? this.handle(issue.key) : undefined;
  }

  private async comment(ticket: TicketHandle, text: string): Promise<void> {
    await this.call('comment', ticket.id, {
      method: 'POST',
      url: `${this.baseUrl}/rest/api/3/issue/${encodeURIComponent(ticket.id)}/comment`,
      json: { body: adfText(text) },
    });
  }

  private handle(key: string): TicketHandle {
    return { id: key, url: `${this.baseUrl}/browse/${encodeURIComponent(key)}` };
  }

  private async call(
    operation: string,
    subject: string,
    request: Omit<HttpRequest, 'headers' | 'secrets'>,
  ): Promise<unknown> {
    const credentials = await this.options.credentials();
    const basic = Buffer.from(`${credentials.email}:${credentials.apiToken}`).toString('base64');
    let text: string;
    try {
      const response = await this.options.http.request({
        ...request,
        headers: { Authorization: `Basic ${basic}` },
        secrets: secretValues(credentials),
      });
      text = response.text;
    } catch (error) {
      throw wrapHttp('jira', operation, subject, error);
    }
    return jsonOf('jira', operation, text);
  }
}

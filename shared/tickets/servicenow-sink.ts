/**
 * ServiceNow (Table API, `incident` table) as the ticket sink. An incident's `correlation_id` is
 * the finding's key (`endpoint-guard-<hash of the finding id>`: the field holds 100 characters,
 * fewer than a finding id may need) and `correlation_display` is `endpoint-guard`; the open
 * incident of a finding is found with `correlation_id=<key>^active=true`.
 *
 * Authentication: Basic from `{"username": "...", "password": "..."}`, or Bearer from
 * `{"oauthToken": "..."}`. The user needs the `itil` role (create, update and resolve incidents).
 */
import { z } from 'zod';
import type { Finding } from '../findings/finding';
import type { HttpClient, HttpRequest } from '../http/http-client';
import type { Severity } from '../rules/types';
import { secretValues } from '../secrets/redact';
import { clip, renderPlain, ticketText } from './content';
import type { CredentialSource, ServiceNowCredentials } from './credentials';
import { findingKey } from './finding-key';
import { jsonOf, parseBody, wrapHttp } from './http-support';
import type { TicketHandle, TicketOpening, TicketResolution, TicketSink, TicketUpdate } from './ports';

/** `correlation_display` of every endpoint-guard incident. */
export const SERVICENOW_CORRELATION_DISPLAY = 'endpoint-guard';
/** Incident `state` value of Resolved in the base system. */
export const SERVICENOW_RESOLVED_STATE = '6';
/** `short_description` holds 160 characters in the base system. */
const MAX_SHORT_DESCRIPTION = 160;

/** Impact and urgency 1 (high) .. 3 (low); priority follows from both. */
const LEVEL: Readonly<Record<Severity, { impact: string; urgency: string }>> = {
  CRITICAL: { impact: '1', urgency: '1' },
  HIGH: { impact: '2', urgency: '1' },
  MEDIUM: { impact: '2', urgency: '2' },
  LOW: { impact: '3', urgency: '3' },
  INFORMATIONAL: { impact: '3', urgency: '3' },
};

export interface ServiceNowTicketSinkOptions {
  /** `https://example.service-now.com` */
  readonly instanceUrl: string;
  /** Assignment group (name or sys_id) of new incidents. @default none */
  readonly assignmentGroup?: string;
  /** `close_code` of resolved incidents (a choice of the instance). @default 'Solution provided' */
  readonly closeCode?: string;
  readonly credentials: CredentialSource<ServiceNowCredentials>;
  /** An {@link HttpClient} for the service `servicenow`. */
  readonly http: HttpClient;
}

const recordSchema = z.object({ sys_id: z.string(), number: z.string().optional() });
const createdSchema = z.object({ result: recordSchema });
const listSchema = z.object({ result: z.array(recordSchema) });

/**
 * Creates, annotates and resolves ServiceNow incidents.
 *
 * HTTP calls: `open` 1 (`POST /api/now/table/incident`), `update` 1 and `resolve` 1
 * (`PATCH /api/now/table/incident/{sys_id}`), `findOpen` 1 (`GET /api/now/table/incident`).
 *
 * @example
 * const sink = new ServiceNowTicketSink({
 *   instanceUrl: 'https://example.service-now.com',
 *   credentials: async () => ({ username: 'endpoint-guard', password }),
 *   http: new HttpClient({ service: 'servicenow' }),
 * });
 */
export class ServiceNowTicketSink implements TicketSink {
  readonly name = 'servicenow' as const;
  private readonly options: ServiceNowTicketSinkOptions;
  private readonly instanceUrl: string;

  constructor(options: ServiceNowTicketSinkOptions) {
    this.options = options;
    this.instanceUrl = options.instanceUrl.replace(/\/+$/, '');
  }

  async open(finding: Finding, opening: TicketOpening): Promise<TicketHandle> {
    const text = ticketText(finding, opening);
    const level = LEVEL[finding.severity];
    const query = new URLSearchParams({
      sysparm_fields: 'sys_id,number',
      sysparm_exclude_reference_link: 'true',
    });
    const body = await this.call('create incident', finding.findingId, {
      method: 'POST',
      url: `${this.table()}?${query.toString()}`,
      json: {
        short_description: clip(text.title, MAX_SHORT_DESCRIPTION),
        description: renderPlain(text),
        correlation_id: findingKey(finding.findingId),
        correlation_display: SERVICENOW_CORRELATION_DISPLAY,
        impact: level.impact,
        urgency: level.urgency,
        ...(this.options.assignmentGroup ? { assignment_group: this.options.assignmentGroup } : {}),
      },
    });
    return this.handle(parseBody('servicenow', createdSchema, body, 'create incident').result);
  }

  async update(ticket: TicketHandle, update: TicketUpdate): Promise<void> {
    await this.call('add work note', ticket.id, {
      method: 'PATCH',
      url: this.record(ticket.id),
      json: { work_notes: update.text },
    });
  }

  async resolve(ticket: TicketHandle, resolution: TicketResolution): Promise<void> {
    await this.call('resolve incident', ticket.id, {
      method: 'PATCH',
      url: this.record(ticket.id),
      json: {
        state: SERVICENOW_RESOLVED_STATE,
        close_code: this.options.closeCode ?? 'Solution provided',
        close_notes: resolution.text,
      },
      // Setting the same fields twice leaves the incident as once: safe to resend.
      idempotent: true,
    });
  }

  async findOpen(finding: Finding): Promise<TicketHandle | undefined> {
    const query = new URLSearchParams({
      sysparm_query: `correlation_id=${findingKey(finding.findingId)}^active=true^ORDERBYDESCsys_created_on`,
      sysparm_fields: 'sys_id,number',
      sysparm_limit: '1',
    });
    const body = await this.call('find incident', finding.findingId, {
      method: 'GET',
      url: `${this.table()}?${query.toString()}`,
    });
    const [record] = parseBody('servicenow', listSchema, body, 'find incident').result;
    return record ? this.handle(record) : undefined;
  }

  private table(): string {
    return `${this.instanceUrl}/api/now/table/incident`;
  }

  private record(sysId: string): string {
    return `${this.table()}/${encodeURIComponent(sysId)}?sysparm_fields=sys_id`;
  }

  private handle(record: z.infer<typeof recordSchema>): TicketHandle {
    const target = encodeURIComponent(`incident.do?sys_id=${record.sys_id}`);
    return {
      id: record.sys_id,
      ...(record.number ? { key: record.number } : {}),
      url: `${this.instanceUrl}/nav_to.do?uri=${target}`,
    };
  }

  private async call(
    operation: string,
    subject: string,
    request: Omit<HttpRequest, 'headers' | 'secrets'>,
  ): Promise<unknown> {
    const credentials = await this.options.credentials();
    const authorization =
      'oauthToken' in credentials
        ? `Bearer ${credentials.oauthToken}`
        : `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    let text: string;
    try {
      const response = await this.options.http.request({
        ...request,
        headers: { Authorization: authorization },
        secrets: secretValues(credentials),
      });
      text = response.text;
    } catch (error) {
      throw wrapHttp('servicenow', operation, subject, error);
    }
    return jsonOf('servicenow', operation, text);
  }
}

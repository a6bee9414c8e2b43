import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../shared/http/http-client';
import type { ServiceNowCredentials } from '../../shared/tickets/credentials';
import { findingKey } from '../../shared/tickets/finding-key';
import { ServiceNowTicketSink } from '../../shared/tickets/servicenow-sink';
import { useHttpServer } from '../http/server';
import { bucketFinding } from '../remediation/fixtures';

const server = useHttpServer();
/** Errors name the host, never the path or query (a webhook URL may carry its secret there). */
const host = () => new URL(server.url).host;
const PASSWORD = 'sn0w-pa55word-value';
const OAUTH = 'oauth-access-token-value-123';
const finding = bucketFinding(null, { severity: 'CRITICAL' });
const SYS_ID = '9d385017c611228701d22104cc95c371';

function sink(
  credentials: ServiceNowCredentials = { username: 'endpoint.guard', password: PASSWORD },
  options: { timeoutMs?: number } = {},
) {
  return new ServiceNowTicketSink({
    instanceUrl: server.url,
    assignmentGroup: 'Network Operations',
    closeCode: 'Solution provided',
    credentials: async () => credentials,
    http: new HttpClient({
      service: 'servicenow',
      timeoutMs: options.timeoutMs ?? 2_000,
      sleep: async () => undefined,
      random: () => 0.5,
    }),
  });
}

/** The Table API's documented create answer (fields cut to those asked for). */
const CREATED = { result: { sys_id: SYS_ID, number: 'INC0010002' } };

describe('ServiceNowTicketSink', () => {
  it('creates an incident with the correlation id, impact and urgency, with Basic auth', async () => {
    // Prepare
    server.reply({ status: 201, body: CREATED });

    // Act
    const ticket = await sink().open(finding, { why: 'The rule is set to ticket.', warnings: [] });

    // Assess
    expect(ticket).toEqual({
      id: SYS_ID,
      key: 'INC0010002',
      url: `${server.url}/nav_to.do?uri=incident.do%3Fsys_id%3D${SYS_ID}`,
    });
    const [request] = server.requests;
    expect(request).toMatchObject({
      method: 'POST',
      path: '/api/now/table/incident?sysparm_fields=sys_id%2Cnumber&sysparm_exclude_reference_link=true',
      headers: {
        authorization: `Basic ${Buffer.from(`endpoint.guard:${PASSWORD}`).toString('base64')}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
    });
    const body = JSON.parse(request?.body ?? '{}');
    expect(body).toEqual({
      short_description:
        'S3 bucket not fully blocked from public access: reports-bucket (222233334444, eu-west-1)',
      description: expect.stringContaining(
        'WHAT\ns3-bucket-public-access is NON_COMPLIANT (severity CRITICAL)',
      ),
      correlation_id: findingKey(finding.findingId),
      correlation_display: 'endpoint-guard',
      impact: '1',
      urgency: '1',
      assignment_group: 'Network Operations',
    });
    expect(body.correlation_id.length).toBeLessThanOrEqual(100);
  });

  it('uses a Bearer token from an OAuth secret', async () => {
    // Prepare
    server.reply({ status: 201, body: CREATED });

    // Act
    await sink({ oauthToken: OAUTH }).open(finding, { why: 'w', warnings: [] });

    // Assess
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${OAUTH}`);
  });

  it('finds the active incident of a finding by correlation id', async () => {
    // Prepare
    server.reply({ status: 200, body: { result: [{ sys_id: SYS_ID, number: 'INC0010002' }] } });

    // Act
    const found = await sink().findOpen(finding);

    // Assess
    expect(found).toMatchObject({ id: SYS_ID, key: 'INC0010002' });
    const url = new URL(`${server.url}${server.requests[0]?.path}`);
    expect(url.pathname).toBe('/api/now/table/incident');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      sysparm_query: `correlation_id=${findingKey(finding.findingId)}^active=true^ORDERBYDESCsys_created_on`,
      sysparm_fields: 'sys_id,number',
      sysparm_limit: '1',
    });
  });

  it('finds nothing when no incident is active', async () => {
    server.reply({ status: 200, body: { result: [] } });
    expect(await sink().findOpen(finding)).toBeUndefined();
  });

  it('adds a work note', async () => {
    // Prepare
    server.reply({ status: 200, body: { result: { sys_id: SYS_ID } } });

    // Act
    await sink().update({ id: SYS_ID }, { text: 'Still NON_COMPLIANT.', finding });

    // Assess
    expect(server.requests[0]).toMatchObject({
      method: 'PATCH',
      path: `/api/now/table/incident/${SYS_ID}?sysparm_fields=sys_id`,
      body: '{"work_notes":"Still NON_COMPLIANT."}',
    });
  });

  it('resolves with state 6, the close code and close notes, retrying a 503', async () => {
    // Prepare
    server.reply(
      { status: 503, body: { error: { message: 'Service Unavailable' } } },
      { status: 200, body: { result: { sys_id: SYS_ID } } },
    );

    // Act
    await sink().resolve(
      { id: SYS_ID },
      { kind: 'compliant', text: 'reports-bucket is COMPLIANT again.', finding },
    );

    // Assess
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]).toMatchObject({
      method: 'PATCH',
      path: `/api/now/table/incident/${SYS_ID}?sysparm_fields=sys_id`,
    });
    expect(JSON.parse(server.requests[1]?.body ?? '{}')).toEqual({
      state: '6',
      close_code: 'Solution provided',
      close_notes: 'reports-bucket is COMPLIANT again.',
    });
  });

  it.each([
    {
      status: 400,
      body: { error: { message: 'Invalid table', detail: 'incident_x' }, status: 'failure' },
      message: `servicenow create incident for s3-bucket-public-access:arn:aws:s3:::reports-bucket failed: servicenow POST <host>: 400 Bad Request: Invalid table: incident_x`,
      retryable: false,
      requests: 1,
    },
    {
      status: 401,
      body: {
        error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
        status: 'failure',
      },
      message: `servicenow create incident for s3-bucket-public-access:arn:aws:s3:::reports-bucket failed: servicenow POST <host>: 401 Unauthorized: User Not Authenticated: Required to provide Auth information`,
      retryable: false,
      requests: 1,
    },
    {
      status: 429,
      body: { error: { message: 'Rate limit exceeded' } },
      message: `servicenow create incident for s3-bucket-public-access:arn:aws:s3:::reports-bucket failed: servicenow POST <host>: 429 Too Many Requests: Rate limit exceeded (after 3 attempts)`,
      retryable: true,
      requests: 3,
    },
  ])(
    "fails a create answered $status with ServiceNow's message",
    async ({ status, body, message, retryable, requests }) => {
      // Prepare
      server.fallback(() => ({ status, body }));

      // Act
      const result = sink().open(finding, { why: 'w', warnings: [] });

      // Assess
      await expect(result).rejects.toThrow(message.replace('<host>', host()));
      await expect(result).rejects.toMatchObject({ retryable, status });
      expect(server.requests).toHaveLength(requests);
    },
  );

  it('reports a deleted incident as 404', async () => {
    server.reply({
      status: 404,
      body: {
        error: {
          message: 'No Record found',
          detail: "Record doesn't exist or ACL restricts the record retrieval",
        },
        status: 'failure',
      },
    });
    await expect(sink().update({ id: SYS_ID }, { text: 'x', finding })).rejects.toMatchObject({
      status: 404,
    });
  });

  it('times out a slow answer', async () => {
    server.fallback(() => ({ status: 200, body: { result: [] }, delayMs: 1_000 }));
    await expect(sink(undefined, { timeoutMs: 100 }).findOpen(finding)).rejects.toThrow(
      `servicenow GET ${host()}: no answer within 100 ms (after 3 attempts)`,
    );
  });
});

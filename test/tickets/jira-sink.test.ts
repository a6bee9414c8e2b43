import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../shared/http/http-client';
import { TicketSinkError } from '../../shared/tickets/errors';
import { findingKey } from '../../shared/tickets/finding-key';
import { JiraTicketSink } from '../../shared/tickets/jira-sink';
import { useHttpServer } from '../http/server';
import { endpointFinding } from '../remediation/fixtures';

const server = useHttpServer();
/** Errors name the host, never the path or query (a webhook URL may carry its secret there). */
const host = () => new URL(server.url).host;
const EMAIL = 'endpoint-guard@example.com';
const TOKEN = 'ATATT3xFfGF0-jira-api-token';
const BASIC = `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}`;
const finding = endpointFinding();
const LABEL = findingKey(finding.findingId);

function sink(options: { timeoutMs?: number } = {}) {
  return new JiraTicketSink({
    baseUrl: `${server.url}/`,
    projectKey: 'OPS',
    issueType: 'Task',
    doneTransition: 'Done',
    credentials: async () => ({ email: EMAIL, apiToken: TOKEN }),
    http: new HttpClient({
      service: 'jira',
      timeoutMs: options.timeoutMs ?? 2_000,
      sleep: async () => undefined,
      random: () => 0.5,
    }),
  });
}

/** Jira's documented answers. */
const CREATED = { id: '10000', key: 'OPS-24', self: 'https://example.atlassian.net/rest/api/3/issue/10000' };
const TRANSITIONS = {
  expand: 'transitions',
  transitions: [
    {
      id: '11',
      name: 'Start progress',
      to: { name: 'In Progress', statusCategory: { key: 'indeterminate' } },
    },
    { id: '31', name: 'Close issue', to: { name: 'Done', statusCategory: { key: 'done' } } },
  ],
};

describe('JiraTicketSink', () => {
  it('creates an issue with the ADF description and the finding label, with Basic auth', async () => {
    // Prepare
    server.reply({ status: 201, body: CREATED });

    // Act
    const ticket = await sink().open(finding, { why: 'The rule is set to ticket.', warnings: ['W1'] });

    // Assess
    expect(ticket).toEqual({ id: 'OPS-24', url: `${server.url}/browse/OPS-24` });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({
      method: 'POST',
      path: '/rest/api/3/issue',
      headers: { authorization: BASIC, 'content-type': 'application/json', accept: 'application/json' },
    });
    const body = JSON.parse(request?.body ?? '{}');
    expect(body.fields).toMatchObject({
      project: { key: 'OPS' },
      issuetype: { name: 'Task' },
      summary: 'Interface endpoint not in every AZ: vpce-0a1 (222233334444, eu-west-1)',
      labels: ['endpoint-guard', LABEL],
    });
    expect(body.fields.description.version).toBe(1);
    expect(body.fields.description.type).toBe('doc');
    expect(body.fields.description.content[0]).toEqual({
      type: 'heading',
      attrs: { level: 3 },
      content: [{ type: 'text', text: 'What' }],
    });
    const texts = JSON.stringify(body.fields.description);
    expect(texts).toContain('The rule is set to ticket.');
    expect(texts).toContain('Warning: W1');
    expect(texts).toContain(
      '"marks":[{"type":"link","attrs":{"href":"https://eu-west-1.console.aws.amazon.com/vpcconsole/home?region=eu-west-1#EndpointDetails:vpcEndpointId=vpce-0a1"}}]',
    );
  });

  it('says a regression is one and links the earlier issue', async () => {
    // Prepare
    server.reply({ status: 201, body: { ...CREATED, key: 'OPS-25' } });

    // Act
    await sink().open(finding, {
      why: 'ticket',
      warnings: [],
      previous: {
        sink: 'jira',
        id: 'OPS-24',
        url: `${server.url}/browse/OPS-24`,
        resolvedAt: '2025-06-01T13:00:00.000Z',
        resolution: 'fixed automatically',
      },
    });

    // Assess
    const description = JSON.stringify(JSON.parse(server.requests[0]?.body ?? '{}').fields.description);
    expect(description).toContain('"text":"Regression"');
    expect(description).toContain('Earlier ticket OPS-24 (');
    expect(description).toContain('was resolved at 2025-06-01T13:00:00.000Z: fixed automatically.');
  });

  it('finds the open issue of a finding with the enhanced JQL search', async () => {
    // Prepare
    server.reply({
      status: 200,
      body: { issues: [{ id: '10000', key: 'OPS-24', fields: { status: { name: 'To Do' } } }], isLast: true },
    });

    // Act
    const found = await sink().findOpen(finding);

    // Assess
    expect(found).toEqual({ id: 'OPS-24', url: `${server.url}/browse/OPS-24` });
    const url = new URL(`${server.url}${server.requests[0]?.path}`);
    expect(server.requests[0]?.method).toBe('GET');
    expect(url.pathname).toBe('/rest/api/3/search/jql');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      jql: `project = "OPS" AND labels = "${LABEL}" AND statusCategory != Done ORDER BY created DESC`,
      fields: 'status',
      maxResults: '1',
    });
    expect(server.requests[0]?.headers.authorization).toBe(BASIC);
  });

  it('finds nothing when the search returns no issue', async () => {
    server.reply({ status: 200, body: { issues: [], isLast: true } });
    expect(await sink().findOpen(finding)).toBeUndefined();
  });

  it('retries a search answered 429 after its Retry-After', async () => {
    // Prepare
    server.reply(
      { status: 429, headers: { 'Retry-After': '1' }, body: { errorMessages: ['Rate limit exceeded.'] } },
      { status: 200, body: { issues: [] } },
    );

    // Act
    const found = await sink().findOpen(finding);

    // Assess
    expect(found).toBeUndefined();
    expect(server.requests.map((request) => request.method)).toEqual(['GET', 'GET']);
  });

  it('comments in ADF', async () => {
    // Prepare
    server.reply({ status: 201, body: { id: '10100', body: {} } });

    // Act
    await sink().update(
      { id: 'OPS-24' },
      { text: 'Still NON_COMPLIANT.\nSee https://example.com/x', finding },
    );

    // Assess
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/rest/api/3/issue/OPS-24/comment' });
    expect(JSON.parse(server.requests[0]?.body ?? '{}')).toEqual({
      body: {
        version: 1,
        type: 'doc',
        content: [
          {
            type: 'paragraph',
            content: [
              { type: 'text', text: 'Still NON_COMPLIANT.' },
              { type: 'hardBreak' },
              { type: 'text', text: 'See ' },
              {
                type: 'text',
                text: 'https://example.com/x',
                marks: [{ type: 'link', attrs: { href: 'https://example.com/x' } }],
              },
            ],
          },
        ],
      },
    });
  });

  it('resolves with a comment, then the transition to the configured done status', async () => {
    // Prepare
    server.reply({ status: 201, body: { id: '10101' } }, { status: 200, body: TRANSITIONS }, { status: 204 });

    // Act
    await sink().resolve({ id: 'OPS-24' }, { kind: 'fixed', text: 'Fixed by endpoint-guard.', finding });

    // Assess
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /rest/api/3/issue/OPS-24/comment',
      'GET /rest/api/3/issue/OPS-24/transitions',
      'POST /rest/api/3/issue/OPS-24/transitions',
    ]);
    expect(JSON.parse(server.requests[2]?.body ?? '{}')).toEqual({ transition: { id: '31' } });
  });

  it('refuses to resolve when no transition leads to the done status, naming the ones there are', async () => {
    // Prepare
    server.reply(
      { status: 201, body: {} },
      { status: 200, body: { transitions: [TRANSITIONS.transitions[0]] } },
    );

    // Act
    const result = sink().resolve({ id: 'OPS-24' }, { kind: 'fixed', text: 'Fixed.', finding });

    // Assess
    await expect(result).rejects.toThrow(
      'jira transition issue for OPS-24 failed: no transition named "Done" from the issue\'s current status (available: Start progress); set tickets.jira.doneTransition',
    );
    await expect(result).rejects.toMatchObject({ retryable: false });
  });

  it.each([
    {
      status: 400,
      body: { errorMessages: [], errors: { issuetype: 'Specify an issue type' } },
      message: `jira create issue for interface-endpoint-multi-az:arn:aws:ec2:eu-west-1:222233334444:vpc-endpoint/vpce-0a1 failed: jira POST <host>: 400 Bad Request: issuetype: Specify an issue type`,
      retryable: false,
    },
    {
      status: 401,
      body: {
        errorMessages: ['You are not authenticated. Authentication required to perform this operation.'],
      },
      message: `jira create issue for interface-endpoint-multi-az:arn:aws:ec2:eu-west-1:222233334444:vpc-endpoint/vpce-0a1 failed: jira POST <host>: 401 Unauthorized: You are not authenticated. Authentication required to perform this operation.`,
      retryable: false,
    },
    {
      status: 500,
      body: { errorMessages: ['Internal server error'] },
      message: `jira create issue for interface-endpoint-multi-az:arn:aws:ec2:eu-west-1:222233334444:vpc-endpoint/vpce-0a1 failed: jira POST <host>: 500 Internal Server Error: Internal server error`,
      retryable: true,
    },
  ])(
    "fails a create answered $status once, with Jira's message",
    async ({ status, body, message, retryable }) => {
      // Prepare
      server.reply({ status, body });

      // Act
      const result = sink().open(finding, { why: 'w', warnings: [] });

      // Assess
      await expect(result).rejects.toThrow(message.replace('<host>', host()));
      await expect(result).rejects.toBeInstanceOf(TicketSinkError);
      await expect(result).rejects.toMatchObject({ retryable, status });
      expect(server.requests).toHaveLength(1);
    },
  );

  it('reports a comment on a deleted issue as 404', async () => {
    // Prepare
    server.reply({
      status: 404,
      body: { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} },
    });

    // Act
    const result = sink().update({ id: 'OPS-99' }, { text: 'x', finding });

    // Assess
    await expect(result).rejects.toMatchObject({ status: 404, retryable: false });
  });

  it('times out a slow create without sending it twice', async () => {
    // Prepare
    server.fallback(() => ({ status: 201, body: CREATED, delayMs: 1_000 }));

    // Act
    const result = sink({ timeoutMs: 100 }).open(finding, { why: 'w', warnings: [] });

    // Assess
    await expect(result).rejects.toThrow(`jira POST ${host()}: no answer within 100 ms`);
    expect(server.requests).toHaveLength(1);
  });
});

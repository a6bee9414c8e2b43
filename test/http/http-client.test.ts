import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../shared/http/errors';
import { HttpClient, type HttpClientOptions } from '../../shared/http/http-client';
import { backoffDelay, parseRetryAfter, wasNotSent } from '../../shared/http/retry';
import { serviceMessage } from '../../shared/http/service-message';
import { useHttpServer } from './server';

const server = useHttpServer();
/** Errors name the host, never the path or query (a webhook URL may carry its secret there). */
const host = () => new URL(server.url).host;

/** A client whose waits are recorded instead of slept, with the middle of every jitter range. */
function client(options: Partial<HttpClientOptions> = {}) {
  const sleeps: number[] = [];
  const warnings: Record<string, unknown>[] = [];
  const http = new HttpClient({
    service: 'jira',
    timeoutMs: 2_000,
    maxAttempts: 3,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    now: () => Date.parse('2025-06-01T12:00:00Z'),
    logger: { warn: (_message, attributes) => warnings.push(attributes) },
    ...options,
  });
  return { http, sleeps, warnings };
}

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError');
}

describe('HttpClient', () => {
  it('sends the method, headers and JSON body, and returns the answer', async () => {
    // Prepare
    server.reply({ status: 201, body: { id: '10000', key: 'OPS-1' } });
    const { http } = client();

    // Act
    const response = await http.request({
      method: 'POST',
      url: `${server.url}/rest/api/3/issue?x=1`,
      headers: { Authorization: 'Basic dXNlcjpwYXNz' },
      json: { fields: { summary: 'hello' } },
    });

    // Assess
    expect(response.status).toBe(201);
    expect(JSON.parse(response.text)).toEqual({ id: '10000', key: 'OPS-1' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/rest/api/3/issue?x=1',
      body: '{"fields":{"summary":"hello"}}',
      headers: {
        authorization: 'Basic dXNlcjpwYXNz',
        'content-type': 'application/json',
        accept: 'application/json',
      },
    });
  });

  it('does not retry a 400 and reports the service message (Jira errorMessages and errors)', async () => {
    // Prepare
    server.reply({
      status: 400,
      body: {
        errorMessages: ['Project OPX does not exist.'],
        errors: { summary: 'You must specify a summary.' },
      },
    });
    const { http, sleeps } = client();

    // Act
    const error = await failure(
      http.request({
        method: 'GET',
        url: `${server.url}/rest/api/3/project/OPX`,
        headers: { Authorization: 'Basic c2VjcmV0' },
      }),
    );

    // Assess
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(error.message).toBe(
      `jira GET ${host()}: 400 Bad Request: Project OPX does not exist.; summary: You must specify a summary.`,
    );
    expect(error).toMatchObject({ status: 400, failure: 'status', retryable: false, attempts: 1 });
    expect(JSON.stringify(error)).not.toContain('c2VjcmV0');
  });

  it('does not retry a 401 and never puts the Authorization header in the error', async () => {
    // Prepare
    server.reply({
      status: 401,
      body: {
        error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
        status: 'failure',
      },
    });
    const { http } = client({ service: 'servicenow' });

    // Act
    const error = await failure(
      http.request({
        method: 'GET',
        url: `${server.url}/api/now/table/incident`,
        headers: { Authorization: 'Basic dG9wc2VjcmV0' },
      }),
    );

    // Assess
    expect(server.requests).toHaveLength(1);
    expect(error.message).toBe(
      `servicenow GET ${host()}: 401 Unauthorized: User Not Authenticated: Required to provide Auth information`,
    );
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain('dG9wc2VjcmV0');
  });

  it('returns an accepted status instead of throwing it', async () => {
    // Prepare
    server.reply({ status: 404, body: { errorMessages: ['Issue does not exist'] } });
    const { http } = client();

    // Act
    const response = await http.request({
      method: 'GET',
      url: `${server.url}/rest/api/3/issue/OPS-9`,
      accept: [404],
    });

    // Assess
    expect(response.status).toBe(404);
  });

  it('waits the Retry-After seconds of a 429 and retries, even a POST', async () => {
    // Prepare
    server.reply(
      { status: 429, headers: { 'Retry-After': '2' }, body: { errorMessages: ['Rate limit'] } },
      { status: 201, body: { key: 'OPS-2' } },
    );
    const { http, sleeps, warnings } = client();

    // Act
    const response = await http.request({ method: 'POST', url: `${server.url}/rest/api/3/issue`, json: {} });

    // Assess
    expect(response.status).toBe(201);
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
    expect(warnings).toEqual([
      {
        service: 'jira',
        method: 'POST',
        host: host(),
        status: 429,
        attempt: 1,
        delayMs: 2000,
        retryAfterMs: 2000,
      },
    ]);
  });

  it('reads a Retry-After HTTP date', async () => {
    // Prepare
    server.reply(
      { status: 503, headers: { 'Retry-After': 'Sun, 01 Jun 2025 12:00:05 GMT' } },
      { status: 200, body: {} },
    );
    const { http, sleeps } = client();

    // Act
    await http.request({ method: 'GET', url: `${server.url}/x` });

    // Assess
    expect(sleeps).toEqual([5000]);
  });

  it('gives up at once when Retry-After asks for more than the cap', async () => {
    // Prepare
    server.reply({ status: 429, headers: { 'Retry-After': '3600' }, body: { message: 'slow down' } });
    const { http, sleeps } = client({ maxRetryAfterMs: 30_000 });

    // Act
    const error = await failure(http.request({ method: 'GET', url: `${server.url}/x` }));

    // Assess
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(error).toMatchObject({ status: 429, retryable: true, attempts: 1 });
    expect(error.message).toBe(`jira GET ${host()}: 429 Too Many Requests: slow down`);
  });

  it('retries a GET on 500 with exponential backoff, up to the attempt limit', async () => {
    // Prepare
    server.fallback(() => ({ status: 500, body: 'Internal Server Error' }));
    const { http, sleeps } = client();

    // Act
    const error = await failure(http.request({ method: 'GET', url: `${server.url}/rest/api/3/search/jql` }));

    // Assess: equal jitter with random 0.5 keeps 3/4 of each step (100, 200)
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toEqual([75, 150]);
    expect(error.message).toBe(
      `jira GET ${host()}: 500 Internal Server Error: Internal Server Error (after 3 attempts)`,
    );
    expect(error).toMatchObject({ status: 500, retryable: true, attempts: 3 });
  });

  it('does not resend a POST after a 500: the ticket may exist', async () => {
    // Prepare
    server.reply({ status: 500, body: { errorMessages: ['boom'] } });
    const { http } = client();

    // Act
    const error = await failure(
      http.request({ method: 'POST', url: `${server.url}/rest/api/3/issue`, json: {} }),
    );

    // Assess
    expect(server.requests).toHaveLength(1);
    expect(error).toMatchObject({ status: 500, retryable: true, attempts: 1 });
  });

  it('resends a POST marked idempotent after a 502', async () => {
    // Prepare
    server.reply(
      { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' },
      { status: 204 },
    );
    const { http } = client({ service: 'webhook' });

    // Act
    const response = await http.request({
      method: 'POST',
      url: `${server.url}/hook`,
      body: '{}',
      idempotent: true,
    });

    // Assess
    expect(response.status).toBe(204);
    expect(server.requests).toHaveLength(2);
  });

  it('times out a slow answer, retries a GET, and reports the timeout', async () => {
    // Prepare
    server.fallback(() => ({ status: 200, body: {}, delayMs: 1_000 }));
    const { http } = client({ timeoutMs: 100, maxAttempts: 2 });

    // Act
    const error = await failure(http.request({ method: 'GET', url: `${server.url}/slow` }));

    // Assess
    expect(server.requests).toHaveLength(2);
    expect(error.message).toBe(`jira GET ${host()}: no answer within 100 ms (after 2 attempts)`);
    expect(error).toMatchObject({ failure: 'timeout', status: undefined, retryable: true });
  });

  it('does not resend a POST that timed out', async () => {
    // Prepare
    server.fallback(() => ({ status: 201, body: {}, delayMs: 1_000 }));
    const { http } = client({ timeoutMs: 100 });

    // Act
    const error = await failure(
      http.request({ method: 'POST', url: `${server.url}/rest/api/3/issue`, json: {} }),
    );

    // Assess
    expect(server.requests).toHaveLength(1);
    expect(error).toMatchObject({ failure: 'timeout', attempts: 1 });
  });

  it('resends a POST whose connection was refused (it was never sent)', async () => {
    // Prepare: a port nobody listens on
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { http, sleeps } = client({ maxAttempts: 2 });

    // Act
    const error = await failure(
      http.request({ method: 'POST', url: `http://127.0.0.1:${port}/hook`, json: {} }),
    );

    // Assess
    expect(sleeps).toEqual([75]);
    expect(error.message).toBe(
      `jira POST 127.0.0.1:${port}: network error (ECONNREFUSED) (after 2 attempts)`,
    );
    expect(error).toMatchObject({ failure: 'network', retryable: true, attempts: 2 });
  });

  it('scrubs secret values the service echoes from the error', async () => {
    // Prepare
    server.reply({ status: 403, body: { errorMessages: ['token s3cr3t-t0ken-value is not allowed'] } });
    const { http } = client();

    // Act
    const error = await failure(
      http.request({ method: 'GET', url: `${server.url}/x`, secrets: ['s3cr3t-t0ken-value'] }),
    );

    // Assess
    expect(error.message).toBe(`jira GET ${host()}: 403 Forbidden: token *** is not allowed`);
    expect(error.serviceMessage).toBe('token *** is not allowed');
  });

  it('rejects nonsensical options', () => {
    expect(() => new HttpClient({ service: 'x', timeoutMs: 0 })).toThrow(
      'HttpClient option timeoutMs must be a positive number, got 0',
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');

  it.each([
    { header: '0', expected: 0 },
    { header: '120', expected: 120_000 },
    { header: ' 7 ', expected: 7000 },
    { header: 'Sun, 01 Jun 2025 12:00:30 GMT', expected: 30_000 },
    { header: 'Sun, 01 Jun 2025 11:00:00 GMT', expected: 0 },
    { header: '-5', expected: undefined },
    { header: '1.5', expected: undefined },
    { header: 'soon', expected: undefined },
    { header: null, expected: undefined },
  ])('reads $header as $expected ms', ({ header, expected }) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt, keeps between half and all of the step, and stops at the cap', () => {
    const options = { baseMs: 500, maxMs: 4000 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, { ...options, random: () => 0 }))).toEqual([
      250, 500, 1000, 2000, 2000,
    ]);
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, { ...options, random: () => 1 }))).toEqual([
      500, 1000, 2000, 4000, 4000,
    ]);
  });
});

describe('wasNotSent', () => {
  it('is true only for failures before the request left', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
    });
    expect(wasNotSent(refused)).toBe(true);
    expect(wasNotSent(reset)).toBe(false);
    expect(wasNotSent('nope')).toBe(false);
  });
});

describe('serviceMessage', () => {
  it.each([
    {
      shape: 'Jira errorMessages',
      body: '{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}',
      expected: 'Issue does not exist or you do not have permission to see it.',
    },
    {
      shape: 'Jira field errors',
      body: '{"errorMessages":[],"errors":{"issuetype":"Specify an issue type"}}',
      expected: 'issuetype: Specify an issue type',
    },
    {
      shape: 'ServiceNow error',
      body: '{"error":{"message":"No Record found","detail":"Record doesn\'t exist or ACL restricts the record retrieval"},"status":"failure"}',
      expected: "No Record found: Record doesn't exist or ACL restricts the record retrieval",
    },
    { shape: 'a message', body: '{"message":"Too many requests"}', expected: 'Too many requests' },
    {
      shape: 'HTML',
      body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
      expected: '502 Bad Gateway',
    },
    { shape: 'nothing', body: '  ', expected: undefined },
  ])('reads $shape', ({ body, expected }) => {
    expect(serviceMessage(body)).toBe(expected);
  });
});

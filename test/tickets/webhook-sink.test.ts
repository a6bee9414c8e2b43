import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../shared/http/http-client';
import { signWebhook, verifyWebhookSignature, WebhookTicketSink } from '../../shared/tickets/webhook-sink';
import { useHttpServer } from '../http/server';
import { endpointFinding } from '../remediation/fixtures';

const server = useHttpServer();
/** Errors name the host, never the path or query (a webhook URL may carry its secret there). */
const host = () => new URL(server.url).host;
const SIGNING_KEY = 'whsec-0123456789abcdef-signing-key';
const NOW = new Date('2025-06-01T12:00:00.000Z');
const TIMESTAMP = String(NOW.getTime() / 1000);
const finding = endpointFinding();

function sink() {
  let deliveries = 0;
  return new WebhookTicketSink({
    url: `${server.url}/hooks/endpoint-guard`,
    secret: async () => ({ signingKey: SIGNING_KEY }),
    http: new HttpClient({
      service: 'webhook',
      timeoutMs: 2_000,
      sleep: async () => undefined,
      random: () => 0.5,
    }),
    now: () => NOW,
    newId: () => `delivery-${++deliveries}`,
  });
}

/** What a receiver does: recompute the HMAC of `<timestamp>.<raw body>`. */
function expectSigned(request: { body: string; headers: Record<string, string | string[] | undefined> }) {
  const timestamp = String(request.headers['x-endpoint-guard-timestamp']);
  const expected = createHmac('sha256', SIGNING_KEY).update(`${timestamp}.${request.body}`).digest('hex');
  expect(request.headers['x-endpoint-guard-signature']).toBe(`sha256=${expected}`);
  expect(
    verifyWebhookSignature({
      body: request.body,
      timestamp,
      signature: String(request.headers['x-endpoint-guard-signature']),
      signingKey: SIGNING_KEY,
      nowSeconds: Number(TIMESTAMP) + 10,
    }),
  ).toBe(true);
}

describe('WebhookTicketSink', () => {
  it('posts a signed ticket.open and takes the id and url the receiver answers with', async () => {
    // Prepare
    server.reply({ status: 201, body: { id: 'T-77', url: 'https://tickets.example.com/T-77' } });

    // Act
    const ticket = await sink().open(finding, { why: 'The rule is set to ticket.', warnings: ['W1'] });

    // Assess
    expect(ticket).toEqual({ id: 'T-77', url: 'https://tickets.example.com/T-77' });
    const [request] = server.requests;
    expect(request).toMatchObject({
      method: 'POST',
      path: '/hooks/endpoint-guard',
      headers: {
        'content-type': 'application/json',
        'x-endpoint-guard-event': 'ticket.open',
        'x-endpoint-guard-delivery': 'delivery-1',
        'x-endpoint-guard-timestamp': TIMESTAMP,
      },
    });
    expect(request?.headers.authorization).toBeUndefined();
    expectSigned(request ?? { body: '', headers: {} });
    expect(JSON.parse(request?.body ?? '{}')).toEqual({
      type: 'ticket.open',
      deliveryId: 'delivery-1',
      sentAt: '2025-06-01T12:00:00.000Z',
      finding,
      title: 'Interface endpoint not in every AZ: vpce-0a1 (222233334444, eu-west-1)',
      text: expect.stringContaining('WHY IT MATTERS'),
      why: 'The rule is set to ticket.',
      warnings: ['W1'],
      previous: null,
    });
  });

  it('uses the delivery id as the ticket id when the receiver answers without one', async () => {
    server.reply({ status: 204 });
    expect(await sink().open(finding, { why: 'w', warnings: [] })).toEqual({ id: 'delivery-1' });
  });

  it('posts signed ticket.update and ticket.resolve events naming the ticket', async () => {
    // Prepare
    server.reply({ status: 200, body: 'ok' }, { status: 200 });
    const webhook = sink();
    const ticket = { id: 'T-77', url: 'https://tickets.example.com/T-77' };

    // Act
    await webhook.update(ticket, { text: 'Still NON_COMPLIANT.', finding });
    await webhook.resolve(ticket, { kind: 'fixed', text: 'Fixed.', finding });

    // Assess
    expect(server.requests.map((request) => request.headers['x-endpoint-guard-event'])).toEqual([
      'ticket.update',
      'ticket.resolve',
    ]);
    for (const request of server.requests) expectSigned(request);
    expect(server.jsonBodies()).toEqual([
      {
        type: 'ticket.update',
        deliveryId: 'delivery-1',
        sentAt: '2025-06-01T12:00:00.000Z',
        finding,
        ticket,
        text: 'Still NON_COMPLIANT.',
      },
      {
        type: 'ticket.resolve',
        deliveryId: 'delivery-2',
        sentAt: '2025-06-01T12:00:00.000Z',
        finding,
        ticket,
        resolution: { kind: 'fixed', text: 'Fixed.' },
      },
    ]);
  });

  it('resends the same signed delivery after a 500 (receivers drop duplicates by delivery id)', async () => {
    // Prepare
    server.reply({ status: 500, body: 'oops' }, { status: 200, body: { id: 'T-1' } });

    // Act
    await sink().open(finding, { why: 'w', warnings: [] });

    // Assess
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.body).toBe(server.requests[0]?.body);
    expect(server.requests[1]?.headers['x-endpoint-guard-delivery']).toBe('delivery-1');
  });

  it("fails a 4xx at once with the receiver's words", async () => {
    server.reply({ status: 400, body: { message: 'unknown finding schema' } });
    await expect(sink().open(finding, { why: 'w', warnings: [] })).rejects.toThrow(
      `webhook ticket.open for ${finding.findingId} failed: webhook POST ${host()}: 400 Bad Request: unknown finding schema`,
    );
    expect(server.requests).toHaveLength(1);
  });
});

describe('verifyWebhookSignature', () => {
  const body = '{"type":"ticket.open"}';
  const signature = signWebhook(body, TIMESTAMP, SIGNING_KEY);
  const now = Number(TIMESTAMP);

  it('accepts the signature of the body and timestamp', () => {
    expect(
      verifyWebhookSignature({
        body,
        timestamp: TIMESTAMP,
        signature,
        signingKey: SIGNING_KEY,
        nowSeconds: now,
      }),
    ).toBe(true);
  });

  it.each([
    { case: 'another body', input: { body: `${body} ` } },
    { case: 'another key', input: { signingKey: 'another-signing-key-0000' } },
    { case: 'another timestamp', input: { timestamp: String(now + 1) } },
    { case: 'a stale timestamp', input: { nowSeconds: now + 301 } },
    { case: 'no signature', input: { signature: undefined } },
  ])('rejects $case', ({ input }) => {
    expect(
      verifyWebhookSignature({
        body,
        timestamp: TIMESTAMP,
        signature,
        signingKey: SIGNING_KEY,
        nowSeconds: now,
        ...input,
      }),
    ).toBe(false);
  });
});

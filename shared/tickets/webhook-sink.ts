/**
 * A generic webhook as the ticket sink, for any other system: one signed JSON POST per ticket event.
 *
 * ## What the receiver gets
 *
 * `POST <tickets.webhook.url>` with `Content-Type: application/json` and the headers
 *
 * | header | value |
 * |---|---|
 * | `X-Endpoint-Guard-Event` | `ticket.open`, `ticket.update` or `ticket.resolve` |
 * | `X-Endpoint-Guard-Delivery` | a UUID per event, the same on every retry of it: drop duplicates by it |
 * | `X-Endpoint-Guard-Timestamp` | Unix time in seconds when the event was signed |
 * | `X-Endpoint-Guard-Signature` | `sha256=` + hex HMAC-SHA256, keyed with the secret's `signingKey`, of `<timestamp>.<raw body>` |
 *
 * and the body `{"type", "deliveryId", "sentAt", "finding", ...}`: `ticket.open` adds `title`,
 * `text`, `why`, `warnings` and `previous` (the resolved ticket of an earlier occurrence, or
 * `null`); `ticket.update` adds `ticket` (`{id, url}`) and `text`; `ticket.resolve` adds `ticket`
 * and `resolution` (`{kind, text}`). `finding` is the Finding event detail.
 *
 * ## Verifying a delivery (receiver side)
 *
 * 1. Read the raw body bytes as received (before any JSON parsing).
 * 2. Reject the request if `X-Endpoint-Guard-Timestamp` is more than 5 minutes from your clock
 *    (replay protection).
 * 3. Compute `hex(HMAC_SHA256(signingKey, timestamp + "." + rawBody))` and compare it with the
 *    part of `X-Endpoint-Guard-Signature` after `sha256=` in constant time.
 * 4. Answer 2xx, optionally with `{"id": "...", "url": "..."}` for `ticket.open`: that id and
 *    URL become the ticket's reference in later events. Answer 4xx to refuse (not retried),
 *    429 / 5xx to be retried.
 *
 * {@link verifyWebhookSignature} does steps 2 and 3 in Node.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Finding } from '../findings/finding';
import type { HttpClient } from '../http/http-client';
import { secretValues } from '../secrets/redact';
import { renderPlain, ticketText } from './content';
import type { CredentialSource, WebhookSecret } from './credentials';
import { jsonOf, wrapHttp } from './http-support';
import type { TicketHandle, TicketOpening, TicketResolution, TicketSink, TicketUpdate } from './ports';

export const WEBHOOK_SIGNATURE_HEADER = 'X-Endpoint-Guard-Signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'X-Endpoint-Guard-Timestamp';
export const WEBHOOK_EVENT_HEADER = 'X-Endpoint-Guard-Event';
export const WEBHOOK_DELIVERY_HEADER = 'X-Endpoint-Guard-Delivery';

export type WebhookEventType = 'ticket.open' | 'ticket.update' | 'ticket.resolve';

export interface WebhookTicketSinkOptions {
  readonly url: string;
  readonly secret: CredentialSource<WebhookSecret>;
  /** An {@link HttpClient} for the service `webhook`. */
  readonly http: HttpClient;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default crypto.randomUUID */
  readonly newId?: () => string;
}

const openedSchema = z.object({ id: z.string().min(1).optional(), url: z.string().optional() }).loose();

/**
 * The signature of a webhook body: `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
 *
 * @example
 * signWebhook('{"type":"ticket.open"}', '1748779200', signingKey); // 'sha256=5d1c...'
 */
export function signWebhook(body: string, timestamp: string, signingKey: string): string {
  return `sha256=${createHmac('sha256', signingKey).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Checks a delivery as a receiver should: the timestamp within `toleranceSeconds` of now, and the
 * signature equal (in constant time) to the one computed from the raw body.
 *
 * @example
 * const ok = verifyWebhookSignature({
 *   body: rawBody, timestamp: headers['x-endpoint-guard-timestamp'],
 *   signature: headers['x-endpoint-guard-signature'], signingKey,
 * });
 */
export function verifyWebhookSignature(input: {
  readonly body: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly signingKey: string;
  /** Seconds since the epoch. @default now */
  readonly nowSeconds?: number;
  /** @default 300 */
  readonly toleranceSeconds?: number;
}): boolean {
  const { timestamp, signature } = input;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(input.body, timestamp, input.signingKey));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Posts signed ticket events to a URL.
 *
 * HTTP calls: one `POST` per `open`, `update` and `resolve`; no search (`findOpen` is absent).
 *
 * @example
 * const sink = new WebhookTicketSink({
 *   url: 'https://hooks.example.com/endpoint-guard',
 *   secret: async () => ({ signingKey }),
 *   http: new HttpClient({ service: 'webhook' }),
 * });
 */
export class WebhookTicketSink implements TicketSink {
  readonly name = 'webhook' as const;
  private readonly options: WebhookTicketSinkOptions;
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(options: WebhookTicketSinkOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  async open(finding: Finding, opening: TicketOpening): Promise<TicketHandle> {
    const text = ticketText(finding, opening);
    const deliveryId = this.newId();
    const body = await this.post('ticket.open', deliveryId, finding.findingId, {
      finding,
      title: text.title,
      text: renderPlain(text),
      why: opening.why,
      warnings: opening.warnings,
      previous: opening.previous ?? null,
    });
    const answer = openedSchema.safeParse(body ?? {});
    const id = answer.success && answer.data.id ? answer.data.id : deliveryId;
    const url = answer.success ? answer.data.url : undefined;
    return { id, ...(url ? { url } : {}) };
  }

  async update(ticket: TicketHandle, update: TicketUpdate): Promise<void> {
    await this.post('ticket.update', this.newId(), ticket.id, {
      finding: update.finding,
      ticket: { id: ticket.id, url: ticket.url ?? null },
      text: update.text,
    });
  }

  async resolve(ticket: TicketHandle, resolution: TicketResolution): Promise<void> {
    await this.post('ticket.resolve', this.newId(), ticket.id, {
      finding: resolution.finding,
      ticket: { id: ticket.id, url: ticket.url ?? null },
      resolution: { kind: resolution.kind, text: resolution.text },
    });
  }

  private async post(
    type: WebhookEventType,
    deliveryId: string,
    subject: string,
    fields: Record<string, unknown>,
  ): Promise<unknown> {
    const { signingKey } = await this.options.secret();
    const sentAt = this.now();
    const body = JSON.stringify({ type, deliveryId, sentAt: sentAt.toISOString(), ...fields });
    const timestamp = String(Math.floor(sentAt.getTime() / 1000));
    let text: string;
    try {
      const response = await this.options.http.request({
        method: 'POST',
        url: this.options.url,
        body,
        headers: {
          'Content-Type': 'application/json',
          [WEBHOOK_EVENT_HEADER]: type,
          [WEBHOOK_DELIVERY_HEADER]: deliveryId,
          [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(body, timestamp, signingKey),
        },
        // Receivers drop duplicates by the delivery id, so a POST whose answer was lost may be resent.
        idempotent: true,
        secrets: secretValues({ signingKey }),
      });
      text = response.text;
    } catch (error) {
      throw wrapHttp('webhook', type, subject, error);
    }
    // A receiver may answer with no body, or with text: only a JSON object is read.
    try {
      return jsonOf('webhook', type, text);
    } catch {
      return undefined;
    }
  }
}

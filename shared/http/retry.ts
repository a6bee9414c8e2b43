/**
 * When to try an HTTP call again, and how long to wait first. Pure functions, so every branch is a
 * table test.
 */

/**
 * The delay a `Retry-After` header asks for, in milliseconds: either delay-seconds (`120`) or an
 * HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`, RFC 9110 §10.2.3). `undefined` when the header is
 * absent or unreadable; a date in the past is 0.
 *
 * @example
 * parseRetryAfter('3', Date.now()); // 3000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2015-10-21T07:27:58Z')); // 2000
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only HTTP dates (they name a weekday or month): Date.parse accepts far more than that.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Exponential backoff with jitter for attempt `attempt` (1 = the wait before the second try):
 * `base × 2^(attempt-1)`, capped at `max`, of which a random half is kept ("equal jitter"), so
 * clients that failed together do not retry together, and no wait is shorter than half the step.
 *
 * @example
 * backoffDelay(1, { baseMs: 500, maxMs: 8000, random: () => 0.5 }); // 375
 */
export function backoffDelay(
  attempt: number,
  options: { readonly baseMs: number; readonly maxMs: number; readonly random: () => number },
): number {
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * options.random());
}

/** Statuses worth another attempt: the service is overloaded or failed, not the request. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Statuses after which even a request that must not run twice (a create, a comment) may be sent
 * again: the service says it did not process it. 429 is a rate limit; 503 is "unavailable".
 */
export function isRejectedBeforeProcessing(status: number): boolean {
  return status === 429 || status === 503;
}

/** Network errors raised before the request reached the server: sending again cannot duplicate it. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * True when a fetch failure happened before the request was sent (DNS, connection refused).
 *
 * @example
 * wasNotSent(new TypeError('fetch failed', { cause: Object.assign(new Error(), { code: 'ECONNREFUSED' }) })); // true
 */
export function wasNotSent(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_SENT_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

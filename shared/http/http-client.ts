/**
 * A small HTTP client over the global `fetch` (Node 20+) for the ticket sinks: a timeout per
 * attempt, a bounded number of attempts with exponential backoff and jitter on 429 / 5xx /
 * network errors, `Retry-After` honoured up to a cap, and a clear {@link HttpError} otherwise.
 *
 * Retry policy (no retry storms, no duplicate tickets):
 * - 4xx other than 429 is never retried: the request itself is wrong.
 * - A request that may run twice without harm (`idempotent`: GET, PUT, DELETE by default) is
 *   retried on 429, 5xx, timeouts and network errors.
 * - A request that must not run twice (POST, PATCH by default: a create, a comment) is retried
 *   only when the service cannot have processed it: 429, 503, or a connection that was never
 *   made. After a timeout or a 500 the ticket may exist; the lifecycle finds it instead.
 * - A `Retry-After` longer than `maxRetryAfterMs` ends the attempts at once: waiting less would
 *   ignore the service, waiting more would hold the Lambda; the message is retried later by SQS.
 */

import type { Logger } from '../logger';
import { redact } from '../secrets/redact';
import { HttpError } from './errors';
import {
  backoffDelay,
  isRejectedBeforeProcessing,
  isRetryableStatus,
  parseRetryAfter,
  wasNotSent,
} from './retry';
import { serviceMessage } from './service-message';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: string;
  /** Request headers. Never logged, never put in an error. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON body: serialized, with `Content-Type: application/json`. */
  readonly json?: unknown;
  /** A raw body, sent as is (used when the exact bytes are signed). */
  readonly body?: string;
  /** May the request run twice without harm? @default true for GET, PUT, DELETE; false for POST, PATCH */
  readonly idempotent?: boolean;
  /** Statuses returned to the caller instead of thrown (a 404 that means "none"). @default [] */
  readonly accept?: readonly number[];
  /** Secret values to scrub from any error message (the service may echo them). */
  readonly secrets?: readonly string[];
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body as text ('' when empty). */
  readonly text: string;
}

/** The core's logger, of which the HTTP client only warns. */
export type HttpLogger = Pick<Logger, 'warn'>;

export interface HttpClientOptions {
  /** Names the service in errors and logs: `jira`, `servicenow`, `webhook`. */
  readonly service: string;
  /** Per attempt, including reading the body. @default 10_000 */
  readonly timeoutMs?: number;
  /** Attempts in all, the first included. @default 3 */
  readonly maxAttempts?: number;
  /** First backoff step. @default 500 */
  readonly baseDelayMs?: number;
  /** Largest backoff step. @default 8_000 */
  readonly maxDelayMs?: number;
  /** Longest `Retry-After` waited for; a longer one ends the attempts. @default 20_000 */
  readonly maxRetryAfterMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
  /** @default Date.now */
  readonly now?: () => number;
  readonly logger?: HttpLogger;
}

const IDEMPOTENT_METHODS: ReadonlySet<HttpMethod> = new Set(['GET', 'PUT', 'DELETE']);

/**
 * Sends requests with timeouts and bounded, polite retries.
 *
 * @example
 * const http = new HttpClient({ service: 'jira', logger });
 * const response = await http.request({
 *   method: 'GET',
 *   url: 'https://example.atlassian.net/rest/api/3/myself',
 *   headers: { Authorization: `Basic ${token}` },
 * });
 * JSON.parse(response.text);
 */
export class HttpClient {
  readonly service: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly logger: HttpLogger | undefined;

  constructor(options: HttpClientOptions) {
    for (const key of ['timeoutMs', 'maxAttempts', 'baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
      const value = options[key];
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
        throw new RangeError(`HttpClient option ${key} must be a positive number, got ${value}`);
      }
    }
    this.service = options.service;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxAttempts = Math.floor(options.maxAttempts ?? 3);
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 8_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 20_000;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
  }

  /**
   * Sends one request, retrying as the policy above says. Resolves with a 2xx response (or one
   * whose status is in `accept`); rejects with an {@link HttpError} otherwise.
   *
   * @example
   * const { status, text } = await http.request({ method: 'POST', url, json: { fields } });
   */
  async request(request: HttpRequest): Promise<HttpResponse> {
    const idempotent = request.idempotent ?? IDEMPOTENT_METHODS.has(request.method);
    const host = hostOf(request.url);
    const secrets = request.secrets ?? [];
    const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
    let body: string | undefined = request.body;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers['Content-Type'] ??= 'application/json';
    }
    const fail = (details: Omit<ConstructorParameters<typeof HttpError>[0], 'service' | 'method' | 'host'>) =>
      new HttpError({
        service: this.service,
        method: request.method,
        host,
        ...details,
        ...(details.serviceMessage === undefined
          ? {}
          : { serviceMessage: redact(details.serviceMessage, secrets) }),
      });

    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.maxAttempts;
      let response: Response;
      let text: string;
      try {
        response = await this.fetchImpl(request.url, {
          method: request.method,
          headers,
          ...(body === undefined ? {} : { body }),
          signal: AbortSignal.timeout(this.timeoutMs),
          redirect: 'error',
        });
        text = await response.text();
      } catch (error) {
        const timedOut = isTimeout(error);
        const failure = timedOut ? 'timeout' : 'network';
        const detail = timedOut
          ? `no answer within ${this.timeoutMs} ms`
          : `network error (${redact(networkDetail(error), secrets)})`;
        const mayResend = idempotent || (!timedOut && wasNotSent(error));
        if (last || !mayResend) {
          throw fail({ failure, detail, retryable: true, attempts: attempt });
        }
        const delayMs = backoffDelay(attempt, this.backoff());
        this.logger?.warn('HTTP call failed; retrying', {
          service: this.service,
          method: request.method,
          host,
          failure,
          attempt,
          delayMs,
        });
        await this.sleep(delayMs);
        continue;
      }

      const { status } = response;
      if ((status >= 200 && status < 300) || request.accept?.includes(status)) {
        return { status, headers: response.headers, text };
      }
      const retryable = isRetryableStatus(status);
      const said = serviceMessage(text);
      const error = (detail?: string) =>
        fail({
          failure: 'status',
          status,
          statusText: response.statusText,
          retryable,
          attempts: attempt,
          ...(said === undefined ? {} : { serviceMessage: said }),
          ...(detail === undefined ? {} : { detail }),
        });
      if (!retryable || last || !(idempotent || isRejectedBeforeProcessing(status))) throw error();
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.now());
      if (retryAfterMs !== undefined && retryAfterMs > this.maxRetryAfterMs) {
        // The service asked for more patience than this invocation has: stop now, retry later.
        throw error();
      }
      const delayMs = retryAfterMs ?? backoffDelay(attempt, this.backoff());
      this.logger?.warn('HTTP call failed; retrying', {
        service: this.service,
        method: request.method,
        host,
        status,
        attempt,
        delayMs,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
      await this.sleep(delayMs);
    }
  }

  private backoff() {
    return { baseMs: this.baseDelayMs, maxMs: this.maxDelayMs, random: this.random };
  }
}

/**
 * The host (and port) of a URL: all that errors and logs say about where a call went. Paths and
 * queries are never logged: a Slack or Teams webhook URL carries its secret there.
 */
function hostOf(url: string): string {
  try {
    return new URL(url).host || '(no host)';
  } catch {
    return '(invalid URL)';
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** `ECONNREFUSED`, or the error's message: the most specific thing fetch says. */
function networkDetail(error: unknown): string {
  let current: unknown = error;
  let detail = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string') return code;
    if (typeof message === 'string' && message) detail = message;
    current = (current as { cause?: unknown }).cause;
  }
  return detail;
}

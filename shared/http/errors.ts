/**
 * Errors of the HTTP client. They say which service, which call and what the service itself said,
 * and never carry request headers (an `Authorization` header is a credential) or request bodies.
 */

/** Why a request failed: the service answered with an error status, took too long, or was unreachable. */
export type HttpFailure = 'status' | 'timeout' | 'network';

/**
 * An HTTP call failed after the client gave up: a 4xx (never retried, except 429), a 429 / 5xx
 * that kept coming back within the attempt limit, a timeout, or a network error.
 *
 * `message` reads `jira POST example.atlassian.net: 400 Bad Request: Field 'summary' is required`:
 * the service's own words, with any secret value the client was told about replaced by `***`.
 *
 * @example
 * try {
 *   await http.request({ method: 'GET', url });
 * } catch (error) {
 *   if (error instanceof HttpError && error.status === 404) return undefined;
 *   throw error;
 * }
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  /** Which service was called (`jira`, `servicenow`, `webhook`). */
  readonly service: string;
  readonly method: string;
  /**
   * Host (and port) of the URL. Never the path or query: webhook URLs (Slack, Teams) carry their
   * secret there, and query values may identify people or records.
   */
  readonly host: string;
  /** The HTTP status; `undefined` when no response came (timeout, network). */
  readonly status: number | undefined;
  readonly failure: HttpFailure;
  /** What the service said (Jira `errorMessages` / `errors`, ServiceNow `error.message`, or the text). */
  readonly serviceMessage: string | undefined;
  /** True when a later attempt may succeed (429, 5xx, timeout, network): the caller may retry later. */
  readonly retryable: boolean;
  /** How many attempts were made. */
  readonly attempts: number;

  constructor(options: {
    readonly service: string;
    readonly method: string;
    readonly host: string;
    readonly status?: number;
    readonly statusText?: string;
    readonly failure: HttpFailure;
    readonly serviceMessage?: string;
    readonly retryable: boolean;
    readonly attempts: number;
    readonly detail?: string;
    readonly cause?: unknown;
  }) {
    const what = `${options.service} ${options.method} ${options.host}`;
    const status =
      options.status === undefined
        ? (options.detail ?? options.failure)
        : `${options.status}${options.statusText ? ` ${options.statusText}` : ''}`;
    const said = options.serviceMessage ? `: ${options.serviceMessage}` : '';
    const tries = options.attempts > 1 ? ` (after ${options.attempts} attempts)` : '';
    super(`${what}: ${status}${said}${tries}`, options.cause === undefined ? {} : { cause: options.cause });
    this.service = options.service;
    this.method = options.method;
    this.host = options.host;
    this.status = options.status;
    this.failure = options.failure;
    this.serviceMessage = options.serviceMessage;
    this.retryable = options.retryable;
    this.attempts = options.attempts;
  }
}

/**
 * Errors of the ticket area. Each names the sink, the operation and the finding or ticket, carries
 * the underlying error as `cause`, and says whether a later attempt may succeed.
 */

/**
 * A sink call failed: the backend refused it (bad configuration, permissions: `retryable` false)
 * or may accept it later (throttling, outage, timeout: `retryable` true).
 *
 * @example
 * catch (error) { if (error instanceof TicketSinkError && !error.retryable) notifyOperators(error.message); }
 */
export class TicketSinkError extends Error {
  override readonly name = 'TicketSinkError';
  readonly sink: string;
  readonly operation: string;
  /** The finding or ticket the call was about. */
  readonly subject: string;
  readonly retryable: boolean;
  /** The HTTP status the backend answered with, for HTTP sinks (404: the ticket is gone). */
  readonly status: number | undefined;

  constructor(
    sink: string,
    operation: string,
    subject: string,
    options: {
      readonly problem: string;
      readonly retryable: boolean;
      readonly status?: number | undefined;
      readonly cause?: unknown;
    },
  ) {
    super(
      `${sink} ${operation} for ${subject} failed: ${options.problem}`,
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.sink = sink;
    this.operation = operation;
    this.subject = subject;
    this.retryable = options.retryable;
    this.status = options.status;
  }
}

/**
 * The sink answered with a body this code does not understand (no issue key in a Jira create
 * response, say): a version or configuration mismatch that a retry will not fix.
 *
 * @example
 * if (typeof body.key !== 'string') throw new TicketResponseError('jira', 'create issue', 'no "key" in the response');
 */
export class TicketResponseError extends Error {
  override readonly name = 'TicketResponseError';
  readonly sink: string;
  readonly operation: string;

  constructor(sink: string, operation: string, problem: string) {
    super(`${sink} ${operation}: unexpected response: ${problem}`);
    this.sink = sink;
    this.operation = operation;
  }
}

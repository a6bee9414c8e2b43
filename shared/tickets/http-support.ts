/**
 * What the HTTP sinks (Jira, ServiceNow, webhook) share: mapping HTTP failures to ticket errors,
 * and checking response bodies against the fields they document.
 */
import { HttpError } from '../http/errors';
import { TicketResponseError, TicketSinkError } from './errors';

/**
 * A sink's HTTP failure as a {@link TicketSinkError} naming the operation; other errors as they are.
 *
 * @example
 * catch (error) { throw wrapHttp('jira', 'create issue', finding.findingId, error); }
 */
export function wrapHttp(sink: string, operation: string, subject: string, error: unknown): Error {
  if (error instanceof HttpError) {
    return new TicketSinkError(sink, operation, subject, {
      problem: error.message,
      retryable: error.retryable,
      status: error.status,
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * The JSON of a response body; `undefined` for an empty body.
 *
 * @example
 * const body = jsonOf('jira', 'create issue', response.text);
 */
export function jsonOf(sink: string, operation: string, text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new TicketResponseError(sink, operation, 'the body is not JSON');
  }
}

/**
 * Checks a response body against the shape the sink needs.
 *
 * @example
 * const { key } = parseBody('jira', createdSchema, body, 'create issue');
 */
export function parseBody<T>(
  sink: string,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
  body: unknown,
  operation: string,
): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new TicketResponseError(sink, operation, 'the body lacks the fields the API documents');
  }
  return result.data;
}

/**
 * The service's own explanation of an error response, in one line: what people need to fix the
 * request (a missing field, a wrong project key, a disabled user), in the service's words.
 */

const MAX_MESSAGE = 500;

/**
 * Reads the error message out of an error response body, knowing the shapes of the services
 * endpoint-guard calls:
 *
 * - Jira: `{"errorMessages": ["..."], "errors": {"summary": "..."}}`
 * - ServiceNow: `{"error": {"message": "...", "detail": "..."}, "status": "failure"}`
 * - anything else: `{"message": "..."}`, `{"error": "..."}`, or the text itself (HTML stripped).
 *
 * @example
 * serviceMessage('{"errorMessages":[],"errors":{"summary":"You must specify a summary of the issue."}}');
 * // 'summary: You must specify a summary of the issue.'
 */
export function serviceMessage(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(trimmed);
  } catch {
    return clip(
      trimmed
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  }
  return clip(fromJson(body) ?? trimmed.replace(/\s+/g, ' '));
}

function fromJson(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (!isRecord(body)) return undefined;
  const parts: string[] = [];
  // Jira
  if (Array.isArray(body.errorMessages)) {
    parts.push(...body.errorMessages.filter((item): item is string => typeof item === 'string'));
  }
  if (isRecord(body.errors)) {
    for (const [field, message] of Object.entries(body.errors)) {
      if (typeof message === 'string') parts.push(`${field}: ${message}`);
    }
  }
  // ServiceNow, and `{"error": "..."}`
  const error = body.error;
  if (isRecord(error)) {
    const message = typeof error.message === 'string' ? error.message : undefined;
    const detail = typeof error.detail === 'string' ? error.detail : undefined;
    const text = [message, detail].filter((part): part is string => Boolean(part)).join(': ');
    if (text) parts.push(text);
  } else if (typeof error === 'string') {
    parts.push(error);
  }
  if (parts.length === 0 && typeof body.message === 'string') parts.push(body.message);
  return parts.length === 0 ? undefined : parts.join('; ');
}

function clip(text: string): string | undefined {
  if (!text) return undefined;
  return text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE - 3)}...`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

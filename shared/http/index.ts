/** A small fetch-based HTTP client with timeouts, polite retries and clear errors. */
export { HttpError, type HttpFailure } from './errors';
export {
  HttpClient,
  type HttpClientOptions,
  type HttpLogger,
  type HttpMethod,
  type HttpRequest,
  type HttpResponse,
} from './http-client';
export {
  backoffDelay,
  isRejectedBeforeProcessing,
  isRetryableStatus,
  parseRetryAfter,
  wasNotSent,
} from './retry';
export { serviceMessage } from './service-message';

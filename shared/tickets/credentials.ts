/**
 * What each sink's Secrets Manager secret holds, and its schema. The secret holds the sink's
 * destination (the Jira site, the ServiceNow instance, the webhook URL) next to the credentials:
 * whoever may read the credentials decides where they are sent, and someone who may only edit the
 * settings document cannot send them anywhere else. Secrets are checked when read, so a secret
 * filled in wrongly fails with a message naming the missing key, never the value.
 */
import { z } from 'zod';

/** The sinks whose credentials (and destination) live in a Secrets Manager secret. */
export type TicketSinkWithSecret = 'jira' | 'servicenow' | 'webhook';

export const TICKET_SINKS_WITH_SECRETS: readonly TicketSinkWithSecret[] = ['jira', 'servicenow', 'webhook'];

/** Name prefix of the secrets the stack creates: `endpoint-guard/tickets/jira`, ... */
export const TICKET_SECRET_NAME_PREFIX = 'endpoint-guard/tickets/';

/**
 * The name of the stack's own secret of a sink. remediate reads the secret by this name, so
 * Secrets Manager looks it up in remediate's own account and Region, never anywhere else.
 *
 * @example
 * ticketSecretName('jira'); // 'endpoint-guard/tickets/jira'
 */
export function ticketSecretName(sink: TicketSinkWithSecret): string {
  return `${TICKET_SECRET_NAME_PREFIX}${sink}`;
}

const text = z.string().min(1);

/** Plain http is accepted only to the machine itself (a local test double of the ticket system). */
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * An https URL without user name or password (credentials in a URL end up in logs and tickets);
 * http only to a loopback address.
 *
 * @example
 * isHttpsUrlWithoutCredentials('https://example.atlassian.net'); // true
 * isHttpsUrlWithoutCredentials('http://example.atlassian.net'); // false
 */
export function isHttpsUrlWithoutCredentials(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const scheme = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  return scheme && url.username === '' && url.password === '' && url.hostname !== '';
}

const httpsUrl = z.string().refine(isHttpsUrlWithoutCredentials, {
  error: 'expected an https:// URL without user name or password',
});

/** Jira Cloud: the site, an Atlassian account e-mail and an API token (id.atlassian.com → Security → API tokens). */
export const jiraCredentialsSchema = z.object({ baseUrl: httpsUrl, email: text, apiToken: text });
/** What the Jira sink authenticates with (the secret without its `baseUrl`). */
export type JiraCredentials = Omit<z.infer<typeof jiraCredentialsSchema>, 'baseUrl'>;
export const JIRA_SECRET_SHAPE =
  '{"baseUrl": "https://<site>.atlassian.net", "email": "...", "apiToken": "..."}';

/** ServiceNow: the instance, and a user and password (Basic) or an OAuth access token (Bearer). */
export const serviceNowCredentialsSchema = z.union([
  z.object({ instanceUrl: httpsUrl, username: text, password: text }),
  z.object({ instanceUrl: httpsUrl, oauthToken: text }),
]);
/** What the ServiceNow sink authenticates with (the secret without its `instanceUrl`). */
export type ServiceNowCredentials =
  | { readonly username: string; readonly password: string }
  | { readonly oauthToken: string };
export const SERVICENOW_SECRET_SHAPE =
  '{"instanceUrl": "https://<instance>.service-now.com", "username": "...", "password": "..."} or {"instanceUrl": "...", "oauthToken": "..."}';

/** The webhook: its URL and the HMAC-SHA256 signing key shared with the receiver (at least 16 characters). */
export const webhookSecretSchema = z.object({ url: httpsUrl, signingKey: z.string().min(16) });
/** What the webhook sink signs with (the secret without its `url`). */
export type WebhookSecret = Omit<z.infer<typeof webhookSecretSchema>, 'url'>;
export const WEBHOOK_SECRET_SHAPE =
  '{"url": "https://hooks.example.com/...", "signingKey": "<at least 16 characters>"}';

/** Supplies a sink's credentials when it needs them (read from Secrets Manager, cached). */
export type CredentialSource<T> = () => Promise<T>;

/**
 * The JSON each sink's Secrets Manager secret holds, and its schema. Secrets are checked when read,
 * so a secret filled in wrongly fails with a message naming the missing key, never the value.
 */
import { z } from 'zod';

const text = z.string().min(1);

/** Jira Cloud: an Atlassian account e-mail and an API token (id.atlassian.com → Security → API tokens). */
export const jiraCredentialsSchema = z.object({ email: text, apiToken: text });
export type JiraCredentials = z.infer<typeof jiraCredentialsSchema>;
export const JIRA_SECRET_SHAPE = '{"email": "...", "apiToken": "..."}';

/** ServiceNow: a user and password (Basic), or an OAuth access token (Bearer). */
export const serviceNowCredentialsSchema = z.union([
  z.object({ username: text, password: text }),
  z.object({ oauthToken: text }),
]);
export type ServiceNowCredentials = z.infer<typeof serviceNowCredentialsSchema>;
export const SERVICENOW_SECRET_SHAPE = '{"username": "...", "password": "..."} or {"oauthToken": "..."}';

/** The webhook: the HMAC-SHA256 signing key, shared with the receiver (at least 16 characters). */
export const webhookSecretSchema = z.object({ signingKey: z.string().min(16) });
export type WebhookSecret = z.infer<typeof webhookSecretSchema>;
export const WEBHOOK_SECRET_SHAPE = '{"signingKey": "<at least 16 characters>"}';

/** Supplies a sink's credentials when it needs them (read from Secrets Manager, cached). */
export type CredentialSource<T> = () => Promise<T>;

/**
 * Tickets: one per finding for its whole life, in OpsCenter (the default), Jira Cloud, ServiceNow
 * or any system behind a signed webhook.
 */
export { type AdfDocument, adfDocument, adfText } from './adf';
export { clip, regressionLine, renderMarkdown, renderPlain, type TicketText, ticketText } from './content';
export {
  type CredentialSource,
  JIRA_SECRET_SHAPE,
  type JiraCredentials,
  jiraCredentialsSchema,
  SERVICENOW_SECRET_SHAPE,
  type ServiceNowCredentials,
  serviceNowCredentialsSchema,
  WEBHOOK_SECRET_SHAPE,
  type WebhookSecret,
  webhookSecretSchema,
} from './credentials';
export { TicketResponseError, TicketSinkError } from './errors';
export { findingKey } from './finding-key';
export { JIRA_LABEL, JiraTicketSink, type JiraTicketSinkOptions } from './jira-sink';
export {
  commentKey,
  TicketLifecycle,
  type TicketLifecycleOptions,
  type TicketLogger,
  updateText,
} from './lifecycle';
export {
  OPSITEM_FINDING_KEY,
  OPSITEM_SOURCE,
  OpsCenterTicketSink,
  type OpsCenterTicketSinkOptions,
} from './opscenter-sink';
export type {
  PreviousTicket,
  TicketHandle,
  TicketOpening,
  TicketResolution,
  TicketSink,
  TicketSinkName,
  TicketUpdate,
} from './ports';
export { asPrevious, decodeTicket, encodeTicket, type StoredTicket, ticketName } from './reference';
export {
  SERVICENOW_CORRELATION_DISPLAY,
  SERVICENOW_RESOLVED_STATE,
  ServiceNowTicketSink,
  type ServiceNowTicketSinkOptions,
} from './servicenow-sink';
export { TicketSinkFactory, type TicketSinkFactoryOptions, type TicketSinkSource } from './sink-factory';
export {
  signWebhook,
  verifyWebhookSignature,
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  type WebhookEventType,
  WebhookTicketSink,
  type WebhookTicketSinkOptions,
} from './webhook-sink';

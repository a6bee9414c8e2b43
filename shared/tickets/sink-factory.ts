/**
 * Builds the ticket sink the settings name (`tickets.sink`). Its destination and credentials are
 * read from the stack's own Secrets Manager secret of that sink (by name, so in remediate's own
 * account and Region), never from the settings. Settings change at run time (they are re-read
 * every minute), so sinks are built on demand and kept per configuration.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { HttpClient, type HttpClientOptions, type HttpLogger } from '../http/http-client';
import type { SecretProvider } from '../secrets/secret-provider';
import { DEFAULT_SERVICENOW_CLOSE_CODE, type TicketSettings } from '../settings/schema';
import {
  JIRA_SECRET_SHAPE,
  jiraCredentialsSchema,
  SERVICENOW_SECRET_SHAPE,
  serviceNowCredentialsSchema,
  type TicketSinkWithSecret,
  ticketSecretName,
  WEBHOOK_SECRET_SHAPE,
  webhookSecretSchema,
} from './credentials';
import { JiraTicketSink } from './jira-sink';
import { OpsCenterTicketSink } from './opscenter-sink';
import type { TicketSink, TicketSinkName } from './ports';
import { SecretBoundSink } from './secret-bound-sink';
import { ServiceNowTicketSink } from './servicenow-sink';
import { WebhookTicketSink } from './webhook-sink';

/** Where the lifecycle gets sinks from. */
export interface TicketSinkSource {
  /** The sink new tickets go to, or `undefined` when `tickets.sink` is `none`. */
  forNew(tickets: TicketSettings): TicketSink | undefined;
  /** The sink holding an existing ticket, or `undefined` when it is no longer configured. */
  byName(name: TicketSinkName, tickets: TicketSettings): TicketSink | undefined;
}

export interface TicketSinkFactoryOptions {
  /** SSM client of the central account and Region (OpsCenter). */
  readonly ssm: SSMClient;
  readonly secrets: SecretProvider;
  /**
   * The secret (name or ARN) each sink reads. Deployment configuration, never settings.
   * @default the stack's own secrets, `endpoint-guard/tickets/<sink>` ({@link ticketSecretName})
   */
  readonly secretIds?: Readonly<Partial<Record<TicketSinkWithSecret, string>>>;
  /** Region of the OpsItems, for console links. @default the SSM client's Region */
  readonly region?: string;
  /** HTTP settings of the Jira, ServiceNow and webhook clients (timeouts, attempts, `fetch`). */
  readonly http?: Omit<HttpClientOptions, 'service' | 'logger'>;
  readonly logger?: HttpLogger;
}

/**
 * Builds sinks from the settings' `tickets` block.
 *
 * @example
 * const sinks = new TicketSinkFactory({ ssm, secrets: new SecretsManagerSecretProvider({ client }) });
 * const sink = sinks.forNew(settings.tickets); // undefined when tickets.sink is 'none'
 */
export class TicketSinkFactory implements TicketSinkSource {
  private readonly options: TicketSinkFactoryOptions;
  private readonly built = new Map<string, TicketSink>();

  constructor(options: TicketSinkFactoryOptions) {
    this.options = options;
  }

  forNew(tickets: TicketSettings): TicketSink | undefined {
    return tickets.sink === 'none' ? undefined : this.byName(tickets.sink, tickets);
  }

  byName(name: TicketSinkName, tickets: TicketSettings): TicketSink | undefined {
    // A Jira sink needs its project (settings); ServiceNow and the webhook work with defaults.
    const config = name === 'opscenter' ? {} : name === 'jira' ? tickets.jira : (tickets[name] ?? {});
    if (config === undefined) return undefined;
    const cacheKey = `${name}:${JSON.stringify(config)}`;
    let sink = this.built.get(cacheKey);
    if (sink === undefined) {
      sink = this.build(name, tickets);
      if (sink === undefined) return undefined;
      this.built.set(cacheKey, sink);
    }
    return sink;
  }

  private build(name: TicketSinkName, tickets: TicketSettings): TicketSink | undefined {
    const { secrets } = this.options;
    const http = (service: string) =>
      new HttpClient({
        ...this.options.http,
        service,
        ...(this.options.logger ? { logger: this.options.logger } : {}),
      });
    const secretId = (sink: TicketSinkWithSecret) => this.options.secretIds?.[sink] ?? ticketSecretName(sink);
    switch (name) {
      case 'opscenter':
        return new OpsCenterTicketSink({
          ssm: this.options.ssm,
          ...(this.options.region ? { region: this.options.region } : {}),
        });
      case 'jira': {
        const jira = tickets.jira;
        if (!jira) return undefined;
        const secret = () => secrets.getJson(secretId('jira'), jiraCredentialsSchema, JIRA_SECRET_SHAPE);
        return new SecretBoundSink({
          name,
          secret,
          destinationOf: (value) => value.baseUrl,
          searchable: true,
          build: (value) =>
            new JiraTicketSink({
              baseUrl: value.baseUrl,
              projectKey: jira.projectKey,
              issueType: jira.issueType,
              doneTransition: jira.doneTransition,
              credentials: async () => {
                const { email, apiToken } = await secret();
                return { email, apiToken };
              },
              http: http('jira'),
            }),
        });
      }
      case 'servicenow': {
        const servicenow = tickets.servicenow;
        const secret = () =>
          secrets.getJson(secretId('servicenow'), serviceNowCredentialsSchema, SERVICENOW_SECRET_SHAPE);
        return new SecretBoundSink({
          name,
          secret,
          destinationOf: (value) => value.instanceUrl,
          searchable: true,
          build: (value) =>
            new ServiceNowTicketSink({
              instanceUrl: value.instanceUrl,
              ...(servicenow?.assignmentGroup ? { assignmentGroup: servicenow.assignmentGroup } : {}),
              closeCode: servicenow?.closeCode ?? DEFAULT_SERVICENOW_CLOSE_CODE,
              credentials: async () => {
                const { instanceUrl: _, ...credentials } = await secret();
                return credentials;
              },
              http: http('servicenow'),
            }),
        });
      }
      case 'webhook': {
        const secret = () => secrets.getJson(secretId('webhook'), webhookSecretSchema, WEBHOOK_SECRET_SHAPE);
        return new SecretBoundSink({
          name,
          secret,
          destinationOf: (value) => value.url,
          searchable: false,
          build: (value) =>
            new WebhookTicketSink({
              url: value.url,
              secret: async () => ({ signingKey: (await secret()).signingKey }),
              http: http('webhook'),
            }),
        });
      }
    }
  }
}

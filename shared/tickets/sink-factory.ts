/**
 * Builds the ticket sink the settings name (`tickets.sink`), with its credentials read from
 * Secrets Manager when it needs them. Settings change at run time (they are re-read every
 * minute), so sinks are built on demand and kept per configuration.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { HttpClient, type HttpClientOptions, type HttpLogger } from '../http/http-client';
import type { SecretProvider } from '../secrets/secret-provider';
import type { TicketSettings } from '../settings/schema';
import {
  JIRA_SECRET_SHAPE,
  jiraCredentialsSchema,
  SERVICENOW_SECRET_SHAPE,
  serviceNowCredentialsSchema,
  WEBHOOK_SECRET_SHAPE,
  webhookSecretSchema,
} from './credentials';
import { JiraTicketSink } from './jira-sink';
import { OpsCenterTicketSink } from './opscenter-sink';
import type { TicketSink, TicketSinkName } from './ports';
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
    const config = name === 'opscenter' ? {} : tickets[name];
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
    switch (name) {
      case 'opscenter':
        return new OpsCenterTicketSink({
          ssm: this.options.ssm,
          ...(this.options.region ? { region: this.options.region } : {}),
        });
      case 'jira': {
        const jira = tickets.jira;
        if (!jira) return undefined;
        return new JiraTicketSink({
          baseUrl: jira.baseUrl,
          projectKey: jira.projectKey,
          issueType: jira.issueType,
          doneTransition: jira.doneTransition,
          credentials: () => secrets.getJson(jira.secretArn, jiraCredentialsSchema, JIRA_SECRET_SHAPE),
          http: http('jira'),
        });
      }
      case 'servicenow': {
        const servicenow = tickets.servicenow;
        if (!servicenow) return undefined;
        return new ServiceNowTicketSink({
          instanceUrl: servicenow.instanceUrl,
          ...(servicenow.assignmentGroup ? { assignmentGroup: servicenow.assignmentGroup } : {}),
          closeCode: servicenow.closeCode,
          credentials: () =>
            secrets.getJson(servicenow.secretArn, serviceNowCredentialsSchema, SERVICENOW_SECRET_SHAPE),
          http: http('servicenow'),
        });
      }
      case 'webhook': {
        const webhook = tickets.webhook;
        if (!webhook) return undefined;
        return new WebhookTicketSink({
          url: webhook.url,
          secret: () => secrets.getJson(webhook.secretArn, webhookSecretSchema, WEBHOOK_SECRET_SHAPE),
          http: http('webhook'),
        });
      }
    }
  }
}

/**
 * Empty Secrets Manager secrets for the ticket sinks' destination and credentials. The template
 * never holds a credential: people put the value in after deployment. remediate reads each secret
 * by its name (`endpoint-guard/tickets/jira`, ...), so in its own account and Region only; the
 * settings document only chooses the sink and cannot point the credentials anywhere else.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  JIRA_SECRET_SHAPE,
  SERVICENOW_SECRET_SHAPE,
  TICKET_SINKS_WITH_SECRETS,
  type TicketSinkWithSecret,
  WEBHOOK_SECRET_SHAPE,
} from '../../shared/tickets/credentials';
import { TICKET_SECRET_NAME_PREFIX } from '../names';

export { TICKET_SINKS_WITH_SECRETS, type TicketSinkWithSecret };

/** What each secret is expected to hold once filled in (JSON). */
const EXPECTED_VALUE: Readonly<Record<TicketSinkWithSecret, string>> = {
  jira: `Jira site and API credentials: ${JIRA_SECRET_SHAPE}`,
  servicenow: `ServiceNow instance and credentials: ${SERVICENOW_SECRET_SHAPE}`,
  webhook: `webhook URL and signing key: ${WEBHOOK_SECRET_SHAPE}`,
};

export interface TicketSecretsProps {
  /** @default 'endpoint-guard/tickets/' */
  readonly namePrefix?: string;
}

/**
 * @example
 * const secrets = new TicketSecrets(this, 'TicketSecrets');
 * secrets.secrets.jira.grantRead(remediate);
 */
export class TicketSecrets extends Construct {
  public readonly secrets: Readonly<Record<TicketSinkWithSecret, Secret>>;

  constructor(scope: Construct, id: string, props: TicketSecretsProps = {}) {
    super(scope, id);
    const prefix = props.namePrefix ?? TICKET_SECRET_NAME_PREFIX;
    // No value and no generated string: CloudFormation creates the secret with a random
    // placeholder that is useless as a credential, so nothing sensitive is in the template.
    const placeholder = (sink: TicketSinkWithSecret, id: string): Secret =>
      new Secret(this, id, {
        secretName: `${prefix}${sink}`,
        description: `endpoint-guard: ${EXPECTED_VALUE[sink]} (placeholder until filled in)`,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.secrets = {
      jira: placeholder('jira', 'Jira'),
      servicenow: placeholder('servicenow', 'ServiceNow'),
      webhook: placeholder('webhook', 'Webhook'),
    };
  }
}

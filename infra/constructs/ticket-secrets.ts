/**
 * Empty Secrets Manager secrets for the ticket sinks' credentials. The template never holds a
 * credential: people put the value in after deployment, and the settings document names the
 * secret ARN (`tickets.jira.secretArn`, ...).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { TICKET_SECRET_NAME_PREFIX } from '../names';

export type TicketSinkWithSecret = 'jira' | 'servicenow' | 'webhook';

export const TICKET_SINKS_WITH_SECRETS: readonly TicketSinkWithSecret[] = ['jira', 'servicenow', 'webhook'];

/** What each secret is expected to hold once filled in (JSON). */
const EXPECTED_VALUE: Readonly<Record<TicketSinkWithSecret, string>> = {
  jira: 'Jira API credentials: {"email": "...", "apiToken": "..."}',
  servicenow: 'ServiceNow credentials: {"username": "...", "password": "..."} or {"oauthToken": "..."}',
  webhook: 'webhook signing key, at least 16 characters: {"signingKey": "..."}',
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

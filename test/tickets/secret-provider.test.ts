import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SecretError } from '../../shared/secrets/errors';
import { redact, secretValues } from '../../shared/secrets/redact';
import { SecretsManagerSecretProvider } from '../../shared/secrets/secret-provider';
import {
  JIRA_SECRET_SHAPE,
  jiraCredentialsSchema,
  SERVICENOW_SECRET_SHAPE,
  serviceNowCredentialsSchema,
} from '../../shared/tickets/credentials';

const client = new SecretsManagerClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const secretsMock = mockClient(client);
const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:endpoint-guard/tickets/jira-AbCdEf';
const TOKEN = 'jira-api-token-value-42';
const SITE = 'https://example.atlassian.net';
let now: number;

function provider() {
  return new SecretsManagerSecretProvider({ client, now: () => now });
}

async function secretError(promise: Promise<unknown>): Promise<SecretError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SecretError) return error;
    throw error;
  }
  throw new Error('expected a SecretError');
}

beforeEach(() => {
  now = Date.parse('2025-06-01T12:00:00Z');
  secretsMock.reset();
});

describe('SecretsManagerSecretProvider', () => {
  it('reads a JSON secret once per 5 minutes, and concurrent reads share the call', async () => {
    // Prepare
    secretsMock.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ baseUrl: SITE, email: 'bot@example.com', apiToken: TOKEN }),
    });
    const secrets = provider();

    // Act
    const [first] = await Promise.all([
      secrets.getJson(ARN, jiraCredentialsSchema, JIRA_SECRET_SHAPE),
      secrets.getJson(ARN, jiraCredentialsSchema, JIRA_SECRET_SHAPE),
    ]);
    now += 299_000;
    await secrets.getJson(ARN, jiraCredentialsSchema, JIRA_SECRET_SHAPE);
    now += 2_000;
    await secrets.getJson(ARN, jiraCredentialsSchema, JIRA_SECRET_SHAPE);

    // Assess
    expect(first).toEqual({ baseUrl: SITE, email: 'bot@example.com', apiToken: TOKEN });
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: ARN });
  });

  it('accepts either ServiceNow shape', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({
      SecretString: '{"instanceUrl":"https://example.service-now.com","oauthToken":"abc-token-123"}',
    });
    expect(await provider().getJson(ARN, serviceNowCredentialsSchema, SERVICENOW_SECRET_SHAPE)).toEqual({
      instanceUrl: 'https://example.service-now.com',
      oauthToken: 'abc-token-123',
    });
  });

  it('says a secret is not JSON without quoting it', async () => {
    // Prepare
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: `token=${TOKEN}` });

    // Act
    const error = await secretError(provider().getJson(ARN, jiraCredentialsSchema, JIRA_SECRET_SHAPE));

    // Assess
    expect(error.message).toBe(`secret ${ARN}: is not JSON`);
    expect(error.retryable).toBe(false);
    expect(`${error.message}${error.stack}${JSON.stringify(error)}${String(error.cause)}`).not.toContain(
      TOKEN,
    );
  });

  it('names the keys of a secret of the wrong shape, never their values', async () => {
    // Prepare
    secretsMock
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ email: 42, token: TOKEN }) });

    // Act
    const error = await secretError(provider().getJson(ARN, jiraCredentialsSchema, JIRA_SECRET_SHAPE));

    // Assess
    expect(error.message).toBe(
      `secret ${ARN}: expected JSON {"baseUrl": "https://<site>.atlassian.net", "email": "...", "apiToken": "..."}: baseUrl is missing or of the wrong type; email is missing or of the wrong type; apiToken is missing or of the wrong type`,
    );
    expect(error.message).not.toContain(TOKEN);
  });

  it('fails a secret matching no accepted shape', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: '{"username":"u"}' });
    const error = await secretError(
      provider().getJson(ARN, serviceNowCredentialsSchema, SERVICENOW_SECRET_SHAPE),
    );
    expect(error.message).toBe(
      `secret ${ARN}: expected JSON {"instanceUrl": "https://<instance>.service-now.com", "username": "...", "password": "..."} or {"instanceUrl": "...", "oauthToken": "..."}: (value) matches none of the accepted shapes`,
    );
  });

  it('tells refusals from failures that may pass, and does not cache them', async () => {
    // Prepare
    secretsMock
      .on(GetSecretValueCommand)
      .rejectsOnce(
        new ResourceNotFoundException({
          message: "Secrets Manager can't find the specified secret.",
          $metadata: {},
        }),
      )
      .rejectsOnce(
        new SecretsManagerServiceException({
          name: 'ThrottlingException',
          $fault: 'client',
          message: 'Rate exceeded',
          $metadata: {},
        }),
      )
      .resolves({ SecretString: JSON.stringify({ baseUrl: SITE, email: 'e@example.com', apiToken: TOKEN }) });
    const secrets = provider();

    // Act
    const missing = await secretError(secrets.getJson(ARN, jiraCredentialsSchema, JIRA_SECRET_SHAPE));
    const throttled = await secretError(secrets.getJson(ARN, jiraCredentialsSchema, JIRA_SECRET_SHAPE));
    const value = await secrets.getJson(ARN, jiraCredentialsSchema, JIRA_SECRET_SHAPE);

    // Assess
    expect(missing.message).toBe(
      `secret ${ARN}: cannot be read (ResourceNotFoundException: Secrets Manager can't find the specified secret.)`,
    );
    expect(missing.retryable).toBe(false);
    expect(throttled.retryable).toBe(true);
    expect(value.apiToken).toBe(TOKEN);
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 3);
  });

  it('refuses a binary secret', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2]) });
    const error = await secretError(provider().getJson(ARN, jiraCredentialsSchema, JIRA_SECRET_SHAPE));
    expect(error.message).toBe(`secret ${ARN}: holds no SecretString (a binary secret, or no value yet)`);
  });
});

describe('redact', () => {
  it('replaces every secret form: the values, user:password and its base64', () => {
    const values = secretValues({ username: 'endpoint.guard', password: 'pa55word-x' });
    const basic = Buffer.from('endpoint.guard:pa55word-x').toString('base64');
    expect(redact(`Basic ${basic} for pa55word-x (endpoint.guard:pa55word-x)`, values)).toBe(
      'Basic *** for *** (***)',
    );
  });
});

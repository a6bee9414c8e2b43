/**
 * No secret ever reaches a log line. Every sink that holds a credential (Jira, ServiceNow with a
 * password or an OAuth token, the webhook's signing key) goes through its whole lifecycle with a
 * real Powertools Logger at DEBUG wired into the processor, the lifecycle and the HTTP client —
 * including retries, a service that echoes the Authorization header back in its error, a failure
 * that is thrown and logged the way the remediate handler logs it, and a secret filled in wrong —
 * while everything the process writes to stdout and stderr is captured and searched.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../shared/findings/finding';
import { FindingProcessor, type RemediationClients } from '../../shared/remediation/processor';
import { SecretsManagerSecretProvider } from '../../shared/secrets/secret-provider';
import { DEFAULT_SETTINGS, type Settings, type TicketSettings } from '../../shared/settings/schema';
import { FindingStore } from '../../shared/store/finding-store';
import { TicketLifecycle } from '../../shared/tickets/lifecycle';
import { TicketSinkFactory } from '../../shared/tickets/sink-factory';
import { useHttpServer } from '../http/server';
import { endpointFinding, OBSERVED_AT } from '../remediation/fixtures';
import { useDynalite } from '../support/dynalite';

const db = useDynalite();
const server = useHttpServer();
const secretsClient = new SecretsManagerClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const secretsMock = mockClient(secretsClient);
const arn = (name: string) =>
  `arn:aws:secretsmanager:eu-west-1:111122223333:secret:endpoint-guard/tickets/${name}-AbCdEf`;
/** The secret each variant's sink reads (deployment configuration: the settings cannot choose it). */
const secretIdsFor = (sink: 'jira' | 'servicenow' | 'oauth' | 'webhook' | 'broken') =>
  sink === 'oauth' ? { servicenow: arn('oauth') } : sink === 'broken' ? { jira: arn('broken') } : {};

const JIRA = { email: 'bot@example.com', apiToken: 'ATATT-jira-token-0001' };
const SNOW = { username: 'endpoint.guard', password: 'Sn0w-Passw0rd-0002' };
const OAUTH = { oauthToken: 'oauth-bearer-token-0003' };
const WEBHOOK = { signingKey: 'whsec-signing-key-0004-abcdef' };
const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');
/** Every form a secret could leak in. */
const SECRETS = [
  JIRA.apiToken,
  basic(JIRA.email, JIRA.apiToken),
  SNOW.password,
  basic(SNOW.username, SNOW.password),
  OAUTH.oauthToken,
  WEBHOOK.signingKey,
  'wrong-shape-secret-0005',
];

let lines: string[];
let now: number;

/** The lines that hold a secret. */
function leaks(output: readonly string[]): string[] {
  return output.filter((line) => SECRETS.some((secret) => line.includes(secret)));
}

function ticketsFor(sink: 'jira' | 'servicenow' | 'oauth' | 'webhook' | 'broken'): TicketSettings {
  switch (sink) {
    case 'jira':
      return {
        sink: 'jira',
        jira: { projectKey: 'OPS', issueType: 'Task', doneTransition: 'Done', secretArn: arn('jira') },
      };
    case 'servicenow':
      return {
        sink: 'servicenow',
        servicenow: { secretArn: arn('servicenow'), closeCode: 'Solution provided' },
      };
    case 'oauth':
      return {
        sink: 'servicenow',
        servicenow: { closeCode: 'Solution provided' },
      };
    case 'webhook':
      return { sink: 'webhook', webhook: { secretArn: arn('webhook') } };
    case 'broken':
      return {
        sink: 'jira',
        jira: { projectKey: 'OPS', issueType: 'Task', doneTransition: 'Done' },
      };
  }
}

function observed(hours: number, status: Finding['status'] = 'NON_COMPLIANT'): Finding {
  const observedAt = new Date(Date.parse(OBSERVED_AT) + hours * 3600_000).toISOString();
  return status === 'NON_COMPLIANT'
    ? endpointFinding({ observedAt })
    : endpointFinding({
        observedAt,
        status,
        severity: 'INFORMATIONAL',
        remediation: null,
        reason: 'subnets in 2 AZs',
      });
}

/** Runs a sink through open (with a retry), update (refused, echoing the credentials) and resolve (failing). */
async function lifecycleOf(sink: 'jira' | 'servicenow' | 'oauth' | 'webhook' | 'broken'): Promise<void> {
  const logger = new Logger({ serviceName: 'endpoint-guard-remediate', logLevel: 'DEBUG' });
  const settings: Settings = { ...DEFAULT_SETTINGS, tickets: ticketsFor(sink) };
  const store = new FindingStore({
    client: db.documentClient,
    tableName: await db.createTable(),
    now: () => new Date(now),
  });
  const processor = new FindingProcessor({
    store,
    settings: { get: async () => settings },
    clientsFor: async () => ({}) as RemediationClients,
    notifier: { notify: async (event) => logger.info('notified', { event }) },
    tickets: new TicketLifecycle({
      store,
      sinks: new TicketSinkFactory({
        ssm: {} as SSMClient,
        secrets: new SecretsManagerSecretProvider({ client: secretsClient }),
        secretIds: {
          jira: arn('jira'),
          servicenow: arn('servicenow'),
          webhook: arn('webhook'),
          ...secretIdsFor(sink),
        },
        http: { timeoutMs: 2_000, sleep: async () => undefined },
        logger,
      }),
      logger,
      now: () => new Date(now),
    }),
    events: { publish: async (event) => logger.info('Remediation event', { event }) },
    logger,
    now: () => new Date(now),
  });
  // The way the remediate handler logs a record it could not process.
  const deliver = async (finding: Finding) => {
    now = Date.parse(finding.observedAt) + 1000;
    try {
      const result = await processor.process(finding);
      logger.info('finding processed', {
        findingId: finding.findingId,
        outcome: result.outcome,
        why: result.why,
      });
    } catch (error) {
      logger.error('finding not processed: SQS will redeliver it', { findingId: finding.findingId, error });
    }
  };

  // Open: the search is rate-limited once (Jira, ServiceNow); the webhook is unavailable once.
  server.reply(
    ...(sink === 'webhook'
      ? [
          { status: 503, body: { message: 'try later' } },
          { status: 200, body: { id: 'T-1', url: 'https://t.example.com/T-1' } },
        ]
      : sink === 'jira'
        ? [
            { status: 429, headers: { 'Retry-After': '1' }, body: { errorMessages: ['Rate limit'] } },
            { status: 200, body: { issues: [] } },
            { status: 201, body: { id: '1', key: 'OPS-1' } },
          ]
        : [
            { status: 429, headers: { 'Retry-After': '1' }, body: { error: { message: 'Rate limit' } } },
            { status: 200, body: { result: [] } },
            { status: 201, body: { result: { sys_id: 'a1b2', number: 'INC0010001' } } },
          ]),
  );
  await deliver(observed(0));
  // Update a day later: refused, and the service echoes what it received.
  server.fallback((request) => ({
    status: 401,
    body: {
      errorMessages: [`rejected credentials ${String(request.headers.authorization)}`],
      error: {
        message: `rejected ${String(request.headers.authorization)} signed ${String(request.headers['x-endpoint-guard-signature'])}`,
      },
    },
  }));
  await deliver(observed(25));
  // Resolve: the service fails; the failure is thrown and logged.
  server.fallback(() => ({
    status: 500,
    body: { errorMessages: ['Internal server error'], error: { message: 'Internal error' } },
  }));
  await deliver(observed(26, 'COMPLIANT'));
}

beforeEach(() => {
  now = Date.parse(OBSERVED_AT);
  lines = [];
  const capture = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  secretsMock.reset();
  const values: Record<string, unknown> = {
    [arn('jira')]: { baseUrl: server.url, ...JIRA },
    [arn('servicenow')]: { instanceUrl: server.url, ...SNOW },
    [arn('oauth')]: { instanceUrl: server.url, ...OAUTH },
    [arn('webhook')]: { url: `${server.url}/hook`, ...WEBHOOK },
    [arn('broken')]: { baseUrl: server.url, email: 'bot@example.com', api_token: 'wrong-shape-secret-0005' },
  };
  secretsMock.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => ({
    ARN: input.SecretId,
    SecretString: JSON.stringify(values[input.SecretId]),
  }));
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('secrets and logs', () => {
  it.each(['jira', 'servicenow', 'oauth', 'webhook', 'broken'] as const)(
    'the %s sink logs its whole lifecycle, failures included, without a secret in any line',
    async (sink) => {
      // Act
      await lifecycleOf(sink);

      // Assess: the capture saw the interesting lines (so this test can fail)...
      const messages = lines.map((line) => (JSON.parse(line) as { message?: string }).message);
      if (sink === 'broken') {
        expect(messages).toContain('finding not processed: SQS will redeliver it');
        expect(
          lines.some((line) =>
            line.includes(
              'expected JSON {\\"baseUrl\\": \\"https://<site>.atlassian.net\\", \\"email\\": \\"...\\", \\"apiToken\\": \\"...\\"}',
            ),
          ),
        ).toBe(true);
      } else {
        expect(messages).toContain('HTTP call failed; retrying');
        expect(messages).toContain('ticket opened');
        expect(messages).toContain('ticket not updated');
        expect(messages).toContain('finding not processed: SQS will redeliver it');
        expect(lines.some((line) => line.includes('401 Unauthorized: rejected'))).toBe(true);
        // The echoed credentials were scrubbed (the webhook sends none: its key only signs).
        expect(lines.some((line) => line.includes('***'))).toBe(sink !== 'webhook');
      }
      // ...and no line holds a secret.
      expect(leaks(lines)).toEqual([]);
    },
  );

  it('would catch a leak', () => {
    expect(
      leaks(['{"message":"ok"}', `{"authorization":"Basic ${basic(JIRA.email, JIRA.apiToken)}"}`]),
    ).toHaveLength(1);
  });
});

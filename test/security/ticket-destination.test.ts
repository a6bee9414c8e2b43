/**
 * Boundary: the settings document → where the ticket credentials go (SECURITY.md, first row).
 *
 * Someone who may edit the settings parameter, but not the ticket secrets, tries to make
 * remediate send the Jira credentials to a host they control, or to read another account's
 * secret. The real Jira is a local server whose address lives in the secret; the attacker's host
 * is a second local server. Neither attack makes a request leave for the attacker's host or a
 * secret other than the stack's own be read.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateOpsItemCommand,
  DescribeOpsItemsCommand,
  GetParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/findings/finding';
import { FindingProcessor, type RemediationClients } from '../../shared/remediation/processor';
import { SecretsManagerSecretProvider } from '../../shared/secrets/secret-provider';
import type { SettingsValidationError } from '../../shared/settings/errors';
import { SettingsProvider } from '../../shared/settings/provider';
import { parseSettings } from '../../shared/settings/schema';
import { FindingStore } from '../../shared/store/finding-store';
import { TicketLifecycle } from '../../shared/tickets/lifecycle';
import { TicketSinkFactory } from '../../shared/tickets/sink-factory';
import { useHttpServer } from '../http/server';
import { endpointFinding, OBSERVED_AT } from '../remediation/fixtures';
import { useDynalite } from '../support/dynalite';
import { fakeJira } from '../tickets/fake-jira';

const db = useDynalite();
const jiraServer = useHttpServer();
const attacker = useHttpServer();
const OWN_ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const client = { region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
const ssm = new SSMClient(client);
const ssmMock = mockClient(ssm);
const secretsClient = new SecretsManagerClient(client);
const secretsMock = mockClient(secretsClient);
const TOKEN = 'ATATT-real-jira-token-7777';

let documents: unknown[];
let invalid: SettingsValidationError[];
let now: number;

function document(jira: Record<string, unknown>): unknown {
  return { version: 1, tickets: { sink: 'jira', jira: { projectKey: 'OPS', ...jira } } };
}

async function processAll(): Promise<string[]> {
  const store = new FindingStore({ client: db.documentClient, tableName: await db.createTable() });
  const processor = new FindingProcessor({
    store,
    settings: new SettingsProvider({
      ssm,
      parameterName: '/endpoint-guard/settings',
      maxAgeSeconds: 0,
      context: { accountId: OWN_ACCOUNT, region: REGION },
      onInvalid: (error) => void invalid.push(error),
    }),
    clientsFor: async () => ({}) as RemediationClients,
    notifier: { notify: async () => undefined },
    tickets: new TicketLifecycle({
      store,
      sinks: new TicketSinkFactory({
        ssm,
        secrets: new SecretsManagerSecretProvider({ client: secretsClient, maxAgeSeconds: 0 }),
        http: { timeoutMs: 2_000, sleep: async () => undefined },
      }),
      now: () => new Date(now),
    }),
    events: { publish: async () => undefined },
    now: () => new Date(now),
  });
  const outcomes: string[] = [];
  for (const [index] of documents.entries()) {
    const finding: Finding = endpointFinding({
      resourceArn: `arn:aws:ec2:eu-west-1:222233334444:vpc-endpoint/vpce-0a${index}`,
      resourceId: `vpce-0a${index}`,
      findingId: `interface-endpoint-multi-az:arn:aws:ec2:eu-west-1:222233334444:vpc-endpoint/vpce-0a${index}`,
      observedAt: OBSERVED_AT,
    });
    now = Date.parse(OBSERVED_AT) + 1000;
    outcomes.push((await processor.process(finding)).outcome);
  }
  return outcomes;
}

beforeEach(() => {
  invalid = [];
  fakeJira(jiraServer);
  ssmMock.reset();
  let read = 0;
  ssmMock.on(GetParameterCommand).callsFake(() => {
    const value = documents[Math.min(read++, documents.length - 1)];
    return { Parameter: { Value: JSON.stringify(value), Version: read } };
  });
  ssmMock.on(DescribeOpsItemsCommand).resolves({ OpsItemSummaries: [] });
  ssmMock.on(CreateOpsItemCommand).resolves({ OpsItemId: 'oi-0123456789ab' });
  secretsMock.reset();
  secretsMock
    .on(GetSecretValueCommand)
    .rejects(Object.assign(new Error('not this secret'), { name: 'AccessDeniedException' }));
  secretsMock.on(GetSecretValueCommand, { SecretId: 'endpoint-guard/tickets/jira' }).resolves({
    SecretString: JSON.stringify({ baseUrl: jiraServer.url, email: 'bot@example.com', apiToken: TOKEN }),
  });
  attacker.fallback(() => ({ status: 201, body: { id: '1', key: 'PWN-1' } }));
});

describe('the settings cannot send the ticket credentials elsewhere', () => {
  it('refuses a settings document that points the Jira sink at another host: nothing reaches it', async () => {
    // Prepare: a valid document, then the attacker's edit naming their host.
    documents = [document({}), document({ baseUrl: attacker.url })];

    // Act
    const outcomes = await processAll();

    // Assess: both findings are ticketed in the real Jira; the attacker's host saw no request.
    expect(outcomes).toEqual(['ticketed', 'ticketed']);
    expect(attacker.requests).toEqual([]);
    expect(jiraServer.requests.filter((request) => request.method === 'POST')).toHaveLength(2);
    expect(invalid.map((error) => error.problems)).toEqual([
      [
        'tickets.jira.baseUrl: no longer read from the settings (anyone who may edit them could send the jira credentials to another host): move it into the secret endpoint-guard/tickets/jira, which now holds {"baseUrl": "https://<site>.atlassian.net", "email": "...", "apiToken": "..."}, then delete this key',
      ],
    ]);
    // Only the stack's own secret was read, by name (in remediate's own account and Region).
    expect(
      secretsMock.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId),
    ).toEqual(expect.arrayContaining(['endpoint-guard/tickets/jira']));
    expect(
      new Set(secretsMock.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId)),
    ).toEqual(new Set(['endpoint-guard/tickets/jira']));
  });

  it("refuses a document naming another account's secret, and never reads it", async () => {
    // Prepare
    const foreign = 'arn:aws:secretsmanager:eu-west-1:999988887777:secret:endpoint-guard/tickets/jira-AbCdEf';
    documents = [document({ secretArn: foreign })];

    // Act
    const outcomes = await processAll();

    // Assess: the document is refused whole; with no valid settings yet the safe defaults apply
    // (an OpsItem in this account), and no secret is read at all.
    expect(invalid.map((error) => error.problems)).toEqual([
      [
        "tickets.jira.secretArn: names a secret in account 999988887777, not this stack's account 111122223333; remediate reads only endpoint-guard/tickets/jira of its own account and Region (leave secretArn out)",
      ],
    ]);
    expect(outcomes).toEqual(['ticketed']);
    expect(ssmMock.commandCalls(CreateOpsItemCommand)).toHaveLength(1);
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toEqual([]);
    expect(attacker.requests).toEqual([]);
  });

  it('refuses a secret other than the sink’s own, even in this account, when validated anywhere', () => {
    // `settings validate` knows no account: the secret's name alone must be the stack's.
    expect(() =>
      parseSettings(
        document({
          secretArn: `arn:aws:secretsmanager:${REGION}:${OWN_ACCOUNT}:secret:prod/jira-admin-AbCdEf`,
        }),
      ),
    ).toThrow(
      "tickets.jira.secretArn: must name the stack's own secret endpoint-guard/tickets/jira, the only one remediate reads (or leave secretArn out)",
    );
    // The stack's own secret, with or without its suffix, is accepted.
    for (const name of ['endpoint-guard/tickets/jira', 'endpoint-guard/tickets/jira-AbCdEf']) {
      const arn = `arn:aws:secretsmanager:${REGION}:${OWN_ACCOUNT}:secret:${name}`;
      expect(
        parseSettings(document({ secretArn: arn }), undefined, { accountId: OWN_ACCOUNT, region: REGION })
          .tickets.jira?.secretArn,
      ).toBe(arn);
    }
  });
});

/**
 * The ticket lifecycle end to end: FindingProcessor → TicketLifecycle → the real Jira sink over
 * HTTP (a stateful fake Jira on 127.0.0.1) with its credentials from Secrets Manager (mocked
 * client), over the findings store on a DynamoDB-compatible engine (dynalite). Every step counts
 * its DynamoDB, Secrets Manager and HTTP calls.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/findings/finding';
import type { RemediationOutcome } from '../../shared/remediation/executor';
import type { ActionEvent, RemediationEvent } from '../../shared/remediation/ports';
import { FindingProcessor, type RemediationClients } from '../../shared/remediation/processor';
import { SecretsManagerSecretProvider } from '../../shared/secrets/secret-provider';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/settings/schema';
import { FindingStore } from '../../shared/store/finding-store';
import { TicketLifecycle } from '../../shared/tickets/lifecycle';
import { decodeTicket } from '../../shared/tickets/reference';
import { TicketSinkFactory } from '../../shared/tickets/sink-factory';
import { useHttpServer } from '../http/server';
import { endpointFinding, OBSERVED_AT } from '../remediation/fixtures';
import { useDynalite } from '../support/dynalite';
import { type FakeJira, fakeJira } from './fake-jira';

const db = useDynalite();
const server = useHttpServer();
/** Errors name the host, never the path or query (a webhook URL may carry its secret there). */
const host = () => new URL(server.url).host;
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:endpoint-guard/tickets/jira-AbCdEf';
const secretsClient = new SecretsManagerClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const secretsMock = mockClient(secretsClient);
const HOUR = 3600_000;
const T0 = Date.parse(OBSERVED_AT);

let now: number;
let jira: FakeJira;
let store: FindingStore;
let dynamoCalls: string[];
let notified: ActionEvent[];
let events: RemediationEvent[];
let settings: Settings;
let fixOutcome: RemediationOutcome;
let processor: FindingProcessor;
let lifecycle: TicketLifecycle;

const clock = () => new Date(now);

function jiraSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    ...DEFAULT_SETTINGS,
    tickets: {
      sink: 'jira',
      jira: {
        projectKey: 'OPS',
        issueType: 'Task',
        doneTransition: 'Done',
        secretArn: SECRET_ARN,
      },
    },
    ...overrides,
  };
}

const AUTO_FIX_RULES: Settings['rules'] = {
  ...DEFAULT_SETTINGS.rules,
  'interface-endpoint-multi-az': { mode: 'auto-fix' },
};

/** The finding observed `hours` after T0, NON_COMPLIANT unless said otherwise. */
function observed(hours: number, status: Finding['status'] = 'NON_COMPLIANT'): Finding {
  const observedAt = new Date(T0 + hours * HOUR).toISOString();
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

/** Processes a finding at its observation time; returns the event and the calls it made. */
async function deliver(finding: Finding) {
  now = Date.parse(finding.observedAt) + 1000;
  const before = {
    dynamo: dynamoCalls.length,
    http: server.requests.length,
    secrets: secretsMock.commandCalls(GetSecretValueCommand).length,
  };
  const result = await processor.process(finding);
  return {
    result,
    calls: {
      dynamo: dynamoCalls.slice(before.dynamo),
      http: server.requests
        .slice(before.http)
        .map((request) => `${request.method} ${new URL(`http://x${request.path}`).pathname}`),
      getSecretValue: secretsMock.commandCalls(GetSecretValueCommand).length - before.secrets,
    },
  };
}

function countingClient(client: DynamoDBDocumentClient): DynamoDBDocumentClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'send') {
        return (command: { constructor: { name: string } }) => {
          dynamoCalls.push(command.constructor.name.replace(/Command$/, ''));
          return (target.send as (c: unknown) => Promise<unknown>)(command);
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

function tally(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

function issues() {
  return [...jira.issues.values()];
}

beforeEach(async () => {
  now = T0;
  jira = fakeJira(server);
  secretsMock.reset();
  secretsMock.on(GetSecretValueCommand).resolves({
    ARN: SECRET_ARN,
    SecretString: JSON.stringify({
      baseUrl: server.url,
      email: 'bot@example.com',
      apiToken: 'jira-api-token-value',
    }),
  });
  dynamoCalls = [];
  notified = [];
  events = [];
  settings = jiraSettings();
  fixOutcome = {
    status: 'applied',
    why: 'added subnet-0b to vpce-0a1; verified: COMPLIANT (subnets in 2 AZs)',
    changes: [{ kind: 'subnets-added', vpcEndpointId: 'vpce-0a1', subnetIds: ['subnet-0b'] }],
    before: null,
    after: null,
    calls: { ModifyVpcEndpoint: 1 },
  };
  const tableName = await db.createTable();
  store = new FindingStore({ client: countingClient(db.documentClient), tableName, now: clock });
  lifecycle = new TicketLifecycle({
    store,
    sinks: new TicketSinkFactory({
      ssm: {} as SSMClient,
      secrets: new SecretsManagerSecretProvider({ client: secretsClient, now: () => now }),
      http: { timeoutMs: 2_000, sleep: async () => undefined, random: () => 0.5 },
    }),
    now: clock,
  });
  processor = new FindingProcessor({
    store,
    settings: { get: async () => settings },
    clientsFor: async (accountId, region) => ({ accountId, region }) as unknown as RemediationClients,
    executorFor: () => ({ apply: async () => fixOutcome }),
    notifier: { notify: async (event) => void notified.push(event) },
    tickets: lifecycle,
    events: { publish: async (event) => void events.push(event) },
    now: clock,
  });
});

describe('ticket lifecycle', () => {
  it('opens one ticket for a NON_COMPLIANT finding, records it, and notifies with its link', async () => {
    // Act
    const { result, calls } = await deliver(observed(0));

    // Assess
    expect(result).toMatchObject({
      outcome: 'ticketed',
      why: expect.stringContaining('Opened jira OPS-1.'),
      auditId: expect.stringMatching(/^[0-9A-Z]{26}$/),
    });
    expect(issues()).toMatchObject([
      {
        key: 'OPS-1',
        status: 'To Do',
        labels: ['endpoint-guard', expect.stringMatching(/^endpoint-guard-[0-9a-f]{24}$/)],
      },
    ]);
    expect(decodeTicket((await store.getState(result.findingId))?.ticketReference)).toMatchObject({
      sink: 'jira',
      id: 'OPS-1',
      url: `${server.url}/browse/OPS-1`,
      status: 'open',
    });
    expect(await store.getAudit(result.auditId ?? '')).toMatchObject({
      kind: 'ticket',
      outcome: 'ticketed',
      ticketReference: 'jira OPS-1',
    });
    expect(notified).toHaveLength(1);
    expect(notified[0]).toMatchObject({
      outcome: 'ticketed',
      ticket: { reference: 'jira OPS-1', key: 'OPS-1', url: `${server.url}/browse/OPS-1` },
    });
    // The calls of opening a ticket.
    expect(calls.http).toEqual(['GET /rest/api/3/search/jql', 'POST /rest/api/3/issue']);
    expect(calls.getSecretValue).toBe(1);
    expect(tally(calls.dynamo)).toEqual({ Update: 4, Get: 1, Put: 4 });
  });

  it('updates the same ticket on repeats, at most once per commentIntervalHours', async () => {
    // Prepare
    await deliver(observed(0));

    // Act
    const within = await deliver(observed(1));
    const after = await deliver(observed(25));
    const againWithin = await deliver(observed(26));

    // Assess
    expect(issues()).toHaveLength(1);
    expect(issues()[0]?.comments).toEqual([
      `Still NON_COMPLIANT at ${observed(25).observedAt} (seen by sweep): ${observed(25).reason}`,
    ]);
    expect(within.result).toMatchObject({
      outcome: 'ticketed',
      why: expect.stringContaining(
        'the next update is due after 2025-06-02T12:00:01.000Z (notifications.commentIntervalHours = 24)',
      ),
    });
    expect(after.result.why).toContain('Added an update to jira OPS-1.');
    expect(againWithin.result.why).toContain('Ticket jira OPS-1 is open; it was updated at');
    expect(notified.map((event) => event.outcome)).toEqual(['ticketed']);
    // The calls of a repeat: within the window nothing leaves; after it, one comment.
    expect(within.calls.http).toEqual([]);
    expect(tally(within.calls.dynamo)).toEqual({ Update: 2, Get: 2, Put: 1 });
    expect(after.calls.http).toEqual(['POST /rest/api/3/issue/OPS-1/comment']);
    // One claim for the comment window, and the update's audit record with its listing item.
    expect(tally(after.calls.dynamo)).toEqual({ Update: 2, Get: 1, Put: 3 });
    expect((await store.listAudits(after.result.findingId)).map((audit) => audit.outcome).sort()).toEqual([
      'ticket-updated',
      'ticketed',
    ]);
  });

  it('honours a shorter commentIntervalHours', async () => {
    // Prepare
    settings = jiraSettings({ notifications: { commentIntervalHours: 2 } });
    await deliver(observed(0));

    // Act
    await deliver(observed(1));
    await deliver(observed(3));

    // Assess
    expect(issues()[0]?.comments).toHaveLength(1);
  });

  it('resolves the ticket with what was done when a fix is applied', async () => {
    // Prepare
    await deliver(observed(0));
    settings = jiraSettings({ rules: AUTO_FIX_RULES });

    // Act
    const { result, calls } = await deliver(observed(1));

    // Assess
    expect(result).toMatchObject({ outcome: 'applied', why: fixOutcome.why });
    expect(issues()[0]?.status).toBe('Done');
    expect(issues()[0]?.comments[0]).toBe(
      `Fixed automatically by endpoint-guard (audit ${result.auditId}): ${fixOutcome.why} - added subnet-0b to vpce-0a1 To take the fix back: endpoint-guard rollback ${result.auditId}`,
    );
    expect(decodeTicket((await store.getState(result.findingId))?.ticketReference)).toMatchObject({
      id: 'OPS-1',
      status: 'resolved',
    });
    expect(notified.at(-1)).toMatchObject({ outcome: 'applied', ticket: { reference: 'jira OPS-1' } });
    // The calls of resolving in Jira: comment, list transitions, transition.
    expect(calls.http).toEqual([
      'POST /rest/api/3/issue/OPS-1/comment',
      'GET /rest/api/3/issue/OPS-1/transitions',
      'POST /rest/api/3/issue/OPS-1/transitions',
    ]);
  });

  it('resolves the ticket when the finding returns to COMPLIANT', async () => {
    // Prepare
    await deliver(observed(0));

    // Act
    const { result, calls } = await deliver(observed(2, 'COMPLIANT'));

    // Assess
    expect(result).toMatchObject({
      outcome: 'resolved',
      why: 'vpce-0a1 is COMPLIANT: Resolved jira OPS-1.',
      decision: { action: 'ignore' },
    });
    expect(issues()[0]).toMatchObject({ status: 'Done' });
    expect(issues()[0]?.comments[0]).toBe(
      `vpce-0a1 is COMPLIANT (observed ${observed(2).observedAt} by sweep): subnets in 2 AZs. Resolved by endpoint-guard.`,
    );
    expect(await store.getClaim('ticket', result.findingId)).toBeUndefined();
    expect(tally(calls.dynamo)).toEqual({ Update: 3, Put: 3, Get: 2, Delete: 2 });
    const resolved = (await store.listAudits(result.findingId)).find(
      (audit) => audit.outcome === 'ticket-resolved',
    );
    expect(resolved?.reason).toBe(
      `resolved jira OPS-1: vpce-0a1 is COMPLIANT (observed ${observed(2).observedAt} by sweep): subnets in 2 AZs. Resolved by endpoint-guard.`,
    );
    // Later COMPLIANT observations cost no ticket call.
    const quiet = await deliver(observed(3, 'COMPLIANT'));
    expect(quiet.result.outcome).toBe('ignored');
    expect(quiet.calls.http).toEqual([]);
    expect(tally(quiet.calls.dynamo)).toEqual({ Update: 1 });
  });

  it('opens a new ticket for a regression, saying so and linking the resolved one', async () => {
    // Prepare
    await deliver(observed(0));
    await deliver(observed(2, 'COMPLIANT'));

    // Act
    const { result } = await deliver(observed(4));

    // Assess
    expect(issues().map((issue) => [issue.key, issue.status])).toEqual([
      ['OPS-1', 'Done'],
      ['OPS-2', 'To Do'],
    ]);
    expect(issues()[1]?.description).toContain(
      `This finding came back after it was resolved. Earlier ticket OPS-1 ( ${server.url}/browse/OPS-1 ) was resolved at`,
    );
    expect(result.why).toContain(
      'Opened jira OPS-2 for the regression (the earlier jira OPS-1 was resolved at',
    );
    expect(notified.at(-1)?.ticket).toEqual({
      reference: 'jira OPS-2',
      key: 'OPS-2',
      url: `${server.url}/browse/OPS-2`,
      previous: { reference: 'jira OPS-1', url: `${server.url}/browse/OPS-1` },
    });
    expect(await store.getAudit(result.auditId ?? '')).toMatchObject({
      after: { previousTicket: { id: 'OPS-1', status: 'resolved' } },
    });
  });

  it('opens exactly one ticket for 10 concurrent deliveries', async () => {
    // Prepare
    const finding = observed(0);
    now = T0 + 1000;

    // Act
    const results = await Promise.all(Array.from({ length: 10 }, () => processor.process(finding)));

    // Assess
    expect(issues()).toHaveLength(1);
    expect(server.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
    expect(results.map((result) => result.outcome)).toEqual(Array(10).fill('ticketed'));
    expect(results.filter((result) => result.why.includes('Opened jira OPS-1'))).toHaveLength(1);
    expect(notified).toHaveLength(1);
    expect((await store.listAudits(finding.findingId)).map((audit) => audit.outcome)).toEqual(['ticketed']);
  });

  it('adopts a ticket whose create failed half-way instead of opening a second one', async () => {
    // Prepare
    jira.failNextCreateAfterStoring();
    await expect(deliver(observed(0))).rejects.toThrow(`jira POST ${host()}: 500 Internal Server Error`);

    // Act: SQS redelivers the message
    const { result } = await deliver(observed(0));

    // Assess
    expect(issues()).toHaveLength(1);
    expect(result.why).toContain('Found jira OPS-1 already open in jira and adopted it.');
    expect(decodeTicket((await store.getState(result.findingId))?.ticketReference)?.id).toBe('OPS-1');
  });

  it('adds a note to the open ticket when a fix fails, whatever the interval', async () => {
    // Prepare
    await deliver(observed(0));
    settings = jiraSettings({ rules: AUTO_FIX_RULES });
    fixOutcome = {
      ...fixOutcome,
      status: 'failed',
      why: 'EC2 refused ModifyVpcEndpoint: InvalidSubnet',
      changes: [],
    };

    // Act
    const { result } = await deliver(observed(1));

    // Assess
    expect(result.outcome).toBe('failed');
    expect(issues()[0]?.comments).toEqual([
      `endpoint-guard tried to fix this automatically and failed (audit ${result.auditId}): EC2 refused ModifyVpcEndpoint: InvalidSubnet`,
    ]);
    expect(issues()[0]?.status).toBe('To Do');
  });

  it('forgets a ticket deleted in Jira and opens a new one on the next delivery', async () => {
    // Prepare
    await deliver(observed(0));
    jira.issues.delete('OPS-1');

    // Act
    const gone = await deliver(observed(25));
    const next = await deliver(observed(26));

    // Assess
    expect(gone.result.why).toContain(
      'Ticket jira OPS-1 no longer exists in jira: the next delivery opens a new ticket.',
    );
    expect(next.result.why).toContain('Opened jira OPS-2');
  });

  it('retries a resolution that failed for a reason that may pass', async () => {
    // Prepare
    await deliver(observed(0));
    server.reply({ status: 502, body: 'Bad Gateway' });

    // Act
    await expect(deliver(observed(2, 'COMPLIANT'))).rejects.toThrow('jira comment for OPS-1 failed');
    const retried = await deliver(observed(2, 'COMPLIANT'));

    // Assess
    expect(retried.result.outcome).toBe('resolved');
    expect(issues()[0]?.status).toBe('Done');
  });

  it('stops tracking a ticket its sink refuses to resolve, and says so', async () => {
    // Prepare
    await deliver(observed(0));
    server.reply(
      { status: 201, body: { id: '1' } },
      { status: 200, body: { transitions: [{ id: '11', name: 'Start progress' }] } },
    );

    // Act
    const { result } = await deliver(observed(2, 'COMPLIANT'));

    // Assess
    expect(result.outcome).toBe('resolved');
    expect(result.why).toContain(
      'Resolved jira OPS-1 (jira refused to resolve it: jira transition issue for OPS-1 failed: no transition named "Done"',
    );
    expect(result.why).toContain('resolve it there by hand)');
    expect(decodeTicket((await store.getState(result.findingId))?.ticketReference)?.status).toBe('resolved');
  });

  it('notifies instead when tickets.sink is none', async () => {
    // Prepare
    settings = { ...DEFAULT_SETTINGS, tickets: { sink: 'none' } };

    // Act
    const { result, calls } = await deliver(observed(0));

    // Assess
    expect(calls.http).toEqual([]);
    expect(result).toMatchObject({
      outcome: 'notified',
      decision: {
        action: 'notify',
        why: expect.stringContaining('Tickets are off (tickets.sink is "none"): notifying instead.'),
      },
    });
    expect(notified).toHaveLength(1);
  });
});

describe('notification windows (mode notify)', () => {
  beforeEach(() => {
    settings = jiraSettings({ defaultMode: 'notify' });
  });

  it('notifies once per commentIntervalHours, and again at once after the finding was compliant', async () => {
    // Act
    const first = await deliver(observed(0));
    const repeat = await deliver(observed(1));
    const compliant = await deliver(observed(2, 'COMPLIANT'));
    const regression = await deliver(observed(3));

    // Assess
    expect([first, repeat, compliant, regression].map((step) => step.result.outcome)).toEqual([
      'notified',
      'skipped',
      'ignored',
      'notified',
    ]);
    expect(repeat.result.why).toContain(
      'Already notified at 2025-06-01T12:00:01.000Z: the next notification about this finding is due after 2025-06-02T12:00:01.000Z',
    );
    expect(notified).toHaveLength(2);
    expect(server.requests).toEqual([]);
  });
});

/**
 * Settings faults never lead to an automatic fix: a missing, unreadable (access denied,
 * throttled), non-JSON or schema-invalid settings document, or a valid document followed by an
 * invalid one that asks for auto-fix. remediate runs for real (handler, processor, settings
 * provider, dynalite); SSM and the member account are fakes behind the SDK middleware stack, so
 * every write command is counted.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../shared/findings/finding';
import { useDynalite } from '../support/dynalite';
import { FakeAwsService } from '../support/fake-aws-service';
import { awsServiceError } from '../support/faults';
import { LogSink, leakedSecrets, PLANTED_CREDENTIALS, PLANTED_SECRETS } from '../support/log-capture';
import {
  buildRemediateHarness,
  deliverThroughSqs,
  detect,
  findingMessage,
  type RemediateHarness,
} from '../support/remediate-harness';

const db = useDynalite();
const sink = new LogSink();
const ACCOUNT = '200000000001';
const AUTO_FIX = { version: 1, rules: { 'interface-endpoint-multi-az': { mode: 'auto-fix' } } };
const TICKET = { version: 1, defaultMode: 'ticket' };

let aws: FakeAwsService;
let finding: Finding;
let counter = 0;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'], now: new Date('2025-06-01T12:00:05.000Z') });
  aws = new FakeAwsService();
  const id = aws.addInterfaceEndpointVpc({ index: 1, accountId: ACCOUNT });
  finding = await detect(
    aws.clients({ credentials: PLANTED_CREDENTIALS }),
    {
      ruleId: 'interface-endpoint-multi-az',
      resourceType: 'AWS::EC2::VPCEndpoint',
      resourceId: id,
      accountId: ACCOUNT,
    },
    { observedAt: '2025-06-01T12:00:00.000Z' },
  );
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(() => {
  // Secrets planted in settings documents never reach a log line.
  expect(leakedSecrets(sink.lines)).toEqual([]);
});

async function harnessWith(settings: unknown): Promise<RemediateHarness> {
  return buildRemediateHarness({ db, aws, settings, sink, settingsMaxAgeSeconds: 0 });
}

/** Processes the finding once more (a new observation, so idempotency does not replay). */
async function process(harness: RemediateHarness) {
  counter += 1;
  const observedAt = new Date(Date.parse(finding.observedAt) + counter * 1000).toISOString();
  return deliverThroughSqs(harness, [findingMessage({ ...finding, observedAt }, `settings-${counter}`)], {
    beforeRedelivery: () => vi.setSystemTime(Date.now() + 6 * 60_000),
  });
}

describe('settings faults never lead to auto-fix', () => {
  it('tickets with a missing settings parameter (all defaults)', async () => {
    // Prepare
    const harness = await harnessWith(undefined);

    // Act
    await process(harness);

    // Assess
    expect(aws.writes).toEqual([]);
    expect(harness.events.map((event) => [event.outcome, event.decision?.mode])).toEqual([
      ['ticketed', 'ticket'],
    ]);
  });

  it.each([
    ['AccessDeniedException', 400, /AccessDeniedException/],
    ['ThrottlingException', 400, /ThrottlingException/],
  ])(
    'fails the record, and changes nothing, when the parameter cannot be read (%s)',
    async (code, status, reason) => {
      // Prepare: no valid settings were ever read.
      const harness = await harnessWith(AUTO_FIX);
      harness.settingsError = awsServiceError(
        code,
        status,
        `${code}: not allowed to read /endpoint-guard/settings`,
      );

      // Act
      const run = await process(harness);

      // Assess: retried by SQS, then dead-lettered with the reason; never fixed.
      expect(aws.writes).toEqual([]);
      expect(run.dlq).toHaveLength(1);
      expect(run.dlq[0]?.reason).toMatch(
        /^SettingsReadError: cannot read settings parameter \/endpoint-guard\/settings: /,
      );
      expect(run.dlq[0]?.reason).toMatch(reason);
      expect(harness.events).toEqual([]);
    },
  );

  it('tickets, and names the problem, when the document is not JSON (a pasted secret stays out of the logs)', async () => {
    // Prepare: an editor pasted a token unquoted into an otherwise auto-fix document.
    const harness = await harnessWith(undefined);
    harness.settingsText = `{"version":1,"defaultMode":"auto-fix","tickets":{"jira":{"apiToken":${PLANTED_SECRETS.settingsToken}}}}`;

    // Act
    await process(harness);

    // Assess
    expect(aws.writes).toEqual([]);
    expect(harness.events.map((event) => [event.outcome, event.decision?.mode])).toEqual([
      ['ticketed', 'ticket'],
    ]);
    const [invalid] = sink
      .withMessage('invalid settings document: the last valid settings stay in force')
      .slice(-1);
    expect(JSON.stringify(invalid)).toContain('(document): not valid JSON: Unexpected token');
    expect(leakedSecrets([JSON.stringify(invalid)])).toEqual([]);
  });

  it('tickets when the document fails the schema, even where it asks for auto-fix', async () => {
    // Prepare
    const harness = await harnessWith({
      ...AUTO_FIX,
      defaultMode: 'auto-fix',
      maxFixesPerAccountPerHour: 'many',
    });

    // Act
    await process(harness);

    // Assess
    expect(aws.writes).toEqual([]);
    expect(harness.events.map((event) => event.outcome)).toEqual(['ticketed']);
    const [invalid] = sink
      .withMessage('invalid settings document: the last valid settings stay in force')
      .slice(-1);
    expect(JSON.stringify(invalid)).toContain('maxFixesPerAccountPerHour: expected a number, got \\"many\\"');
  });

  it('keeps the last valid (ticket) settings when the next document is invalid and asks for auto-fix', async () => {
    // Prepare
    const harness = await harnessWith(TICKET);
    await process(harness);
    harness.settingsText = JSON.stringify({ ...AUTO_FIX, defaultMode: 'autofix' });

    // Act
    await process(harness);

    // Assess
    expect(aws.writes).toEqual([]);
    expect(harness.events.map((event) => event.outcome)).toEqual(['ticketed', 'ticketed']);
  });

  it('keeps the last valid (ticket) settings when the parameter becomes unreadable', async () => {
    // Prepare
    const harness = await harnessWith(TICKET);
    await process(harness);
    harness.settingsError = awsServiceError('AccessDeniedException', 400);

    // Act
    await process(harness);

    // Assess
    expect(aws.writes).toEqual([]);
    expect(harness.events.map((event) => event.outcome)).toEqual(['ticketed', 'ticketed']);
    expect(
      sink.withMessage('settings not readable: the last valid settings stay in force').length,
    ).toBeGreaterThan(0);
  });

  it('rejects a ticket URL that carries credentials, so they never reach a log or a ticket', async () => {
    // Prepare
    const harness = await harnessWith({
      ...AUTO_FIX,
      tickets: {
        sink: 'webhook',
        webhook: {
          url: `https://bot:${PLANTED_SECRETS.settingsToken}@hooks.example.com/endpoint-guard`,
          secretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:endpoint-guard/webhook',
        },
      },
    });

    // Act
    await process(harness);

    // Assess: the whole document is invalid, so nothing is auto-fixed either.
    expect(aws.writes).toEqual([]);
    expect(harness.events.map((event) => event.outcome)).toEqual(['ticketed']);
    const [invalid] = sink
      .withMessage('invalid settings document: the last valid settings stay in force')
      .slice(-1);
    // The URL is refused (it belongs in the secret now) and never echoed: its token stays out of the log.
    expect(JSON.stringify(invalid)).toContain(
      'tickets.webhook.url: no longer read from the settings (anyone who may edit them could send the webhook credentials to another host)',
    );
    expect(JSON.stringify(invalid)).not.toContain(PLANTED_SECRETS.settingsToken);
  });

  it('does fix once the settings are valid and ask for it (the faults above are what stopped it)', async () => {
    // Prepare
    const harness = await harnessWith(AUTO_FIX);

    // Act
    await process(harness);

    // Assess
    expect(aws.writesTo(finding.resourceId)).toEqual(['ModifyVpcEndpoint']);
  });
});

import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import {
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type CliIo, UsageError } from '../../bin/cli-error';
import { SETTINGS_USAGE, settingsCommand } from '../../bin/commands/settings';
import { InputError } from '../../shared/errors';
import { SettingsValidationError } from '../../shared/settings/errors';
import { DEFAULT_SETTINGS, parseSettingsJson } from '../../shared/settings/schema';

const PARAMETER = '/endpoint-guard/settings';
const EXAMPLE = 'examples/settings.json';
const NOW = new Date('2026-05-01T12:00:00.000Z');
const ssmMock = mockClient(SSMClient);

function makeIo(options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}) {
  const written: string[] = [];
  const io: CliIo = {
    stdin: Readable.from([Buffer.from(options.stdin ?? '')]),
    stdoutIsTty: false,
    stderr: { write: (text: string) => written.push(text) },
    env: options.env ?? {},
  };
  return { io, stderr: () => written.join('') };
}

/** Runs `endpoint-guard settings ...` with the mocked SSM client and a fixed clock. */
function run(args: readonly string[], options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}) {
  const { io, stderr } = makeIo(options);
  const result = settingsCommand(args, io, { ssm: new SSMClient({ region: 'us-east-1' }), now: () => NOW });
  return { result, stderr };
}

function stored(document: unknown, version = 3) {
  ssmMock.on(GetParameterCommand).resolves({
    Parameter: { Name: PARAMETER, Type: 'String', Value: JSON.stringify(document), Version: version },
  });
}

function noParameter() {
  ssmMock.on(GetParameterCommand).rejects(new ParameterNotFound({ message: '', $metadata: {} }));
}

/** The one PutParameter sent: its exact input, with the document parsed back. */
function written(): { input: Record<string, unknown>; document: unknown } {
  expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 1);
  const input = ssmMock.commandCalls(PutParameterCommand)[0]?.args[0].input;
  return { input: { ...input }, document: JSON.parse(String(input?.Value)) };
}

function expectNothingWritten(): void {
  expect(ssmMock).toHaveReceivedCommandTimes(PutParameterCommand, 0);
}

const DOCUMENT = {
  version: 1,
  rules: { 'interface-endpoint-multi-az': { mode: 'auto-fix' } },
  accounts: { '444455556666': { defaultMode: 'notify' } },
};

describe('endpoint-guard settings', () => {
  beforeEach(() => {
    ssmMock.reset();
    ssmMock.on(PutParameterCommand).resolves({ Version: 4, Tier: 'Standard' });
  });

  it('prints its help', async () => {
    expect(await run(['--help']).result).toEqual({ stdout: `${SETTINGS_USAGE}\n`, exitCode: 0 });
    expect(SETTINGS_USAGE).toContain('set <rule-id|default> <mode> [--account ID]');
  });

  it.each([
    {
      args: [],
      message: 'settings needs a subcommand: get, set, validate, exempt (see endpoint-guard settings --help)',
    },
    {
      args: ['show'],
      message: 'unknown settings subcommand "show": expected one of get, set, validate, exempt',
    },
  ])('refuses $args', async ({ args, message }) => {
    await expect(run(args).result).rejects.toThrow(new UsageError(message));
    expect(ssmMock.calls()).toHaveLength(0);
  });

  describe('get', () => {
    it('prints the effective document, defaults filled in, as JSON', async () => {
      // Prepare
      stored(DOCUMENT);

      // Act
      const { result, stderr } = run(['get']);
      const { stdout, exitCode } = await result;

      // Assess
      expect(exitCode).toBe(0);
      expect(stderr()).toBe('');
      const printed = JSON.parse(stdout) as typeof DEFAULT_SETTINGS;
      expect(printed).toEqual({
        ...DEFAULT_SETTINGS,
        rules: { ...DEFAULT_SETTINGS.rules, 'interface-endpoint-multi-az': { mode: 'auto-fix' } },
        accounts: { '444455556666': { defaultMode: 'notify', rules: {} } },
      });
      expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 1);
      expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, {
        Name: PARAMETER,
        WithDecryption: false,
      });
    });

    it('prints the defaults when the parameter does not exist, and says so on stderr', async () => {
      noParameter();
      const { result, stderr } = run(['get']);
      const { stdout, exitCode } = await result;
      expect(exitCode).toBe(0);
      expect(JSON.parse(stdout)).toEqual(DEFAULT_SETTINGS);
      expect(stderr()).toBe(`endpoint-guard: ${PARAMETER} does not exist: these are the defaults\n`);
    });

    it('reads the parameter named by --parameter, else by SETTINGS_PARAMETER', async () => {
      stored(DOCUMENT);
      await run(['get', '--parameter', '/cli/settings'], { env: { SETTINGS_PARAMETER: '/env/settings' } })
        .result;
      await run(['get'], { env: { SETTINGS_PARAMETER: '/env/settings' } }).result;
      expect(ssmMock).toHaveReceivedNthCommandWith(GetParameterCommand, 1, { Name: '/cli/settings' });
      expect(ssmMock).toHaveReceivedNthCommandWith(GetParameterCommand, 2, { Name: '/env/settings' });
    });

    it('reports every problem of an invalid stored document (exit 2)', async () => {
      stored({ version: 1, defaultMode: 'autofix', dryRun: 'no' }, 9);
      const failure = run(['get']).result;
      await expect(failure).rejects.toThrow(InputError);
      await expect(failure).rejects.toThrow(
        `${PARAMETER} (version 9): invalid settings, 2 problems:\n` +
          '  - defaultMode: expected one of off, notify, ticket, auto-fix, got "autofix"\n' +
          '  - dryRun: expected true or false, got "no"',
      );
    });

    it('exits 1 with a clear message when SSM refuses', async () => {
      ssmMock.on(GetParameterCommand).rejects(
        new SSMServiceException({
          name: 'AccessDeniedException',
          $fault: 'client',
          message: 'not authorized to perform ssm:GetParameter',
          $metadata: {},
        }),
      );
      const { result, stderr } = run(['get']);
      expect(await result).toEqual({ stdout: '', exitCode: 1 });
      expect(stderr()).toBe(
        `endpoint-guard: cannot read settings parameter ${PARAMETER}: AccessDeniedException: not authorized to perform ssm:GetParameter\n`,
      );
    });
  });

  describe('set', () => {
    it('sets a rule for the organization: writes the exact PutParameter and prints the change', async () => {
      // Prepare
      stored(DOCUMENT);

      // Act
      const { stdout, exitCode } = await run(['set', 's3-bucket-public-access', 'auto-fix']).result;

      // Assess
      expect(exitCode).toBe(0);
      const document = {
        ...DOCUMENT,
        rules: { ...DOCUMENT.rules, 's3-bucket-public-access': { mode: 'auto-fix' } },
      };
      expect(written().input).toEqual({
        Name: PARAMETER,
        Value: JSON.stringify(document, null, 2),
        Overwrite: true,
        Type: 'String',
      });
      expect(ssmMock).toHaveReceivedCommandWith(PutParameterCommand, { Overwrite: true, Type: 'String' });
      expect(stdout).toBe(
        's3-bucket-public-access: ticket → auto-fix\n' +
          'note: s3-bucket-public-access stays notify in account 444455556666 (accounts.444455556666.defaultMode is more specific)\n' +
          `saved ${PARAMETER} (version 4)\n`,
      );
    });

    it('sets a rule for one account', async () => {
      stored(DOCUMENT);

      const { stdout } = await run([
        'set',
        's3-bucket-public-access',
        'auto-fix',
        '--account',
        '111122223333',
      ]).result;

      expect(written().document).toEqual({
        ...DOCUMENT,
        accounts: {
          ...DOCUMENT.accounts,
          '111122223333': { rules: { 's3-bucket-public-access': { mode: 'auto-fix' } } },
        },
      });
      expect(stdout).toBe(
        's3-bucket-public-access: ticket → auto-fix (account 111122223333)\n' +
          `saved ${PARAMETER} (version 4)\n`,
      );
    });

    it("sets an account's default mode inside its existing entry", async () => {
      stored(DOCUMENT);

      const { stdout } = await run(['set', 'default', 'off', '--account', '444455556666']).result;

      expect(written().document).toEqual({
        ...DOCUMENT,
        accounts: { '444455556666': { defaultMode: 'off' } },
      });
      expect(stdout).toBe(`default: notify → off (account 444455556666)\nsaved ${PARAMETER} (version 4)\n`);
    });

    it('sets the default mode and names the more specific settings that keep theirs', async () => {
      stored(DOCUMENT);

      const { stdout } = await run(['set', 'default', 'notify']).result;

      expect(written().document).toEqual({ ...DOCUMENT, defaultMode: 'notify' });
      expect(stdout).toBe(
        'default: ticket → notify\n' +
          'note: interface-endpoint-multi-az stays auto-fix in all other accounts (rules.interface-endpoint-multi-az.mode is more specific)\n' +
          `saved ${PARAMETER} (version 4)\n`,
      );
    });

    it('creates the document when the parameter does not exist', async () => {
      noParameter();

      const { stdout } = await run(['set', 'gateway-endpoint-routes', 'auto-fix'], {
        env: { SETTINGS_PARAMETER: '/team/settings' },
      }).result;

      expect(written().input).toEqual({
        Name: '/team/settings',
        Value: JSON.stringify(
          { version: 1, rules: { 'gateway-endpoint-routes': { mode: 'auto-fix' } } },
          null,
          2,
        ),
        Overwrite: true,
        Type: 'String',
      });
      expect(stdout).toBe('gateway-endpoint-routes: ticket → auto-fix\nsaved /team/settings (version 4)\n');
    });

    it('warns that dry run is on when turning auto-fix on', async () => {
      stored({ version: 1, dryRun: true });
      const { stdout } = await run(['set', 'default', 'auto-fix']).result;
      expect(stdout).toBe(
        'default: ticket → auto-fix\nnote: dryRun is on: fixes are reported, not made\n' +
          `saved ${PARAMETER} (version 4)\n`,
      );
    });

    it('writes nothing when the setting already holds that mode', async () => {
      stored(DOCUMENT);
      const { stdout, exitCode } = await run(['set', 'interface-endpoint-multi-az', 'auto-fix']).result;
      expect({ stdout, exitCode }).toEqual({
        stdout: 'interface-endpoint-multi-az: already auto-fix; nothing written\n',
        exitCode: 0,
      });
      expectNothingWritten();
    });

    it.each([
      {
        args: ['set', 's3-public', 'auto-fix'],
        message:
          'unknown rule "s3-public": expected default or one of interface-endpoint-multi-az, s3-bucket-public-access, gateway-endpoint-routes',
      },
      {
        args: ['set', 's3-bucket-public-access', 'autofix'],
        message: 'unknown mode "autofix": expected one of off, notify, ticket, auto-fix',
      },
      {
        args: ['set', 's3-bucket-public-access', 'off', '--account', '1111'],
        message: '--account "1111" is not an account id: expected 12 digits',
      },
      {
        args: ['set', 's3-bucket-public-access'],
        message: 'usage: endpoint-guard settings set <rule-id|default> <mode> [--account ID]',
      },
      {
        args: ['set', 's3-bucket-public-access', 'off', 'now'],
        message: 'usage: endpoint-guard settings set <rule-id|default> <mode> [--account ID]',
      },
    ])('refuses $args without calling AWS', async ({ args, message }) => {
      await expect(run(args).result).rejects.toThrow(new UsageError(message));
      expect(ssmMock.calls()).toHaveLength(0);
    });

    it('refuses an unknown option, suggesting the right one, and calls nothing', async () => {
      await expect(run(['set', 'default', 'off', '--acount', '111122223333']).result).rejects.toThrow(
        "unknown option '--acount' for settings set: did you mean --account?",
      );
      expect(ssmMock.calls()).toHaveLength(0);
    });

    it('writes nothing when the stored document is invalid, and names its problems', async () => {
      stored({ version: 1, rules: { 's3-bucket-public-access': { mode: 'autofix' } } }, 5);

      const failure = run(['set', 'default', 'notify']).result;

      await expect(failure).rejects.toThrow(SettingsValidationError);
      await expect(failure).rejects.toThrow(
        `${PARAMETER} (version 5): invalid settings: rules.s3-bucket-public-access.mode: expected one of off, notify, ticket, auto-fix, got "autofix"`,
      );
      expectNothingWritten();
    });

    it('exits 1 and says so when the write is refused', async () => {
      stored(DOCUMENT);
      ssmMock.on(PutParameterCommand).rejects(
        new SSMServiceException({
          name: 'AccessDeniedException',
          $fault: 'client',
          message: 'not authorized to perform ssm:PutParameter',
          $metadata: {},
        }),
      );
      const { result, stderr } = run(['set', 'default', 'notify']);
      expect(await result).toEqual({ stdout: '', exitCode: 1 });
      expect(stderr()).toBe(
        `endpoint-guard: cannot write settings parameter ${PARAMETER}: AccessDeniedException: not authorized to perform ssm:PutParameter\n`,
      );
    });

    it('writes compact JSON when the readable form would not fit a standard parameter', async () => {
      // Prepare: enough exemptions that indentation pushes the document past 4 KB.
      const exemptions = Array.from({ length: 60 }, (_, index) => ({
        resource: `arn:aws:s3:::bucket-${index}`,
        reason: 'static website',
      }));
      stored({ version: 1, exemptions });

      // Act
      await run(['set', 'default', 'notify']).result;

      // Assess
      const { input, document } = written();
      expect(input.Value).toBe(JSON.stringify({ version: 1, exemptions, defaultMode: 'notify' }));
      expect(document).toEqual({ version: 1, exemptions, defaultMode: 'notify' });
    });
  });

  describe('validate', () => {
    it('accepts examples/settings.json with a summary, without calling AWS', async () => {
      const { stdout, exitCode } = await run(['validate', EXAMPLE]).result;

      expect(exitCode).toBe(0);
      expect(stdout).toBe(
        [
          `valid: ${EXAMPLE}`,
          '  defaultMode ticket, dryRun off, at most 10 fixes per account per hour, tickets to opscenter',
          '  rules: interface-endpoint-multi-az auto-fix, s3-bucket-public-access ticket, gateway-endpoint-routes auto-fix',
          '  account overrides: 111122223333, 444455556666, 777788889999',
          '  exemptions: 2 (0 expired)',
          '',
        ].join('\n'),
      );
      expect(ssmMock.calls()).toHaveLength(0);
    });

    it('reads standard input with "-" and counts expired exemptions', async () => {
      const document = {
        version: 1,
        exemptions: [{ resource: 'vpce-1', reason: 'migration', until: '2026-04-30' }],
      };
      const { stdout } = await run(['validate', '-'], { stdin: JSON.stringify(document) }).result;
      expect(stdout).toContain('valid: standard input\n');
      expect(stdout).toContain(
        '  rules: interface-endpoint-multi-az ticket (default), s3-bucket-public-access ticket (default), gateway-endpoint-routes ticket (default)\n',
      );
      expect(stdout).toContain('  exemptions: 1 (1 expired)');
    });

    it('lists every problem of an invalid file (exit 2), without calling AWS', async () => {
      // Prepare
      const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
      const { stdin } = {
        stdin: JSON.stringify({ ...example, dryRun: 'false', maxFixesPerAccountPerHour: -5 }),
      };

      // Act
      const failure = run(['validate', '-'], { stdin }).result;

      // Assess
      await expect(failure).rejects.toThrow(
        'standard input: invalid settings, 2 problems:\n' +
          '  - dryRun: expected true or false, got "false"\n' +
          '  - maxFixesPerAccountPerHour: expected an integer ≥ 0, got -5',
      );
      await expect(failure).rejects.toBeInstanceOf(InputError);
      expect(ssmMock.calls()).toHaveLength(0);
    });

    it('says when the file is missing', async () => {
      await expect(run(['validate', 'no/such/settings.json']).result).rejects.toThrow(
        new UsageError('cannot read no/such/settings.json: no such file'),
      );
    });

    it('needs exactly one file', async () => {
      await expect(run(['validate']).result).rejects.toThrow(
        new UsageError('usage: endpoint-guard settings validate FILE ("-" reads standard input)'),
      );
    });

    it('agrees with the schema on the example', () => {
      expect(() => parseSettingsJson(readFileSync(EXAMPLE, 'utf8'))).not.toThrow();
    });
  });

  describe('exempt', () => {
    it('adds an exemption with reason, expiry and rule', async () => {
      // Prepare
      stored(DOCUMENT);

      // Act
      const { stdout } = await run([
        'exempt',
        'arn:aws:s3:::www.example.com',
        '--reason',
        'public website',
        '--until',
        '2027-06-30',
        '--rule',
        's3-bucket-public-access',
      ]).result;

      // Assess
      const { input, document } = written();
      expect(input).toMatchObject({ Name: PARAMETER, Overwrite: true, Type: 'String' });
      expect(document).toEqual({
        ...DOCUMENT,
        exemptions: [
          {
            resource: 'arn:aws:s3:::www.example.com',
            rule: 's3-bucket-public-access',
            reason: 'public website',
            until: '2027-06-30',
          },
        ],
      });
      expect(stdout).toBe(
        'exempted arn:aws:s3:::www.example.com from s3-bucket-public-access until 2027-06-30: public website\n' +
          `saved ${PARAMETER} (version 4)\n`,
      );
    });

    it('updates the exemption of the same resource and rule instead of adding another', async () => {
      stored({
        version: 1,
        exemptions: [
          { resource: 'vpce-1', reason: 'old reason', until: '2026-06-30' },
          { resource: 'vpce-1', rule: 'interface-endpoint-multi-az', reason: 'single AZ' },
        ],
      });

      const { stdout } = await run(['exempt', 'vpce-1', '--reason', 'migration']).result;

      expect(written().document).toEqual({
        version: 1,
        exemptions: [
          { resource: 'vpce-1', reason: 'migration' },
          { resource: 'vpce-1', rule: 'interface-endpoint-multi-az', reason: 'single AZ' },
        ],
      });
      expect(stdout).toBe(
        `updated the exemption of vpce-1 from every rule with no expiry: migration\nsaved ${PARAMETER} (version 4)\n`,
      );
    });

    it.each([
      { args: ['exempt', 'vpce-1'], message: 'exempt needs --reason TEXT: every exemption says why' },
      {
        args: ['exempt', 'vpce-1', '--reason', '  '],
        message: 'exempt needs --reason TEXT: every exemption says why',
      },
      {
        args: ['exempt', 'vpce-1', '--reason', 'x', '--until', '2026-04-30'],
        message: '--until 2026-04-30 has already passed',
      },
      {
        args: ['exempt', 'vpce-1', '--reason', 'x', '--until', '2027-02-30'],
        message: '--until "2027-02-30" is not a date: expected YYYY-MM-DD',
      },
      {
        args: ['exempt', 'vpce-1', '--reason', 'x', '--until', '30/06/2027'],
        message: '--until "30/06/2027" is not a date: expected YYYY-MM-DD',
      },
      {
        args: ['exempt', 'vpce-1', '--reason', 'x', '--rule', 'multi-az'],
        message:
          'unknown --rule "multi-az": expected one of interface-endpoint-multi-az, s3-bucket-public-access, gateway-endpoint-routes',
      },
      {
        args: ['exempt', 'my bucket', '--reason', 'x'],
        message: '"my bucket" is not a resource ARN or id (it is empty or holds spaces)',
      },
      {
        args: ['exempt', '--reason', 'x'],
        message:
          'usage: endpoint-guard settings exempt <resource> --reason TEXT [--until YYYY-MM-DD] [--rule ID]',
      },
    ])('refuses $args without calling AWS', async ({ args, message }) => {
      await expect(run(args).result).rejects.toThrow(new UsageError(message));
      expect(ssmMock.calls()).toHaveLength(0);
    });

    it('accepts today as the last day', async () => {
      stored({ version: 1 });
      await run(['exempt', 'vpce-1', '--reason', 'x', '--until', '2026-05-01']).result;
      expect(written().document).toEqual({
        version: 1,
        exemptions: [{ resource: 'vpce-1', reason: 'x', until: '2026-05-01' }],
      });
    });
  });
});

/**
 * The CLI behaves as people used to the AWS CLI expect, through the real bin: version, help,
 * suggestions, list options, filters, colour, wrapping, and the same --profile / --region /
 * --role-name handling on every command that calls AWS. No test here reaches AWS: credentials
 * are absent, instance metadata is off and every endpoint is a closed loopback port.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';

const EXAMPLE = 'examples/organization-snapshot.json';
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const AUDIT_ID = '01JGFJJZ00ABCDEFGHJKMNPQRS';

/** Shared config files with one profile, `audit`, that has no region; no credentials anywhere. */
const home = mkdtempSync(join(tmpdir(), 'eg-habits-'));
const CONFIG = join(home, 'config');
const CREDENTIALS = join(home, 'credentials');
writeFileSync(CONFIG, '[profile audit]\noutput = json\n\n[profile eu]\nregion = eu-west-1\n');
writeFileSync(CREDENTIALS, '');
const AWS_ENV: NodeJS.ProcessEnv = {
  HOME: home,
  AWS_CONFIG_FILE: CONFIG,
  AWS_SHARED_CREDENTIALS_FILE: CREDENTIALS,
  AWS_PROFILE: '',
  AWS_REGION: '',
  AWS_DEFAULT_REGION: '',
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_SESSION_TOKEN: '',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
  AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
  AWS_WEB_IDENTITY_TOKEN_FILE: '',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  TABLE_NAME: 'endpoint-guard-findings',
};

describe('version and help', () => {
  it.each([['-V'], ['--version']])('%s prints the package version', (flag) => {
    const run = runCli([flag]);

    expect(run).toEqual({ status: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it.each([
    [['--help'], 'Usage: endpoint-guard <command> [options]'],
    [['scan', '--help'], 'Usage: endpoint-guard scan --snapshot FILE [options]'],
    [['scan', '--live', '--help'], 'Usage: endpoint-guard scan --live [options]'],
    [['settings', '--help'], 'Usage: endpoint-guard settings <subcommand> [options]'],
    [['settings', 'get', '--help'], 'Usage: endpoint-guard settings <subcommand> [options]'],
    [['rollback', '-h'], 'Usage: endpoint-guard rollback <audit-id> [options]'],
  ])('%j prints its help on stdout, exit 0', (args, first) => {
    const run = runCli(args);

    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')[0]).toBe(first);
  });
});

describe('mistakes get one line, exit 2, and a suggestion when one is close', () => {
  it.each([
    [['sacn'], 'unknown command "sacn": did you mean scan?'],
    [['setings', 'get'], 'unknown command "setings": did you mean settings?'],
    [['--verison'], "unknown option '--verison' (see endpoint-guard --help)"],
    [
      ['scan', '--snapshot', EXAMPLE, '--formt', 'json'],
      "unknown option '--formt' for scan: did you mean --format?",
    ],
    [['scan', '--snapshot', EXAMPLE, '--format', 'jsn'], 'unknown --format "jsn": did you mean json?'],
    [
      ['scan', '--snapshot', EXAMPLE, '--rule', 's3-bucket-public-acess'],
      'unknown --rule "s3-bucket-public-acess": did you mean s3-bucket-public-access?',
    ],
    [['scan', '--snapshot', EXAMPLE, '--severity', 'hihg'], 'unknown --severity "hihg": did you mean HIGH?'],
    [
      ['scan', '--snapshot', EXAMPLE, '--status', 'FAILED'],
      'unknown --status "FAILED": expected one of NON_COMPLIANT, COMPLIANT, NOT_APPLICABLE',
    ],
    [['scan', '--snapshot'], '--snapshot needs a value (see endpoint-guard scan --help)'],
    [['scan', 'file.json'], "unexpected argument 'file.json' for scan (see endpoint-guard scan --help)"],
    [['settings', 'gte'], 'unknown settings subcommand "gte": did you mean get?'],
    [['rollback', AUDIT_ID, '--dryrun'], "unknown option '--dryrun' for rollback: did you mean --dry-run?"],
  ])('%j', (args, message) => {
    const run = runCli(args, { env: AWS_ENV });

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`endpoint-guard: ${message}\n`);
  });
});

describe('list options and filters', () => {
  const json = (args: readonly string[]) =>
    JSON.parse(runCli(['scan', '--snapshot', EXAMPLE, '--format', 'json', ...args]).stdout) as {
      findings: { rule: string; severity: string; status: string }[];
      summary: { evaluated: number };
    };

  it('takes lists comma-separated or repeated, alike', () => {
    const commas = json(['--rule', 's3-bucket-public-access,gateway-endpoint-routes']);
    const repeated = json(['--rule', 's3-bucket-public-access', '--rule', 'gateway-endpoint-routes']);

    expect(commas).toEqual(repeated);
    expect(new Set(commas.findings.map((f) => f.rule))).toEqual(
      new Set(['s3-bucket-public-access', 'gateway-endpoint-routes']),
    );
  });

  it('keeps only the asked severities and statuses, and the summary counts what is kept', () => {
    const critical = json(['--severity', 'CRITICAL,high']);
    const compliant = json(['--status', 'COMPLIANT']);

    expect(critical.findings.map((f) => f.severity).sort()).toEqual([
      ...Array<string>(5).fill('CRITICAL'),
      ...Array<string>(4).fill('HIGH'),
    ]);
    expect(critical.summary.evaluated).toBe(9);
    expect(compliant.findings).toHaveLength(13);
    expect(compliant.findings.every((f) => f.status === 'COMPLIANT')).toBe(true);
  });

  it('exits 1 under --fail-on-findings only when a kept finding is NON_COMPLIANT', () => {
    expect(
      runCli(['scan', '--snapshot', EXAMPLE, '--severity', 'CRITICAL', '--fail-on-findings']).status,
    ).toBe(1);
    expect(
      runCli(['scan', '--snapshot', EXAMPLE, '--status', 'COMPLIANT', '--fail-on-findings']).status,
    ).toBe(0);
  });
});

describe('the table', () => {
  it('hides COMPLIANT and NOT_APPLICABLE rows unless --all, and says so', () => {
    const table = runCli(['scan', '--snapshot', EXAMPLE]).stdout;
    const all = runCli(['scan', '--snapshot', EXAMPLE, '--all']).stdout;

    expect(table.match(/^ {2}NON_COMPLIANT /gm)).toHaveLength(18);
    expect(table).not.toMatch(/^ {2}(COMPLIANT|NOT_APPLICABLE) /m);
    expect(table).toContain(
      '31 COMPLIANT, NOT_APPLICABLE or ignored findings not shown (--all shows them)\n',
    );
    expect(all.match(/^ {2}(NON_COMPLIANT|COMPLIANT|NOT_APPLICABLE) /gm)).toHaveLength(49);
    expect(all).not.toContain('not shown');
    for (const output of [table, all]) {
      expect(output.trimEnd().split('\n').at(-1)).toBe(
        '49 evaluated: 18 NON_COMPLIANT (5 CRITICAL, 4 HIGH, 9 MEDIUM), 13 COMPLIANT, 18 NOT_APPLICABLE',
      );
    }
  });

  it('--quiet prints only the finding lines', () => {
    const run = runCli(['scan', '--snapshot', EXAMPLE, '--quiet', '--severity', 'CRITICAL']);

    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines)
      expect(line).toMatch(/^\d{12} [a-z]{2}-[a-z]+-\d +NON_COMPLIANT {2}CRITICAL s3-bucket-public-access /);
  });

  it('wraps long reasons to the terminal width ($COLUMNS when not a terminal)', () => {
    const wide = runCli(['scan', '--snapshot', EXAMPLE]).stdout;
    const narrow = runCli(['scan', '--snapshot', EXAMPLE], { env: { COLUMNS: '120' } }).stdout;

    expect(Math.max(...wide.split('\n').map((line) => line.length))).toBeGreaterThan(200);
    expect(narrow.split('\n').filter((line) => line.length > 120)).toEqual([]);
    // The words are all there, only the line breaks differ.
    expect(narrow.replace(/\s+/g, ' ')).toBe(wide.replace(/\s+/g, ' '));
  });

  it('colours with FORCE_COLOR; NO_COLOR and FORCE_COLOR=0 both turn it off, in every command', () => {
    const scan = (env: NodeJS.ProcessEnv) => runCli(['scan', '--snapshot', EXAMPLE], { env }).stdout;

    expect(scan({ FORCE_COLOR: '1', NO_COLOR: '' })).toContain('\u001b[31mNON_COMPLIANT');
    expect(scan({ FORCE_COLOR: '1', NO_COLOR: '1' })).not.toContain('\u001b[');
    expect(scan({ FORCE_COLOR: '0', NO_COLOR: '' })).not.toContain('\u001b[');
    expect(scan({ FORCE_COLOR: '0', NO_COLOR: '' })).toBe(scan({ NO_COLOR: '1' }));
    const live = runCli(['scan', '--live', '--help'], { env: { FORCE_COLOR: '0' } }).stdout;
    expect(live).not.toContain('\u001b[');
  });
});

describe('scan --settings', () => {
  const settingsFile = join(home, 'settings.json');
  writeFileSync(
    settingsFile,
    JSON.stringify({
      version: 1,
      defaultMode: 'ticket',
      rules: {
        'interface-endpoint-multi-az': { mode: 'auto-fix' },
        'gateway-endpoint-routes': { services: { s3: 'ignore', dynamodb: 'ignore' } },
      },
      accounts: { '777788889999': { defaultMode: 'off' } },
      exemptions: [{ resource: 'arn:aws:s3:::acme-prod-media-444455556666', reason: 'public media origin' }],
    }),
  );

  it('evaluates with the rule options and says what the service would do with each finding', () => {
    const run = runCli(['scan', '--snapshot', EXAMPLE, '--settings', settingsFile, '--format', 'json']);

    expect(run.stderr).toBe('');
    const output = JSON.parse(run.stdout) as {
      findings: {
        resourceId: string;
        rule: string;
        status: string;
        decision?: { action: string; why: string };
      }[];
      summary: Record<string, unknown>;
    };
    // Rule options: with both gateway services ignored, no route table is NON_COMPLIANT.
    expect(
      output.findings.filter((f) => f.rule === 'gateway-endpoint-routes' && f.status === 'NON_COMPLIANT'),
    ).toEqual([]);
    const action = (id: string) => output.findings.find((f) => f.resourceId === id)?.decision;
    expect(action('vpce-0a1b2c3d4e5f61005')?.action).toBe('fix');
    expect(action('vpce-0a1b2c3d4e5f63002')).toEqual({
      action: 'ticket',
      why: 'No automatic fix is possible: no subnet of vpc-0a1b2c3d4e5f60003 in eu-west-1c has a free IP address. Opening a ticket instead.',
    });
    expect(action('acme-prod-partner-drop-444455556666')?.action).toBe('ticket');
    expect(action('acme-prod-media-444455556666')).toEqual({
      action: 'ignore',
      why: 'arn:aws:s3:::acme-prod-media-444455556666 is exempt from every rule with no expiry (reason: public media origin): the finding is ignored.',
    });
    expect(action('acme-sandbox-public-demo-777788889999')?.action).toBe('ignore');
    expect(output.findings.filter((f) => f.status !== 'NON_COMPLIANT' && f.decision)).toEqual([]);
    expect(output.summary).toMatchObject({ nonCompliant: 14, ignored: 9 });
  });

  it('shows only what the service acts on in the table, and fails a pipeline only on those', () => {
    const run = runCli(['scan', '--snapshot', EXAMPLE, '--settings', settingsFile, '--fail-on-findings']);

    expect(run.status).toBe(1);
    expect(run.stdout.match(/^ {2}NON_COMPLIANT /gm)).toHaveLength(5);
    expect(run.stdout).not.toContain('777788889999');
    expect(run.stdout).toContain(
      '14 NON_COMPLIANT (5 CRITICAL, 4 HIGH, 5 MEDIUM), 9 of them ignored by the settings',
    );

    const allOff = join(home, 'all-off.json');
    writeFileSync(allOff, JSON.stringify({ version: 1, defaultMode: 'off' }));
    const nothing = runCli(['scan', '--snapshot', EXAMPLE, '--settings', allOff, '--fail-on-findings']);
    expect(nothing.status).toBe(0);
    expect(nothing.stdout).toContain('Nothing to act on.\n');
    expect(nothing.stdout).toContain(
      '18 NON_COMPLIANT (5 CRITICAL, 4 HIGH, 9 MEDIUM), 18 of them ignored by the settings',
    );
  });

  it('refuses an invalid settings document: one message, exit 2, nothing on stdout', () => {
    const bad = join(home, 'bad-settings.json');
    writeFileSync(bad, JSON.stringify({ version: 1, defaultMode: 'autofix' }));

    const run = runCli(['scan', '--snapshot', EXAMPLE, '--settings', bad]);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^endpoint-guard: .*bad-settings\.json: invalid settings/);
  });
});

describe('--profile, --region and --role-name on every command that calls AWS', () => {
  const COMMANDS: readonly (readonly string[])[] = [
    ['settings', 'get'],
    ['settings', 'set', 'default', 'notify'],
    ['settings', 'exempt', 'vpce-1', '--reason', 'test'],
    ['rollback', AUDIT_ID],
    ['scan', '--live'],
  ];

  it.each(COMMANDS)('%s %s: a misspelled profile is named, not reported as "no region"', (...args) => {
    const flag = runCli([...args, '--profile', 'adut', '--region', 'us-east-1'], { env: AWS_ENV });
    const fromEnv = runCli([...args, '--region', 'us-east-1'], { env: { ...AWS_ENV, AWS_PROFILE: 'adut' } });

    expect(flag.status).toBe(2);
    expect(flag.stdout).toBe('');
    expect(flag.stderr).toBe(
      `endpoint-guard: profile "adut" (from --profile) is not in ${CONFIG} or ${CREDENTIALS}: known profiles are audit, eu\n`,
    );
    expect(fromEnv.stderr).toBe(
      `endpoint-guard: profile "adut" (from AWS_PROFILE) is not in ${CONFIG} or ${CREDENTIALS}: known profiles are audit, eu\n`,
    );
  });

  it.each(COMMANDS)('%s %s: no region anywhere is one clear line, exit 2', (...args) => {
    const none = runCli(args, { env: AWS_ENV });
    const profile = runCli([...args, '--profile', 'audit'], { env: AWS_ENV });

    expect(none).toEqual({
      status: 2,
      stdout: '',
      stderr: 'endpoint-guard: no region: pass --region, or set AWS_REGION or a region in the profile\n',
    });
    expect(profile.stderr).toBe(
      'endpoint-guard: no region: pass --region, or set AWS_REGION or a region in the profile (profile "audit" has none)\n',
    );
  });

  it.each(COMMANDS)('%s %s: a malformed region is refused the same way', (...args) => {
    const run = runCli([...args, '--region', 'mars'], { env: AWS_ENV });

    expect(run.stderr).toBe('endpoint-guard: invalid --region "mars": expected e.g. us-east-1\n');
    expect(run.status).toBe(2);
  });

  it.each([
    ['rollback', AUDIT_ID],
    ['scan', '--live'],
  ])('%s %s: --role-name is checked the same way', (...args) => {
    const run = runCli([...args, '--region', 'us-east-1', '--role-name', 'not a role'], { env: AWS_ENV });

    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'endpoint-guard: invalid --role-name "not a role": an IAM role name is 1-64 letters, digits and +=,.@_-\n',
    );
  });

  it('settings says why it takes no --role-name', () => {
    const run = runCli(['settings', 'get', '--role-name', 'Admin', '--region', 'us-east-1'], {
      env: AWS_ENV,
    });

    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'endpoint-guard: settings does not take --role-name: the settings live in the central account, read with your own credentials (--profile)\n',
    );
  });

  it("takes the region from the profile's config", () => {
    // eu has a region, so the command gets as far as asking for credentials (there are none).
    const run = runCli(['rollback', AUDIT_ID, '--profile', 'eu'], { env: AWS_ENV });

    expect(run.stderr).not.toContain('no region');
    expect(run.status).toBe(1);
  });

  it('rollback without credentials: one line naming the problem, exit 1, no stack, no SDK warning', () => {
    const run = runCli(['rollback', AUDIT_ID, '--region', 'us-east-1'], { env: AWS_ENV });

    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^endpoint-guard: rollback of ${AUDIT_ID} did not start: CredentialsProviderError: .*\\(no AWS credentials: pass --profile, or set AWS_PROFILE or AWS_ACCESS_KEY_ID\\)\\n$`,
      ),
    );
    expect(run.stderr).not.toMatch(/NodeVersionSupportWarning|\n\s+at /);
  });

  it('settings get without credentials: one line, exit 1 (an AWS call failed), no SDK warning', () => {
    const run = runCli(['settings', 'get', '--region', 'us-east-1'], { env: AWS_ENV });

    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^endpoint-guard: /);
    expect(run.stderr).not.toContain('NodeVersionSupportWarning');
  });
});

describe('the README', () => {
  it('shows the real output of npm start in its sample', () => {
    const readme = readFileSync('README.md', 'utf8');
    const start = readme.indexOf('`npm start` scans the bundled example organization');
    const block = /```\n([\s\S]*?)```/.exec(readme.slice(start))?.[1] ?? '';
    const output = runCli(['scan', '--snapshot', EXAMPLE]).stdout.split('\n');

    const sample = block.split('\n').filter((line) => line !== '' && line !== '...');
    expect(sample.length).toBeGreaterThan(5);
    for (const line of sample) expect(output).toContain(line);
    // The sample's first lines are the output's first lines, and its last lines its last.
    const cut = block.split('\n').indexOf('...');
    expect(output.slice(0, cut)).toEqual(block.split('\n').slice(0, cut));
    expect(output.filter(Boolean).slice(-2)).toEqual(sample.slice(-2));
  });
});

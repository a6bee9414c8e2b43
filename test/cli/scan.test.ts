import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';

const EXAMPLE = 'examples/organization-snapshot.json';
const INPUTS = 'test/fixtures/inputs';

interface Verdict {
  rule: string;
  resourceType: string;
  resourceId: string;
  accountId: string;
  region: string;
  status: string;
  severity: string;
}

const verdictKey = (v: Verdict): string => `${v.rule} ${v.accountId} ${v.region} ${v.resourceId}`;

function verdicts(findings: readonly Verdict[]): Map<string, Verdict> {
  return new Map(
    findings.map((f) => [
      verdictKey(f),
      {
        rule: f.rule,
        resourceType: f.resourceType,
        resourceId: f.resourceId,
        accountId: f.accountId,
        region: f.region,
        status: f.status,
        severity: f.severity,
      },
    ]),
  );
}

function expectedVerdicts(path: string): Map<string, Verdict> {
  return verdicts(JSON.parse(readFileSync(path, 'utf8')) as Verdict[]);
}

describe('endpoint-guard scan --format json', () => {
  it('gives the example organization exactly the verdicts worked out by hand from ARCHITECTURE.md', () => {
    // Act
    const run = runCli(['scan', '--snapshot', EXAMPLE, '--format', 'json']);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const output = JSON.parse(run.stdout) as { findings: Verdict[]; summary: Record<string, unknown> };
    expect(verdicts(output.findings)).toEqual(expectedVerdicts('examples/expected-verdicts.json'));
    expect(output.summary).toMatchObject({
      evaluated: 49,
      nonCompliant: 18,
      compliant: 13,
      notApplicable: 18,
    });
  });

  it('prints exactly the documented keys for each finding', () => {
    const run = runCli(['scan', '--snapshot', EXAMPLE, '--format', 'json']);
    const output = JSON.parse(run.stdout) as { findings: Record<string, unknown>[] };
    for (const finding of output.findings) {
      expect(Object.keys(finding)).toEqual([
        'rule',
        'resourceType',
        'resourceId',
        'resourceArn',
        'accountId',
        'region',
        'status',
        'severity',
        'reason',
        'remediation',
      ]);
      expect((finding.reason as string).length).toBeLessThanOrEqual(256);
      expect(finding.remediation === null).toBe(finding.status !== 'NON_COMPLIANT');
    }
  });

  it.each([
    'snapshot.json',
    'snapshot.json.gz',
    'bare-array.json',
    'batch-get-resource-config.json',
    'config-history.json',
    'select-resource-config.json',
  ])('reads %s and gives the same verdicts as every other format', (file) => {
    const run = runCli(['scan', '--snapshot', `${INPUTS}/${file}`, '--format', 'json']);

    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const output = JSON.parse(run.stdout) as { findings: Verdict[] };
    expect(verdicts(output.findings)).toEqual(expectedVerdicts(`${INPUTS}/expected-verdicts.json`));
  });

  it('reads standard input when the file is "-"', () => {
    const run = runCli(['scan', '--snapshot', '-', '--format', 'json'], {
      input: readFileSync(`${INPUTS}/snapshot.json.gz`),
    });

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).findings).toHaveLength(5);
  });

  it('evaluates only the rules named with --rule', () => {
    const run = runCli([
      'scan',
      '--snapshot',
      EXAMPLE,
      '--format',
      'json',
      '--rule',
      'gateway-endpoint-routes',
    ]);

    const rules = new Set((JSON.parse(run.stdout).findings as Verdict[]).map((f) => f.rule));
    expect([...rules]).toEqual(['gateway-endpoint-routes']);
  });
});

describe('endpoint-guard scan exit codes', () => {
  it('exits 0 after a scan with findings', () => {
    expect(runCli(['scan', '--snapshot', EXAMPLE]).status).toBe(0);
  });

  it('exits 1 with --fail-on-findings when something is NON_COMPLIANT', () => {
    expect(runCli(['scan', '--snapshot', EXAMPLE, '--fail-on-findings']).status).toBe(1);
  });

  it('exits 0 with --fail-on-findings when nothing is NON_COMPLIANT', () => {
    const compliantOnly = JSON.stringify([]);
    const run = runCli(['scan', '--snapshot', '-', '--fail-on-findings'], { input: compliantOnly });

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('0 evaluated: 0 NON_COMPLIANT, 0 COMPLIANT, 0 NOT_APPLICABLE');
  });
});

describe('endpoint-guard scan --format table', () => {
  it('groups findings by account and region, with the planned fix and a summary line', () => {
    const run = runCli(['scan', '--snapshot', `${INPUTS}/snapshot.json`]);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Account 444455556666 · us-east-1');
    expect(run.stdout).toMatch(/NON_COMPLIANT +HIGH +interface-endpoint-multi-az/);
    expect(run.stdout).toMatch(/fix: Add subnet-\S+ \(us-east-1[a-z]\)/);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
      '5 evaluated: 3 NON_COMPLIANT (2 CRITICAL, 1 HIGH), 1 COMPLIANT, 1 NOT_APPLICABLE',
    );
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('colours statuses with FORCE_COLOR, and NO_COLOR wins over it', () => {
    const coloured = runCli(['scan', '--snapshot', `${INPUTS}/snapshot.json`], {
      env: { FORCE_COLOR: '1', NO_COLOR: '' },
    });
    const plain = runCli(['scan', '--snapshot', `${INPUTS}/snapshot.json`], {
      env: { FORCE_COLOR: '1', NO_COLOR: '1' },
    });

    expect(coloured.stdout).toContain('\u001b[31mNON_COMPLIANT');
    expect(plain.stdout).not.toContain('\u001b[');
  });
});

describe('endpoint-guard bad input', () => {
  it.each([
    [
      'test/fixtures/bad/not-json.json',
      /^endpoint-guard: test\/fixtures\/bad\/not-json\.json: not valid JSON: /,
    ],
    [
      'test/fixtures/bad/empty-file.json',
      /^endpoint-guard: test\/fixtures\/bad\/empty-file\.json: the file is empty$/,
    ],
    [
      'test/fixtures/bad/unknown-shape.json',
      /unrecognized input: expected a Config snapshot .* found an object with keys: foo$/,
    ],
    [
      'test/fixtures/bad/missing-account.json',
      /missing-account\.json: \[0\]: AWS::EC2::Subnet subnet-\w+: missing awsAccountId \/ accountId$/,
    ],
    [
      'test/fixtures/bad/bad-configuration.json',
      /bad-configuration\.json: \[0\]: AWS::EC2::VPCEndpoint vpce-\w+: configuration is not valid JSON: /,
    ],
    [
      'test/fixtures/bad/truncated.json.gz',
      /truncated\.json\.gz: not a valid gzip file: unexpected end of file$/,
    ],
    [
      'test/fixtures/does-not-exist.json',
      /^endpoint-guard: cannot read test\/fixtures\/does-not-exist\.json: no such file$/,
    ],
    ['test/fixtures', /^endpoint-guard: cannot read test\/fixtures: it is a directory$/],
  ])('%s: one clear line on stderr, nothing on stdout, exit 2', (file, message) => {
    const run = runCli(['scan', '--snapshot', file, '--format', 'json']);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr.trimEnd()).toMatch(message);
  });

  it.each([
    [['scan'], 'endpoint-guard: scan needs --snapshot FILE (see endpoint-guard scan --help)'],
    [
      ['scan', '--snapshot', EXAMPLE, '--format', 'xml'],
      'endpoint-guard: unknown --format "xml": expected one of table, json, csv, ocsf, asff, html',
    ],
    [
      ['scan', '--snapshot', EXAMPLE, '--rule', 'nope'],
      'endpoint-guard: unknown --rule "nope": expected one of interface-endpoint-multi-az, s3-bucket-public-access, gateway-endpoint-routes',
    ],
    [
      ['frobnicate'],
      'endpoint-guard: unknown command "frobnicate": expected one of scan, settings, rollback',
    ],
  ])('rejects the arguments %j with a clear message and exit 2', (args, message) => {
    const run = runCli(args);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd()).toBe(message);
  });

  it('rejects an unknown option naming it', () => {
    const run = runCli(['scan', '--snapshot', EXAMPLE, '--bogus']);

    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      "endpoint-guard: unknown option '--bogus' for scan (see endpoint-guard scan --help)\n",
    );
  });

  it('prints help on stdout with exit 0', () => {
    const run = runCli(['scan', '--help']);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: endpoint-guard scan --snapshot FILE');
  });
});

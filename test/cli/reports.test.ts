/**
 * The report formats of `scan` through the real bin, on the example organization: CSV (RFC 4180),
 * OCSF Compliance Findings, HTML (rendered in a browser by html-report.test.ts), and
 * `--output-file`, written atomically.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';

const EXAMPLE = 'examples/organization-snapshot.json';

interface JsonFinding {
  rule: string;
  resourceId: string;
  resourceArn: string | null;
  accountId: string;
  region: string;
  status: string;
  severity: string;
  reason: string;
}

function exampleFindings(): JsonFinding[] {
  const run = runCli(['scan', '--snapshot', EXAMPLE, '--format', 'json']);
  return (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings;
}

/** RFC 4180 parser for the test: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(field).toBe('');
  return records;
}

describe('scan --format json', () => {
  it('gives every finding its resource ARN', () => {
    const findings = exampleFindings();

    const bucket = findings.find((f) => f.resourceId === 'acme-prod-media-444455556666');
    const endpoint = findings.find((f) => f.resourceId === 'vpce-0a1b2c3d4e5f62002');
    expect(bucket?.resourceArn).toBe('arn:aws:s3:::acme-prod-media-444455556666');
    expect(endpoint?.resourceArn).toBe(
      'arn:aws:ec2:us-east-1:444455556666:vpc-endpoint/vpce-0a1b2c3d4e5f62002',
    );
    expect(
      findings.every((f) => typeof f.resourceArn === 'string' && f.resourceArn.startsWith('arn:aws:')),
    ).toBe(true);
  });
});

describe('scan --format csv', () => {
  it('writes one RFC 4180 row per finding under a header, the same findings as JSON', () => {
    const run = runCli(['scan', '--snapshot', EXAMPLE, '--format', 'csv']);

    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = parseCsv(run.stdout);
    expect(header).toEqual([
      'account_id',
      'region',
      'rule',
      'resource_type',
      'resource_id',
      'resource_arn',
      'status',
      'severity',
      'reason',
      'remediation',
      'decision',
    ]);
    const json = exampleFindings();
    expect(rows).toHaveLength(49);
    expect(rows.map((r) => [r[0], r[1], r[2], r[4], r[5], r[6], r[7], r[8]])).toEqual(
      json.map((f) => [
        f.accountId,
        f.region,
        f.rule,
        f.resourceId,
        f.resourceArn,
        f.status,
        f.severity,
        f.reason,
      ]),
    );
    // A reason with commas and quotes survives the round trip.
    expect(rows.find((r) => r[4] === 'acme-prod-partner-drop-444455556666')?.[8]).toBe(
      'bucket is public now (public policy: statement 0 ("PartnerUpload") allows aws:SourceIp 0.0.0.0/0 (broader than /8)); Block Public Access off: IgnorePublicAcls, RestrictPublicBuckets',
    );
    expect(rows.find((r) => r[4] === 'vpce-0a1b2c3d4e5f62002')?.[9]).toBe(
      'fix: Add subnet-0a1b2c3d4e5f62005 (us-east-1b), subnet-0a1b2c3d4e5f62006 (us-east-1c) to endpoint vpce-0a1b2c3d4e5f62002',
    );
  });

  it('defuses a field a spreadsheet would run as a formula', () => {
    const items = [
      {
        resourceType: 'AWS::S3::Bucket',
        resourceId: '=cmd',
        resourceName: '=cmd',
        awsAccountId: '111122223333',
        awsRegion: 'us-east-1',
        configurationItemStatus: 'OK',
        configuration: { name: '=cmd' },
        supplementaryConfiguration: {},
        tags: {},
      },
    ];
    const run = runCli(['scan', '--snapshot', '-', '--format', 'csv'], { input: JSON.stringify(items) });

    expect(run.stderr).toBe('');
    const [, row] = parseCsv(run.stdout);
    expect(row?.[4]).toBe("'=cmd");
  });
});

describe('scan --format ocsf', () => {
  it('writes one OCSF 1.3 Compliance Finding per line with the schema required attributes', () => {
    const run = runCli(['scan', '--snapshot', EXAMPLE, '--format', 'ocsf']);

    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(49);
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const event of events) {
      // Required by base_event, finding and compliance_finding (OCSF 1.3.0), and the cloud profile.
      expect(event).toMatchObject({
        activity_id: 1,
        category_uid: 2,
        class_uid: 2003,
        type_uid: 200301,
        metadata: { version: '1.3.0', product: { name: 'endpoint-guard', vendor_name: 'endpoint-guard' } },
        cloud: { provider: 'AWS' },
      });
      expect(typeof event.time).toBe('number');
      expect(event.severity_id).toEqual(expect.any(Number));
      expect((event.finding_info as { uid: string }).uid).toMatch(/^[a-z0-9-]+:arn:aws:/);
      expect((event.compliance as { standards: string[] }).standards.length).toBeGreaterThan(0);
    }
    const media = events.find(
      (e) => (e.resources as { name: string }[])[0]?.name === 'acme-prod-media-444455556666',
    );
    expect(media).toMatchObject({
      severity_id: 5,
      severity: 'Critical',
      status_id: 1,
      status: 'New',
      compliance: {
        control: 's3-bucket-public-access',
        status_id: 3,
        status: 'Fail',
        status_code: 'NON_COMPLIANT',
      },
      finding_info: { uid: 's3-bucket-public-access:arn:aws:s3:::acme-prod-media-444455556666' },
      resources: [
        {
          uid: 'arn:aws:s3:::acme-prod-media-444455556666',
          type: 'AWS::S3::Bucket',
          region: 'us-east-1',
          cloud_partition: 'aws',
          owner: { account: { uid: '444455556666' } },
        },
      ],
      cloud: { region: 'us-east-1', account: { uid: '444455556666' } },
      remediation: {
        desc: 'Turn on all four Block Public Access flags on bucket acme-prod-media-444455556666',
      },
    });
    const passed = events.filter((e) => (e.compliance as { status_id: number }).status_id === 1);
    expect(passed).toHaveLength(13);
  });
});

describe('scan --format asff', () => {
  const HUB = ['--hub-account', '111122223333', '--hub-region', 'us-east-1'];

  it('prints the Security Hub documents of every finding, for batch-import-findings by the hub account', () => {
    const run = runCli(['scan', '--snapshot', EXAMPLE, '--format', 'asff', ...HUB]);

    expect(run.status).toBe(0);
    const documents = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(documents).toHaveLength(49);
    for (const document of documents) {
      // The fields BatchImportFindings requires (AWS Security Hub API Reference, AwsSecurityFinding).
      for (const field of [
        'AwsAccountId',
        'CreatedAt',
        'Description',
        'GeneratorId',
        'Id',
        'ProductArn',
        'Resources',
        'SchemaVersion',
        'Severity',
        'Title',
        'Types',
        'UpdatedAt',
      ]) {
        expect(document).toHaveProperty(field);
      }
      expect(document.AwsAccountId).toBe('111122223333');
      expect(document.ProductArn).toBe(
        'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default',
      );
    }
    const media = documents.find(
      (d) => d.Id === 'endpoint-guard/s3-bucket-public-access/arn:aws:s3:::acme-prod-media-444455556666',
    );
    expect(media).toMatchObject({
      Severity: { Label: 'CRITICAL' },
      Compliance: { Status: 'FAILED' },
      RecordState: 'ACTIVE',
      Resources: [
        { Type: 'AwsS3Bucket', Id: 'arn:aws:s3:::acme-prod-media-444455556666', Region: 'us-east-1' },
      ],
      ProductFields: { 'endpoint-guard/ResourceAccountId': '444455556666' },
    });
    expect(
      (media as { Compliance: { RelatedRequirements: string[] } }).Compliance.RelatedRequirements,
    ).toContain('AWS Foundational Security Best Practices v1.0.0/S3.8');
  });

  it('takes the hub region from AWS_REGION', () => {
    const run = runCli(['scan', '--snapshot', EXAMPLE, '--format', 'asff', '--hub-account', '111122223333'], {
      env: { AWS_REGION: 'eu-west-1' },
    });

    expect((JSON.parse(run.stdout) as { ProductArn: string }[])[0]?.ProductArn).toBe(
      'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default',
    );
  });

  it.each([
    [
      ['--format', 'asff', '--hub-region', 'us-east-1'],
      '--format asff needs --hub-account ID: the account that will run "aws securityhub batch-import-findings" (Security Hub accepts only findings naming it)',
    ],
    [
      ['--format', 'asff', '--hub-account', '111122223333'],
      '--format asff needs --hub-region REGION (or AWS_REGION): the region of that Security Hub',
    ],
    [['--format', 'asff', '--hub-account', '1111'], 'invalid --hub-account "1111": expected 12 digits'],
    [['--format', 'json', ...HUB], '--hub-account and --hub-region are for --format asff'],
  ])('%j: one line, exit 2, nothing on stdout', (extra, message) => {
    const run = runCli(['scan', '--snapshot', EXAMPLE, ...extra], {
      env: { AWS_REGION: '', AWS_DEFAULT_REGION: '' },
    });

    expect(run).toEqual({ status: 2, stdout: '', stderr: `endpoint-guard: ${message}\n` });
  });
});

describe('scan --output-file', () => {
  it('writes the report to the file and says so on stdout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-report-'));
    const file = join(dir, 'findings.csv');

    const run = runCli(['scan', '--snapshot', EXAMPLE, '--format', 'csv', '--output-file', file]);

    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`wrote ${file} (csv, 49 findings, 18 to act on)\n`);
    expect(readFileSync(file, 'utf8')).toBe(
      runCli(['scan', '--snapshot', EXAMPLE, '--format', 'csv']).stdout,
    );
    expect(readdirSync(dir)).toEqual(['findings.csv']);
  });

  it('leaves an existing file as it was when the input is bad (exit 2, one line)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-report-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, 'previous report');

    const run = runCli([
      'scan',
      '--snapshot',
      'test/fixtures/bad/not-json.json',
      '--format',
      'html',
      '-o',
      file,
    ]);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(readFileSync(file, 'utf8')).toBe('previous report');
    expect(readdirSync(dir)).toEqual(['report.html']);
  });

  it.each([
    [
      ['--output-file', '/nonexistent-folder/report.csv'],
      'endpoint-guard: cannot write /nonexistent-folder/report.csv: no such folder /nonexistent-folder',
    ],
    [['--output-file', 'test'], 'endpoint-guard: cannot write test: it is a folder'],
  ])('refuses %j before scanning: one line, exit 2, nothing written', (extra, message) => {
    const run = runCli(['scan', '--snapshot', EXAMPLE, '--format', 'csv', ...extra]);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`${message}\n`);
  });
});

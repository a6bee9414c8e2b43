/**
 * The HTML report of the example organization, rendered in a real headless Chromium (Debian's
 * `chromium` package, driven by playwright-core): the page shows the counts and the rows, the
 * filter and the sort work, a row opens to its reason, evidence and fix, and the page makes no
 * network request. CI installs Chromium (.ci/run); without it this file fails, it never skips.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';

/** Debian's Chromium; CHROMIUM_PATH points elsewhere (another distribution, a developer's Mac). */
const CHROMIUM =
  process.env.CHROMIUM_PATH ??
  ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

let browser: Browser;
let page: Page;
const requests: string[] = [];

beforeAll(async () => {
  if (!CHROMIUM) throw new Error('Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH)');
  const file = join(mkdtempSync(join(tmpdir(), 'eg-html-')), 'report.html');
  const run = runCli([
    'scan',
    '--snapshot',
    'examples/organization-snapshot.json',
    '--format',
    'html',
    '-o',
    file,
  ]);
  expect(run.status).toBe(0);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage();
  page.on('request', (request) => {
    if (!request.url().startsWith('file:')) requests.push(request.url());
  });
  await page.goto(pathToFileURL(file).href);
});

afterAll(async () => {
  await browser?.close();
});

const visibleRows = () => page.locator('#findings tbody tr.finding:visible');
// Playwright's innerText is the rendered text a reader sees (hidden parts left out): intended.
// biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator, not a DOM node
const text = (selector: string) => page.locator(selector).innerText();

describe('the HTML report in a browser', () => {
  it('shows the totals of the example organization', async () => {
    expect(await text('#total-evaluated .count')).toBe('49');
    expect(await text('#total-non-compliant .count')).toBe('18');
    expect(await text('#total-compliant .count')).toBe('13');
    expect(await text('#total-not-applicable .count')).toBe('18');
  });

  it('shows the counts per account, region, rule and severity', async () => {
    const rows = async (id: string) =>
      (await page.locator(`#summary-${id} tbody tr`).allInnerTexts()).map((row) => row.split('\t'));

    // The same counts as the JSON output of the same scan.
    const { findings } = JSON.parse(
      runCli(['scan', '--snapshot', 'examples/organization-snapshot.json', '--format', 'json']).stdout,
    ) as { findings: Record<'accountId' | 'region' | 'rule' | 'status', string>[] };
    const expected = (key: 'accountId' | 'region' | 'rule') =>
      [...new Set(findings.map((f) => f[key]))].sort().map((value) => {
        const of = findings.filter((f) => f[key] === value);
        const count = (status: string) => String(of.filter((f) => f.status === status).length);
        return [value, count('NON_COMPLIANT'), count('COMPLIANT'), count('NOT_APPLICABLE')];
      });
    expect(await rows('account')).toEqual(expected('accountId'));
    expect((await rows('account')).map((row) => row[0])).toEqual([
      '111122223333',
      '444455556666',
      '777788889999',
    ]);
    expect(await rows('region')).toEqual(expected('region'));
    expect(await rows('rule')).toEqual(expected('rule'));
    expect(await rows('severity')).toEqual([
      ['CRITICAL', '5'],
      ['HIGH', '4'],
      ['MEDIUM', '9'],
    ]);
  });

  it('lists every finding, and the filters narrow the rows', async () => {
    expect(await visibleRows().count()).toBe(49);
    expect(await text('#shown-count')).toBe('49 of 49 findings');

    await page.selectOption('#filter-status', 'NON_COMPLIANT');
    expect(await visibleRows().count()).toBe(18);
    await page.selectOption('#filter-severity', 'CRITICAL');
    expect(await visibleRows().count()).toBe(5);
    await page.fill('#filter-text', 'sandbox');
    expect(await visibleRows().count()).toBe(3);
    expect(await text('#shown-count')).toBe('3 of 49 findings');
    await page.fill('#filter-text', 'partner-drop');
    expect((await visibleRows().allInnerTexts()).map((row) => row.split('\t')[3])).toEqual([
      'acme-prod-partner-drop-444455556666',
    ]);

    await page.fill('#filter-text', '');
    await page.selectOption('#filter-status', '');
    await page.selectOption('#filter-severity', '');
    expect(await visibleRows().count()).toBe(49);
  });

  it('sorts by a column when its header is clicked, and back', async () => {
    const severityHeader = page.locator('#findings thead th', { hasText: 'Severity' });
    await severityHeader.click();
    const first = (await visibleRows().allInnerTexts()).slice(0, 5).map((row) => row.split('\t')[5]);
    expect(first).toEqual(['CRITICAL', 'CRITICAL', 'CRITICAL', 'CRITICAL', 'CRITICAL']);
    expect(await severityHeader.getAttribute('aria-sort')).toBe('ascending');

    const resourceHeader = page.locator('#findings thead th', { hasText: 'Resource' });
    await resourceHeader.click();
    await resourceHeader.click();
    const resources = (await visibleRows().allInnerTexts()).map((row) => row.split('\t')[3] ?? '');
    expect(resources).toEqual([...resources].sort().reverse());
  });

  it('opens a finding to its reason, evidence and fix', async () => {
    await page.fill('#filter-text', 'vpce-0a1b2c3d4e5f62002');
    const row = visibleRows().first();
    await row.click();
    const details = page.locator('tr.details:visible');

    expect(await details.count()).toBe(1);
    // biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator, not a DOM node
    const shown = await details.innerText();
    expect(shown).toContain('Interface VPC endpoints are highly available');
    expect(shown).toContain('endpoint has subnets in 1 AZ (us-east-1a)');
    expect(shown).toContain('Evidence');
    expect(shown).toContain(
      'fix: Add subnet-0a1b2c3d4e5f62005 (us-east-1b), subnet-0a1b2c3d4e5f62006 (us-east-1c) to endpoint vpce-0a1b2c3d4e5f62002',
    );
    expect(shown).toContain('"ModifyVpcEndpoint"');
  });

  it('made no request beyond the file itself', () => {
    expect(requests).toEqual([]);
  });
});

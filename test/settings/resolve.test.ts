import { describe, expect, it } from 'vitest';
import { activeExemption, isExpired, modeFor } from '../../shared/settings/resolve';
import { parseSettings } from '../../shared/settings/schema';
import { ACCOUNT, BUCKET_ARN, finding, OTHER_ACCOUNT } from './support';

const RULE = 's3-bucket-public-access';

describe('modeFor', () => {
  // Each level set to a different mode, so the winner is visible.
  const everyLevel = {
    version: 1,
    defaultMode: 'off',
    rules: { [RULE]: { mode: 'notify' } },
    accounts: { [ACCOUNT]: { defaultMode: 'ticket', rules: { [RULE]: { mode: 'auto-fix' } } } },
  };

  it.each([
    {
      case: 'account + rule wins over everything',
      document: everyLevel,
      expected: { mode: 'auto-fix', from: `accounts.${ACCOUNT}.rules.${RULE}.mode` },
    },
    {
      case: 'account wins over rule and default',
      document: { ...everyLevel, accounts: { [ACCOUNT]: { defaultMode: 'ticket' } } },
      expected: { mode: 'ticket', from: `accounts.${ACCOUNT}.defaultMode` },
    },
    {
      case: 'rule wins over default',
      document: { ...everyLevel, accounts: {} },
      expected: { mode: 'notify', from: `rules.${RULE}.mode` },
    },
    {
      case: 'default applies when nothing else is set',
      document: { version: 1, defaultMode: 'off' },
      expected: { mode: 'off', from: 'defaultMode' },
    },
    {
      case: 'the implicit default is ticket',
      document: { version: 1 },
      expected: { mode: 'ticket', from: 'defaultMode' },
    },
    {
      case: "another rule's account setting does not apply",
      document: {
        version: 1,
        rules: { [RULE]: { mode: 'notify' } },
        accounts: { [ACCOUNT]: { rules: { 'gateway-endpoint-routes': { mode: 'auto-fix' } } } },
      },
      expected: { mode: 'notify', from: `rules.${RULE}.mode` },
    },
  ])('$case', ({ document, expected }) => {
    expect(modeFor(parseSettings(document), RULE, ACCOUNT)).toEqual(expected);
  });

  it("does not apply one account's overrides to another account", () => {
    expect(modeFor(parseSettings(everyLevel), RULE, OTHER_ACCOUNT)).toEqual({
      mode: 'notify',
      from: `rules.${RULE}.mode`,
    });
  });

  it('does not read inherited object properties as account ids', () => {
    expect(modeFor(parseSettings({ version: 1 }), RULE, 'constructor')).toEqual({
      mode: 'ticket',
      from: 'defaultMode',
    });
  });
});

describe('activeExemption', () => {
  const NOW = new Date('2026-05-01T12:00:00.000Z');
  const settingsWith = (...exemptions: Record<string, string>[]) => parseSettings({ version: 1, exemptions });

  it('matches the resource ARN', () => {
    const settings = settingsWith({ resource: BUCKET_ARN, reason: 'public website' });
    expect(activeExemption(settings, finding(RULE), NOW)).toEqual({
      resource: BUCKET_ARN,
      reason: 'public website',
    });
  });

  it('matches the resource id', () => {
    const settings = settingsWith({ resource: 'www.example.com', reason: 'public website' });
    expect(activeExemption(settings, finding(RULE), NOW)?.reason).toBe('public website');
  });

  it('applies an exemption with a rule only to that rule', () => {
    const settings = settingsWith({
      resource: 'www.example.com',
      rule: 'gateway-endpoint-routes',
      reason: 'x',
    });
    expect(activeExemption(settings, finding(RULE), NOW)).toBeUndefined();
  });

  it('applies an exemption with the same rule', () => {
    const settings = settingsWith({ resource: BUCKET_ARN, rule: RULE, reason: 'website' });
    expect(activeExemption(settings, finding(RULE), NOW)?.reason).toBe('website');
  });

  it('does not match another resource', () => {
    const settings = settingsWith({ resource: 'arn:aws:s3:::other-bucket', reason: 'x' });
    expect(activeExemption(settings, finding(RULE), NOW)).toBeUndefined();
  });

  it('skips an expired exemption and finds the next that applies', () => {
    const settings = settingsWith(
      { resource: BUCKET_ARN, reason: 'old', until: '2026-04-30' },
      { resource: BUCKET_ARN, reason: 'renewed', until: '2026-12-31' },
    );
    expect(activeExemption(settings, finding(RULE), NOW)?.reason).toBe('renewed');
  });

  it.each([
    { now: '2026-06-30T00:00:00.000Z', active: true },
    { now: '2026-06-30T23:59:59.999Z', active: true },
    { now: '2026-07-01T00:00:00.000Z', active: false },
    { now: '2027-01-01T00:00:00.000Z', active: false },
  ])('is inclusive of its last day (UTC): at $now active is $active', ({ now, active }) => {
    const settings = settingsWith({ resource: BUCKET_ARN, reason: 'x', until: '2026-06-30' });
    expect(activeExemption(settings, finding(RULE), new Date(now)) !== undefined).toBe(active);
    expect(isExpired({ until: '2026-06-30' }, new Date(now))).toBe(!active);
  });

  it('never expires without until', () => {
    expect(isExpired({}, new Date('2999-12-31T23:59:59.999Z'))).toBe(false);
  });
});

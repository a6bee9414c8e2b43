import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/findings/finding';
import { RULE_IDS } from '../../shared/rules/index';
import type { RuleId } from '../../shared/rules/types';
import { type Action, decide, type FindingHistory } from '../../shared/settings/decision';
import { DEFAULT_SETTINGS, type Mode, parseSettings, withoutAutoFix } from '../../shared/settings/schema';
import { ACCOUNT, BUCKET_ARN, FIX_PLANS, finding, TICKET_ONLY_PLAN } from './support';

const NOW = new Date('2026-05-01T12:00:00.000Z');
const RULE: RuleId = 's3-bucket-public-access';
const CLEAN: FindingHistory = { fixesThisHourForAccount: 0, previousFixFailed: false };
const MODES: readonly Mode[] = ['off', 'notify', 'ticket', 'auto-fix'];

type ExemptionCase = 'none' | 'active' | 'expired';
type PlanKind = 'fix' | 'ticket-only';

interface Case {
  readonly mode: Mode;
  readonly exemption: ExemptionCase;
  readonly dryRun: boolean;
  readonly capReached: boolean;
  readonly plan: PlanKind;
  readonly previousFixFailed: boolean;
}

function settingsFor(c: Pick<Case, 'mode' | 'exemption' | 'dryRun'>) {
  const exemptions = {
    none: [],
    active: [{ resource: BUCKET_ARN, reason: 'public website', until: '2026-05-01' }],
    expired: [{ resource: BUCKET_ARN, reason: 'public website', until: '2026-04-30' }],
  }[c.exemption];
  return parseSettings({
    version: 1,
    dryRun: c.dryRun,
    rules: { [RULE]: { mode: c.mode } },
    exemptions,
    maxFixesPerAccountPerHour: 10,
  });
}

/** The specification, in the order ARCHITECTURE.md and the issue give it. */
function expectedOf(c: Case): { action: Action; dryRun: boolean; why: RegExp } {
  if (c.mode === 'off')
    return { action: 'ignore', dryRun: false, why: /is set to off .*: the finding is ignored\.$/ };
  if (c.exemption === 'active') return { action: 'ignore', dryRun: false, why: /is exempt .*public website/ };
  if (c.mode === 'notify') return { action: 'notify', dryRun: false, why: /: sending a notification\.$/ };
  if (c.mode === 'ticket') return { action: 'ticket', dryRun: false, why: /: opening a ticket\.$/ };
  if (c.plan === 'ticket-only')
    return { action: 'ticket', dryRun: false, why: /^No automatic fix is possible: / };
  if (c.capReached) return { action: 'ticket', dryRun: false, why: /maxFixesPerAccountPerHour = 10/ };
  if (c.previousFixFailed)
    return { action: 'ticket', dryRun: false, why: /previous automatic fix .* failed/ };
  if (c.dryRun) return { action: 'notify', dryRun: true, why: /^dry run: would fix / };
  return { action: 'fix', dryRun: false, why: /is set to auto-fix .*: Turn on all four Block Public Access/ };
}

const ALL_CASES: Case[] = MODES.flatMap((mode) =>
  (['none', 'active', 'expired'] as const).flatMap((exemption) =>
    [false, true].flatMap((dryRun) =>
      [false, true].flatMap((capReached) =>
        (['fix', 'ticket-only'] as const).flatMap((plan) =>
          [false, true].map((previousFixFailed) => ({
            mode,
            exemption,
            dryRun,
            capReached,
            plan,
            previousFixFailed,
          })),
        ),
      ),
    ),
  ),
);

describe('decide', () => {
  it('covers every mode × exemption × dry run × cap × plan kind × previous failure (192 cases)', () => {
    expect(ALL_CASES).toHaveLength(192);
  });

  it.each(ALL_CASES)(
    'mode $mode, exemption $exemption, dryRun $dryRun, cap reached $capReached, plan $plan, previous failure $previousFixFailed',
    (c) => {
      // Prepare
      const subject = finding(RULE, { remediation: c.plan === 'fix' ? FIX_PLANS[RULE] : TICKET_ONLY_PLAN });
      const history = {
        fixesThisHourForAccount: c.capReached ? 10 : 9,
        previousFixFailed: c.previousFixFailed,
      };

      // Act
      const decision = decide(subject, settingsFor(c), history, NOW);

      // Assess
      const expected = expectedOf(c);
      expect(decision.action).toBe(expected.action);
      expect(decision.dryRun).toBe(expected.dryRun);
      expect(decision.mode).toBe(c.mode);
      expect(decision.why).toMatch(expected.why);
    },
  );

  describe.each(['COMPLIANT', 'NOT_APPLICABLE'] as const)('a %s finding', (status) => {
    it.each(MODES)('is ignored in mode %s, dry run and all', (mode) => {
      const decision = decide(
        finding(RULE, { status }),
        settingsFor({ mode, exemption: 'none', dryRun: true }),
        CLEAN,
        NOW,
      );
      expect(decision).toEqual({
        action: 'ignore',
        why: `s3-bucket-public-access on www.example.com is ${status}: nothing to do.`,
        mode,
        dryRun: false,
      });
    });
  });

  describe('explains each decision in one sentence', () => {
    const decideWith = (
      document: Record<string, unknown>,
      history = CLEAN,
      subject: Finding = finding(RULE),
    ) => decide(subject, parseSettings({ version: 1, ...document }), history, NOW);

    it('mode off names the setting it comes from', () => {
      expect(decideWith({ accounts: { [ACCOUNT]: { defaultMode: 'off' } } }).why).toBe(
        `s3-bucket-public-access is set to off in account ${ACCOUNT} (by accounts.${ACCOUNT}.defaultMode): the finding is ignored.`,
      );
    });

    it('an exemption names its reason and expiry', () => {
      expect(
        decideWith({
          exemptions: [{ resource: BUCKET_ARN, rule: RULE, reason: 'public website.', until: '2027-06-30' }],
        }).why,
      ).toBe(
        `${BUCKET_ARN} is exempt from s3-bucket-public-access until 2027-06-30 (reason: public website): the finding is ignored.`,
      );
    });

    it('an exemption without expiry says so', () => {
      expect(decideWith({ exemptions: [{ resource: 'www.example.com', reason: 'website' }] }).why).toBe(
        'www.example.com is exempt from every rule with no expiry (reason: website): the finding is ignored.',
      );
    });

    it('notify', () => {
      expect(decideWith({ defaultMode: 'notify' })).toEqual({
        action: 'notify',
        why: `s3-bucket-public-access is set to notify in account ${ACCOUNT} (by defaultMode): sending a notification.`,
        mode: 'notify',
        dryRun: false,
      });
    });

    it('ticket', () => {
      expect(decideWith({})).toEqual({
        action: 'ticket',
        why: `s3-bucket-public-access is set to ticket in account ${ACCOUNT} (by defaultMode): opening a ticket.`,
        mode: 'ticket',
        dryRun: false,
      });
    });

    it("a ticket-only plan gives the plan's why", () => {
      const subject = finding('interface-endpoint-multi-az', { remediation: TICKET_ONLY_PLAN });
      expect(decideWith({ defaultMode: 'auto-fix' }, CLEAN, subject)).toEqual({
        action: 'ticket',
        why: `No automatic fix is possible: ${TICKET_ONLY_PLAN.kind === 'ticket-only' ? TICKET_ONLY_PLAN.why : ''}. Opening a ticket instead.`,
        mode: 'auto-fix',
        dryRun: false,
      });
    });

    it('a NON_COMPLIANT finding without a plan is ticketed', () => {
      const subject = finding(RULE, { remediation: null });
      expect(decideWith({ defaultMode: 'auto-fix' }, CLEAN, subject).action).toBe('ticket');
    });

    it('the cap names the count and the setting', () => {
      const decision = decideWith(
        { defaultMode: 'auto-fix', maxFixesPerAccountPerHour: 3 },
        { fixesThisHourForAccount: 3, previousFixFailed: false },
      );
      expect(decision).toEqual({
        action: 'ticket',
        why: `Account ${ACCOUNT} already had 3 automatic fixes this hour, the cap set by maxFixesPerAccountPerHour = 3: opening a ticket instead.`,
        mode: 'auto-fix',
        dryRun: false,
      });
    });

    it('a cap of 0 turns automatic fixes off', () => {
      expect(decideWith({ defaultMode: 'auto-fix', maxFixesPerAccountPerHour: 0 }).why).toBe(
        'Automatic fixes are disabled by maxFixesPerAccountPerHour = 0: opening a ticket instead.',
      );
    });

    it('a failed previous fix asks for a person', () => {
      expect(
        decideWith({ defaultMode: 'auto-fix' }, { fixesThisHourForAccount: 0, previousFixFailed: true }).why,
      ).toBe(
        'The previous automatic fix of this finding failed, so a person must look: opening a ticket instead of retrying.',
      );
    });

    it('dry run says what it would fix', () => {
      expect(decideWith({ defaultMode: 'auto-fix', dryRun: true })).toEqual({
        action: 'notify',
        why: 'dry run: would fix www.example.com (Turn on all four Block Public Access flags on bucket www.example.com); nothing is changed while dryRun is on.',
        mode: 'auto-fix',
        dryRun: true,
      });
    });

    it('fix names the setting and the plan', () => {
      expect(decideWith({ rules: { [RULE]: { mode: 'auto-fix' } } })).toEqual({
        action: 'fix',
        why: `s3-bucket-public-access is set to auto-fix in account ${ACCOUNT} (by rules.s3-bucket-public-access.mode): Turn on all four Block Public Access flags on bucket www.example.com.`,
        mode: 'auto-fix',
        dryRun: false,
      });
    });

    it('fixes only within the cap: one below it still fixes', () => {
      const decision = decideWith(
        { defaultMode: 'auto-fix', maxFixesPerAccountPerHour: 3 },
        { fixesThisHourForAccount: 2, previousFixFailed: false },
      );
      expect(decision.action).toBe('fix');
    });
  });

  describe('never fixes with the default settings', () => {
    const planArbitrary = (ruleId: RuleId) =>
      fc.constantFrom<Finding['remediation']>(FIX_PLANS[ruleId], TICKET_ONLY_PLAN);

    it.each(RULE_IDS)('%s, for every plan kind, status and history', (ruleId) => {
      fc.assert(
        fc.property(
          planArbitrary(ruleId),
          fc.constantFrom('COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE' as const),
          fc.nat({ max: 100 }),
          fc.boolean(),
          fc.date({ min: new Date('2020-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }),
          (plan, status, fixes, previousFixFailed, now) => {
            const subject = finding(ruleId, {
              status,
              remediation: status === 'NON_COMPLIANT' ? plan : null,
            });
            const decision = decide(
              subject,
              DEFAULT_SETTINGS,
              { fixesThisHourForAccount: fixes, previousFixFailed },
              now,
            );
            expect(decision.action).not.toBe('fix');
            if (status === 'NON_COMPLIANT') expect(decision.action).toBe('ticket');
          },
        ),
      );
    });

    it('nor with any settings that went through withoutAutoFix (the never-valid fallback)', () => {
      const mode = fc.constantFrom<Mode>(...MODES);
      const maybeMode = fc.option(mode, { nil: undefined });
      const rules = fc.record({
        'interface-endpoint-multi-az': fc.record({ mode: maybeMode }),
        's3-bucket-public-access': fc.record({ mode: maybeMode }),
        'gateway-endpoint-routes': fc.record({ mode: maybeMode }),
      });
      fc.assert(
        fc.property(
          mode,
          rules,
          maybeMode,
          rules,
          fc.constantFrom<RuleId>(...RULE_IDS),
          (defaultMode, ruleModes, accountMode, accountRules, ruleId) => {
            const settings = parseSettings(
              JSON.parse(
                JSON.stringify({
                  version: 1,
                  defaultMode,
                  rules: ruleModes,
                  accounts: { [ACCOUNT]: { defaultMode: accountMode, rules: accountRules } },
                }),
              ),
            );
            const decision = decide(finding(ruleId), withoutAutoFix(settings), CLEAN, NOW);
            expect(decision.action).not.toBe('fix');
          },
        ),
      );
    });
  });
});

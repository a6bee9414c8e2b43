/**
 * The decision: what endpoint-guard does with one finding, given the settings and what it has
 * already done. Pure (no AWS, no clock of its own), so every branch is a table test.
 *
 * Order matters and is the safety argument: nothing is acted on unless it is NON_COMPLIANT, not
 * off, and not exempt; nothing is fixed unless the mode is `auto-fix`, a fix plan exists, the
 * account's hourly cap has room, the last attempt did not fail, and dry run is off.
 */
import type { Finding } from '../findings/finding';
import { activeExemption, modeFor } from './resolve';
import type { Mode, Settings } from './schema';

/** What to do: nothing, tell people, open a ticket, or change AWS. */
export type Action = 'ignore' | 'notify' | 'ticket' | 'fix';

/** What has happened before, as the findings store knows it. */
export interface FindingHistory {
  /** Automatic fixes applied in the finding's account during the current hour. */
  readonly fixesThisHourForAccount: number;
  /** The last automatic fix of this very finding failed (or could not be verified). */
  readonly previousFixFailed: boolean;
}

export interface Decision {
  readonly action: Action;
  /** One sentence for people and the audit record: why this action. */
  readonly why: string;
  /** The mode that applied (see `modeFor`). */
  readonly mode: Mode;
  /** True exactly when the action would have been `fix` but dry run turned it into `notify`. */
  readonly dryRun: boolean;
}

/**
 * Decides what to do with a finding.
 *
 * @example
 * const decision = decide(finding, settings, { fixesThisHourForAccount: 3, previousFixFailed: false }, new Date());
 * if (decision.action === 'fix') await executor.apply(finding.remediation);
 */
export function decide(finding: Finding, settings: Settings, history: FindingHistory, now: Date): Decision {
  const { mode, from } = modeFor(settings, finding.ruleId, finding.accountId);
  const decision = (action: Action, why: string, dryRun = false): Decision => ({ action, why, mode, dryRun });
  const subject = `${finding.ruleId} on ${finding.resourceId}`;

  if (finding.status === 'COMPLIANT') return decision('ignore', `${subject} is COMPLIANT: nothing to do.`);
  if (finding.status === 'NOT_APPLICABLE') {
    return decision('ignore', `${subject} is NOT_APPLICABLE: nothing to do.`);
  }
  const setting = `${finding.ruleId} is set to ${mode} in account ${finding.accountId} (by ${from})`;
  if (mode === 'off') return decision('ignore', `${setting}: the finding is ignored.`);

  const exemption = activeExemption(settings, finding, now);
  if (exemption) {
    const scope = exemption.rule ? `from ${exemption.rule}` : 'from every rule';
    const until = exemption.until ? `until ${exemption.until}` : 'with no expiry';
    return decision(
      'ignore',
      `${exemption.resource} is exempt ${scope} ${until} (reason: ${sentence(exemption.reason)}): the finding is ignored.`,
    );
  }

  if (mode === 'notify') return decision('notify', `${setting}: sending a notification.`);
  if (mode === 'ticket') return decision('ticket', `${setting}: opening a ticket.`);

  const plan = finding.remediation;
  if (plan === null) {
    return decision('ticket', `${setting}, but the finding carries no remediation plan: opening a ticket.`);
  }
  if (plan.kind === 'ticket-only') {
    return decision(
      'ticket',
      `No automatic fix is possible: ${sentence(plan.why)}. Opening a ticket instead.`,
    );
  }
  const cap = settings.maxFixesPerAccountPerHour;
  if (history.fixesThisHourForAccount >= cap) {
    return decision(
      'ticket',
      cap === 0
        ? 'Automatic fixes are disabled by maxFixesPerAccountPerHour = 0: opening a ticket instead.'
        : `Account ${finding.accountId} already had ${history.fixesThisHourForAccount} automatic fixes this hour, ` +
            `the cap set by maxFixesPerAccountPerHour = ${cap}: opening a ticket instead.`,
    );
  }
  if (history.previousFixFailed) {
    return decision(
      'ticket',
      'The previous automatic fix of this finding failed, so a person must look: opening a ticket instead of retrying.',
    );
  }
  if (settings.dryRun) {
    return decision(
      'notify',
      `dry run: would fix ${finding.resourceId} (${sentence(plan.summary)}); nothing is changed while dryRun is on.`,
      true,
    );
  }
  return decision('fix', `${setting}: ${sentence(plan.summary)}.`);
}

/** Text without a trailing full stop, so it can sit inside a sentence. */
function sentence(text: string): string {
  return text.trim().replace(/\.+$/, '');
}

/**
 * Reading the settings for one finding: which mode applies and which exemption, if any. Pure.
 */
import type { Finding } from '../findings/finding';
import type { RuleId } from '../rules/types';
import type { Exemption, Mode, Settings } from './schema';

/** A mode and the JSON path of the setting it comes from. */
export interface ResolvedMode {
  readonly mode: Mode;
  /** `accounts.<id>.rules.<rule>.mode`, `accounts.<id>.defaultMode`, `rules.<rule>.mode` or `defaultMode`. */
  readonly from: string;
}

/**
 * The mode of a rule in an account. The most specific setting wins: account + rule, then
 * account, then rule, then `defaultMode`.
 *
 * @example
 * modeFor(settings, 's3-bucket-public-access', '111122223333');
 * // { mode: 'notify', from: 'accounts.111122223333.defaultMode' }
 */
export function modeFor(settings: Settings, ruleId: RuleId, accountId: string): ResolvedMode {
  const account = Object.hasOwn(settings.accounts, accountId) ? settings.accounts[accountId] : undefined;
  const accountRule = account?.rules[ruleId]?.mode;
  if (accountRule) return { mode: accountRule, from: `accounts.${accountId}.rules.${ruleId}.mode` };
  if (account?.defaultMode) return { mode: account.defaultMode, from: `accounts.${accountId}.defaultMode` };
  const rule = settings.rules[ruleId]?.mode;
  if (rule) return { mode: rule, from: `rules.${ruleId}.mode` };
  return { mode: settings.defaultMode, from: 'defaultMode' };
}

/**
 * The first exemption that covers this finding now: same resource (ARN or id), same rule (or
 * every rule), and `until` not past. `until` is inclusive: an exemption until 2027-06-30 still
 * applies at 2027-06-30T23:59:59.999Z (UTC) and stops at the next millisecond.
 *
 * @example
 * const exemption = activeExemption(settings, finding, new Date());
 * if (exemption) console.log(`exempt: ${exemption.reason}`);
 */
export function activeExemption(
  settings: Settings,
  finding: Pick<Finding, 'resourceArn' | 'resourceId' | 'accountId' | 'ruleId'>,
  now: Date,
): Exemption | undefined {
  return settings.exemptions.find(
    (exemption) =>
      (exemption.resource === finding.resourceArn || exemption.resource === finding.resourceId) &&
      (exemption.rule === undefined || exemption.rule === finding.ruleId) &&
      !isExpired(exemption, now),
  );
}

/**
 * True once the last day of the exemption (UTC) is over; an exemption without `until` never expires.
 *
 * @example
 * isExpired({ resource: 'vpce-1', reason: 'migration', until: '2026-01-31' }, new Date('2026-02-01T00:00:00Z')); // true
 */
export function isExpired(exemption: Pick<Exemption, 'until'>, now: Date): boolean {
  if (exemption.until === undefined) return false;
  return now.getTime() >= endOfDay(exemption.until);
}

/** The first millisecond after the given UTC day. */
function endOfDay(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`) + 24 * 60 * 60 * 1000;
}

/** Hours between two updates about one open finding when `notifications.commentIntervalHours` is not set. */
export const DEFAULT_COMMENT_INTERVAL_HOURS = 24;

/**
 * The least time between two updates (ticket comment, notification) about the same open finding
 * that the settings ask for, in seconds.
 *
 * @example
 * commentIntervalSeconds(settings); // 86400 by default
 */
export function commentIntervalSeconds(settings: Pick<Settings, 'notifications'>): number {
  return (settings.notifications.commentIntervalHours ?? DEFAULT_COMMENT_INTERVAL_HOURS) * 3600;
}

/**
 * What the deployed service would do with each finding of an offline scan, given the settings
 * document: its own decision function, so `scan --settings` agrees with it. Loaded only when a
 * scan is given settings (it brings the Finding schema with it).
 */
import { toFinding } from '../findings/finding';
import type { Evaluation } from '../rules/types';
import { decide } from '../settings/decision';
import type { Settings } from '../settings/schema';
import type { ServiceDecision } from './report';

const NO_HISTORY = { fixesThisHourForAccount: 0, previousFixFailed: false } as const;

/**
 * The decision on a NON_COMPLIANT finding as the service makes it, before any history (no fix
 * yet this hour, no failed fix): mode, then exemptions, then the plan, the hourly cap and dry run.
 *
 * @example
 * const report = buildReport(evaluations, rules, filter, { decide: serviceDecider(settings, now), now });
 */
export function serviceDecider(settings: Settings, now: Date): (evaluation: Evaluation) => ServiceDecision {
  return (evaluation) => {
    const finding = toFinding(evaluation, { detector: 'config-rule', observedAt: now.toISOString() });
    const { action, why } = decide(finding, settings, NO_HISTORY, now);
    return { action, why };
  };
}

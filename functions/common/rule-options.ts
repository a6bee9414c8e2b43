/**
 * The seam between the detectors and the settings document.
 *
 * TODO(settings): the settings issue replaces this with a read of the SSM parameter
 * (`SETTINGS_PARAMETER`), validated and cached briefly, keeping the last valid document. Until
 * then every evaluation uses the documented defaults.
 */
import { DEFAULT_RULE_OPTIONS, type RuleOptions } from '../../shared/rules/types';

/** Loads the per-rule options that change evaluation. */
export type RuleOptionsLoader = () => Promise<RuleOptions>;

/**
 * The rule options to evaluate with. For now always {@link DEFAULT_RULE_OPTIONS}.
 *
 * @example
 * const options = await loadRuleOptions();
 */
export async function loadRuleOptions(): Promise<RuleOptions> {
  return DEFAULT_RULE_OPTIONS;
}

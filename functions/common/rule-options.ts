/**
 * The seam between the detectors and the settings document: the per-rule options that change
 * evaluation (which gateway services are required, whether public route tables are in scope,
 * whether an endpoint may be created) come from the SSM parameter `SETTINGS_PARAMETER`, read
 * through the shared SettingsProvider (validated, cached briefly, the last valid document kept).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { SSMClient } from '@aws-sdk/client-ssm';
import { RETRY_CONFIG } from '../../shared/aws/clients';
import { DEFAULT_RULE_OPTIONS, type RuleOptions } from '../../shared/rules/types';
import { SettingsProvider } from '../../shared/settings/provider';
import { ruleOptionsOf } from '../../shared/settings/schema';
import type { DetectorEnvironment } from './environment';

/** Loads the per-rule options that change evaluation. */
export type RuleOptionsLoader = () => Promise<RuleOptions>;

/**
 * The documented defaults, without reading anything: what a handler built for a test uses unless
 * it is given a loader.
 *
 * @example
 * const options = await defaultRuleOptions();
 */
export async function defaultRuleOptions(): Promise<RuleOptions> {
  return DEFAULT_RULE_OPTIONS;
}

/**
 * Reads the rule options from the settings parameter, building the SSM client and the provider
 * on first use. An invalid document is logged once per version and the last valid one stays in
 * force (the provider's contract); a missing parameter means the defaults.
 *
 * @example
 * const loadRuleOptions = settingsRuleOptions(environment, logger);
 * const options = await loadRuleOptions();
 */
export function settingsRuleOptions(
  environment: () => Pick<DetectorEnvironment, 'settingsParameter' | 'homeRegion'>,
  logger: Logger,
  ssm: (region: string | undefined) => SSMClient = (region) =>
    new SSMClient({ ...RETRY_CONFIG, ...(region ? { region } : {}) }),
): RuleOptionsLoader {
  let provider: SettingsProvider | undefined;
  return async () => {
    provider ??= new SettingsProvider({
      // The settings live in the home region; a detector in another region reads them there.
      ssm: ssm(environment().homeRegion),
      parameterName: environment().settingsParameter,
      onInvalid: (error) =>
        logger.error('invalid settings document: the last valid settings stay in force', {
          problems: error.problems,
        }),
    });
    return ruleOptionsOf(await provider.get());
  };
}

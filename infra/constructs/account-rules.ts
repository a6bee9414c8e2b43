/**
 * Account mode: one AWS Config custom Lambda rule per endpoint-guard rule, in this account only.
 *
 * Written with the L1 resource rather than the L2 `CustomRule`, which attaches the AWS managed
 * `AWSConfigRulesExecutionRole` (config:Put* and Get* on everything) to the function's role; the
 * function needs far less, and gets it from `grantCentral`.
 */
import { Stack } from 'aws-cdk-lib';
import { CfnConfigRule } from 'aws-cdk-lib/aws-config';
import { CfnPermission, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { RULES } from '../../shared/rules/index';
import type { Rule, RuleId } from '../../shared/rules/types';
import { InvalidPropsError } from '../errors';
import { configRuleName } from '../names';
import { pascalCase } from './endpoint-guard-functions';
import type { ExecutionFrequency } from './organization-rules';

export interface AccountRulesProps {
  /** The `config-rule` function. */
  readonly function: IFunction;
  /** @default every rule of the registry */
  readonly rules?: readonly Rule[];
  /** @default 'TwentyFour_Hours' */
  readonly maximumExecutionFrequency?: ExecutionFrequency;
}

/**
 * @example
 * new AccountRules(this, 'AccountRules', { function: fns.functions['config-rule'] });
 */
export class AccountRules extends Construct {
  /** The Config rules, by endpoint-guard rule id. */
  public readonly rules: Readonly<Partial<Record<RuleId, CfnConfigRule>>>;
  /** Lets AWS Config of this account (only) invoke the function; every rule depends on it. */
  public readonly permission: CfnPermission;

  constructor(scope: Construct, id: string, props: AccountRulesProps) {
    super(scope, id);
    const rules = props.rules ?? RULES;
    if (rules.length === 0)
      throw new InvalidPropsError(this.node.path, 'rules', 'must list at least one rule');
    const frequency = props.maximumExecutionFrequency ?? 'TwentyFour_Hours';

    this.permission = new CfnPermission(this, 'ConfigInvokePermission', {
      action: 'lambda:InvokeFunction',
      functionName: props.function.functionArn,
      principal: 'config.amazonaws.com',
      sourceAccount: Stack.of(this).account,
    });
    const created: Partial<Record<RuleId, CfnConfigRule>> = {};
    for (const rule of rules) {
      const configRule = new CfnConfigRule(this, pascalCase(rule.id), {
        configRuleName: configRuleName(rule.id),
        description: `endpoint-guard: ${rule.title}`.slice(0, 256),
        inputParameters: { ruleId: rule.id },
        maximumExecutionFrequency: frequency,
        scope: { complianceResourceTypes: [rule.resourceType] },
        source: {
          owner: 'CUSTOM_LAMBDA',
          sourceIdentifier: props.function.functionArn,
          sourceDetails: [
            { eventSource: 'aws.config', messageType: 'ConfigurationItemChangeNotification' },
            { eventSource: 'aws.config', messageType: 'OversizedConfigurationItemChangeNotification' },
            {
              eventSource: 'aws.config',
              messageType: 'ScheduledNotification',
              maximumExecutionFrequency: frequency,
            },
          ],
        },
      });
      configRule.addResourceDependency(
        this.permission,
        'AWS Config checks the invoke permission when it creates the rule',
      );
      created[rule.id] = configRule;
    }
    this.rules = created;
  }
}

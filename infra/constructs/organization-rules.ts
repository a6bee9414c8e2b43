/**
 * One AWS Config organization rule per endpoint-guard rule: Config in every member account
 * (current and future) invokes the central `config-rule` function on changes to the rule's
 * resource type, on oversized changes, and periodically. Organization rules are regional: they
 * reach the member accounts in the stack's own region.
 */
import { CfnOrganizationConfigRule } from 'aws-cdk-lib/aws-config';
import { CfnPermission, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { RULES } from '../../shared/rules/index';
import type { Rule, RuleId } from '../../shared/rules/types';
import { InvalidPropsError } from '../errors';
import { configRuleName } from '../names';
import { pascalCase } from './endpoint-guard-functions';

/** How often Config runs the periodic evaluation (Config's enum). */
export type ExecutionFrequency =
  | 'One_Hour'
  | 'Three_Hours'
  | 'Six_Hours'
  | 'Twelve_Hours'
  | 'TwentyFour_Hours';

/** What makes Config invoke the function: changes (and oversized ones, which carry no item), and a schedule. */
export const ORGANIZATION_TRIGGER_TYPES = [
  'ConfigurationItemChangeNotification',
  'OversizedConfigurationItemChangeNotification',
  'ScheduledNotification',
] as const;

/** Config's limit on a rule description. */
const DESCRIPTION_LIMIT = 256;

export interface OrganizationRulesProps {
  /** The central `config-rule` function. */
  readonly function: IFunction;
  /** @default every rule of the registry */
  readonly rules?: readonly Rule[];
  /** @default 'TwentyFour_Hours' */
  readonly maximumExecutionFrequency?: ExecutionFrequency;
  /** Accounts left out (for example a management account the member StackSet cannot reach). @default none */
  readonly excludedAccounts?: readonly string[];
}

/**
 * @example
 * new OrganizationRules(this, 'OrganizationRules', { function: fns.functions['config-rule'] });
 */
export class OrganizationRules extends Construct {
  /** The organization rules, by endpoint-guard rule id. */
  public readonly rules: Readonly<Partial<Record<RuleId, CfnOrganizationConfigRule>>>;
  /** Lets AWS Config invoke the function; every rule depends on it (Config checks it on creation). */
  public readonly permission: CfnPermission;

  constructor(scope: Construct, id: string, props: OrganizationRulesProps) {
    super(scope, id);
    const rules = props.rules ?? RULES;
    const excludedAccounts = props.excludedAccounts ?? [];
    if (rules.length === 0)
      throw new InvalidPropsError(this.node.path, 'rules', 'must list at least one rule');
    for (const account of excludedAccounts) {
      if (!/^\d{12}$/.test(account)) {
        throw new InvalidPropsError(
          this.node.path,
          'excludedAccounts',
          `lists "${account}", not a 12-digit account id`,
        );
      }
    }

    // No SourceAccount / SourceArn here, on purpose: Config in *member* accounts invokes the
    // function, as config.amazonaws.com with the member account as source. SourceAccount cannot
    // list accounts that join later; Lambda rejects a SourceArn with a wildcard account (the
    // account field must be 12 digits); aws:PrincipalOrgID never matches a service principal.
    // An invocation only does something through the member role, which exists, and trusts this
    // function's role, only inside the organization.
    this.permission = new CfnPermission(this, 'ConfigInvokePermission', {
      action: 'lambda:InvokeFunction',
      functionName: props.function.functionArn,
      principal: 'config.amazonaws.com',
    });

    const created: Partial<Record<RuleId, CfnOrganizationConfigRule>> = {};
    for (const rule of rules) {
      const organizationRule = new CfnOrganizationConfigRule(this, pascalCase(rule.id), {
        organizationConfigRuleName: configRuleName(rule.id),
        organizationCustomRuleMetadata: {
          description: `endpoint-guard: ${rule.title}`.slice(0, DESCRIPTION_LIMIT),
          lambdaFunctionArn: props.function.functionArn,
          organizationConfigRuleTriggerTypes: [...ORGANIZATION_TRIGGER_TYPES],
          resourceTypesScope: [rule.resourceType],
          inputParameters: JSON.stringify({ ruleId: rule.id }),
          maximumExecutionFrequency: props.maximumExecutionFrequency ?? 'TwentyFour_Hours',
        },
        ...(excludedAccounts.length > 0 ? { excludedAccounts: [...excludedAccounts] } : {}),
      });
      organizationRule.addResourceDependency(
        this.permission,
        'AWS Config checks the invoke permission when it creates the rule',
      );
      created[rule.id] = organizationRule;
    }
    this.rules = created;
  }
}

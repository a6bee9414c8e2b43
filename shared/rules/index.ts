/**
 * The rule registry: every rule, listed once. Adding a rule is one file in this folder and one
 * line here; infra builds event patterns and IAM policies from this list.
 */
import type { ResourceOf, ResourceType } from '../model';
import { gatewayEndpointRoutes } from './gateway-endpoint-routes';
import { interfaceEndpointMultiAz } from './interface-endpoint-multi-az';
import { s3BucketPublicAccess } from './s3-bucket-public-access';
import type { Rule, RuleId } from './types';

/**
 * Widens a rule to the registry's type. Its `evaluate` checks the resource type at run time, so
 * a caller that hands a rule the wrong resource fails loudly instead of reading missing fields.
 */
function register<T extends ResourceType>(rule: Rule<T>): Rule {
  return {
    ...rule,
    evaluate(resource, context) {
      if (resource.resourceType !== rule.resourceType) {
        throw new TypeError(`rule ${rule.id} evaluates ${rule.resourceType}, not ${resource.resourceType}`);
      }
      return rule.evaluate(resource as ResourceOf<T>, context);
    },
  };
}

export const RULES: readonly Rule[] = [
  register(interfaceEndpointMultiAz),
  register(s3BucketPublicAccess),
  register(gatewayEndpointRoutes),
];

export const RULE_IDS: readonly RuleId[] = RULES.map((rule) => rule.id);

export function isRuleId(value: string): value is RuleId {
  return (RULE_IDS as readonly string[]).includes(value);
}

/** The rule with this id; throws when there is none (ids come from input: name the valid ones). */
export function ruleById(id: string): Rule {
  const rule = RULES.find((candidate) => candidate.id === id);
  if (!rule) throw new Error(`unknown rule "${id}": expected one of ${RULE_IDS.join(', ')}`);
  return rule;
}

/** Every resource type a set of rules evaluates or reads. */
export function resourceTypesOf(rules: readonly Rule[]): ResourceType[] {
  return [...new Set(rules.flatMap((rule) => [rule.resourceType, ...rule.reads]))];
}

export type { Evaluation, RemediationPlan, Rule, RuleId } from './types';

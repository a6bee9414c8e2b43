/**
 * The rule registry: the only list of rules. Adding a rule is its module in this folder and one
 * line in {@link BUILT_IN_RULES}; everything else that names rules (the `RuleId` type, the
 * settings, Finding and store schemas, the CloudTrail map, infra's event patterns and IAM
 * policies, the sweep's advanced query) is derived from this list. See ARCHITECTURE.md,
 * "How to add a rule".
 *
 * `registerRule` adds a rule at run time (an extension, or a test's own rule); every derived
 * schema and table is rebuilt from the registry when it next changes (see {@link derived}).
 */
import { z } from 'zod';
import type { ResourceOf, ResourceType } from '../model';
import { dynamicSchema, RegistryVersion } from '../registry';
import { gatewayEndpointRoutes } from './gateway-endpoint-routes';
import { interfaceEndpointMultiAz } from './interface-endpoint-multi-az';
import { s3BucketPublicAccess } from './s3-bucket-public-access';
import type { Rule } from './types';

/** The rules endpoint-guard ships, in the order they are reported. One line per rule. */
const BUILT_IN_RULES = [interfaceEndpointMultiAz, s3BucketPublicAccess, gatewayEndpointRoutes] as const;

type BuiltInRule = (typeof BUILT_IN_RULES)[number];

/** The id of a rule of the registry. */
export type RuleId = BuiltInRule['id'];

/** The options a rule's settings hold besides `mode`: its options schema's output. */
type OptionsOf<R> = R extends { readonly options: infer S extends z.ZodType } ? z.output<S> : never;

/** Per-rule options from the settings document that change evaluation (only rules that have some). */
export type RuleOptions = {
  readonly [R in BuiltInRule as OptionsOf<R> extends never ? never : R['id']]: OptionsOf<R>;
};

const rules: Rule[] = [];
const ids: RuleId[] = [];
const version = new RegistryVersion();

/** Every registered rule, in registration order (a live view: `registerRule` adds to it). */
export const RULES: readonly Rule[] = rules;

/** Every registered rule's id (a live view). */
export const RULE_IDS: readonly RuleId[] = ids;

/**
 * Adds a rule to the registry. Its `evaluate` is wrapped to check the resource type at run time,
 * so a caller that hands a rule the wrong resource fails loudly instead of reading missing fields.
 * Throws when a rule with that id is already registered.
 *
 * @example
 * registerRule(myRule); // then: scan, settings, Findings, the store and remediate know it
 */
export function registerRule<T extends ResourceType, Id extends string>(
  rule: Rule<T, Id, z.ZodObject | undefined>,
): void {
  if ((ids as readonly string[]).includes(rule.id))
    throw new Error(`rule "${rule.id}" is already registered`);
  const wrapped: Rule = {
    ...(rule as unknown as Rule),
    evaluate(resource, context) {
      if (resource.resourceType !== rule.resourceType) {
        throw new TypeError(`rule ${rule.id} evaluates ${rule.resourceType}, not ${resource.resourceType}`);
      }
      return rule.evaluate(resource as ResourceOf<T>, context);
    },
  };
  rules.push(wrapped);
  ids.push(rule.id as RuleId);
  version.bump();
}

// The built-in modules are typed by their own resource type; the registry holds them widened.
for (const rule of BUILT_IN_RULES) registerRule(rule as unknown as Rule);

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

/**
 * A value built from the rule registry (a schema, a table), rebuilt when a rule is registered
 * after it was built.
 *
 * @example
 * const table = derived(() => new Map(RULES.map((rule) => [rule.id, rule.text.title])));
 */
export function derived<T>(build: () => T): () => T {
  return version.derived(build);
}

/** A rule id of the registry, as zod validates it (`Invalid option: expected one of ...`). */
export const ruleIdSchema: z.ZodType<RuleId> = dynamicSchema(
  derived(() => z.enum(RULE_IDS as readonly [RuleId, ...RuleId[]])),
);

/**
 * The options of every rule that has some, each from its settings entry (`rules.<id>` without
 * `mode`); the defaults when `settingsRules` is absent.
 *
 * @example
 * ruleOptionsFrom(settings.rules);
 */
export function ruleOptionsFrom(settingsRules?: Readonly<Record<string, unknown>>): RuleOptions {
  const options: Record<string, unknown> = {};
  for (const rule of RULES) {
    if (rule.options === undefined) continue;
    options[rule.id] = rule.options.parse(withoutMode(settingsRules?.[rule.id]));
  }
  return options as RuleOptions;
}

function withoutMode(entry: unknown): unknown {
  if (typeof entry !== 'object' || entry === null) return {};
  const { mode: _mode, ...rest } = entry as Record<string, unknown>;
  return rest;
}

/** The options every rule evaluates with when the settings say nothing. */
export const DEFAULT_RULE_OPTIONS: RuleOptions = ruleOptionsFrom();

export type { Evaluation, RemediationPlan, Rule } from './types';

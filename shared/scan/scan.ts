/**
 * The scan: every rule over every resource of its type in an inventory. Pure: the same
 * inventory and options always give the same evaluations, in a stable order.
 */
import { normalizeConfigurationItem } from '../inventory/configuration-item';
import { Inventory } from '../inventory/inventory';
import type { Resource } from '../model';
import { RULES } from '../rules/index';
import {
  type ComplianceStatus,
  DEFAULT_RULE_OPTIONS,
  type Evaluation,
  type RuleId,
  type RuleOptions,
} from '../rules/types';

export interface ScanOptions {
  /** Only these rules (default: all). */
  readonly rules?: readonly RuleId[];
  readonly ruleOptions?: RuleOptions;
}

export interface ScanSummary {
  readonly evaluated: number;
  readonly compliant: number;
  readonly nonCompliant: number;
  readonly notApplicable: number;
  /** NON_COMPLIANT evaluations by severity. */
  readonly bySeverity: Readonly<Record<string, number>>;
  readonly byRule: Readonly<Record<string, Readonly<Record<ComplianceStatus, number>>>>;
}

export interface ScanResult {
  readonly evaluations: readonly Evaluation[];
  readonly summary: ScanSummary;
}

/**
 * Runs the rules over an inventory.
 *
 * @example
 * const { evaluations, summary } = scanInventory(Inventory.from(resources), { rules: ['s3-bucket-public-access'] });
 */
export function scanInventory(inventory: Inventory, options: ScanOptions = {}): ScanResult {
  const context = { inventory, options: options.ruleOptions ?? DEFAULT_RULE_OPTIONS };
  const rules = options.rules ? RULES.filter((rule) => options.rules?.includes(rule.id)) : RULES;
  const produced: Evaluation[] = [];
  for (const rule of rules) {
    for (const resource of inventory.ofType(rule.resourceType)) {
      produced.push(rule.evaluate(resource, context));
    }
  }
  const evaluations = sortEvaluations(produced);
  return {
    evaluations,
    summary: summarize(
      evaluations,
      rules.map((rule) => rule.id),
    ),
  };
}

/** Normalizes raw configuration items (notification or API form) and runs the rules. */
export function scanConfigurationItems(items: readonly unknown[], options: ScanOptions = {}): ScanResult {
  const resources: Resource[] = [];
  items.forEach((item, index) => {
    const resource = normalizeConfigurationItem(item, `[${index}]`);
    if (resource) resources.push(resource);
  });
  return scanInventory(Inventory.from(resources), options);
}

/**
 * `String.prototype.localeCompare` is specified as comparing with a new `Intl.Collator` of the
 * default locale; keeping one collator gives the same order without building it per call, and
 * equal strings (most account / region / rule comparisons) skip the collation altogether.
 */
const collator = new Intl.Collator();

function compareText(a: string, b: string): number {
  return a === b ? 0 : collator.compare(a, b);
}

/**
 * The evaluations in the order of {@link compareEvaluations}, as a stable sort gives them. At
 * organization scale most comparisons would be between equal accounts, regions and rules: group
 * by those first (exact strings, groups ordered by the collator), then sort each small group by
 * resource id. When two different group keys collate as equal (possible in Unicode, never with
 * AWS ids) the grouping would not be a stable sort's order, so the plain sort is used instead.
 */
function sortEvaluations(evaluations: Evaluation[]): Evaluation[] {
  const byAccount = new Map<string, Map<string, Map<string, Evaluation[]>>>();
  for (const evaluation of evaluations) {
    let byRegion = byAccount.get(evaluation.accountId);
    if (byRegion === undefined) {
      byRegion = new Map();
      byAccount.set(evaluation.accountId, byRegion);
    }
    let byRule = byRegion.get(evaluation.region);
    if (byRule === undefined) {
      byRule = new Map();
      byRegion.set(evaluation.region, byRule);
    }
    const group = byRule.get(evaluation.ruleId);
    if (group === undefined) byRule.set(evaluation.ruleId, [evaluation]);
    else group.push(evaluation);
  }
  const sorted: Evaluation[] = [];
  const accounts = sortedKeys(byAccount);
  if (accounts === undefined) return evaluations.sort(compareEvaluations);
  for (const account of accounts) {
    const byRegion = byAccount.get(account) ?? new Map<string, Map<string, Evaluation[]>>();
    const regions = sortedKeys(byRegion);
    if (regions === undefined) return evaluations.sort(compareEvaluations);
    for (const region of regions) {
      const byRule = byRegion.get(region) ?? new Map<string, Evaluation[]>();
      const ruleIds = sortedKeys(byRule);
      if (ruleIds === undefined) return evaluations.sort(compareEvaluations);
      for (const ruleId of ruleIds) {
        const group = byRule.get(ruleId) ?? [];
        if (group.length > 1) group.sort(plainIds(group) ? compareSimpleIds : compareEvaluations);
        for (const evaluation of group) sorted.push(evaluation);
      }
    }
  }
  return sorted;
}

/** The keys in collator order, or `undefined` when two of them differ but collate as equal. */
function sortedKeys(map: ReadonlyMap<string, unknown>): string[] | undefined {
  const keys = [...map.keys()].sort(compareText);
  for (let i = 1; i < keys.length; i++) {
    if (compareText(keys[i - 1] as string, keys[i] as string) === 0) return undefined;
  }
  return keys;
}

/**
 * Ids made of lower-case ASCII letters, digits, `-` and `.` (every EC2 id, every S3 bucket name
 * created since 2018). English collation has no tailoring, and orders these characters
 * `-` < `.` < digits < letters, each by its primary weight alone: exactly their code-point order.
 * Such ids are compared as plain strings, which is many times faster than collating them.
 */
const PLAIN_ID = /^[a-z0-9.-]*$/;
const PLAIN_IDS_COLLATE_AS_CODE_POINTS = (() => {
  const { locale, numeric, ignorePunctuation, caseFirst } = collator.resolvedOptions();
  return /^en(?:-|$)/.test(locale) && !numeric && !ignorePunctuation && (caseFirst ?? 'false') === 'false';
})();

/** In a group of one account, region and rule: whether every resource id is a plain id. */
function plainIds(group: readonly Evaluation[]): boolean {
  return (
    PLAIN_IDS_COLLATE_AS_CODE_POINTS && group.every((evaluation) => PLAIN_ID.test(evaluation.resourceId))
  );
}

function compareSimpleIds(a: Evaluation, b: Evaluation): number {
  return a.resourceId < b.resourceId ? -1 : a.resourceId > b.resourceId ? 1 : 0;
}

function compareEvaluations(a: Evaluation, b: Evaluation): number {
  return (
    compareText(a.accountId, b.accountId) ||
    compareText(a.region, b.region) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.resourceId, b.resourceId)
  );
}

export function summarize(evaluations: readonly Evaluation[], ruleIds: readonly RuleId[]): ScanSummary {
  const byRule: Record<string, Record<ComplianceStatus, number>> = {};
  for (const id of ruleIds) byRule[id] = { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0 };
  const bySeverity: Record<string, number> = {};
  const totals: Record<ComplianceStatus, number> = { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0 };
  for (const evaluation of evaluations) {
    totals[evaluation.status]++;
    const counts = byRule[evaluation.ruleId];
    if (counts) counts[evaluation.status]++;
    if (evaluation.status === 'NON_COMPLIANT') {
      bySeverity[evaluation.severity] = (bySeverity[evaluation.severity] ?? 0) + 1;
    }
  }
  return {
    evaluated: evaluations.length,
    compliant: totals.COMPLIANT,
    nonCompliant: totals.NON_COMPLIANT,
    notApplicable: totals.NOT_APPLICABLE,
    bySeverity,
    byRule,
  };
}

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
  const evaluations: Evaluation[] = [];
  for (const rule of rules) {
    for (const resource of inventory.ofType(rule.resourceType)) {
      evaluations.push(rule.evaluate(resource, context));
    }
  }
  evaluations.sort(compareEvaluations);
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
 * Account, region, rule, then resource id, compared as plain strings (code points): the same
 * order on every machine, whatever its locale, and cheap enough at organization scale.
 */
function compareEvaluations(a: Evaluation, b: Evaluation): number {
  return (
    compareText(a.accountId, b.accountId) ||
    compareText(a.region, b.region) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.resourceId, b.resourceId)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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

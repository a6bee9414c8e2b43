import { isRuleId, RULE_IDS } from '../shared/rules/index';
import type { RuleId } from '../shared/rules/types';
import { UsageError } from './cli-error';

/** The output formats of `scan`. */
export type ScanFormat = 'table' | 'json';

/**
 * `--format`, checked.
 *
 * @example
 * const format = parseFormat(values.format); // 'table' | 'json'
 */
export function parseFormat(value: string | undefined): ScanFormat {
  if (value === 'table' || value === 'json') return value;
  throw new UsageError(`unknown --format "${value}": expected table or json`);
}

/**
 * The repeated `--rule` options, checked and without duplicates; empty when none was given.
 *
 * @example
 * const rules = parseRuleIds(values.rule ?? []);
 */
export function parseRuleIds(ids: readonly string[]): RuleId[] {
  const rules: RuleId[] = [];
  for (const id of ids) {
    if (!isRuleId(id)) throw new UsageError(`unknown --rule "${id}": expected one of ${RULE_IDS.join(', ')}`);
    if (!rules.includes(id)) rules.push(id);
  }
  return rules;
}

/**
 * The public API of endpoint-guard's core: load configuration items, build the inventory,
 * run the rules, render results.
 */
export { ConfigurationItemError, InputError } from './errors';
export { normalizeConfigurationItem } from './inventory/configuration-item';
export { Inventory } from './inventory/inventory';
export {
  type InputFormat,
  type LoadedItems,
  normalizeItems,
  parseConfigurationItems,
} from './inventory/load';
export * from './model';
export { isRuleId, RULE_IDS, RULES, ruleById } from './rules/index';
export * from './rules/types';
export { formatJson, formatTable, type JsonFinding, summaryLine, toJsonFinding } from './scan/format';
export {
  type ScanOptions,
  type ScanResult,
  type ScanSummary,
  scanConfigurationItems,
  scanInventory,
} from './scan/scan';

/**
 * The identity of a plan: its API calls with their parameters, ignoring the bookkeeping
 * (`previous`) and the order of ids in lists. Two plans with the same identity make the same
 * change, so a fix is claimed by (finding, plan identity), and a fresh plan that differs from the
 * finding's means the state changed since the finding.
 */
import { createHash } from 'node:crypto';
import type { PlannedAction } from '../rules/types';

/**
 * The canonical JSON text of one action: service, action and parameters with sorted keys and
 * sorted id lists.
 *
 * @example
 * canonicalAction({ service: 'ec2', action: 'ModifyVpcEndpoint', parameters: { VpcEndpointId: 'vpce-1', AddSubnetIds: ['b', 'a'] } });
 * // '{"action":"ModifyVpcEndpoint","parameters":{"AddSubnetIds":["a","b"],"VpcEndpointId":"vpce-1"},"service":"ec2"}'
 */
export function canonicalAction(action: PlannedAction): string {
  return JSON.stringify(
    canonical({ service: action.service, action: action.action, parameters: action.parameters }),
  );
}

/**
 * The canonical text of a list of actions, order-independent.
 *
 * @example
 * canonicalActions(plan.actions) === canonicalActions([...plan.actions].reverse()); // true
 */
export function canonicalActions(actions: readonly PlannedAction[]): string {
  return `[${actions.map(canonicalAction).sort().join(',')}]`;
}

/**
 * A short hash of the actions (SHA-256, 16 hex characters): the plan part of a fix claim's key.
 *
 * @example
 * const key = `${finding.findingId}#${planHash(plan.actions)}`;
 */
export function planHash(actions: readonly PlannedAction[]): string {
  return createHash('sha256').update(canonicalActions(actions)).digest('hex').slice(0, 16);
}

/**
 * Whether two lists of actions make the same calls with the same parameters.
 *
 * @example
 * if (!sameActions(finding.remediation.actions, fresh.remediation.actions)) skip('state changed');
 */
export function sameActions(a: readonly PlannedAction[], b: readonly PlannedAction[]): boolean {
  return canonicalActions(a) === canonicalActions(b);
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return items.every((item) => typeof item === 'string') ? [...(items as string[])].sort() : items;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

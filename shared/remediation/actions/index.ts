/**
 * The fix-action registry: the only list of the API calls a rule may plan. `PlannedAction`, the
 * planned-action and recorded-change schemas, and the executor's and rollback's dispatch are
 * derived from it. Adding an action is its module in this folder and one line in
 * {@link BUILT_IN_ACTIONS}. See ARCHITECTURE.md, "A fix-action module".
 */
import { z } from 'zod';
import { dynamicSchema, RegistryVersion } from '../../registry';
import { type CreateVpcEndpointAction, createVpcEndpoint, type EndpointCreated } from './create-vpc-endpoint';
import {
  type ModifyVpcEndpointAction,
  modifyVpcEndpoint,
  type RouteTablesAdded,
  type SubnetsAdded,
} from './modify-vpc-endpoint';
import {
  type PublicAccessBlockSet,
  type PutPublicAccessBlockAction,
  putPublicAccessBlock,
} from './put-public-access-block';
import type { ActionModule, ChangeModule, LiveProbe, PlannedActionShape } from './types';

/** The actions endpoint-guard ships. One line per action. */
const BUILT_IN_ACTIONS = [modifyVpcEndpoint, createVpcEndpoint, putPublicAccessBlock] as const;

/** One API call of a remediation plan, with the exact SDK parameters it sends. */
export type PlannedAction = ModifyVpcEndpointAction | CreateVpcEndpointAction | PutPublicAccessBlockAction;

/**
 * One change a fix made, precisely enough to take it back. Only additions and Block Public
 * Access: an automatic fix never removes or widens anything, so each change has one reverse.
 */
export type AppliedChange = SubnetsAdded | RouteTablesAdded | EndpointCreated | PublicAccessBlockSet;

const actions: ActionModule[] = [];
const version = new RegistryVersion();

const changeModules = version.derived(
  () => new Map(actions.flatMap((action) => action.changes).map((change) => [change.kind, change])),
);

/** Every registered action (a live view). */
export const ACTIONS: readonly ActionModule[] = actions;

/**
 * Adds a fix action. Throws when an action of that name, or a change of one of its kinds, is
 * already registered.
 *
 * @example
 * registerAction(myAction); // rules may plan it; remediate applies it; rollback reverses it
 */
export function registerAction<A extends PlannedActionShape>(action: ActionModule<A>): void {
  if (actions.some((known) => known.action === action.action)) {
    throw new Error(`action "${action.action}" is already registered`);
  }
  for (const change of action.changes) {
    if (changeModules().has(change.kind))
      throw new Error(`change kind "${change.kind}" is already registered`);
  }
  actions.push(action as unknown as ActionModule);
  version.bump();
}

// The built-in modules are typed by their own action; the registry holds them widened.
for (const action of BUILT_IN_ACTIONS) registerAction(action as unknown as ActionModule);

/** The module of a planned action; throws when none is registered under that name. */
export function actionModule(action: Pick<PlannedActionShape, 'action'>): ActionModule {
  const found = actions.find((candidate) => candidate.action === action.action);
  if (!found) throw new Error(`unknown fix action "${action.action}"`);
  return found;
}

/** The module of a recorded change; throws when none is registered for its kind. */
export function changeModule(change: { readonly kind: string }): ChangeModule {
  const found = changeModules().get(change.kind);
  if (!found) throw new Error(`unknown change kind "${change.kind}"`);
  return found;
}

/** Every live probe the registered changes use, once each, in registration order. */
export const liveProbes = version.derived((): readonly LiveProbe[] => [
  ...new Set(actions.flatMap((action) => action.changes.map((change) => change.probe))),
]);

/** A planned action of any registered action module (validated at every edge). */
export const plannedActionSchema: z.ZodType<PlannedAction> = dynamicSchema(
  version.derived(
    () =>
      z.discriminatedUnion(
        'action',
        actions.map((action) => action.schema) as unknown as [z.ZodObject, ...z.ZodObject[]],
      ) as unknown as z.ZodType<PlannedAction>,
  ),
);

/** Validates changes read back from the store: rollback acts on them, so they are checked. */
export const appliedChangeSchema: z.ZodType<AppliedChange> = dynamicSchema(
  version.derived(
    () =>
      z.discriminatedUnion(
        'kind',
        actions.flatMap((action) => action.changes.map((change) => change.schema)) as unknown as [
          z.ZodObject,
          ...z.ZodObject[],
        ],
      ) as unknown as z.ZodType<AppliedChange>,
  ),
);

/**
 * One line for people: what a change did.
 *
 * @example
 * describeChange({ kind: 'subnets-added', vpcEndpointId: 'vpce-1', subnetIds: ['subnet-b'] });
 * // 'added subnet-b to vpce-1'
 */
export function describeChange(change: { readonly kind: string }): string {
  return changeModule(change).describe(change);
}

export type {
  ActionClients,
  ActionModule,
  ApplyContext,
  ApplyResult,
  ChangeModule,
  ChangeShape,
  LiveProbe,
  PlannedActionShape,
  RollbackCall,
} from './types';

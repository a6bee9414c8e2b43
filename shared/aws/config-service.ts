/**
 * AWS Config: reading configuration items (for oversized notifications and scheduled sweeps) and
 * reporting a custom rule's verdicts with PutEvaluations.
 *
 * Items are returned in API form as plain objects, with the SDK's `Date` fields turned back into
 * ISO strings, so `normalizeConfigurationItem` reads them like any other input.
 */
import {
  BatchGetResourceConfigCommand,
  type ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
  type ResourceKey,
  type ResourceType as SdkResourceType,
} from '@aws-sdk/client-config-service';
import type { ResourceType } from '../model';
import { clampReason } from '../rules/evaluation';
import type { Evaluation } from '../rules/types';
import { chunks } from './ec2-reader';
import {
  type FailedEvaluation,
  isAwsError,
  PutEvaluationsError,
  UnprocessedResourceKeysError,
} from './errors';

/** PutEvaluations takes at most this many evaluations per call. */
export const MAX_EVALUATIONS_PER_CALL = 100;
/** BatchGetResourceConfig takes at most this many keys per call. */
export const MAX_KEYS_PER_BATCH = 100;

export interface ResourceKeyInput {
  readonly resourceType: ResourceType | (string & {});
  readonly resourceId: string;
}

export interface ConfigServiceAdapterOptions {
  /** How many times unprocessed BatchGet keys are asked again. @default 3 */
  readonly unprocessedRetries?: number;
  /** Waits between those retries (the service left them unprocessed under load). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A configuration item in API form, timestamps as ISO strings. */
export type RawConfigurationItem = Record<string, unknown>;

/**
 * @example
 * const config = new ConfigServiceAdapter(clients.config);
 * const raw = await config.getLatestConfigurationItem('AWS::EC2::VPCEndpoint', 'vpce-0e000001');
 * const resource = raw && normalizeConfigurationItem(raw, 'GetResourceConfigHistory');
 */
export class ConfigServiceAdapter {
  private readonly retries: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: ConfigServiceClient,
    options: ConfigServiceAdapterOptions = {},
  ) {
    this.retries = options.unprocessedRetries ?? 3;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * The latest configuration item of one resource (GetResourceConfigHistory, limit 1), or
   * `undefined` when Config never recorded it (ResourceNotDiscoveredException) or has no item.
   */
  async getLatestConfigurationItem(
    resourceType: ResourceType | (string & {}),
    resourceId: string,
  ): Promise<RawConfigurationItem | undefined> {
    try {
      const response = await this.client.send(
        new GetResourceConfigHistoryCommand({
          resourceType: resourceType as SdkResourceType,
          resourceId,
          limit: 1,
        }),
      );
      const [item] = response.configurationItems ?? [];
      return item === undefined ? undefined : withIsoDates(item);
    } catch (error) {
      if (isAwsError(error, 'ResourceNotDiscoveredException')) return undefined;
      throw error;
    }
  }

  /**
   * The current items of many resources (BatchGetResourceConfig, 100 keys per call). Keys the
   * service leaves unprocessed are asked again up to `unprocessedRetries` times; if some are still
   * left, throws {@link UnprocessedResourceKeysError} carrying the items obtained. Deleted
   * resources are not returned, and items carry no tags (a limit of the API).
   */
  async batchGet(keys: readonly ResourceKeyInput[]): Promise<RawConfigurationItem[]> {
    const items: RawConfigurationItem[] = [];
    let pending: ResourceKey[] = keys.map((key) => ({
      resourceType: key.resourceType as SdkResourceType,
      resourceId: key.resourceId,
    }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > this.retries) {
        throw new UnprocessedResourceKeysError(
          pending.map((key) => ({
            resourceType: String(key.resourceType),
            resourceId: String(key.resourceId),
          })),
          items,
        );
      }
      if (attempt > 0) await this.sleep(100 * 2 ** (attempt - 1));
      const next: ResourceKey[] = [];
      for (const chunk of chunks(pending, MAX_KEYS_PER_BATCH)) {
        const response = await this.client.send(new BatchGetResourceConfigCommand({ resourceKeys: chunk }));
        for (const item of response.baseConfigurationItems ?? []) items.push(withIsoDates(item));
        next.push(...(response.unprocessedResourceKeys ?? []));
      }
      pending = next;
    }
    return items;
  }

  /**
   * Reports evaluations to the rule that invoked the function, in calls of at most 100. Each
   * carries the resource, the status as ComplianceType, the reason as Annotation (at most 256
   * characters) and `orderingTimestamp` (Config keeps the latest per resource). Throws
   * {@link PutEvaluationsError} listing every evaluation Config refused, after sending all calls.
   */
  async putEvaluations(
    resultToken: string,
    evaluations: readonly Evaluation[],
    orderingTimestamp: Date,
    options: { readonly testMode?: boolean } = {},
  ): Promise<void> {
    const failed: FailedEvaluation[] = [];
    for (const chunk of chunks(evaluations, MAX_EVALUATIONS_PER_CALL)) {
      const annotated = chunk.map((evaluation) => {
        const annotation = clampReason(evaluation.reason);
        return {
          ComplianceResourceType: evaluation.resourceType,
          ComplianceResourceId: evaluation.resourceId,
          ComplianceType: evaluation.status,
          // Config rejects an empty annotation; no reason means none is sent.
          ...(annotation === '' ? {} : { Annotation: annotation }),
          OrderingTimestamp: orderingTimestamp,
        };
      });
      const response = await this.client.send(
        new PutEvaluationsCommand({
          ResultToken: resultToken,
          Evaluations: annotated,
          ...(options.testMode === undefined ? {} : { TestMode: options.testMode }),
        }),
      );
      for (const rejected of response.FailedEvaluations ?? []) {
        failed.push({
          resourceType: rejected.ComplianceResourceType ?? '',
          resourceId: rejected.ComplianceResourceId ?? '',
          complianceType: rejected.ComplianceType ?? '',
        });
      }
    }
    if (failed.length > 0) throw new PutEvaluationsError(failed);
  }
}

/** A copy of an SDK item as a plain object with every `Date` (at any depth) as an ISO string. */
function withIsoDates(value: object): RawConfigurationItem {
  return JSON.parse(JSON.stringify(value)) as RawConfigurationItem;
}

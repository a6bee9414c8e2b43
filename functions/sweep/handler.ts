/**
 * The organization sweep, invoked on a schedule (EventBridge Scheduler): reads the AWS Config
 * aggregator shard by shard, publishes a Finding wherever the status differs from the store's,
 * and resumes on the next invocation when one is not enough (see shared/sweep/sweeper.ts).
 *
 * The input is the schedule's payload, `{"minIntervalMinutes": 60, "force": false}` (both
 * optional). An invalid one is logged and dropped: retrying it could only fail again. AWS errors
 * are rethrown, so Lambda retries the asynchronous invocation, which resumes from the checkpoint.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { FindingPublisher } from '../../shared/aws/finding-publisher';
import type { RuleOptions } from '../../shared/rules/types';
import { SettingsProvider } from '../../shared/settings/provider';
import { ruleOptionsOf } from '../../shared/settings/schema';
import { AggregatorReader } from '../../shared/sweep/aggregator';
import { SweepCheckpointStore } from '../../shared/sweep/checkpoint';
import { InvalidSweepInputError } from '../../shared/sweep/errors';
import { parseSweepInput, type SweepInput } from '../../shared/sweep/input';
import { PreviousStatusReader } from '../../shared/sweep/previous-status';
import { type ServiceZoneLookup, Sweeper, type SweepOutcome } from '../../shared/sweep/sweeper';
import { createLogger } from '../common/logger';
import { readSweepEnvironment, type SweepEnvironment } from './environment';

export interface SweepHandlerDeps {
  readonly logger: Logger;
  /** The sweeper, asked for on each invocation (built once, on first use, from the environment). */
  readonly sweeper: (context: Context | undefined) => Pick<Sweeper, 'run'>;
}

/** What an invocation returns (the schedule ignores it; logs and tests read it). */
export interface SweepHandlerResult {
  readonly outcome: SweepOutcome | 'invalid';
  readonly reason?: string;
  readonly runId?: string;
  readonly shardsSwept: number;
  readonly shardsLeft: number;
  readonly published: number;
}

/**
 * Builds the handler around its dependencies; `handler` below is this with the real ones.
 *
 * @example
 * const handler = createHandler({ logger, sweeper: () => new Sweeper({ ... }) });
 * await handler({ minIntervalMinutes: 0 }, context);
 */
export function createHandler(deps: SweepHandlerDeps) {
  const { logger } = deps;

  async function handle(event: unknown, context: Context): Promise<SweepHandlerResult> {
    let input: SweepInput;
    try {
      input = parseSweepInput(event);
    } catch (error) {
      if (!(error instanceof InvalidSweepInputError)) throw error;
      logger.error('invalid sweep input: dropped', { reason: error.message });
      return { outcome: 'invalid', reason: error.message, shardsSwept: 0, shardsLeft: 0, published: 0 };
    }
    const result = await deps.sweeper(context).run({
      owner: context.awsRequestId,
      remainingMs: () => context.getRemainingTimeInMillis(),
      minIntervalMs: input.minIntervalMinutes * 60_000,
      force: input.force,
    });
    logger.info('sweep invocation ended', { ...result });
    return {
      outcome: result.outcome,
      ...(result.runId ? { runId: result.runId } : {}),
      shardsSwept: result.shardsSwept,
      shardsLeft: result.shardsLeft,
      published: result.totals.published,
    };
  }

  return middy<unknown, SweepHandlerResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(handle);
}

/**
 * The AZs of endpoint services as a member account sees them. The member-account path (STS,
 * EC2) is loaded on first use only: most sweeps never need it, and every invocation would pay
 * for loading those clients.
 *
 * @example
 * const lookup = lazyServiceZoneLookup(() => ({ memberRoleName: 'EndpointGuardMember', ownAccountId }));
 */
export function lazyServiceZoneLookup(
  settings: () => { readonly memberRoleName: string; readonly ownAccountId: string | undefined },
): ServiceZoneLookup {
  let factory: Promise<
    (accountId: string, region: string, names: readonly string[]) => Promise<Map<string, readonly string[]>>
  >;
  return async (accountId, region, serviceNames) => {
    factory ??= (async () => {
      const [{ AwsClientFactory }, { Ec2Reader }] = await Promise.all([
        import('../../shared/aws/clients'),
        import('../../shared/aws/ec2-reader'),
      ]);
      const { memberRoleName, ownAccountId } = settings();
      const clients = new AwsClientFactory({
        memberRoleName,
        ...(ownAccountId === undefined ? {} : { ownAccountId }),
        roleSessionName: 'endpoint-guard-sweep',
      });
      return async (account, where, names) => {
        const { ec2 } = await clients.forAccount(account, where);
        return new Ec2Reader(ec2, { accountId: account, region: where }).serviceAvailabilityZones(names);
      };
    })();
    return (await factory)(accountId, region, serviceNames);
  };
}

/**
 * The function's own account, from its ARN (`arn:aws:lambda:us-east-1:111122223333:function:x`),
 * as functions/common/adapters.ts `ownAccountOf` reads it: that module builds the detectors'
 * clients, and importing it would load them all at cold start.
 */
function ownAccountOf(context: Pick<Context, 'invokedFunctionArn'> | undefined): string | undefined {
  const account = context?.invokedFunctionArn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/**
 * The retry settings of every endpoint-guard client (shared/aws/clients.ts `RETRY_CONFIG`:
 * adaptive, 5 attempts), spelled out here rather than imported: importing anything from that
 * module loads the EC2, S3, S3 Control and STS clients at cold start, which only the rare
 * member-account path of the sweep needs (they are loaded lazily, below).
 */
const CLIENT_RETRY = { retryMode: 'adaptive', maxAttempts: 5 } as const;

/**
 * The rule options from the settings document (validated, cached briefly, the last valid one
 * kept), read in the home region on first use.
 */
function settingsRuleOptions(env: SweepEnvironment, logger: Logger): () => Promise<RuleOptions> {
  let provider: SettingsProvider | undefined;
  return async () => {
    provider ??= new SettingsProvider({
      ssm: new SSMClient({ ...CLIENT_RETRY, ...(env.homeRegion ? { region: env.homeRegion } : {}) }),
      parameterName: env.settingsParameter,
      onInvalid: (error) =>
        logger.error('invalid settings document: the last valid settings stay in force', {
          problems: error.problems,
        }),
    });
    return ruleOptionsOf(await provider.get());
  };
}

/**
 * The real sweeper, from the environment and the default SDK configuration chain, built once on
 * the first invocation.
 *
 * @example
 * const sweeper = lazySweeper(() => readSweepEnvironment(process.env), logger);
 */
export function lazySweeper(
  environment: () => SweepEnvironment,
  logger: Logger,
): (context: Context | undefined) => Pick<Sweeper, 'run'> {
  let built: Sweeper | undefined;
  return (context) => {
    if (built === undefined) {
      const env = environment();
      // The aggregator, table, bus and settings live in the home region.
      const central = { ...CLIENT_RETRY, ...(env.homeRegion ? { region: env.homeRegion } : {}) };
      const documents = DynamoDBDocumentClient.from(new DynamoDBClient(central));
      const ownAccountId = ownAccountOf(context);
      built = new Sweeper({
        aggregator: new AggregatorReader(new ConfigServiceClient(central), {
          aggregatorName: env.aggregatorName,
        }),
        previous: new PreviousStatusReader({ client: documents, tableName: env.tableName }),
        checkpoints: new SweepCheckpointStore({
          client: documents,
          tableName: env.tableName,
          aggregatorName: env.aggregatorName,
        }),
        publisher: new FindingPublisher({
          eventBridge: new EventBridgeClient(central),
          eventBusName: env.eventBusName,
        }),
        serviceZones: lazyServiceZoneLookup(() => ({ memberRoleName: env.memberRoleName, ownAccountId })),
        ruleOptions: settingsRuleOptions(env, logger),
        logger,
      });
    }
    return built;
  };
}

// ─── Wiring ─────────────────────────────────────────────────────────────────────────────
// The environment is read, and clients are built, on the first invocation, never at import.

const logger = createLogger('sweep');
let environment: SweepEnvironment | undefined;

/**
 * The Lambda entry point (`functions/sweep/handler.handler`), configured by `AGGREGATOR_NAME`,
 * `TABLE_NAME`, `EVENT_BUS_NAME`, `MEMBER_ROLE_NAME` and `SETTINGS_PARAMETER`.
 *
 * @example
 * // CDK: new NodejsFunction(this, 'Sweep', { entry: 'functions/sweep/handler.ts', handler: 'handler' });
 */
export const handler = createHandler({
  logger,
  sweeper: lazySweeper(() => {
    environment ??= readSweepEnvironment(process.env);
    return environment;
  }, logger),
});

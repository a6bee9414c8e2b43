/**
 * remediate: consumes `Finding` events from its SQS queue (EventBridge → SQS, so each message
 * body is the EventBridge event with the Finding as `detail`), and hands each one to the
 * {@link FindingProcessor}: record, decide, act (fix / ticket / notify / nothing), audit, and
 * emit a `Remediation` event. Tickets go to the sink the settings name (`tickets.sink`: OpsCenter
 * by default, Jira, ServiceNow, a webhook, or none) through `TicketLifecycle`, with credentials
 * from Secrets Manager; notifications go to `TOPIC_ARN` (or the log without one).
 *
 * - Records are processed with Powertools Batch; a record whose work fails (an AWS or store
 *   error that may pass) is reported in `batchItemFailures`, so SQS redelivers only it, and the
 *   queue's DLQ catches it after the redrive limit.
 * - A malformed record is logged with the reason and dropped (reported as processed): it could
 *   only fail again.
 * - Powertools Idempotency (the same table, `pk`/`sk`) keys each finding on (findingId,
 *   observedAt): a redelivered message returns the first result without acting again. The fix
 *   claim in the store covers what idempotency cannot: the same finding observed at different
 *   times by several detectors at once.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { AwsClientFactory, RETRY_CONFIG } from '../../shared/aws/clients';
import {
  FINDING_DETAIL_TYPE,
  FINDING_SOURCE,
  type Finding,
  InvalidFindingError,
  parseFinding,
} from '../../shared/findings/finding';
import { LogNotifier, SnsNotifier } from '../../shared/notifications/sns-notifier';
import { EventBridgeRemediationSink } from '../../shared/remediation/event-publisher';
import { FindingProcessor, type ProcessResult } from '../../shared/remediation/processor';
import { SecretsManagerSecretProvider } from '../../shared/secrets/secret-provider';
import { SecurityHubSink } from '../../shared/securityhub/sink';
import { SettingsProvider } from '../../shared/settings/provider';
import { FindingStore } from '../../shared/store/finding-store';
import { TicketLifecycle } from '../../shared/tickets/lifecycle';
import { TicketSinkFactory } from '../../shared/tickets/sink-factory';
import { ownAccountOf } from '../common/adapters';
import { createLogger } from '../common/logger';
import { powertoolsMetrics } from '../common/metrics';
import { type RemediateEnvironment, readRemediateEnvironment } from './environment';

/** What remediate calls: the processor, and the idempotency persistence when there is one. */
export interface RemediateAdapters {
  readonly processor: Pick<FindingProcessor, 'process'>;
  /** Powertools Idempotency persistence; without it every delivery is processed. */
  readonly persistenceStore?: BasePersistenceLayer;
}

export interface RemediateHandlerDeps {
  readonly logger: Logger;
  /** The adapters, asked for on each invocation (built once, on first use, from the environment). */
  readonly adapters: (context: Context | undefined) => RemediateAdapters;
}

/** What happened to one record. */
export type RecordResult = ProcessResult | { readonly outcome: 'dropped'; readonly why: string };

/** Idempotency records live as long as SQS may redeliver a message and a detector repeat itself. */
export const IDEMPOTENCY_SECONDS = 3600;

/**
 * The EventBridge envelope of an SQS message, checked and unwrapped: the Finding, or why the
 * message is not one.
 *
 * @example
 * const parsed = parseFindingRecord(record);
 * if ('invalid' in parsed) logger.error('dropped', { why: parsed.invalid });
 */
export function parseFindingRecord(
  record: Pick<SQSRecord, 'body'>,
): { finding: Finding } | { invalid: string } {
  let event: unknown;
  try {
    event = JSON.parse(record.body);
  } catch (error) {
    return { invalid: `body is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return { invalid: 'body is not an EventBridge event object' };
  }
  const envelope = event as Record<string, unknown>;
  if (envelope.source !== FINDING_SOURCE || envelope['detail-type'] !== FINDING_DETAIL_TYPE) {
    return {
      invalid: `not a Finding event: source ${JSON.stringify(envelope.source)}, detail-type ${JSON.stringify(envelope['detail-type'])} (expected "${FINDING_SOURCE}", "${FINDING_DETAIL_TYPE}")`,
    };
  }
  try {
    return { finding: parseFinding(envelope.detail) };
  } catch (error) {
    if (error instanceof InvalidFindingError) return { invalid: error.message };
    throw error;
  }
}

/**
 * Builds the handler around its dependencies; `handler` below is this with the real ones.
 *
 * @example
 * const handler = createHandler({ logger, adapters: () => ({ processor, persistenceStore }) });
 * const { batchItemFailures } = await handler(sqsEvent, context);
 */
export function createHandler(deps: RemediateHandlerDeps) {
  const { logger } = deps;
  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: '[findingId, observedAt]',
    expiresAfterSeconds: IDEMPOTENCY_SECONDS,
    throwOnNoIdempotencyKey: true,
  });
  let processOnce: ((finding: Finding) => Promise<ProcessResult>) | undefined;
  const processorFor = (context: Context): ((finding: Finding) => Promise<ProcessResult>) => {
    if (processOnce === undefined) {
      const { processor, persistenceStore } = deps.adapters(context);
      const process = (finding: Finding): Promise<ProcessResult> => processor.process(finding);
      processOnce = persistenceStore
        ? makeIdempotent(process, { persistenceStore, config: idempotencyConfig, keyPrefix: 'remediate' })
        : process;
    }
    return processOnce;
  };

  async function handle(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    // The in-progress lock of an idempotency record expires with this invocation's time left.
    idempotencyConfig.registerLambdaContext(context);
    const processFinding = processorFor(context);
    const batch = new BatchProcessor(EventType.SQS);

    async function handleRecord(record: SQSRecord): Promise<RecordResult> {
      const parsed = parseFindingRecord(record);
      if ('invalid' in parsed) {
        logger.error('invalid Finding message: dropped', {
          messageId: record.messageId,
          why: parsed.invalid,
        });
        return { outcome: 'dropped', why: parsed.invalid };
      }
      const { finding } = parsed;
      const keys = {
        messageId: record.messageId,
        findingId: finding.findingId,
        ruleId: finding.ruleId,
        resourceId: finding.resourceId,
        accountId: finding.accountId,
      };
      try {
        const result = await processFinding(finding);
        logger.info('finding processed', {
          ...keys,
          outcome: result.outcome,
          why: result.why,
          auditId: result.auditId,
        });
        return result;
      } catch (error) {
        logger.error('finding not processed: SQS will redeliver it', {
          ...keys,
          error: error instanceof Error ? error : String(error),
        });
        throw error;
      }
    }

    return processPartialResponse(event, handleRecord, batch, { context });
  }

  return middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(handle);
}

/**
 * The real adapters, from the environment and the default SDK configuration chain, built once on
 * the first invocation.
 *
 * @example
 * const adapters = lazyRemediateAdapters(() => readRemediateEnvironment(process.env), logger);
 */
export function lazyRemediateAdapters(
  environment: () => RemediateEnvironment,
  logger: Logger,
): (context: Context | undefined) => RemediateAdapters {
  let built: RemediateAdapters | undefined;
  return (context) => {
    if (built === undefined) {
      const env = environment();
      const dynamodb = new DynamoDBClient({ ...RETRY_CONFIG });
      const store = new FindingStore({
        client: DynamoDBDocumentClient.from(dynamodb),
        tableName: env.tableName,
      });
      const ownAccountId = ownAccountOf(context);
      const notifier: SnsNotifier | LogNotifier = env.topicArn
        ? new SnsNotifier({ sns: new SNSClient({ ...RETRY_CONFIG }), topicArn: env.topicArn })
        : new LogNotifier((message, attributes) => logger.warn(message, attributes));
      const ssm = new SSMClient({ ...RETRY_CONFIG });
      const settings = new SettingsProvider({
        ssm,
        parameterName: env.settingsParameter,
        onInvalid: async (error) => {
          logger.error('invalid settings document: the last valid settings stay in force', { error });
          await notifier.settingsInvalid(error, ownAccountId);
        },
        onReadError: (error) =>
          logger.warn('settings not readable: the last valid settings stay in force', { error }),
        // Ticket secrets are read only in this account and Region: a document naming others is invalid.
        context: { accountId: ownAccountId, region: context?.invokedFunctionArn?.split(':')[3] || undefined },
      });
      const clients = new AwsClientFactory({
        memberRoleName: env.memberRoleName,
        ...(ownAccountId === undefined ? {} : { ownAccountId }),
        roleSessionName: 'endpoint-guard-remediate',
      });
      // Tickets: the sink the settings name, its credentials from Secrets Manager (cached 5 min).
      const tickets = new TicketLifecycle({
        store,
        sinks: new TicketSinkFactory({
          ssm,
          secrets: new SecretsManagerSecretProvider({
            client: new SecretsManagerClient({ ...RETRY_CONFIG }),
          }),
          logger,
        }),
        logger,
      });
      built = {
        processor: new FindingProcessor({
          store,
          settings,
          clientsFor: (accountId, region) => clients.forAccount(accountId, region),
          notifier,
          tickets,
          // Security Hub (when the settings turn it on): the central account's hub in the home Region.
          ...(ownAccountId !== undefined && env.region !== undefined
            ? {
                securityHub: new SecurityHubSink({
                  client: new SecurityHubClient({ ...RETRY_CONFIG, region: env.region }),
                  store,
                  hubAccountId: ownAccountId,
                  hubRegion: env.region,
                  logger,
                }),
              }
            : {}),
          events: new EventBridgeRemediationSink({
            eventBridge: new EventBridgeClient({ ...RETRY_CONFIG }),
            eventBusName: env.eventBusName,
          }),
          metrics: powertoolsMetrics(),
          logger,
        }),
        persistenceStore: new DynamoDBPersistenceLayer({
          tableName: env.tableName,
          keyAttr: 'pk',
          sortKeyAttr: 'sk',
          // The table's TTL attribute, so DynamoDB removes expired idempotency records too.
          expiryAttr: 'expiresAt',
          awsSdkV3Client: dynamodb,
        }),
      };
    }
    return built;
  };
}

// ─── Wiring ─────────────────────────────────────────────────────────────────────────────
// The environment is read, and clients are built, on the first invocation, never at import.

const logger = createLogger('remediate');
let environment: RemediateEnvironment | undefined;

export const handler = createHandler({
  logger,
  adapters: lazyRemediateAdapters(() => {
    environment ??= readRemediateEnvironment(process.env);
    return environment;
  }, logger),
});

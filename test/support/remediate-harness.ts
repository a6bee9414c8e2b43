/**
 * The remediate Lambda wired for fault and duplicate tests: the real handler, processor, store
 * (dynalite), idempotency layer, settings provider, notifier and event sink, with every AWS client
 * answered by fakes behind the SDK middleware stack ({@link FakeAwsService}, {@link serveFake}),
 * optionally behind a {@link FaultInjector}; plus a small SQS simulation (batches, redelivery of
 * batch item failures, a DLQ after `maxReceiveCount` receives).
 *
 * @example
 * const harness = await buildRemediateHarness({ db, settings: AUTO_FIX, aws, faults });
 * const run = await deliverThroughSqs(harness, messages, { maxReceiveCount: 5 });
 * run.dlq; // messages that never succeeded, each with its last reason
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { createHandler } from '../../functions/remediate/handler';
import { evaluateLive, LiveInventoryReader } from '../../shared/aws/live-inventory';
import { type Finding, toFinding } from '../../shared/findings/finding';
import { EventBridgeRemediationSink } from '../../shared/remediation/event-publisher';
import { liveScopeOf } from '../../shared/remediation/live-reevaluate';
import { SnsNotifier } from '../../shared/remediation/notifiers';
import type { RemediationEvent } from '../../shared/remediation/ports';
import { FindingProcessor } from '../../shared/remediation/processor';
import type { RuleId, RuleOptions } from '../../shared/rules/types';
import { SettingsProvider } from '../../shared/settings/provider';
import { FindingStore } from '../../shared/store/finding-store';
import { TicketLifecycle } from '../../shared/tickets/lifecycle';
import type { TicketHandle, TicketSink } from '../../shared/tickets/ports';
import type { Dynalite } from './dynalite';
import { FAKE_REGION, type FakeAwsService } from './fake-aws-service';
import { type FaultInjector, fastRetries, serveFake } from './faults';
import { CapturingLogger, LogSink, PLANTED_CREDENTIALS } from './log-capture';

export const TOPIC_ARN = `arn:aws:sns:${FAKE_REGION}:111122223333:endpoint-guard`;
export const BUS = 'endpoint-guard';

export interface RemediateHarness {
  /** The handler of the first container. */
  readonly handler: ReturnType<typeof createHandler>;
  /** A new Lambda container: fresh SDK clients (fresh retry quota), same fakes, table and logs. */
  newContainer(): ReturnType<typeof createHandler>;
  /** The store, read through the fault-free client of the test engine. */
  readonly store: FindingStore;
  readonly tableName: string;
  readonly sink: LogSink;
  /** Remediation events the fake EventBridge accepted. */
  readonly events: RemediationEvent[];
  /** The ticket system: every ticket opened, with its finding and status. */
  readonly tickets: InMemoryTicketSink;
  /** Notifications the fake SNS accepted (subject + message). */
  readonly notifications: { subject: string; message: string }[];
  /** The settings document the fake SSM serves (a string, so tests can serve invalid JSON). */
  settingsText: string | undefined;
  /** Makes the next GetParameter calls fail with this error (AccessDenied, throttling...). */
  settingsError: Error | undefined;
  /** The Lambda context (its remaining time bounds idempotency's in-progress lock). */
  readonly context: Context;
  /** Every item of the table (store and idempotency records). */
  scanTable(): Promise<Record<string, unknown>[]>;
}

/**
 * Builds the real remediate handler over fakes.
 *
 * @example
 * const harness = await buildRemediateHarness({ db, aws, settings: { version: 1 } });
 */
export async function buildRemediateHarness(options: {
  readonly db: Dynalite;
  readonly aws: FakeAwsService;
  readonly settings: unknown;
  /** Faults on EC2, S3, S3 Control, SSM, SNS and EventBridge. */
  readonly awsFaults?: FaultInjector;
  /** Faults on DynamoDB (the store and the idempotency records). */
  readonly dbFaults?: FaultInjector;
  readonly sink?: LogSink;
  /** @default 5, as the Lambdas' RETRY_CONFIG */
  readonly maxAttempts?: number;
  /** Remaining time the context reports, in ms. @default 60_000 */
  readonly remainingTimeMs?: number;
  /** Settings cache in seconds. @default 60 */
  readonly settingsMaxAgeSeconds?: number;
}): Promise<RemediateHarness> {
  const { db, aws, awsFaults, dbFaults } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const sink = options.sink ?? new LogSink();
  const tickets = new InMemoryTicketSink();
  const tableName = await db.createTable();
  const common = {
    region: FAKE_REGION,
    credentials: PLANTED_CREDENTIALS,
    retryStrategy: fastRetries(maxAttempts),
  };

  const events: RemediationEvent[] = [];
  const notifications: { subject: string; message: string }[] = [];
  const logger = new CapturingLogger(sink, { serviceName: 'endpoint-guard-remediate', logLevel: 'INFO' });
  const fixedStore = new FindingStore({ client: db.documentClient, tableName });

  /** One Lambda container: its own SDK clients (and so its own retry quota), the shared fakes and table. */
  const container = (): RemediateHarness['handler'] => {
    const dynamodb = new DynamoDBClient({ ...common, endpoint: db.endpoint });
    dbFaults?.attach(dynamodb, 'dynamodb');
    const store = new FindingStore({ client: DynamoDBDocumentClient.from(dynamodb), tableName });
    const ssm = new SSMClient(common);
    awsFaults?.attach(ssm, 'ssm');
    serveFake(ssm, 'ssm', {
      GetParameter: (input: { Name: string }) => {
        if (harness.settingsError) throw harness.settingsError;
        if (harness.settingsText === undefined) {
          throw Object.assign(new Error(`Parameter ${input.Name} not found.`), {
            name: 'ParameterNotFound',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        }
        return { Parameter: { Name: input.Name, Value: harness.settingsText, Version: 1, Type: 'String' } };
      },
    });
    const sns = new SNSClient(common);
    awsFaults?.attach(sns, 'sns');
    serveFake(sns, 'sns', {
      Publish: (input: { Subject?: string; Message: string }) => {
        notifications.push({ subject: input.Subject ?? '', message: input.Message });
        return { MessageId: `sns-${notifications.length}` };
      },
    });
    const eventBridge = new EventBridgeClient(common);
    awsFaults?.attach(eventBridge, 'events');
    serveFake(eventBridge, 'events', {
      PutEvents: (input: { Entries: { Detail?: string }[] }) => {
        for (const entry of input.Entries) events.push(JSON.parse(entry.Detail ?? '{}') as RemediationEvent);
        return {
          FailedEntryCount: 0,
          Entries: input.Entries.map((_, i) => ({ EventId: `event-${events.length}-${i}` })),
        };
      },
    });
    const { ec2, s3, s3control } = aws.clients({
      credentials: PLANTED_CREDENTIALS,
      maxAttempts,
      ...(awsFaults ? { faults: awsFaults } : {}),
    });
    const processor = new FindingProcessor({
      store,
      settings: new SettingsProvider({
        ssm,
        parameterName: '/endpoint-guard/settings',
        maxAgeSeconds: options.settingsMaxAgeSeconds ?? 60,
        onInvalid: (error) =>
          logger.error('invalid settings document: the last valid settings stay in force', { error }),
        onReadError: (error) =>
          logger.warn('settings not readable: the last valid settings stay in force', { error }),
      }),
      clientsFor: async (accountId, region) => ({ accountId, region, ec2, s3, s3control }),
      notifier: new SnsNotifier({ sns, topicArn: TOPIC_ARN }),
      tickets: new TicketLifecycle({ store, sinks: { forNew: () => tickets, byName: () => tickets } }),
      events: new EventBridgeRemediationSink({ eventBridge, eventBusName: BUS }),
      logger,
    });
    const persistenceStore = new DynamoDBPersistenceLayer({
      tableName,
      keyAttr: 'pk',
      sortKeyAttr: 'sk',
      expiryAttr: 'expiresAt',
      awsSdkV3Client: dynamodb,
    });
    return createHandler({ logger, adapters: () => ({ processor, persistenceStore }) });
  };

  const harness: RemediateHarness = {
    handler: undefined as unknown as RemediateHarness['handler'],
    newContainer: container,
    store: fixedStore,
    tableName,
    sink,
    tickets,
    events,
    notifications,
    settingsText: options.settings === undefined ? undefined : JSON.stringify(options.settings),
    settingsError: undefined,
    context: lambdaContext(options.remainingTimeMs ?? 60_000),
    async scanTable() {
      const items: Record<string, unknown>[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        // Through the fault-free client of the test engine: the check itself must not fail.
        const page = await db.documentClient.send(
          new ScanCommand({ TableName: tableName, ExclusiveStartKey }),
        );
        items.push(...(page.Items ?? []));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return items;
    },
  };
  Object.assign(harness, { handler: container() });
  return harness;
}

/**
 * The finding a detector would publish for a resource of the fake, evaluated live (through
 * fault-free clients) with the real reader and rule.
 *
 * @example
 * const finding = await detect(aws, { ruleId: 'interface-endpoint-multi-az', resourceType: 'AWS::EC2::VPCEndpoint', resourceId: 'vpce-00000001', accountId });
 */
export async function detect(
  clients: ReturnType<FakeAwsService['clients']>,
  subject: {
    readonly ruleId: RuleId;
    readonly resourceType: Finding['resourceType'];
    readonly resourceId: string;
    readonly accountId: string;
  },
  options: { readonly ruleOptions?: RuleOptions; readonly observedAt: string },
): Promise<Finding> {
  const reader = new LiveInventoryReader({ accountId: subject.accountId, region: FAKE_REGION, ...clients });
  const { evaluations } = await evaluateLive(
    reader,
    liveScopeOf(subject),
    [subject.ruleId],
    options.ruleOptions,
  );
  const evaluation = evaluations.find((candidate) => candidate.resourceId === subject.resourceId);
  if (!evaluation) throw new Error(`the fake holds no ${subject.resourceType} ${subject.resourceId}`);
  return toFinding(evaluation, { detector: 'sweep', observedAt: options.observedAt });
}

let messageCounter = 0;

/** An SQS record carrying a Finding event, as EventBridge → SQS delivers it. */
export function findingMessage(finding: unknown, messageId = `message-${++messageCounter}`): SQSRecord {
  const detail = finding as { observedAt?: unknown };
  return sqsMessage(
    {
      version: '0',
      id: `event-${messageCounter}`,
      'detail-type': 'Finding',
      source: 'endpoint-guard',
      account: '111122223333',
      time: typeof detail?.observedAt === 'string' ? detail.observedAt : '2025-06-01T12:00:00Z',
      region: FAKE_REGION,
      resources: [],
      detail: finding,
    },
    messageId,
  );
}

/** An SQS record with any body (a string is sent as is). */
export function sqsMessage(body: unknown, messageId = `message-${++messageCounter}`): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1748779200000',
      SenderId: 'AIDAEVENTS',
      ApproximateFirstReceiveTimestamp: '1748779200000',
    },
    messageAttributes: {},
    md5OfBody: 'md5',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${FAKE_REGION}:111122223333:endpoint-guard-remediate`,
    awsRegion: FAKE_REGION,
  };
}

/** A Lambda context whose remaining time is fixed. */
export function lambdaContext(remainingTimeMs: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'endpoint-guard-remediate',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${FAKE_REGION}:111122223333:function:endpoint-guard-remediate`,
    memoryLimitInMB: '512',
    awsRequestId: 'request-1',
    logGroupName: '/aws/lambda/endpoint-guard-remediate',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => remainingTimeMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** What the SQS simulation saw. */
export interface SqsRun {
  /** Messages moved to the DLQ, with the reason of their last failure. */
  readonly dlq: { readonly messageId: string; readonly reason: string }[];
  /** Receives per message id. */
  readonly receives: Map<string, number>;
  /** Invocations, and those that threw (a whole batch failed). */
  readonly invocations: number;
  readonly failedInvocations: number;
  readonly rounds: number;
}

/**
 * Delivers messages the way SQS does to remediate: batches of `batchSize`, `concurrency` Lambdas
 * at a time; a record reported in `batchItemFailures` (or in a batch whose invocation threw) is
 * delivered again after `visibilityTimeoutMs`, until `maxReceiveCount` receives, then goes to the
 * DLQ with the reason last logged for it.
 */
export async function deliverThroughSqs(
  harness: RemediateHarness,
  messages: readonly SQSRecord[],
  options: {
    readonly maxReceiveCount?: number;
    readonly batchSize?: number;
    readonly concurrency?: number;
    readonly visibilityTimeoutMs?: number;
    /**
     * Invocations a container serves before a new one replaces it (Lambda scales SQS pollers out
     * and recycles instances). @default Infinity: one container per concurrent worker, for ever
     */
    readonly invocationsPerContainer?: number;
    /** Called before each redelivery round (a test advances its clock past the visibility timeout). */
    readonly beforeRedelivery?: () => void;
  } = {},
): Promise<SqsRun> {
  const perContainer = options.invocationsPerContainer ?? Number.POSITIVE_INFINITY;
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const batchSize = options.batchSize ?? 10;
  const concurrency = options.concurrency ?? 8;
  const receives = new Map<string, number>();
  const lastReason = new Map<string, string>();
  const dlq: { messageId: string; reason: string }[] = [];
  let pending = [...messages];
  let invocations = 0;
  let failedInvocations = 0;
  let rounds = 0;
  const containers: { handler: RemediateHarness['handler']; served: number }[] = [];

  while (pending.length > 0) {
    rounds += 1;
    const batches: SQSRecord[][] = [];
    for (let i = 0; i < pending.length; i += batchSize) batches.push(pending.slice(i, i + batchSize));
    const failed: SQSRecord[] = [];
    let next = 0;
    const worker = async (slot: number): Promise<void> => {
      while (next < batches.length) {
        let current = containers[slot];
        if (current === undefined || current.served >= perContainer) {
          current = {
            handler: slot === 0 && containers.length === 0 ? harness.handler : harness.newContainer(),
            served: 0,
          };
          containers[slot] = current;
        }
        current.served += 1;
        const batch = batches[next++] ?? [];
        for (const record of batch) receives.set(record.messageId, (receives.get(record.messageId) ?? 0) + 1);
        invocations += 1;
        let response: SQSBatchResponse;
        try {
          response = await current.handler({ Records: batch }, harness.context);
        } catch (error) {
          failedInvocations += 1;
          for (const record of batch) lastReason.set(record.messageId, `invocation failed: ${String(error)}`);
          failed.push(...batch);
          continue;
        }
        const ids = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
        failed.push(...batch.filter((record) => ids.has(record.messageId)));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, slot) => worker(slot)));

    for (const record of harness.sink.withMessage('finding not processed: SQS will redeliver it')) {
      const error = record.error as { name?: string; message?: string } | string | undefined;
      const text = typeof error === 'string' ? error : `${error?.name}: ${error?.message}`;
      if (typeof record.messageId === 'string') lastReason.set(record.messageId, text);
    }
    pending = [];
    for (const record of failed) {
      if ((receives.get(record.messageId) ?? 0) >= maxReceiveCount) {
        dlq.push({ messageId: record.messageId, reason: lastReason.get(record.messageId) ?? 'unknown' });
      } else {
        pending.push(record);
      }
    }
    if (pending.length > 0) {
      if (options.visibilityTimeoutMs)
        await new Promise((resolve) => setTimeout(resolve, options.visibilityTimeoutMs));
      options.beforeRedelivery?.();
    }
  }
  return { dlq, receives, invocations, failedInvocations, rounds };
}

/**
 * A searchable ticket system in memory (OpsCenter-like): the lifecycle's real code runs against
 * it, and tests count the tickets it holds.
 */
export class InMemoryTicketSink implements TicketSink {
  readonly name = 'opscenter' as const;
  readonly opened: { id: string; findingId: string; status: 'open' | 'resolved'; updates: number }[] = [];

  async open(finding: Finding): Promise<TicketHandle> {
    const id = `oi-${String(this.opened.length + 1).padStart(6, '0')}`;
    this.opened.push({ id, findingId: finding.findingId, status: 'open', updates: 0 });
    return { id };
  }

  async update(ticket: TicketHandle): Promise<void> {
    const found = this.opened.find((entry) => entry.id === ticket.id);
    if (found) found.updates += 1;
  }

  async resolve(ticket: TicketHandle): Promise<void> {
    const found = this.opened.find((entry) => entry.id === ticket.id);
    if (found) found.status = 'resolved';
  }

  async findOpen(finding: Finding): Promise<TicketHandle | undefined> {
    const found = this.opened.find(
      (entry) => entry.findingId === finding.findingId && entry.status === 'open',
    );
    return found ? { id: found.id } : undefined;
  }

  /** Tickets opened per finding id. */
  countsByFinding(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const entry of this.opened) counts.set(entry.findingId, (counts.get(entry.findingId) ?? 0) + 1);
    return counts;
  }
}

/**
 * Fault injection at the AWS SDK layer, for tests that must prove the SDK's own retry strategy
 * and endpoint-guard's idempotency hold up when AWS misbehaves.
 *
 * Two middlewares, added to a client's `middlewareStack` in the `deserialize` step, so that they
 * sit *inside* the retry middleware (`finalizeRequest` step): every attempt the SDK makes passes
 * through them, and what they throw is classified and retried by the client's real retry strategy.
 *
 * - {@link FaultInjector.attach}: per attempt, throws a throttling error, a 500/503, a timeout or
 *   a connection reset at configurable, seeded rates, *before* the request reaches the service
 *   (so a fault never hides a change that was made: the write that fails did not happen).
 * - {@link serveFake}: answers the request from a fake service (a function per operation) instead
 *   of the network, with the output already deserialized.
 *
 * Clients built for these tests use {@link fastRetries}: the SDK's `ConfiguredRetryStrategy`
 * (the standard strategy, retry quota included) with a 1 ms backoff, so thousands of retries
 * take milliseconds.
 *
 * @example
 * const faults = new FaultInjector({ seed: 7, rates: { throttling: 0.3, 'server-500': 0.05 } });
 * const ec2 = new EC2Client({ region: 'eu-west-1', credentials, retryStrategy: fastRetries(5) });
 * faults.attach(ec2, 'ec2');
 * serveFake(ec2, 'ec2', { DescribeVpcEndpoints: () => ({ VpcEndpoints: [] }) });
 * await ec2.send(new DescribeVpcEndpointsCommand({})); // retried through the injected faults
 * faults.summary(); // calls, attempts, faults per operation
 */
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type {
  DeserializeHandler,
  DeserializeHandlerArguments,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  MetadataBearer,
  RetryStrategyV2,
} from '@smithy/types';

/** The kinds of fault the injector throws, each as the SDK would surface it. */
export const FAULT_KINDS = [
  'throttling',
  'request-limit',
  'server-500',
  'server-503',
  'timeout',
  'connection-reset',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** Probability (0..1) per attempt of each fault kind; their sum must not exceed 1. */
export type FaultRates = Partial<Record<FaultKind, number>>;

/** A client whose middleware stack can take the fault and fake middlewares. */
export interface StackClient {
  // biome-ignore lint/suspicious/noExplicitAny: every SDK client's stack has its own input/output types
  readonly middlewareStack: { add(middleware: any, options: any): void };
}

export interface FaultInjectorOptions {
  readonly rates: FaultRates;
  /** Seed of the pseudo-random sequence: the same seed gives the same faults. */
  readonly seed: number;
  /** Which operations may fail (`(service, operation, input) => boolean`). @default all */
  readonly applies?: (service: string, operation: string, input: unknown) => boolean;
}

/** What happened to one operation (`ec2:ModifyVpcEndpoint`). */
export interface OperationStats {
  /** `client.send` calls. */
  calls: number;
  /** Attempts the SDK made (calls + retries). */
  attempts: number;
  /** Calls that failed after the SDK gave up retrying (or on a non-retryable error). */
  failed: number;
  /** Faults thrown, by kind. */
  faults: Partial<Record<FaultKind, number>>;
}

/**
 * Builds the SDK's standard retry strategy (retry quota included) with a constant, tiny backoff.
 *
 * @example
 * new S3Client({ region, credentials, retryStrategy: fastRetries(5) });
 */
export function fastRetries(maxAttempts: number, backoffMs = 1): RetryStrategyV2 {
  return new ConfiguredRetryStrategy(maxAttempts, backoffMs);
}

/**
 * A small seeded pseudo-random generator (mulberry32): reproducible fault sequences.
 *
 * @example
 * const random = seededRandom(42);
 * random(); // 0.6011037519201636, always
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The error the SDK raises for each fault: service errors carry `name` (the AWS code), `$fault`
 * and `$metadata.httpStatusCode`; network errors are Node's (`code: 'ECONNRESET'`) or the HTTP
 * handler's `TimeoutError`.
 *
 * @example
 * throw faultError('throttling', 'ec2:DescribeSubnets');
 */
export function faultError(kind: FaultKind, operation: string): Error {
  const service = (name: string, status: number, fault: 'client' | 'server'): Error =>
    Object.assign(new Error(`${name}: injected fault on ${operation}`), {
      name,
      $fault: fault,
      $metadata: { httpStatusCode: status, requestId: 'injected-fault' },
    });
  switch (kind) {
    case 'throttling':
      return service('ThrottlingException', 400, 'client');
    case 'request-limit':
      // EC2 answers RequestLimitExceeded with HTTP 503.
      return service('RequestLimitExceeded', 503, 'client');
    case 'server-500':
      return service('InternalError', 500, 'server');
    case 'server-503':
      return service('ServiceUnavailable', 503, 'server');
    case 'timeout':
      // What @smithy/node-http-handler throws when requestTimeout passes.
      return Object.assign(new Error(`Connection timed out after 1000 ms (injected on ${operation})`), {
        name: 'TimeoutError',
      });
    case 'connection-reset':
      return Object.assign(new Error(`socket hang up (injected on ${operation})`), { code: 'ECONNRESET' });
  }
}

function operationOf(context: HandlerExecutionContext): string {
  const name = (context as { commandName?: unknown }).commandName;
  return typeof name === 'string' ? name.replace(/Command$/, '') : 'unknown';
}

/**
 * Injects faults into the attempts of the clients it is attached to, and counts calls, attempts,
 * faults and final failures per operation.
 */
export class FaultInjector {
  private rates: FaultRates;
  private readonly random: () => number;
  private readonly applies: NonNullable<FaultInjectorOptions['applies']>;
  private readonly byOperation = new Map<string, OperationStats>();
  private enabled = true;

  constructor(options: FaultInjectorOptions) {
    this.rates = FaultInjector.checked(options.rates);
    this.random = seededRandom(options.seed);
    this.applies = options.applies ?? (() => true);
  }

  private static checked(rates: FaultRates): FaultRates {
    const total = Object.values(rates).reduce((sum, rate) => sum + (rate ?? 0), 0);
    if (total > 1 || Object.values(rates).some((rate) => rate !== undefined && rate < 0)) {
      throw new RangeError(`fault rates must be ≥ 0 and add up to at most 1, got ${JSON.stringify(rates)}`);
    }
    return { ...rates };
  }

  /** Changes the rates from now on (an outage starts or ends). */
  setRates(rates: FaultRates): void {
    this.rates = FaultInjector.checked(rates);
  }

  /** Stops (or resumes) injecting; counting goes on. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
  }

  /**
   * Adds the counting middleware (`initialize` step: once per call) and the fault middleware
   * (`deserialize` step, high priority: once per attempt, inside the retry loop) to a client.
   */
  attach(client: StackClient, service: string): void {
    client.middlewareStack.add(
      <Output extends MetadataBearer>(
        next: InitializeHandler<object, Output>,
        context: HandlerExecutionContext,
      ) =>
        async (args: InitializeHandlerArguments<object>) => {
          const stats = this.stats(`${service}:${operationOf(context)}`);
          stats.calls += 1;
          try {
            return await next(args);
          } catch (error) {
            stats.failed += 1;
            throw error;
          }
        },
      { step: 'initialize', priority: 'high', name: 'faultCallCounter' },
    );
    client.middlewareStack.add(
      <Output extends MetadataBearer>(
        next: DeserializeHandler<object, Output>,
        context: HandlerExecutionContext,
      ) =>
        async (args: DeserializeHandlerArguments<object>) => {
          const operation = operationOf(context);
          const stats = this.stats(`${service}:${operation}`);
          stats.attempts += 1;
          const kind = this.enabled && this.applies(service, operation, args.input) ? this.draw() : undefined;
          if (kind !== undefined) {
            stats.faults[kind] = (stats.faults[kind] ?? 0) + 1;
            throw faultError(kind, `${service}:${operation}`);
          }
          return next(args);
        },
      { step: 'deserialize', priority: 'high', name: 'faultInjector' },
    );
  }

  private draw(): FaultKind | undefined {
    const roll = this.random();
    let threshold = 0;
    for (const kind of FAULT_KINDS) {
      threshold += this.rates[kind] ?? 0;
      if (roll < threshold) return kind;
    }
    return undefined;
  }

  private stats(key: string): OperationStats {
    let stats = this.byOperation.get(key);
    if (stats === undefined) {
      stats = { calls: 0, attempts: 0, failed: 0, faults: {} };
      this.byOperation.set(key, stats);
    }
    return stats;
  }

  /** Per operation (`service:Operation`), sorted by name. */
  summary(): Record<string, OperationStats & { retries: number; retriesPerCall: number }> {
    return Object.fromEntries(
      [...this.byOperation.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, stats]) => [
          key,
          {
            ...stats,
            faults: { ...stats.faults },
            retries: stats.attempts - stats.calls,
            retriesPerCall: stats.calls
              ? Number(((stats.attempts - stats.calls) / stats.calls).toFixed(3))
              : 0,
          },
        ]),
    );
  }

  /** Totals over every operation. */
  totals(): { calls: number; attempts: number; retries: number; failed: number; faults: number } {
    let calls = 0;
    let attempts = 0;
    let failed = 0;
    let faults = 0;
    for (const stats of this.byOperation.values()) {
      calls += stats.calls;
      attempts += stats.attempts;
      failed += stats.failed;
      faults += Object.values(stats.faults).reduce((sum, count) => sum + (count ?? 0), 0);
    }
    return { calls, attempts, retries: attempts - calls, failed, faults };
  }
}

/** One operation of a fake service: its input in, its (deserialized) output out, or a thrown AWS error. */
// biome-ignore lint/suspicious/noExplicitAny: inputs are SDK command inputs of many shapes
export type FakeOperation = (input: any) => unknown;

/**
 * Answers a client's requests from fake operations instead of the network. Added in the
 * `deserialize` step after the fault injector (same step, same priority, added later: inner), so
 * a fault stops the request before the fake sees it. An operation the fake does not serve fails
 * the test loudly.
 *
 * @example
 * serveFake(s3, 's3', { PutPublicAccessBlock: (input) => { state.set(input.Bucket, ...); return {}; } });
 */
export function serveFake(
  client: StackClient,
  service: string,
  operations: Record<string, FakeOperation>,
): void {
  client.middlewareStack.add(
    <Output extends MetadataBearer>(
      _next: DeserializeHandler<object, Output>,
      context: HandlerExecutionContext,
    ) =>
      async (args: DeserializeHandlerArguments<object>) => {
        const operation = operationOf(context);
        const serve = operations[operation];
        if (serve === undefined) throw new Error(`the fake ${service} does not serve ${operation}`);
        const result = (await serve(args.input)) ?? {};
        return {
          response: { statusCode: 200, headers: {}, body: undefined },
          output: { ...(result as object), $metadata: { httpStatusCode: 200, requestId: 'fake' } } as Output,
        };
      },
    { step: 'deserialize', priority: 'high', name: `fake-${service}` },
  );
}

/**
 * An AWS service error as the SDK raises it, for fake operations to throw.
 *
 * @example
 * throw awsServiceError('NoSuchPublicAccessBlockConfiguration', 404);
 */
export function awsServiceError(code: string, status = 400, message = `${code} (fake)`): Error {
  return Object.assign(new Error(message), {
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

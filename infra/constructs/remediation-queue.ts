/**
 * The queue in front of `remediate`: it absorbs bursts, bounds how many fixes run at once, and
 * keeps what could not be processed in a dead-letter queue for a person to look at.
 */
import { Duration } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { InvalidPropsError } from '../errors';
import { QUEUE_NAMES } from '../names';

export interface RemediationQueueProps {
  /** The function that consumes the queue (`remediate`); its timeout sets the visibility timeout. */
  readonly consumer: LambdaFunction;
  /** Receives before a message moves to the dead-letter queue. @default 3 */
  readonly maxReceiveCount?: number;
  /** Concurrent consumer invocations at most (2 to 1000); bounds a runaway. @default 5 */
  readonly maxConcurrency?: number;
  /** @default 10 */
  readonly batchSize?: number;
}

/**
 * @example
 * const queue = new RemediationQueue(this, 'RemediationQueue', { consumer: remediate });
 * queue.deadLetterQueue; // alarm on its depth
 */
export class RemediationQueue extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: RemediationQueueProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? 3;
    const maxConcurrency = props.maxConcurrency ?? 5;
    const batchSize = props.batchSize ?? 10;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1) {
      throw new InvalidPropsError(this.node.path, 'maxReceiveCount', 'must be a positive integer');
    }
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000) {
      throw new InvalidPropsError(this.node.path, 'maxConcurrency', 'must be an integer from 2 to 1000');
    }
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
      throw new InvalidPropsError(
        this.node.path,
        'batchSize',
        'must be an integer from 1 to 10 (standard queue without a window)',
      );
    }

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: QUEUE_NAMES.remediationDeadLetter,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // AWS's guidance for Lambda consumers: visibility timeout at least six times the function's.
    const functionTimeout = props.consumer.timeout ?? Duration.seconds(3);
    this.queue = new Queue(this, 'Queue', {
      queueName: QUEUE_NAMES.remediation,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(functionTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
    // Partial batch responses: one bad finding does not send the nine good ones back to the queue.
    this.eventSource = new SqsEventSource(this.queue, {
      batchSize,
      maxConcurrency,
      reportBatchItemFailures: true,
    });
    props.consumer.addEventSource(this.eventSource);
  }
}

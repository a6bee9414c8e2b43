/**
 * Puts `Remediation` events on the endpoint-guard bus: one per processed finding, saying what was
 * decided and what came of it, for dashboards, chat integrations and tests.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  REMEDIATION_DETAIL_TYPE,
  REMEDIATION_SOURCE,
  type RemediationEvent,
  type RemediationEventSink,
} from './ports';

/** EventBridge refused the event (throttling, an internal failure, a bad entry). */
export class RemediationEventError extends Error {
  override readonly name = 'RemediationEventError';
  readonly findingId: string;

  constructor(findingId: string, reason: string, options: { cause?: unknown } = {}) {
    super(`EventBridge refused the Remediation event of ${findingId}: ${reason}`, options);
    this.findingId = findingId;
  }
}

/**
 * @example
 * const events = new EventBridgeRemediationSink({ eventBridge: new EventBridgeClient({}), eventBusName: 'endpoint-guard' });
 * await events.publish(detail);
 */
export class EventBridgeRemediationSink implements RemediationEventSink {
  constructor(
    private readonly options: { readonly eventBridge: EventBridgeClient; readonly eventBusName: string },
  ) {
    if (!options.eventBusName) throw new TypeError('EventBridgeRemediationSink needs an eventBusName');
  }

  async publish(event: RemediationEvent): Promise<void> {
    const response = await this.options.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.options.eventBusName,
            Source: REMEDIATION_SOURCE,
            DetailType: REMEDIATION_DETAIL_TYPE,
            Detail: JSON.stringify(event),
          },
        ],
      }),
    );
    const failed = response.Entries?.find((entry) => entry.ErrorCode);
    if ((response.FailedEntryCount ?? 0) > 0 || failed) {
      throw new RemediationEventError(
        event.findingId,
        `${failed?.ErrorCode ?? 'failed'}${failed?.ErrorMessage ? `: ${failed.ErrorMessage}` : ''}`,
      );
    }
  }
}

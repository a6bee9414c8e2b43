/**
 * Errors of the event parsers. A Lambda that receives an event it cannot read logs the error
 * and drops the event: retrying an invalid event can only fail again.
 */
import { InputError } from '../errors';

/**
 * An incoming event (AWS Config rule invocation, CloudTrail record via EventBridge) is
 * malformed. The message names the field, e.g. `invokingEvent.configurationItem.resourceId:
 * expected a string`.
 *
 * @example
 * try {
 *   parseConfigRuleEvent(event);
 * } catch (error) {
 *   if (error instanceof InvalidEventError) logger.error('invalid event', { field: error.field, error });
 *   else throw error;
 * }
 */
export class InvalidEventError extends InputError {
  override readonly name: string = 'InvalidEventError';
  /** The field at fault, as a dotted path (`ruleParameters.ruleId`); `(root)` for the event itself. */
  readonly field: string;

  constructor(field: string, message: string, options: { cause?: unknown } = {}) {
    super(message, { location: field, cause: options.cause });
    this.field = field;
  }
}

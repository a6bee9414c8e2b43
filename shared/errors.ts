/**
 * Errors of the core. Each names the problem precisely enough for a person to fix the input,
 * and carries the context (where in the input) and the underlying cause.
 */

/** The input (a snapshot file, a query result, an event) is malformed. */
export class InputError extends Error {
  override readonly name: string = 'InputError';
  /** Where in the input: a file name, `configurationItems[3]`, `event.detail`... */
  readonly location: string | undefined;

  constructor(message: string, options: { location?: string; cause?: unknown } = {}) {
    super(options.location ? `${options.location}: ${message}` : message, { cause: options.cause });
    this.location = options.location;
  }
}

/** One configuration item is malformed: names the item and the field. */
export class ConfigurationItemError extends InputError {
  override readonly name: string = 'ConfigurationItemError';
  readonly resourceType: string | undefined;
  readonly resourceId: string | undefined;

  constructor(
    message: string,
    options: { location: string; resourceType?: string; resourceId?: string; cause?: unknown },
  ) {
    const what = [options.resourceType, options.resourceId].filter(Boolean).join(' ');
    super(what ? `${what}: ${message}` : message, { location: options.location, cause: options.cause });
    this.resourceType = options.resourceType;
    this.resourceId = options.resourceId;
  }
}

/**
 * Errors of the CDK app. Each names what to change: a context key and its expected form, a
 * missing handler file, a rule whose permissions infra cannot scope.
 */

/** A context value (`-c key=value` or `cdk.json`) is missing or malformed. */
export class DeploymentConfigError extends Error {
  override readonly name = 'DeploymentConfigError';
  /** The context key at fault. */
  readonly key: string;

  constructor(key: string, message: string, options: { cause?: unknown } = {}) {
    super(`context "${key}" ${message}`, options);
    this.key = key;
  }
}

/** A construct was given props that cannot work (checked before anything is created). */
export class InvalidPropsError extends Error {
  override readonly name = 'InvalidPropsError';
  /** The construct path and the prop at fault. */
  readonly construct: string;
  readonly prop: string;

  constructor(construct: string, prop: string, message: string) {
    super(`${construct}: ${prop} ${message}`);
    this.construct = construct;
    this.prop = prop;
  }
}

/** A function's entry file does not exist, so it cannot be bundled. */
export class MissingHandlerError extends Error {
  override readonly name = 'MissingHandlerError';
  readonly functionName: string;
  readonly entry: string;

  constructor(functionName: string, entry: string) {
    super(`function "${functionName}" has no entry file at ${entry}: it must export \`handler\``);
    this.functionName = functionName;
    this.entry = entry;
  }
}

/**
 * A rule's fix needs an IAM action that `permissions.ts` does not know how to scope. Write
 * actions are never granted on `"*"` by accident: the action must be listed with its resources
 * (or, if the API has no resource-level permissions, listed as an exception with the reason).
 */
export class UnscopedActionError extends Error {
  override readonly name = 'UnscopedActionError';
  readonly action: string;
  readonly ruleId: string;

  constructor(action: string, ruleId: string) {
    super(
      `rule "${ruleId}" needs "${action}", which infra/permissions.ts does not scope: add it to ACTION_RESOURCES`,
    );
    this.action = action;
    this.ruleId = ruleId;
  }
}

/** The member template cannot be carried inline by the StackSet. */
export class MemberTemplateError extends Error {
  override readonly name = 'MemberTemplateError';
}

/**
 * Errors of remediation and rollback. Each names the finding or audit record, the resource and
 * the AWS call involved, and carries the SDK error as `cause`.
 */

/**
 * An AWS call of a fix failed for a reason that may pass (throttling, a 5xx, the network) before
 * anything was changed: the caller may retry the whole fix.
 *
 * @example
 * catch (e) { if (e instanceof RemediationError) await store.releaseClaim(claim); throw e; }
 */
export class RemediationError extends Error {
  override readonly name = 'RemediationError';
  readonly findingId: string;
  readonly action: string;

  constructor(message: string, options: { findingId: string; action: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.findingId = options.findingId;
    this.action = options.action;
  }
}

/**
 * A rollback was refused before anything was changed: the record is not a fix that changed
 * something, it was already rolled back, or the resource changed since the fix.
 *
 * @example
 * catch (e) { if (e instanceof RollbackRefusedError) console.error(e.message); }
 */
export class RollbackRefusedError extends Error {
  override readonly name = 'RollbackRefusedError';
  readonly auditId: string;

  constructor(auditId: string, why: string) {
    super(`rollback of ${auditId} refused: ${why}; nothing was changed`);
    this.auditId = auditId;
  }
}

/**
 * A rollback call failed, or its verification did: the message says what was and was not
 * reverted (the rollback audit record holds the same).
 *
 * @example
 * catch (e) { if (e instanceof RollbackFailedError) console.error(e.message, e.rollbackAuditId); }
 */
export class RollbackFailedError extends Error {
  override readonly name = 'RollbackFailedError';
  readonly auditId: string;
  readonly rollbackAuditId: string | undefined;

  constructor(auditId: string, message: string, options: { rollbackAuditId?: string; cause?: unknown } = {}) {
    super(`rollback of ${auditId} failed: ${message}`, { cause: options.cause });
    this.auditId = auditId;
    this.rollbackAuditId = options.rollbackAuditId;
  }
}

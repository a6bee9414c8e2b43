/**
 * Errors of the findings and audit store. Each names the item involved (finding id, audit id) and
 * carries the SDK error as `cause` when there is one.
 */

/**
 * No audit record has this id.
 *
 * @example
 * try { await store.getAudit(id, { required: true }); } catch (e) { if (e instanceof AuditNotFoundError) ... }
 */
export class AuditNotFoundError extends Error {
  override readonly name = 'AuditNotFoundError';
  readonly auditId: string;

  constructor(auditId: string) {
    super(`no audit record ${auditId}`);
    this.auditId = auditId;
  }
}

/**
 * The audit record was already rolled back (or is not an applied fix) when the store tried to mark
 * it rolled back: a concurrent rollback won.
 *
 * @example
 * await store.markRolledBack(auditId, rollbackAuditId, now); // throws when someone else was first
 */
export class AlreadyRolledBackError extends Error {
  override readonly name = 'AlreadyRolledBackError';
  readonly auditId: string;

  constructor(auditId: string, options: { cause?: unknown } = {}) {
    super(`audit record ${auditId} was already rolled back, or is not a fix that changed something`, options);
    this.auditId = auditId;
  }
}

/**
 * An item read back from the table does not have the shape this code writes (a record written by
 * an incompatible version, or edited by hand).
 *
 * @example
 * catch (e) { if (e instanceof StoredItemError) console.error(e.pk, e.sk, e.message); }
 */
export class StoredItemError extends Error {
  override readonly name = 'StoredItemError';
  readonly pk: string;
  readonly sk: string;

  constructor(pk: string, sk: string, problems: string) {
    super(`stored item ${pk} / ${sk} is malformed: ${problems}`);
    this.pk = pk;
    this.sk = sk;
  }
}

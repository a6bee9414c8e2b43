/**
 * Authenticated audit records. remediate signs every audit record it writes with a KMS HMAC key
 * (`kms:GenerateMac`, granted to remediate's role only); `rollback` verifies the signature
 * (`kms:VerifyMac`) before it reads live state or calls anything, and refuses a record without a
 * valid one. Someone who can write the findings table but cannot use the key for GenerateMac
 * cannot make `rollback` act on a record they wrote.
 *
 * What is signed: the SHA-256 digest of the record's canonical JSON (keys sorted), without the
 * fields set after the record was written (`rolledBackBy`, `rolledBackAt`) and without the
 * signature itself. KMS takes messages of at most 4096 bytes, so the digest is what it MACs.
 */
import { createHash } from 'node:crypto';
import { GenerateMacCommand, type KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';

/** The HMAC algorithm of the audit key (key spec `HMAC_256`). */
export const AUDIT_MAC_ALGORITHM = 'HMAC_SHA_256';

/** The alias of the audit key the stack creates; `rollback` verifies with it unless told otherwise. */
export const DEFAULT_AUDIT_KEY_ALIAS = 'alias/endpoint-guard-audit';

/** An audit record's signature, stored with it (`signature`). */
export interface AuditSignature {
  readonly algorithm: typeof AUDIT_MAC_ALGORITHM;
  /** Base64 MAC of the record's digest. */
  readonly mac: string;
}

/** Fields written after the record and not part of what was signed. */
const UNSIGNED_FIELDS = new Set(['signature', 'rolledBackBy', 'rolledBackAt']);

/**
 * The digest that is signed: SHA-256 of the canonical JSON of the record's signed fields.
 *
 * @example
 * const digest = auditDigest(record); // 32 bytes
 */
export function auditDigest(record: object): Uint8Array {
  const signed = Object.fromEntries(Object.entries(record).filter(([key]) => !UNSIGNED_FIELDS.has(key)));
  return new Uint8Array(createHash('sha256').update(canonicalJson(signed)).digest());
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Signs audit records (remediate). */
export interface AuditSigner {
  sign(record: object): Promise<AuditSignature>;
}

/** Verifies audit records (rollback); throws {@link AuditSignatureError} for a record it cannot trust. */
export interface AuditVerifier {
  verify(record: { readonly auditId: string; readonly signature?: unknown }): Promise<void>;
}

/** An audit record without a valid signature: endpoint-guard did not write it (or it was changed since). */
export class AuditSignatureError extends Error {
  override readonly name = 'AuditSignatureError';
  readonly auditId: string;

  constructor(auditId: string, problem: string, options: { cause?: unknown } = {}) {
    super(
      `audit record ${auditId} is not authenticated (${problem}): endpoint-guard did not write it, or it was changed since; refusing to act on it`,
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.auditId = auditId;
  }
}

export interface KmsAuditKeyOptions {
  readonly kms: KMSClient;
  /** The HMAC key: its ARN, id or alias (`alias/endpoint-guard-audit`). Configuration, never a record's field. */
  readonly keyId: string;
}

/**
 * Signs with `kms:GenerateMac`.
 *
 * @example
 * const store = new FindingStore({ client, tableName, signer: new KmsAuditSigner({ kms, keyId }) });
 */
export class KmsAuditSigner implements AuditSigner {
  private readonly options: KmsAuditKeyOptions;

  constructor(options: KmsAuditKeyOptions) {
    this.options = options;
  }

  async sign(record: object): Promise<AuditSignature> {
    const output = await this.options.kms.send(
      new GenerateMacCommand({
        KeyId: this.options.keyId,
        Message: auditDigest(record),
        MacAlgorithm: AUDIT_MAC_ALGORITHM,
      }),
    );
    if (!output.Mac) throw new Error(`KMS GenerateMac with ${this.options.keyId} returned no Mac`);
    return { algorithm: AUDIT_MAC_ALGORITHM, mac: Buffer.from(output.Mac).toString('base64') };
  }
}

/**
 * Verifies with `kms:VerifyMac`, always with the configured key (a record cannot choose its key).
 *
 * @example
 * await new KmsAuditVerifier({ kms, keyId: DEFAULT_AUDIT_KEY_ALIAS }).verify(record);
 */
export class KmsAuditVerifier implements AuditVerifier {
  private readonly options: KmsAuditKeyOptions;

  constructor(options: KmsAuditKeyOptions) {
    this.options = options;
  }

  async verify(record: { readonly auditId: string; readonly signature?: unknown }): Promise<void> {
    const signature = record.signature;
    if (!isSignature(signature)) {
      throw new AuditSignatureError(record.auditId, 'it carries no signature');
    }
    try {
      const output = await this.options.kms.send(
        new VerifyMacCommand({
          KeyId: this.options.keyId,
          Message: auditDigest(record),
          Mac: new Uint8Array(Buffer.from(signature.mac, 'base64')),
          MacAlgorithm: AUDIT_MAC_ALGORITHM,
        }),
      );
      if (output.MacValid !== true)
        throw new AuditSignatureError(record.auditId, 'its signature is not valid');
    } catch (error) {
      // KMS answers an invalid MAC with this exception, not with MacValid: false.
      if (error instanceof Error && error.name === 'KMSInvalidMacException') {
        throw new AuditSignatureError(record.auditId, 'its signature is not valid', { cause: error });
      }
      throw error;
    }
  }
}

function isSignature(value: unknown): value is AuditSignature {
  if (typeof value !== 'object' || value === null) return false;
  const { algorithm, mac } = value as Record<string, unknown>;
  return algorithm === AUDIT_MAC_ALGORITHM && typeof mac === 'string' && mac.length > 0;
}

import { randomBytes } from 'node:crypto';

/** Crockford's base32: no I, L, O, U, so an id read aloud or copied by hand stays unambiguous. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 10 characters of time + 16 of randomness, as in ULID. */
export const AUDIT_ID_LENGTH = 26;

const AUDIT_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * A new audit id: a ULID (48-bit millisecond time, 80 random bits, Crockford base32). Ids sort
 * by creation time, so a finding's audit records list in order and `rollback` takes a short,
 * copyable id.
 *
 * @example
 * newAuditId(new Date('2025-01-01T00:00:00Z')); // '01JGFJJZ00' + 16 random characters
 */
export function newAuditId(now: Date, random: (size: number) => Uint8Array = randomBytes): string {
  let time = now.getTime();
  if (!Number.isSafeInteger(time) || time < 0) throw new RangeError(`cannot make an audit id for ${now}`);
  let head = '';
  for (let i = 0; i < 10; i += 1) {
    head = (ALPHABET[time % 32] ?? '0') + head;
    time = Math.floor(time / 32);
  }
  // 80 bits = 16 characters of 5 bits; 10 random bytes give exactly 80 bits.
  const bytes = random(10);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let tail = '';
  for (let i = 0; i < 16; i += 1) {
    tail = (ALPHABET[Number(bits & 31n)] ?? '0') + tail;
    bits >>= 5n;
  }
  return head + tail;
}

/**
 * Whether `value` is shaped like an audit id (case-insensitive, as people type them).
 *
 * @example
 * isAuditId('01JGFJJZ00ABCDEFGHJKMNPQRS'); // true
 */
export function isAuditId(value: string): boolean {
  return AUDIT_ID_PATTERN.test(value.toUpperCase());
}

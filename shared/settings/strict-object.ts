/**
 * The settings document's object schema: strict, so a misspelled key fails loudly and names
 * itself instead of silently meaning "default". Rule modules build their options with it too,
 * so their unknown-key messages read like the rest of the document's. Depends on zod only.
 */
import { z } from 'zod';

/** A strict object whose unknown-key problem names the keys it does accept. */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T, what: 'key' | 'rule' = 'key') {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown ${what}; expected one of ${known}` : undefined,
  });
}

/**
 * Keeps secret values out of text that may be logged or shown: error messages, service answers.
 */

/** Values shorter than this are not scrubbed: they would mangle ordinary words and are no secret. */
const MIN_SECRET_LENGTH = 6;

/**
 * Replaces every occurrence of each secret value in `text` by `***`.
 *
 * @example
 * redact('token abcdef123 refused', ['abcdef123']); // 'token *** refused'
 */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  // Longest first, so a secret containing another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= MIN_SECRET_LENGTH) result = result.split(secret).join('***');
  }
  return result;
}

/**
 * Every string a secret holds, with the forms it travels in (the Basic credentials
 * `user:password` and their base64), so that none of them can leak through a message.
 *
 * @example
 * secretValues({ email: 'a@example.com', apiToken: 't0ken-value' }); // ['a@example.com', 't0ken-value', ...]
 */
export function secretValues(secret: Readonly<Record<string, unknown>>): string[] {
  const strings = Object.values(secret).filter((value): value is string => typeof value === 'string');
  const values = new Set(strings);
  for (const user of strings) {
    for (const password of strings) {
      if (user === password) continue;
      const basic = `${user}:${password}`;
      values.add(basic);
      values.add(Buffer.from(basic).toString('base64'));
    }
  }
  return [...values];
}

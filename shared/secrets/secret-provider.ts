/**
 * Reads JSON secrets from AWS Secrets Manager for the ticket sinks, with a short cache, and checks
 * their shape. A secret's value is never logged and never part of an error (see {@link SecretError}).
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { THROTTLING_ERROR_NAMES } from '../aws/errors';
import { SecretError } from './errors';

/** A schema for a secret's JSON (a zod schema fits). */
export interface SecretSchema<T> {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; code: string }[] } };
}

/** Where secrets come from. */
export interface SecretProvider {
  /**
   * The secret's JSON value, checked against `schema`; `shape` describes the expected JSON for
   * the error message (`{"email": "...", "apiToken": "..."}`).
   */
  getJson<T>(secretArn: string, schema: SecretSchema<T>, shape: string): Promise<T>;
}

export interface SecretsManagerSecretProviderOptions {
  readonly client: SecretsManagerClient;
  /** How long a read value is used before it is read again (rotation takes effect after it). @default 300 */
  readonly maxAgeSeconds?: number;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
}

interface Cached {
  readonly value: Promise<unknown>;
  readonly readAt: number;
}

/** AWS error names after which a retry may succeed without anyone changing anything. */
const TRANSIENT = new Set([
  ...THROTTLING_ERROR_NAMES,
  'InternalServiceError',
  'InternalServiceErrorException',
  'TimeoutError',
  'RequestTimeout',
]);

/**
 * Secrets Manager secrets, cached per ARN for `maxAgeSeconds` (one `GetSecretValue` per secret
 * per 5 minutes per Lambda instance by default; concurrent reads share one call).
 *
 * @example
 * const secrets = new SecretsManagerSecretProvider({ client: new SecretsManagerClient({}) });
 * const { email, apiToken } = await secrets.getJson(arn, jiraCredentialsSchema, '{"email", "apiToken"}');
 */
export class SecretsManagerSecretProvider implements SecretProvider {
  private readonly client: SecretsManagerClient;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, Cached>();

  constructor(options: SecretsManagerSecretProviderOptions) {
    const maxAge = options.maxAgeSeconds ?? 300;
    if (!(Number.isFinite(maxAge) && maxAge >= 0)) {
      throw new RangeError(`maxAgeSeconds must be a number >= 0, got ${maxAge}`);
    }
    this.client = options.client;
    this.maxAgeMs = maxAge * 1000;
    this.now = options.now ?? Date.now;
  }

  async getJson<T>(secretArn: string, schema: SecretSchema<T>, shape: string): Promise<T> {
    const value = await this.read(secretArn);
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    // Paths and problem kinds only: the issue messages of a schema may quote the value.
    const problems = result.error.issues
      .map((issue) => `${issue.path.map(String).join('.') || '(value)'} ${describeIssue(issue.code)}`)
      .join('; ');
    throw new SecretError(secretArn, `expected JSON ${shape}: ${problems}`, { retryable: false });
  }

  /** Forgets every cached value (after a credential was refused, say). */
  clear(): void {
    this.cache.clear();
  }

  private read(secretArn: string): Promise<unknown> {
    const now = this.now();
    const cached = this.cache.get(secretArn);
    if (cached && now - cached.readAt < this.maxAgeMs) return cached.value;
    const value = this.fetch(secretArn);
    this.cache.set(secretArn, { value, readAt: now });
    // A failed read is not cached: the next call tries again.
    value.catch(() => {
      if (this.cache.get(secretArn)?.value === value) this.cache.delete(secretArn);
    });
    return value;
  }

  private async fetch(secretArn: string): Promise<unknown> {
    let text: string | undefined;
    try {
      const output = await this.client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      text = output.SecretString;
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error && error.message !== name ? `: ${error.message}` : '';
      throw new SecretError(secretArn, `cannot be read (${name}${message})`, {
        retryable: TRANSIENT.has(name) || (error as { $fault?: unknown }).$fault === 'server',
      });
    }
    if (text === undefined) {
      throw new SecretError(secretArn, 'holds no SecretString (a binary secret, or no value yet)', {
        retryable: false,
      });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Not the parser's message: it quotes the text, which is the secret.
      throw new SecretError(secretArn, 'is not JSON', { retryable: false });
    }
  }
}

function describeIssue(code: string): string {
  switch (code) {
    case 'invalid_type':
      return 'is missing or of the wrong type';
    case 'too_small':
      return 'is empty';
    case 'unrecognized_keys':
      return 'has unknown keys';
    case 'invalid_union':
      return 'matches none of the accepted shapes';
    default:
      return `is invalid (${code})`;
  }
}

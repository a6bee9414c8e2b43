/**
 * Captures what endpoint-guard logs, so tests can read it and prove that no secret ever reaches
 * a log line. Powertools Logger prints through its own `Console`; {@link CapturingLogger} keeps
 * the exact JSON line it would print instead (same formatting, same JSON replacer), in a
 * {@link LogSink} shared by every logger (children included) built on it.
 *
 * @example
 * const sink = new LogSink();
 * const logger = new CapturingLogger(sink, { serviceName: 'remediate-test' });
 * logger.error('dropped', { why: 'accountId: must be 12 digits' });
 * sink.lines; // ['{"level":"ERROR","message":"dropped",...,"why":"accountId: must be 12 digits"}']
 * expect(leakedSecrets(sink.lines, PLANTED_SECRETS)).toEqual([]);
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';

type LoggerOptions = NonNullable<ConstructorParameters<typeof Logger>[0]>;

/** Where captured log lines go. */
export class LogSink {
  readonly lines: string[] = [];

  /** The captured lines, parsed. */
  records(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** The parsed lines whose `message` matches. */
  withMessage(message: string | RegExp): Record<string, unknown>[] {
    return this.records().filter((record) =>
      typeof message === 'string' ? record.message === message : message.test(String(record.message)),
    );
  }

  clear(): void {
    this.lines.length = 0;
  }
}

/**
 * A Powertools Logger that writes its JSON lines to a {@link LogSink} instead of stdout.
 * Everything else (levels, appended keys, error serialization, the middy middleware) is the real
 * Logger's.
 */
export class CapturingLogger extends Logger {
  readonly sink: LogSink;

  constructor(sink: LogSink, options: LoggerOptions = {}) {
    super({ logLevel: 'DEBUG', ...options });
    this.sink = sink;
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    this.sink.lines.push(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }

  protected override createLogger(options?: LoggerOptions): Logger {
    return new CapturingLogger(this.sink, options);
  }
}

/**
 * Secret values planted by the suites (fake credentials, settings, Secrets Manager fakes). They
 * are distinctive, so any appearance anywhere is a leak and never a coincidence.
 */
export const PLANTED_SECRETS = {
  /** SecretAccessKey of the static credentials of the test clients. */
  staticSecretAccessKey: 'eg-planted-static-SECRET-wJalrXUtnFEMI-K7MDENG',
  /** SecretAccessKey returned by the fake STS AssumeRole. */
  assumedSecretAccessKey: 'eg-planted-assumed-SECRET-bPxRfiCYEXAMPLEKEY',
  /** SessionToken returned by the fake STS AssumeRole. */
  assumedSessionToken: 'eg-planted-SESSION-TOKEN-FwoGZXIvYXdzEJr',
  /** An API token a settings editor pasted where a secret ARN belongs. */
  settingsToken: 'eg-planted-jira-API-TOKEN-ATATT3xFfGF0',
  /** The value a fake Secrets Manager returns. */
  secretsManagerValue: 'eg-planted-SECRETS-MANAGER-VALUE-hunter2',
} as const;

/** The static credentials of the test clients: their secret is planted. */
export const PLANTED_CREDENTIALS = {
  accessKeyId: 'AKIAEGTESTKEY0000001',
  secretAccessKey: PLANTED_SECRETS.staticSecretAccessKey,
} as const;

/**
 * The planted secrets found in the texts, each with the start of the text it was found in.
 * Matching is case-insensitive and also catches the secret JSON-escaped or URL-encoded.
 *
 * @example
 * expect(leakedSecrets(sink.lines, Object.values(PLANTED_SECRETS))).toEqual([]);
 */
export function leakedSecrets(
  texts: Iterable<string>,
  secrets: readonly string[] = Object.values(PLANTED_SECRETS),
): { secret: string; in: string }[] {
  const needles = [
    ...new Set(secrets.flatMap((secret) => [secret, encodeURIComponent(secret)]).map((s) => s.toLowerCase())),
  ];
  const found: { secret: string; in: string }[] = [];
  for (const text of texts) {
    const haystack = text.toLowerCase();
    for (const needle of needles) {
      if (haystack.includes(needle)) found.push({ secret: needle, in: text.slice(0, 200) });
    }
  }
  return found;
}

/** Every string an error carries (message, name, causes, nested), for the leak check. */
export function errorTexts(error: unknown, depth = 0): string[] {
  if (depth > 5 || error === null || error === undefined) return [];
  if (error instanceof Error) {
    return [
      error.name,
      error.message,
      error.stack ?? '',
      JSON.stringify(error, Object.getOwnPropertyNames(error)),
      ...errorTexts(error.cause, depth + 1),
    ];
  }
  return [typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error))];
}

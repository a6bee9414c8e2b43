/**
 * One configured Powertools Logger per function: structured JSON, with `ruleId`, `resourceId`
 * and `accountId` appended per invocation (the middy middleware resets them between calls).
 */
import { Logger } from '@aws-lambda-powertools/logger';

/** The keys every detector log line may carry. */
export interface DetectorLogKeys {
  readonly ruleId?: string;
  readonly resourceId?: string;
  readonly accountId?: string;
  readonly region?: string;
  readonly eventName?: string;
  readonly eventId?: string;
}

/**
 * @example
 * const logger = createLogger('config-rule');
 * logger.appendKeys({ ruleId: 'interface-endpoint-multi-az' });
 */
export function createLogger(serviceName: string): Logger {
  // POWERTOOLS_LOG_LEVEL / POWERTOOLS_SERVICE_NAME still win, as Powertools documents.
  return new Logger({ serviceName: `endpoint-guard-${serviceName}` });
}

/** Appends the keys that are set; absent ones are left out rather than logged as undefined. */
export function appendLogKeys(logger: Logger, keys: DetectorLogKeys): void {
  const present = Object.fromEntries(
    Object.entries(keys).filter(([, value]) => value !== undefined && value !== ''),
  );
  logger.appendKeys(present);
}

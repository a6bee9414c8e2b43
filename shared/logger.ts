/**
 * The one logger interface of the core: structured messages at three levels. Powertools'
 * Logger fits it; the core never builds a logger, it is handed one (or stays silent).
 */
export interface Logger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** The logger of code that was given none: says nothing. */
export const SILENT_LOGGER: Logger = { info() {}, warn() {}, error() {} };

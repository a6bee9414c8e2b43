/**
 * Reads the settings document from SSM Parameter Store, with a short cache, for the Lambdas.
 *
 * A plain cached GetParameter rather than Powertools' SSMProvider: the outcomes this needs to
 * cache are not only "a value" but also "no parameter" (the usual state: all defaults) and "an
 * invalid document" (keep the last valid one), which Powertools does not cache; the clock must
 * be injectable for tests; and the parameter's version tells which bad document was reported.
 */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { SettingsReadError, SettingsValidationError } from './errors';
import {
  DEFAULT_SETTINGS,
  parseSettingsJson,
  type Settings,
  type SettingsContext,
  withoutAutoFix,
} from './schema';

export interface SettingsProviderOptions {
  readonly ssm: SSMClient;
  /** `SETTINGS_PARAMETER`, `/endpoint-guard/settings` by default. */
  readonly parameterName: string;
  /** How long one read is used before the parameter is read again. @default 60 */
  readonly maxAgeSeconds?: number;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  /**
   * Called once per distinct invalid document (per parameter version) with every problem in it,
   * to log and notify. Its own failure is swallowed (and it is called again on the next read),
   * so a failed notification never stops findings from being handled.
   */
  readonly onInvalid?: (error: SettingsValidationError) => void | Promise<void>;
  /** Called when a read fails but the last valid settings stay in force (throttling, access denied). */
  readonly onReadError?: (error: SettingsReadError) => void | Promise<void>;
  /** The reader's own account and Region: a document naming a ticket secret elsewhere is invalid. */
  readonly context?: SettingsContext;
}

interface Cached {
  readonly settings: Settings;
  readonly readAt: number;
}

/**
 * The settings in force. A missing parameter means all defaults; an invalid document keeps the
 * last valid settings, or, when there never were any, the defaults with auto-fix capped at
 * `ticket`. Never throws for a bad document; throws {@link SettingsReadError} only when SSM
 * cannot be read and no valid settings were ever read.
 *
 * Each read is one `GetParameter` call; reads within `maxAgeSeconds` of it make none, and
 * concurrent reads share one call.
 *
 * @example
 * const provider = new SettingsProvider({
 *   ssm: new SSMClient({}),
 *   parameterName: process.env.SETTINGS_PARAMETER ?? DEFAULT_SETTINGS_PARAMETER,
 *   onInvalid: (error) => logger.error('invalid settings: keeping the last valid ones', { problems: error.problems }),
 * });
 * const settings = await provider.get();
 */
export class SettingsProvider {
  readonly #ssm: SSMClient;
  readonly #parameterName: string;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #onInvalid: SettingsProviderOptions['onInvalid'];
  readonly #onReadError: SettingsProviderOptions['onReadError'];
  readonly #context: SettingsContext;
  readonly #reported = new Set<string>();
  #cached: Cached | undefined;
  #lastValid: Settings | undefined;
  #inFlight: Promise<Settings> | undefined;

  constructor(options: SettingsProviderOptions) {
    const maxAgeSeconds = options.maxAgeSeconds ?? 60;
    if (!options.parameterName) throw new TypeError('SettingsProvider needs a parameterName');
    if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds < 0) {
      throw new RangeError(`SettingsProvider maxAgeSeconds must be a number ≥ 0, got ${maxAgeSeconds}`);
    }
    this.#ssm = options.ssm;
    this.#parameterName = options.parameterName;
    this.#maxAgeMs = maxAgeSeconds * 1000;
    this.#now = options.now ?? Date.now;
    this.#onInvalid = options.onInvalid;
    this.#onReadError = options.onReadError;
    this.#context = options.context ?? {};
  }

  /** The settings in force now (see the class documentation). */
  async get(): Promise<Settings> {
    const cached = this.#cached;
    if (cached && this.#now() - cached.readAt < this.#maxAgeMs) return cached.settings;
    this.#inFlight ??= this.#read().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #read(): Promise<Settings> {
    const readAt = this.#now();
    let text: string | undefined;
    let version: number | undefined;
    try {
      const output = await this.#ssm.send(
        new GetParameterCommand({ Name: this.#parameterName, WithDecryption: false }),
      );
      text = output.Parameter?.Value;
      version = output.Parameter?.Version;
    } catch (error) {
      if (isParameterNotFound(error)) return this.#keep(DEFAULT_SETTINGS, readAt, true);
      const readError = new SettingsReadError(this.#parameterName, { cause: error });
      if (!this.#lastValid) throw readError;
      await swallow(() => this.#onReadError?.(readError));
      // Cached like a successful read, so a throttled parameter is not hammered by every invocation.
      return this.#keep(this.#lastValid, readAt, false);
    }

    const source =
      version === undefined ? this.#parameterName : `${this.#parameterName} (version ${version})`;
    try {
      return this.#keep(parseSettingsJson(text ?? '', source, this.#context), readAt, true);
    } catch (error) {
      if (!(error instanceof SettingsValidationError)) throw error;
      await this.#report(error, version === undefined ? `text:${text}` : `version:${version}`);
      return this.#keep(this.#lastValid ?? withoutAutoFix(DEFAULT_SETTINGS), readAt, false);
    }
  }

  #keep(settings: Settings, readAt: number, valid: boolean): Settings {
    if (valid) this.#lastValid = settings;
    this.#cached = { settings, readAt };
    return settings;
  }

  async #report(error: SettingsValidationError, key: string): Promise<void> {
    if (this.#reported.has(key) || !this.#onInvalid) return;
    const onInvalid = this.#onInvalid;
    if (await swallow(() => onInvalid(error))) this.#reported.add(key);
  }
}

function isParameterNotFound(error: unknown): boolean {
  // By name, not instanceof: two copies of the SDK in one bundle have two ParameterNotFound classes.
  return error instanceof Error && error.name === 'ParameterNotFound';
}

/** Runs a callback; true when it succeeded. Reporting must never break reading the settings. */
async function swallow(callback: () => unknown): Promise<boolean> {
  try {
    await callback();
    return true;
  } catch {
    return false;
  }
}

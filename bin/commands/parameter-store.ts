/**
 * The settings document in SSM Parameter Store, as the settings command reads and writes it.
 * Its own module (loaded with `import()`), so `settings validate` and `--help` load no AWS SDK.
 */
import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { SettingsReadError, SettingsWriteError } from '../../shared/settings/errors';
import {
  DEFAULT_SETTINGS,
  parseJson,
  parseSettings,
  SETTINGS_VERSION,
  type Settings,
} from '../../shared/settings/schema';

export type Ssm = () => Promise<SSMClient>;

/** SSM standard parameters hold 4 KB: keep the document readable when it fits, compact when not. */
const STANDARD_PARAMETER_LIMIT = 4096;

export class ParameterStore {
  readonly name: string;
  readonly #ssm: Ssm;

  constructor(ssm: Ssm, name: string) {
    this.#ssm = ssm;
    this.name = name;
  }

  /** The stored document as JSON (not yet validated), or undefined when there is no parameter. */
  async read(): Promise<{ readonly raw: unknown; readonly source: string } | undefined> {
    let parameter: { Value?: string; Version?: number } | undefined;
    try {
      const output = await (await this.#ssm()).send(
        new GetParameterCommand({ Name: this.name, WithDecryption: false }),
      );
      parameter = output.Parameter;
    } catch (error) {
      if (error instanceof Error && error.name === 'ParameterNotFound') return undefined;
      throw new SettingsReadError(this.name, { cause: error });
    }
    const source =
      parameter?.Version === undefined ? this.name : `${this.name} (version ${parameter.Version})`;
    return { raw: parseJson(parameter?.Value ?? '', source), source };
  }

  /**
   * The stored document to change (a fresh `{"version":1}` when there is none) and the settings it
   * means. A stored document that is invalid is refused: the change would be judged against it.
   */
  async readForChange(): Promise<{ readonly raw: Record<string, unknown>; readonly current: Settings }> {
    const stored = await this.read();
    if (!stored) return { raw: { version: SETTINGS_VERSION }, current: DEFAULT_SETTINGS };
    const current = parseSettings(stored.raw, stored.source);
    return { raw: stored.raw as Record<string, unknown>, current };
  }

  async write(document: Record<string, unknown>): Promise<number | undefined> {
    const pretty = JSON.stringify(document, null, 2);
    const value = pretty.length <= STANDARD_PARAMETER_LIMIT ? pretty : JSON.stringify(document);
    try {
      const output = await (await this.#ssm()).send(
        new PutParameterCommand({ Name: this.name, Value: value, Overwrite: true, Type: 'String' }),
      );
      return output.Version;
    } catch (error) {
      throw new SettingsWriteError(this.name, { cause: error });
    }
  }

  savedLine(version: number | undefined): string {
    return version === undefined ? `saved ${this.name}` : `saved ${this.name} (version ${version})`;
  }
}

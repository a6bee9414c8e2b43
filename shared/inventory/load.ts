/**
 * Reads configuration items out of the files and API answers people have at hand:
 * - the snapshot (or history) file AWS Config delivers to S3, gzipped or not:
 *   `{"fileVersion", "configSnapshotId", "configurationItems": [...]}`;
 * - `GetResourceConfigHistory` output: `{"configurationItems": [...]}` (API form);
 * - `BatchGetResourceConfig` output: `{"baseConfigurationItems": [...]}` (API form);
 * - `select-resource-config` / `select-aggregate-resource-config` output:
 *   `{"QueryInfo": ..., "Results": ["<JSON row>", ...]}`;
 * - a bare JSON array of configuration items in either form.
 */
import { gunzipSync } from 'node:zlib';
import { InputError } from '../errors';
import type { Resource } from '../model';
import { isObject, normalizeConfigurationItem } from './configuration-item';

export type InputFormat =
  | 'snapshot'
  | 'config-history'
  | 'batch-get-resource-config'
  | 'select-resource-config'
  | 'array';

export interface LoadedItems {
  readonly format: InputFormat;
  /** The raw items, each with where it sits in the input (for error messages). */
  readonly items: readonly { readonly item: unknown; readonly location: string }[];
}

/**
 * Parses the bytes of an input file into raw configuration items.
 * Throws {@link InputError} naming the problem: empty file, broken gzip, invalid JSON,
 * unrecognized shape.
 *
 * @example
 * const { format, items } = parseConfigurationItems(readFileSync(file), file);
 */
export function parseConfigurationItems(data: Uint8Array | string, source: string): LoadedItems {
  const text = typeof data === 'string' ? data : decode(data, source);
  if (text.trim() === '') throw new InputError('the file is empty', { location: source });
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputError(`not valid JSON: ${(error as Error).message}`, { location: source, cause: error });
  }
  return itemsOf(document, source);
}

function decode(data: Uint8Array, source: string): string {
  // Gzip is recognized by its magic number, not the file name: Config's `.json.gz` objects are
  // often saved without the suffix, and some tools decompress them but keep it.
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
    try {
      return gunzipSync(data).toString('utf8');
    } catch (error) {
      throw new InputError(`not a valid gzip file: ${(error as Error).message}`, {
        location: source,
        cause: error,
      });
    }
  }
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
}

function itemsOf(document: unknown, source: string): LoadedItems {
  if (Array.isArray(document)) {
    return {
      format: 'array',
      items: document.map((item, index) => ({ item, location: `${source}: [${index}]` })),
    };
  }
  if (!isObject(document)) {
    throw new InputError(
      `expected a JSON object or array, got ${document === null ? 'null' : typeof document}`,
      {
        location: source,
      },
    );
  }
  if ('configurationItems' in document) {
    const list = expectArray(document.configurationItems, 'configurationItems', source);
    return {
      format: 'fileVersion' in document || 'configSnapshotId' in document ? 'snapshot' : 'config-history',
      items: list.map((item, index) => ({ item, location: `${source}: configurationItems[${index}]` })),
    };
  }
  if ('baseConfigurationItems' in document) {
    const list = expectArray(document.baseConfigurationItems, 'baseConfigurationItems', source);
    return {
      format: 'batch-get-resource-config',
      items: list.map((item, index) => ({ item, location: `${source}: baseConfigurationItems[${index}]` })),
    };
  }
  if ('Results' in document) {
    const list = expectArray(document.Results, 'Results', source);
    return {
      format: 'select-resource-config',
      items: list.map((row, index) => {
        const location = `${source}: Results[${index}]`;
        if (typeof row !== 'string') return { item: row, location };
        try {
          return { item: JSON.parse(row) as unknown, location };
        } catch (error) {
          throw new InputError(`row is not valid JSON: ${(error as Error).message}`, {
            location,
            cause: error,
          });
        }
      }),
    };
  }
  const keys = Object.keys(document).slice(0, 5).join(', ') || 'none';
  throw new InputError(
    'unrecognized input: expected a Config snapshot or history file ("configurationItems"), ' +
      'BatchGetResourceConfig output ("baseConfigurationItems"), select-resource-config output ("Results") ' +
      `or a JSON array of configuration items; found an object with keys: ${keys}`,
    { location: source },
  );
}

function expectArray(value: unknown, key: string, source: string): readonly unknown[] {
  if (Array.isArray(value)) return value;
  throw new InputError(`"${key}" must be an array`, { location: source });
}

/**
 * Normalizes raw items; items of types no rule reads are skipped. Throws on the first
 * malformed item, so nothing is evaluated from half-read input.
 */
export function normalizeItems(loaded: LoadedItems): Resource[] {
  const resources: Resource[] = [];
  for (const { item, location } of loaded.items) {
    const resource = normalizeConfigurationItem(item, location);
    if (resource) resources.push(resource);
  }
  return resources;
}

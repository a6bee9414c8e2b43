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
import { Scanner } from './json-scanner';

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

/**
 * One raw item and where it sits; `location` is spelled out on demand (`file: configurationItems[3]`).
 * Lists are named once per input, not once per item.
 */
class LoadedItem {
  constructor(
    readonly item: unknown,
    private readonly list: string,
    private readonly index: number,
  ) {}

  get location(): string {
    return `${this.list}[${this.index}]`;
  }
}

function itemsOf(document: unknown, source: string): LoadedItems {
  if (Array.isArray(document)) {
    return {
      format: 'array',
      items: document.map((item, index) => new LoadedItem(item, `${source}: `, index)),
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
      items: list.map((item, index) => new LoadedItem(item, `${source}: configurationItems`, index)),
    };
  }
  if ('baseConfigurationItems' in document) {
    const list = expectArray(document.baseConfigurationItems, 'baseConfigurationItems', source);
    return {
      format: 'batch-get-resource-config',
      items: list.map((item, index) => new LoadedItem(item, `${source}: baseConfigurationItems`, index)),
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
  for (const entry of loaded.items) {
    // The entry itself locates the item: its text is only spelled out if an error needs it.
    const resource = normalizeConfigurationItem(entry.item, entry);
    if (resource) resources.push(resource);
  }
  return resources;
}

/**
 * Parses and normalizes an input file in one pass: `normalizeItems(parseConfigurationItems(data,
 * source))`, with the same results and the same errors, but faster on large snapshots.
 *
 * `JSON.parse` of a whole 100 MB snapshot builds every item before the first is normalized, so
 * the whole document survives the garbage collector's young generation and is copied into the
 * old one. Here the items are parsed a chunk of about 64 KB at a time and normalized at once, so
 * the raw items die young. A chunk's end is found without reading it character by character:
 * every item starts with the same key as the first (Config writes every item's keys in one
 * order), so the text is cut just before an occurrence of that key that follows `}`, `,` and
 * `{`, and `JSON.parse` of `[` + cut + `]` succeeds exactly when the cut falls between two items
 * (a cut inside an item leaves a bracket or a string open). When that guess fails, items are cut
 * one at a time the same way, and failing that, by matching their brackets. The punctuation between items and around the list, and
 * every other top-level value, are checked too, so JSON's compositional grammar makes this accept
 * exactly the documents `JSON.parse` accepts. Anything else (invalid JSON, a repeated top-level
 * key, a select-resource-config answer, an unrecognized shape) goes the standard way, which
 * names the problem exactly as before. A malformed item is reported only once the whole document
 * is known to be valid JSON, as the standard way reports a JSON error before any item error.
 *
 * @example
 * const { format, resources } = loadResources(readFileSync(file), file);
 */
export function loadResources(
  data: Uint8Array | string,
  source: string,
): { readonly format: InputFormat; readonly resources: Resource[] } {
  const text = typeof data === 'string' ? data : decode(data, source);
  const standard = () => {
    const loaded = parseConfigurationItems(text, source);
    return { format: loaded.format, resources: normalizeItems(loaded) };
  };
  const resources: Resource[] = [];
  let failure: unknown;
  const normalize = (list: string) => (item: unknown, index: number) => {
    if (failure !== undefined) return;
    try {
      const resource = normalizeConfigurationItem(item, new LoadedItem(item, list, index));
      if (resource) resources.push(resource);
    } catch (error) {
      failure = error;
    }
  };
  const scanner = new Scanner(text);
  scanner.skipSpace();
  const first = text.charCodeAt(scanner.at);
  let format: InputFormat;
  if (first === 0x5b) {
    if (!scanner.items(normalize(`${source}: `))) return standard();
    format = 'array';
  } else if (first === 0x7b) {
    const read = scanner.topObject((key) =>
      key === 'configurationItems' || key === 'baseConfigurationItems'
        ? normalize(`${source}: ${key}`)
        : undefined,
    );
    if (read === undefined) return standard();
    const wanted = read.keys.has('configurationItems')
      ? 'configurationItems'
      : read.keys.has('baseConfigurationItems')
        ? 'baseConfigurationItems'
        : undefined;
    // The standard way picks configurationItems first; it must be the list that was read.
    if (wanted === undefined || read.streamed !== wanted) return standard();
    format =
      wanted === 'baseConfigurationItems'
        ? 'batch-get-resource-config'
        : read.keys.has('fileVersion') || read.keys.has('configSnapshotId')
          ? 'snapshot'
          : 'config-history';
  } else {
    return standard();
  }
  scanner.skipSpace();
  if (scanner.at !== text.length) return standard();
  if (failure !== undefined) throw failure;
  return { format, resources };
}

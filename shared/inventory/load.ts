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

/**
 * About how much text is parsed at once: small enough for the chunk and its items to die in the
 * young generation, large enough to make one call's overhead negligible.
 */
const CHUNK_LENGTH = 64 * 1024;

/** JSON whitespace: space, tab, line feed, carriage return. */
function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** JSON.parse, or `undefined` when the text is not one JSON value. */
const NOT_JSON: unique symbol = Symbol('not JSON');

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/** Reads a document's top level, and streams the items of one list, in one pass over the text. */
class Scanner {
  at = 0;

  constructor(private readonly text: string) {}

  skipSpace(): void {
    while (this.at < this.text.length && isSpace(this.text.charCodeAt(this.at))) this.at++;
  }

  /**
   * At `{`: reads the members, handing the items of an array to `consumer(key)` when it returns
   * a callback (the first such list only), and checking every other value is JSON. `undefined`
   * when the structure is not valid JSON or a key repeats.
   */
  topObject(
    consumer: (key: string) => ((item: unknown, index: number) => void) | undefined,
  ): { keys: Set<string>; streamed: string | undefined } | undefined {
    const { text } = this;
    const keys = new Set<string>();
    let streamed: string | undefined;
    this.at++;
    this.skipSpace();
    if (text.charCodeAt(this.at) === 0x7d) {
      this.at++;
      return { keys, streamed };
    }
    for (;;) {
      this.skipSpace();
      if (text.charCodeAt(this.at) !== 0x22) return undefined;
      const keyEnd = this.stringEnd(this.at);
      if (keyEnd < 0) return undefined;
      const key = tryParse(text.slice(this.at, keyEnd));
      if (typeof key !== 'string' || keys.has(key) || key === '__proto__') return undefined;
      keys.add(key);
      this.at = keyEnd;
      this.skipSpace();
      if (text.charCodeAt(this.at++) !== 0x3a) return undefined;
      this.skipSpace();
      const onItem = streamed === undefined && text.charCodeAt(this.at) === 0x5b ? consumer(key) : undefined;
      if (onItem !== undefined) {
        if (!this.items(onItem)) return undefined;
        streamed = key;
      } else {
        const start = this.at;
        const end = this.valueEnd(start);
        if (end < 0 || tryParse(text.slice(start, end)) === NOT_JSON) return undefined;
        this.at = end;
      }
      this.skipSpace();
      const next = text.charCodeAt(this.at++);
      if (next === 0x7d) return { keys, streamed };
      if (next !== 0x2c) return undefined;
    }
  }

  /** At `[`: hands each element, parsed, to `onItem`; false when the list is not valid JSON. */
  items(onItem: (item: unknown, index: number) => void): boolean {
    const { text } = this;
    this.at++;
    this.skipSpace();
    if (text.charCodeAt(this.at) === 0x5d) {
      this.at++;
      return true;
    }
    let firstKey: string | undefined;
    let index = 0;
    for (;;) {
      this.skipSpace();
      const start = this.at;
      // Most items go a chunk at a time: one JSON.parse for many, and one search for the cut.
      if (text.charCodeAt(start) === 0x7b) {
        firstKey ??= this.firstKeyOf(start);
        const cut = firstKey === undefined ? undefined : this.chunkCut(start, firstKey);
        const values = cut === undefined ? NOT_JSON : tryParse(`[${text.slice(start, cut.end)}]`);
        if (cut !== undefined && Array.isArray(values)) {
          for (const value of values) onItem(value, index++);
          this.at = cut.next;
          continue;
        }
      }
      let value: unknown = NOT_JSON;
      let end = -1;
      if (text.charCodeAt(start) === 0x7b) {
        firstKey ??= this.firstKeyOf(start);
        if (firstKey !== undefined) [end, value] = this.guessItem(start, firstKey);
      }
      if (value === NOT_JSON) {
        end = this.valueEnd(start);
        if (end < 0) return false;
        value = tryParse(text.slice(start, end));
        if (value === NOT_JSON) return false;
      }
      onItem(value, index++);
      this.at = end;
      this.skipSpace();
      const next = text.charCodeAt(this.at++);
      if (next === 0x5d) return true;
      if (next !== 0x2c) return false;
    }
  }

  /** The first key of the object at `start`, as written (quotes included). */
  private firstKeyOf(start: number): string | undefined {
    let at = start + 1;
    while (at < this.text.length && isSpace(this.text.charCodeAt(at))) at++;
    if (this.text.charCodeAt(at) !== 0x22) return undefined;
    const end = this.stringEnd(at);
    return end < 0 ? undefined : this.text.slice(at, end);
  }

  /**
   * Where to cut a chunk of items that starts at `start`: after the `}` of the item that ends
   * at least `CHUNK_LENGTH` further, before the `{` of the next (found as for one item, below).
   * The chunk is confirmed by parsing it as a list: a cut inside an item would leave it open.
   */
  private chunkCut(start: number, firstKey: string): { end: number; next: number } | undefined {
    const { text } = this;
    let from = start + CHUNK_LENGTH;
    for (let attempts = 0; attempts < 3 && from < text.length; attempts++) {
      const key = text.indexOf(firstKey, from);
      if (key < 0) return undefined;
      from = key + 1;
      let at = key - 1;
      while (isSpace(text.charCodeAt(at))) at--;
      if (text.charCodeAt(at) !== 0x7b) continue;
      const next = at--;
      while (isSpace(text.charCodeAt(at))) at--;
      if (text.charCodeAt(at--) !== 0x2c) continue;
      while (isSpace(text.charCodeAt(at))) at--;
      if (text.charCodeAt(at) === 0x7d) return { end: at + 1, next };
    }
    return undefined;
  }

  /**
   * The end and value of the object at `start`, guessed from where the next item (`}`, `,`, `{`,
   * `firstKey`) or the list's end (`}`, `]`) seems to be, each guess confirmed by JSON.parse.
   * `[-1, NOT_JSON]` when a few guesses fail (the caller then matches brackets).
   */
  private guessItem(start: number, firstKey: string): [number, unknown] {
    const { text } = this;
    let attempts = 0;
    for (let from = start + 1; attempts < 4; ) {
      const key = text.indexOf(firstKey, from);
      if (key < 0) break;
      from = key + 1;
      let at = key - 1;
      while (isSpace(text.charCodeAt(at))) at--;
      if (text.charCodeAt(at--) !== 0x7b) continue;
      while (isSpace(text.charCodeAt(at))) at--;
      if (text.charCodeAt(at--) !== 0x2c) continue;
      while (isSpace(text.charCodeAt(at))) at--;
      if (text.charCodeAt(at) !== 0x7d || at < start) continue;
      attempts++;
      const value = tryParse(text.slice(start, at + 1));
      if (value !== NOT_JSON) return [at + 1, value];
    }
    // The last item: it ends before the list's `]`.
    for (let from = start + 1; attempts < 8; ) {
      const bracket = text.indexOf(']', from);
      if (bracket < 0) break;
      from = bracket + 1;
      let at = bracket - 1;
      while (isSpace(text.charCodeAt(at))) at--;
      if (text.charCodeAt(at) !== 0x7d || at < start) continue;
      attempts++;
      const value = tryParse(text.slice(start, at + 1));
      if (value !== NOT_JSON) return [at + 1, value];
    }
    return [-1, NOT_JSON];
  }

  /** The index after the string starting at `start` (a `"`), or -1. */
  stringEnd(start: number): number {
    let from = start + 1;
    for (;;) {
      const quote = this.text.indexOf('"', from);
      if (quote < 0) return -1;
      let backslashes = 0;
      while (this.text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
      if (backslashes % 2 === 0) return quote + 1;
      from = quote + 1;
    }
  }

  /**
   * The index after the value starting at `start`, found by matching brackets outside strings;
   * -1 when they do not match. Whether the value is valid JSON is left to `JSON.parse`.
   */
  valueEnd(start: number): number {
    const { text } = this;
    const first = text.charCodeAt(start);
    if (first === 0x22) return this.stringEnd(start);
    if (first !== 0x7b && first !== 0x5b) {
      // A number or a literal: up to the next delimiter.
      let end = start;
      while (end < text.length) {
        const code = text.charCodeAt(end);
        if (code === 0x2c || code === 0x7d || code === 0x5d || isSpace(code)) break;
        end++;
      }
      return end > start ? end : -1;
    }
    let depth = 0;
    for (let at = start; at < text.length; at++) {
      const code = text.charCodeAt(at);
      if (code === 0x22) {
        const end = this.stringEnd(at);
        if (end < 0) return -1;
        at = end - 1;
      } else if (code === 0x7b || code === 0x5b) {
        depth++;
      } else if (code === 0x7d || code === 0x5d) {
        depth--;
        if (depth === 0) return at + 1;
      }
    }
    return -1;
  }
}

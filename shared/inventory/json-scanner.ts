/**
 * A one-pass JSON scanner for large documents that hold one long list: it checks the document's
 * top level and hands each element of the list to a callback as soon as it is parsed, most of
 * them a chunk of about 64 KB at a time with one `JSON.parse`, so no element outlives the young
 * generation. It accepts exactly the documents `JSON.parse` accepts (every piece it cuts out is
 * confirmed by `JSON.parse`); what it cannot read it reports as such, and the caller falls back
 * to `JSON.parse` of the whole text. Used by the inventory loader (`load.ts`).
 */

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

/**
 * Reads a document's top level, and streams the items of one list, in one pass over the text.
 *
 * @example
 * const scanner = new Scanner('[{"a":1},{"a":2}]');
 * scanner.items((item, index) => console.log(index, item)); // true: the list is valid JSON
 */
export class Scanner {
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

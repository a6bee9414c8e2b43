/**
 * Argument parsing shared by every command: `node:util` parseArgs (no dependency, no startup
 * cost) plus what people expect from the AWS CLI and git: "did you mean" suggestions, list
 * options given either comma-separated or repeated, and one clear line for any mistake.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './cli-error';

/** An option of a command, as parseArgs takes it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type Values<T extends OptionSpecs> = {
  [K in keyof T]?: T[K]['type'] extends 'boolean'
    ? T[K]['multiple'] extends true
      ? boolean[]
      : boolean
    : T[K]['multiple'] extends true
      ? string[]
      : string;
};

export interface Parsed<T extends OptionSpecs> {
  readonly values: Values<T>;
  readonly positionals: string[];
}

/**
 * Parses a command's arguments. Unknown options and misplaced arguments become a
 * {@link UsageError} naming the option, with a suggestion when one is close, and the help to read.
 *
 * @example
 * const { values } = parseOptions('scan', args, { format: { type: 'string' } }, { positionals: false });
 */
export function parseOptions<T extends OptionSpecs>(
  command: string,
  args: readonly string[],
  options: T,
  settings: { readonly positionals: boolean },
): Parsed<T> {
  try {
    const parsed = parseArgs({
      args: [...args],
      options: options as Record<string, OptionSpec>,
      strict: true,
      allowPositionals: settings.positionals,
    });
    return { values: parsed.values as Values<T>, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError(describeParseError(command, error, Object.keys(options)));
  }
}

function describeParseError(command: string, error: unknown, known: readonly string[]): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const help = `(see endpoint-guard ${command} --help)`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(message)?.[1] ?? message;
    const name = option.replace(/^-+/, '').split('=')[0] ?? '';
    const guess = suggest(
      name,
      known.filter((candidate) => candidate.length > 1),
    );
    return guess
      ? `unknown option '${option}' for ${command}: did you mean --${guess}?`
      : `unknown option '${option}' for ${command} ${help}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /'(--?[\w-]+)/.exec(message)?.[1];
    return option && /argument missing/.test(message)
      ? `${option} needs a value ${help}`
      : `${message.replace(/\.$/, '')} ${help}`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const argument = /'([^']*)'/.exec(message)?.[1] ?? '';
    return `unexpected argument '${argument}' for ${command} ${help}`;
  }
  return `${message} ${help}`;
}

/**
 * The candidate closest to what was typed, when it is close enough to be a typo (at most a third
 * of its letters differ, and at most 3), or undefined.
 *
 * @example
 * suggest('formt', ['format', 'rule']); // 'format'
 */
export function suggest(typed: string, candidates: readonly string[]): string | undefined {
  const word = typed.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  if (!best || word.length === 0) return undefined;
  const limit = Math.min(3, Math.max(1, Math.floor(Math.max(word.length, best.candidate.length) / 3)));
  return best.distance <= limit ? best.candidate : undefined;
}

/** Damerau–Levenshtein distance (optimal string alignment): a swap of two letters counts once. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, at(i - 2, j - 2) + 1);
      }
      const row = d[i];
      if (row) row[j] = value;
    }
  }
  return at(a.length, b.length);
}

/**
 * The values of a list option, accepted both comma-separated and repeated
 * (`--rule a,b` = `--rule a --rule b`), trimmed, without empties or duplicates, in order.
 *
 * @example
 * listValues(['a,b', 'b', ' c ']); // ['a', 'b', 'c']
 */
export function listValues(given: readonly string[] | undefined): string[] {
  const values: string[] = [];
  for (const text of given ?? []) {
    for (const part of text.split(',')) {
      const value = part.trim();
      if (value !== '' && !values.includes(value)) values.push(value);
    }
  }
  return values;
}

/**
 * A list option checked against the values it may take: an unknown one is a {@link UsageError}
 * naming it, with a suggestion or the accepted values.
 *
 * @example
 * const rules = choices('--rule', values.rule, RULE_IDS);
 */
export function choices<T extends string>(
  option: string,
  given: readonly string[] | undefined,
  accepted: readonly T[],
): T[] {
  const chosen: T[] = [];
  for (const value of listValues(given)) {
    const match = accepted.find((candidate) => candidate === value || candidate === value.toUpperCase());
    if (match === undefined) throw new UsageError(unknownValue(option, value, accepted));
    if (!chosen.includes(match)) chosen.push(match);
  }
  return chosen;
}

/**
 * `unknown --format "xml": expected one of table, json` or `unknown --rule "s3-bucket": did you
 * mean s3-bucket-public-access?`.
 */
export function unknownValue(option: string, value: string, accepted: readonly string[]): string {
  const guess = suggest(value, accepted);
  return guess
    ? `unknown ${option} "${value}": did you mean ${guess}?`
    : `unknown ${option} "${value}": expected one of ${accepted.join(', ')}`;
}

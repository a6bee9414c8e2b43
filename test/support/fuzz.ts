/**
 * fast-check arbitraries that break valid payloads the way the world does: a field dropped,
 * retyped, replaced by a huge or unicode string, nested thousands of levels deep, or the whole
 * text truncated. Each mutation starts from a valid fixture, so most runs get past the first
 * check and probe the deeper ones.
 *
 * `FUZZ_RUNS` sets the runs per property (default 2,000, what CI runs); set it higher locally.
 *
 * @example
 * await fc.assert(fc.asyncProperty(mutatedJson(fixture), async ({ value, mutations }) => { ... }), { numRuns: FUZZ_RUNS });
 */
import fc from 'fast-check';

/** Runs per property: `FUZZ_RUNS`, else 2,000. */
export const FUZZ_RUNS = ((): number => {
  const value = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(value) && value > 0 ? value : 2000;
})();

/** A fixed seed per run of the suite unless `FUZZ_SEED` is set, so a failure can be replayed. */
export const FUZZ_SEED = ((): number => {
  const value = Number(process.env.FUZZ_SEED);
  return Number.isInteger(value) ? value : Date.now() % 2_147_483_647;
})();

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

/** What a mutation did, for the failure report. */
export type Mutation =
  | { kind: 'drop'; path: Path }
  | { kind: 'retype'; path: Path; to: string }
  | { kind: 'huge-string'; path: Path; length: number }
  | { kind: 'unicode'; path: Path }
  | { kind: 'deep-nesting'; path: Path; depth: number }
  | { kind: 'empty'; path: Path }
  | { kind: 'add-key'; path: Path; key: string };

/**
 * Every path in a JSON value (objects' keys and arrays' indexes), the root excluded, down to
 * `maxDepth` levels (a deeply nested mutation is not walked again).
 */
export function pathsOf(value: Json, prefix: Path = [], maxDepth = 12): Path[] {
  if (prefix.length >= maxDepth) return [];
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => [[...prefix, index], ...pathsOf(item, [...prefix, index])]);
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [
      [...prefix, key],
      ...pathsOf(item, [...prefix, key]),
    ]);
  }
  return [];
}

const DROP = Symbol('drop');

/**
 * A copy of `root` with the value at `path` replaced by `update(current)` (or removed when it
 * returns DROP). Only the nodes along the path are copied: the rest is shared, never mutated, so
 * a deeply nested value is never walked.
 */
function updateAt(root: Json, path: Path, update: (current: Json) => Json | typeof DROP): Json {
  const [key, ...rest] = path;
  if (key === undefined) {
    const next = update(root);
    return next === DROP ? null : next;
  }
  if (Array.isArray(root)) {
    const index = Number(key);
    if (!(index in root)) return root;
    const copy = [...root];
    const next = rest.length ? updateAt(root[index] ?? null, rest, update) : update(root[index] ?? null);
    if (next === DROP) copy.splice(index, 1);
    else copy[index] = next;
    return copy;
  }
  if (root !== null && typeof root === 'object') {
    const name = String(key);
    if (!(name in root)) return root;
    const copy: Record<string, Json> = { ...root };
    const next = rest.length ? updateAt(root[name] ?? null, rest, update) : update(root[name] ?? null);
    if (next === DROP) delete copy[name];
    else copy[name] = next;
    return copy;
  }
  return root;
}

/** A value nested `depth` levels: `[[[...]]]` or `{"a":{"a":...}}`. */
export function deeplyNested(depth: number, kind: 'array' | 'object'): Json {
  let value: Json = 'bottom';
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

const replacementArb: fc.Arbitrary<{ to: string; value: Json }> = fc.oneof(
  fc.constant<{ to: string; value: Json }>({ to: 'null', value: null }),
  fc.boolean().map((value) => ({ to: 'boolean', value })),
  fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 53, Number.MAX_VALUE)).map((value) => ({
    to: 'number',
    value: Number.isFinite(value) ? value : 0,
  })),
  fc.string({ maxLength: 20 }).map((value) => ({ to: 'string', value })),
  fc.constant<{ to: string; value: Json }>({ to: 'array', value: [] }),
  fc.constant<{ to: string; value: Json }>({ to: 'object', value: {} }),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }).map((value) => ({ to: 'string[]', value })),
);

/** One mutation of `base` at one of its paths (or at the root when it has none). */
export function mutationOf(base: Json): fc.Arbitrary<{ value: Json; mutation: Mutation }> {
  const paths = pathsOf(base);
  const pathArb = paths.length > 0 ? fc.constantFrom(...paths) : fc.constant([] as Path);
  return fc.oneof(
    {
      weight: 3,
      arbitrary: pathArb.map((path) => ({
        value: updateAt(base, path, () => DROP),
        mutation: { kind: 'drop', path } as Mutation,
      })),
    },
    {
      weight: 4,
      arbitrary: fc.tuple(pathArb, replacementArb).map(([path, { to, value }]) => ({
        value: updateAt(base, path, () => value),
        mutation: { kind: 'retype', path, to } as Mutation,
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          pathArb,
          fc.integer({ min: 70_000, max: 300_000 }),
          fc.constantFrom('A', 'é', '\u{1F600}', '\0'),
        )
        .map(([path, length, unit]) => ({
          value: updateAt(base, path, () => unit.repeat(Math.ceil(length / unit.length))),
          mutation: { kind: 'huge-string', path, length } as Mutation,
        })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(pathArb, fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }))
        .map(([path, text]) => ({
          value: updateAt(base, path, (current) =>
            typeof current === 'string' ? `${current}${text}` : text,
          ),
          mutation: { kind: 'unicode', path } as Mutation,
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(pathArb, fc.integer({ min: 200, max: 2000 }), fc.constantFrom('array', 'object' as const))
        .map(([path, depth, kind]) => ({
          value: updateAt(base, path, () => deeplyNested(depth, kind as 'array' | 'object')),
          mutation: { kind: 'deep-nesting', path, depth } as Mutation,
        })),
    },
    {
      weight: 1,
      arbitrary: pathArb.map((path) => ({
        value: updateAt(base, path, (current) =>
          Array.isArray(current) ? [] : current !== null && typeof current === 'object' ? {} : '',
        ),
        mutation: { kind: 'empty', path } as Mutation,
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(pathArb, fc.string({ maxLength: 12 }), replacementArb)
        .map(([path, name, { value }]) => ({
          value: updateAt(base, path, (current) =>
            current !== null && typeof current === 'object' && !Array.isArray(current)
              ? { ...current, [name]: value }
              : current,
          ),
          mutation: { kind: 'add-key', path, key: name } as Mutation,
        })),
    },
  );
}

/** One to three successive mutations of `base`. */
export function mutatedJson(
  base: Json,
  maxMutations = 3,
): fc.Arbitrary<{ value: Json; mutations: Mutation[] }> {
  return fc.integer({ min: 1, max: maxMutations }).chain((count) => chainMutations(base, count, []));
}

function chainMutations(
  value: Json,
  left: number,
  done: Mutation[],
): fc.Arbitrary<{ value: Json; mutations: Mutation[] }> {
  if (left === 0) return fc.constant({ value, mutations: done });
  return mutationOf(value).chain(({ value: next, mutation }) =>
    chainMutations(next, left - 1, [...done, mutation]),
  );
}

/** JSON text of `value`, cut at a random point (a truncated delivery or file). */
export function truncatedText(value: Json): fc.Arbitrary<string> {
  const text = JSON.stringify(value);
  return fc.integer({ min: 0, max: Math.max(0, text.length - 1) }).map((end) => text.slice(0, end));
}

/** Anything at all, for the "not even the right shape" runs. */
export const anyJson: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>;

/** A short, printable description of a mutated value for failure reports (never 300 KB). */
export function describeMutations(mutations: readonly Mutation[]): string {
  return mutations
    .map((m) => `${m.kind} at ${m.path.join('.') || '(root)'}${'to' in m ? ` → ${m.to}` : ''}`)
    .join('; ');
}

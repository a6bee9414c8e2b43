/**
 * `loadResources`, the one-pass loader the benchmarks measure (shared/inventory/load.ts): for any
 * input, the same resources and the same error as `normalizeItems(parseConfigurationItems())`,
 * on the fixture inputs and on fuzzed ones (mutated, truncated, reformatted, random JSON).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { generateSnapshot } from '../../bench/generate';
import { loadResources, normalizeItems, parseConfigurationItems } from '../../shared/inventory/load';
import { anyJson, FUZZ_SEED, type Json, mutatedJson, truncatedText } from '../support/fuzz';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const SOURCE = 'input.json';

/** What a loader gives: the format and resources as JSON, or the error's class, message and location. */
function outcome(load: () => { format: string; resources: unknown[] }): unknown {
  try {
    const { format, resources } = load();
    return { format, resources: JSON.stringify(resources) };
  } catch (error) {
    const { name, message, location } = error as { name: string; message: string; location?: string };
    return { name, message, location };
  }
}

function standard(data: Uint8Array | string): unknown {
  return outcome(() => {
    const loaded = parseConfigurationItems(data, SOURCE);
    return { format: loaded.format, resources: normalizeItems(loaded) };
  });
}

function streamed(data: Uint8Array | string): unknown {
  return outcome(() => loadResources(data, SOURCE));
}

const inputs = readdirSync(join(FIXTURES, 'inputs'))
  .filter((name) => name.endsWith('.json') && name !== 'expected-verdicts.json')
  .map((name) => JSON.parse(readFileSync(join(FIXTURES, 'inputs', name), 'utf8')) as Json);

describe('loadResources', () => {
  it.each([
    ...readdirSync(join(FIXTURES, 'inputs')).map((name) => join('inputs', name)),
    ...readdirSync(join(FIXTURES, 'bad')).map((name) => join('bad', name)),
  ])('loads %s as the standard path does', (file) => {
    // Prepare
    const data = readFileSync(join(FIXTURES, file));

    // Act / Assess
    expect(streamed(data)).toEqual(standard(data));
  });

  it('loads the example organization as the standard path does', () => {
    const data = readFileSync(
      join(import.meta.dirname, '..', '..', 'examples', 'organization-snapshot.json'),
    );
    const result = streamed(data);
    expect(result).toEqual(standard(data));
    expect(result).toEqual(expect.objectContaining({ format: 'snapshot' }));
  });

  it('parses a valid document item by item, never whole, whatever its strings hold', () => {
    // Prepare: tags full of quotes, backslashes and brackets, and the document reformatted.
    const tags = { Name: 'a "quoted" \\ name ]}', other: '\\"[{', empty: '' };
    const items = [0, 1, 2].map((index) => ({
      configurationItemStatus: 'OK',
      resourceType: 'AWS::EC2::Subnet',
      resourceId: `subnet-${index}`,
      awsAccountId: '111122223333',
      awsRegion: 'eu-west-1',
      configuration: { vpcId: 'vpc-1', availabilityZone: 'eu-west-1a', note: 'x\\' },
      tags,
    }));
    const text = JSON.stringify(
      { fileVersion: '1.0', configurationItems: items, extra: [{ a: ']' }] },
      null,
      2,
    );
    const parse = vi.spyOn(JSON, 'parse');

    // Act
    const result = loadResources(text, SOURCE);

    // Assess
    expect(result.resources.map((resource) => [resource.resourceId, resource.tags])).toEqual([
      ['subnet-0', tags],
      ['subnet-1', tags],
      ['subnet-2', tags],
    ]);
    expect(parse.mock.calls.some(([argument]) => argument === text)).toBe(false);
    expect(parse).toHaveBeenCalledTimes(3 + 2 + 3);
  });

  it('loads a large snapshot a chunk at a time, whatever look-alikes of the item separator it holds', () => {
    // Prepare: 600 generated items (over a megabyte); some hide the separator and the first key
    // in strings and in nested objects, the kind of text a chunk must not be cut at.
    const snapshot = generateSnapshot({ items: 600, seed: 7 });
    const firstKey = Object.keys(snapshot.configurationItems[0] ?? {})[0] ?? 'relatedEvents';
    snapshot.configurationItems.forEach((item, index) => {
      if (index % 7 === 0) item.tags = { ...(item.tags as object), trap: `},{"${firstKey}": [] }` };
      if (index % 11 === 0) item.relatedEvents = [{ [firstKey]: [] }, { [firstKey]: { x: '}]' } }];
    });
    const texts = [
      JSON.stringify(snapshot),
      JSON.stringify(snapshot, null, 1),
      JSON.stringify(snapshot.configurationItems),
    ];
    const parse = vi.spyOn(JSON, 'parse');

    for (const text of texts) {
      // Act
      const result = streamed(text);

      // Assess
      expect(result).toEqual(standard(text));
      expect(result).toEqual(
        expect.objectContaining({ format: text.startsWith('[') ? 'array' : 'snapshot' }),
      );
    }
    expect(parse.mock.calls.filter(([argument]) => texts.includes(String(argument)))).toHaveLength(3);
    const chunks = parse.mock.calls.filter(
      ([argument]) => String(argument).length > 64 * 1024 && !texts.includes(String(argument)),
    );
    expect(chunks.length).toBeGreaterThanOrEqual(3 * 10);
  });

  it('gives the same resources or the same error for fuzzed inputs', () => {
    const text = fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .constantFrom(...inputs)
          .chain((base) =>
            mutatedJson(base).chain(({ value }) =>
              fc.constantFrom(
                JSON.stringify(value),
                JSON.stringify(value, null, 2),
                ` \n${JSON.stringify(value)}\t\r\n`,
              ),
            ),
          ),
      },
      { weight: 2, arbitrary: fc.constantFrom(...inputs).chain((base) => truncatedText(base)) },
      { weight: 1, arbitrary: anyJson.map((value) => JSON.stringify(value)) },
      {
        weight: 1,
        // Structure the fast path must refuse: repeated keys, strings with quotes and brackets.
        arbitrary: fc.constantFrom(
          '{"configurationItems": [], "configurationItems": [{"resourceType": "AWS::EC2::VPC"}]}',
          '{"configurationItems": [{"resourceType": "AWS::EC2::VPC", "resourceId": "a\\"]}"}] }',
          '{"fileVersion": "1.0", "configurationItems": [ ] , "x": [1, 2, {"a": "]"}]}',
          '{"configurationItems": [1, 2, ], "fileVersion": "1.0"}',
          '{"configurationItems": [{}] } x',
          '[{"resourceType": "AWS::S3::Bucket"}, tru]',
          '{"__proto__": [], "configurationItems": []}',
        ),
      },
    );
    fc.assert(
      fc.property(text, (input) => {
        expect(streamed(input)).toEqual(standard(input));
      }),
      { numRuns: 400, seed: FUZZ_SEED },
    );
  });
});

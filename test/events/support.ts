/**
 * Loads the event fixtures in test/fixtures/events: realistic payloads in the shapes AWS
 * documents (see test/fixtures/events/README.md for their sources).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const EVENT_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'events');

/** A fixture as parsed JSON, e.g. `eventFixture('cloudtrail/create-route.json')`. */
export function eventFixture(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(EVENT_FIXTURES, path), 'utf8')) as Record<string, unknown>;
}

/** The JSON fixtures directly in one folder, by file name. */
export function eventFixtureNames(folder: string): string[] {
  return readdirSync(join(EVENT_FIXTURES, folder))
    .filter((name) => name.endsWith('.json'))
    .sort();
}

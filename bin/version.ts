/**
 * The CLI's version: package.json's, put in by the bundler (scripts/build-cli.mjs) so the CLI
 * need not read files to print it; read from package.json when run unbundled (tests, tsx).
 */
import { readFileSync } from 'node:fs';

declare const __ENDPOINT_GUARD_VERSION__: string | undefined;

function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

export const VERSION: string =
  typeof __ENDPOINT_GUARD_VERSION__ === 'string' ? __ENDPOINT_GUARD_VERSION__ : packageVersion();

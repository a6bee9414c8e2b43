/**
 * Offline commands never load the AWS SDK (issue: the CLI paid for all eight SDK clients on
 * every command). Checked two ways on the shipped bundle:
 * - at run time: each command runs in a child process with a module tracer preloaded, and the
 *   modules it loaded are listed;
 * - in the chunk graph esbuild records (dist/bin/meta.json): nothing an offline command imports
 *   statically imports an SDK package; only the live parts do, and only with `import()`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../support/cli';

const TRACER = resolve(import.meta.dirname, '../support/trace-imports.cjs');
const dir = mkdtempSync(join(tmpdir(), 'eg-startup-'));
let runs = 0;

/** The modules (URLs and paths) a CLI run loaded. */
function loadedModules(args: readonly string[], env: NodeJS.ProcessEnv = {}): string[] {
  const trace = join(dir, `trace-${runs++}.txt`);
  const result = spawnSync(process.execPath, ['--require', TRACER, CLI, ...args], {
    env: {
      ...process.env,
      NO_COLOR: '1',
      EG_TRACE_IMPORTS: trace,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: '',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      ...env,
    },
    encoding: 'utf8',
  });
  expect(result.stderr).not.toContain('unexpected error');
  return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
}

const sdkModules = (modules: readonly string[]) =>
  modules.filter((m) => /[/\\]@(aws-sdk|smithy)[/\\]/.test(m));

const EXAMPLE = 'examples/organization-snapshot.json';

describe('offline commands load no AWS SDK', () => {
  it.each([
    [['--version']],
    [['-V']],
    [['--help']],
    [['scan', '--help']],
    [['scan', '--live', '--help']],
    [['settings', '--help']],
    [['rollback', '--help']],
    [['scan', '--snapshot', EXAMPLE]],
    [['scan', '--snapshot', EXAMPLE, '--format', 'json']],
    [['scan', '--snapshot', EXAMPLE, '--format', 'csv']],
    [['scan', '--snapshot', EXAMPLE, '--format', 'ocsf']],
    [['scan', '--snapshot', EXAMPLE, '--format', 'html']],
    [
      [
        'scan',
        '--snapshot',
        EXAMPLE,
        '--format',
        'asff',
        '--hub-account',
        '111122223333',
        '--hub-region',
        'us-east-1',
      ],
    ],
    [['scan', '--snapshot', EXAMPLE, '--settings', 'examples/settings.json']],
    [['settings', 'validate', 'examples/settings.json']],
    [['scan', '--snapshot', 'test/fixtures/bad/not-json.json']],
  ])('%j', (args) => {
    const modules = loadedModules(args);

    expect(modules.some((m) => m.endsWith('/dist/bin/endpoint-guard.js'))).toBe(true);
    expect(sdkModules(modules)).toEqual([]);
  });

  it('an offline scan loads no dependency from node_modules but zod', () => {
    // The rule and action registries build their zod schemas when imported; making them lazy is
    // the open part of the start-time work. Any other package loaded here fails this test.
    const modules = loadedModules(['scan', '--snapshot', EXAMPLE]);
    const packages = new Set(
      modules.flatMap((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(m)?.slice(1, 2) ?? []),
    );

    expect([...packages]).toEqual(['zod']);
  });

  it('the tracer does see the SDK when a command calls AWS (the check above can fail)', () => {
    const modules = loadedModules(['settings', 'get', '--region', 'us-east-1']);

    expect(sdkModules(modules).some((m) => m.includes('@aws-sdk/client-ssm'))).toBe(true);
  });
});

describe('the chunk graph of the shipped CLI', () => {
  interface Output {
    imports: { path: string; kind: string; external?: boolean }[];
    entryPoint?: string;
  }
  const meta = JSON.parse(readFileSync(resolve(CLI, '../meta.json'), 'utf8')) as {
    outputs: Record<string, Output>;
  };
  const outputs = meta.outputs;

  /** Everything a chunk loads before it runs: its static imports, transitively. */
  function staticClosure(chunk: string): Set<string> {
    const seen = new Set<string>();
    const visit = (path: string): void => {
      if (seen.has(path)) return;
      seen.add(path);
      for (const entry of outputs[path]?.imports ?? [])
        if (entry.kind === 'import-statement') visit(entry.path);
    };
    visit(chunk);
    return seen;
  }

  const chunkOf = (source: string): string => {
    const found = Object.entries(outputs).find(
      ([path, output]) => !path.endsWith('.map') && output.entryPoint === source,
    );
    if (!found) throw new Error(`no chunk for ${source}`);
    return found[0];
  };

  it.each([
    'bin/endpoint-guard.ts',
    'bin/commands/scan.ts',
    'bin/commands/settings.ts',
    'bin/commands/rollback.ts',
    'shared/reports/csv.ts',
    'shared/reports/ocsf.ts',
    'shared/reports/html.ts',
    'shared/reports/decisions.ts',
    'shared/securityhub/asff.ts',
  ])('%s imports no SDK package before it runs', (source) => {
    const closure = [...staticClosure(chunkOf(source))];

    expect(closure.filter((path) => path.startsWith('@aws-sdk/') || path.startsWith('@smithy/'))).toEqual([]);
  });

  it('the live parts are split off and import their clients themselves', () => {
    const live = [...staticClosure(chunkOf('bin/commands/scan-live.ts'))];
    const store = [...staticClosure(chunkOf('bin/commands/parameter-store.ts'))];

    expect(live).toContain('@aws-sdk/client-ec2');
    expect(store).toContain('@aws-sdk/client-ssm');
  });
});

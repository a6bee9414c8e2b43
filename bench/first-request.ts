/**
 * What a cold start costs the user: a fresh `node` process that imports a deployed bundle and
 * invokes its handler on a representative event, timed from the spawn to the moment its first
 * AWS request reaches a loopback server playing AWS (`AWS_ENDPOINT_URL`, fake credentials). The
 * baseline is a bare `node` process sending one request to the same server, measured the same
 * way, run by run interleaved with the bundles so machine noise hits all alike.
 *
 * The server answers every request with an HTTP 400 error (the process is killed as soon as the
 * first request arrives, so nothing depends on the answer).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { median } from './cold-start';

export interface FirstRequestTarget {
  readonly name: string;
  /** The bundle (`index.mjs`) whose `handler` is invoked. */
  readonly file: string;
  /** A file holding the event (JSON). */
  readonly event: string;
}

export interface FirstRequest {
  readonly name: string;
  /** Median ms from spawn to the first request. */
  readonly ms: number;
  /** `ms` / the bare node's median. */
  readonly ratio: number;
  /** What the first request was (`AmazonSSM.GetParameter`, `ec2:DescribeVpcEndpoints`...). */
  readonly request: string;
}

export interface FirstRequestRun {
  /** Median ms from spawn to the request of a bare `node` sending one. */
  readonly bareMs: number;
  readonly rows: readonly FirstRequest[];
}

const CONTEXT = `{ awsRequestId: 'bench', functionName: 'bench', functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:bench', memoryLimitInMB: '512',
  getRemainingTimeInMillis: () => 60000 }`;

/** The environment of the deployed functions, pointed at the loopback server. */
function lambdaEnvironment(endpoint: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-not-a-credential',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    EVENT_BUS_NAME: 'endpoint-guard',
    MEMBER_ROLE_NAME: 'EndpointGuardMember',
    SETTINGS_PARAMETER: '/endpoint-guard/settings',
    TABLE_NAME: 'endpoint-guard',
    AGGREGATOR_NAME: 'endpoint-guard',
    TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:endpoint-guard',
    HOME_REGION: 'us-east-1',
  };
}

/** `AmazonSSM.GetParameter` (JSON protocols) or `Action=DescribeVpcEndpoints` (query protocols). */
function describe(request: IncomingMessage, body: string): string {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target;
  const action = /(?:^|&)Action=([^&]+)/.exec(body)?.[1];
  return action ? `${request.headers.host ?? ''} ${action}`.trim() : `${request.method} ${request.url}`;
}

/**
 * Measures each target and a bare node, `runs` times interleaved, after one warm-up of each.
 *
 * @example
 * const { bareMs, rows } = await measureFirstRequests([{ name: 'sweep', file, event: '{}' }], 11);
 */
export async function measureFirstRequests(
  targets: readonly FirstRequestTarget[],
  runs: number,
): Promise<FirstRequestRun> {
  let waiting: ((arrival: { at: number; request: string }) => void) | undefined;
  const server = createServer((request, response) => {
    const arrived = performance.now();
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      const resolve = waiting;
      waiting = undefined;
      resolve?.({ at: arrived, request: describe(request, body) });
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      response.end('{"__type":"BenchStop","message":"the benchmark stops here"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const env = lambdaEnvironment(endpoint);

  const once = (args: readonly string[]): Promise<{ ms: number; request: string }> =>
    new Promise((resolve, reject) => {
      let stderr = '';
      const started = performance.now();
      const timer = setTimeout(() => {
        waiting = undefined;
        child.kill('SIGKILL');
        reject(new Error(`no AWS request within 60 s: ${stderr.slice(-500)}`));
      }, 60_000);
      waiting = ({ at, request }) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve({ ms: at - started, request });
      };
      const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
    });

  const bare = [
    '-e',
    `require('node:http').request(${JSON.stringify(endpoint)}).on('error', () => {}).end()`,
  ];
  const commands: [string, string[]][] = [
    ['bare node', bare],
    ...targets.map((target): [string, string[]] => [
      target.name,
      [
        '--input-type=module',
        '-e',
        `const { handler } = await import(${JSON.stringify(pathToFileURL(target.file).href)});\n` +
          `await handler(${readFileSync(target.event, 'utf8')}, ${CONTEXT}).catch(() => {});`,
      ],
    ]),
  ];
  const times = new Map<string, number[]>(commands.map(([name]) => [name, []]));
  const requests = new Map<string, string>();
  try {
    for (const [, args] of commands) await once(args);
    for (let run = 0; run < runs; run++) {
      for (const [name, args] of commands) {
        const { ms, request } = await once(args);
        times.get(name)?.push(ms);
        requests.set(name, request);
      }
    }
  } finally {
    server.close();
  }
  const bareMs = median(times.get('bare node') ?? []);
  return {
    bareMs,
    rows: targets.map(({ name }) => {
      const ms = median(times.get(name) ?? []);
      return { name, ms, ratio: ms / bareMs, request: requests.get(name) ?? '' };
    }),
  };
}

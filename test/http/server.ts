/**
 * A scripted HTTP server on 127.0.0.1 (random port) for the HTTP client and the ticket sinks:
 * it records every request exactly as received (method, path with query, headers, raw body) and
 * answers from a script of replies, so tests assert what was sent and control what comes back.
 *
 * @example
 * const server = useHttpServer();
 * server.reply({ status: 201, body: { id: '10000', key: 'OPS-1' } });
 * // ... call the sink with server.url ...
 * expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/rest/api/3/issue' });
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export interface RecordedRequest {
  readonly method: string;
  /** Path and query string as sent. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The raw body. */
  readonly body: string;
}

export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object is sent as JSON; a string as is. */
  readonly body?: unknown;
  /** Wait this long before answering (to trip client timeouts). */
  readonly delayMs?: number;
}

export type Responder = (request: RecordedRequest) => Reply;

export interface TestHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Queues replies, answered in order; when the queue is empty, `fallback` answers. */
  reply(...replies: Reply[]): void;
  /** Answers requests the queue does not cover. @default 500 "no reply scripted" */
  fallback(responder: Responder): void;
  /** The request bodies parsed as JSON. */
  jsonBodies(): unknown[];
  reset(): void;
  stop(): Promise<void>;
}

/**
 * Starts a scripted server.
 *
 * @example
 * const server = await startHttpServer();
 * try { ... } finally { await server.stop(); }
 */
export async function startHttpServer(): Promise<TestHttpServer> {
  const requests: RecordedRequest[] = [];
  let queue: Reply[] = [];
  let fallback: Responder = () => ({ status: 500, body: { message: 'no reply scripted' } });
  const timers = new Set<NodeJS.Timeout>();

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const reply = queue.shift() ?? fallback(recorded);
      if (reply.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(response, reply);
        }, reply.delayMs);
        timers.add(timer);
      } else {
        send(response, reply);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (...replies) => {
      queue.push(...replies);
    },
    fallback: (responder) => {
      fallback = responder;
    },
    jsonBodies: () =>
      requests.map((request) => (request.body ? (JSON.parse(request.body) as unknown) : undefined)),
    reset: () => {
      requests.length = 0;
      queue = [];
      fallback = () => ({ status: 500, body: { message: 'no reply scripted' } });
    },
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/**
 * Starts a scripted server for the tests of the current file, resets it before each test and
 * stops it after the last.
 *
 * @example
 * const server = useHttpServer();
 */
export function useHttpServer(): TestHttpServer {
  let running: TestHttpServer | undefined;
  const current = (): TestHttpServer => {
    if (!running) throw new Error('the test HTTP server is not running: use it inside tests or hooks');
    return running;
  };
  beforeAll(async () => {
    running = await startHttpServer();
  });
  beforeEach(() => current().reset());
  afterAll(async () => {
    await running?.stop();
    running = undefined;
  });
  return {
    get url() {
      return current().url;
    },
    get requests() {
      return current().requests;
    },
    reply: (...replies) => current().reply(...replies),
    fallback: (responder) => current().fallback(responder),
    jsonBodies: () => current().jsonBodies(),
    reset: () => current().reset(),
    stop: () => current().stop(),
  };
}

function send(response: ServerResponse, reply: Reply): void {
  if (response.destroyed) return;
  const isText = typeof reply.body === 'string';
  const body = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    ...(reply.body === undefined || isText ? {} : { 'Content-Type': 'application/json' }),
    ...reply.headers,
  });
  response.end(body);
}

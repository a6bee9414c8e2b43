/**
 * A real DynamoDB-compatible engine for tests: dynalite (in memory) on 127.0.0.1 at a random
 * port, with the endpoint-guard table (`pk`/`sk` strings, TTL on `expiresAt`). Store tests run
 * against it instead of a mock, so conditions, `ADD` and `if_not_exists` behave as DynamoDB does.
 *
 * @example
 * const db = useDynalite(); // in a describe block or at the top of a test file
 * it('...', async () => {
 *   const store = new FindingStore({ client: db.documentClient, tableName: db.tableName });
 * });
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';

// dynalite ships no type declarations: load it through require and state the one call we use.
const require = createRequire(import.meta.url);
const createDynalite = require('dynalite') as (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

export interface Dynalite {
  readonly endpoint: string;
  /** A low-level client on the engine (what Powertools Idempotency takes). */
  readonly client: DynamoDBClient;
  /** A document client on the engine (what the store takes). */
  readonly documentClient: DynamoDBDocumentClient;
  /** The table created at start. */
  readonly tableName: string;
  /** Creates another, empty table with the same schema; returns its name. */
  createTable(name?: string): Promise<string>;
  stop(): Promise<void>;
}

let tableCounter = 0;

/**
 * Starts dynalite on a random loopback port and creates a table.
 *
 * @example
 * const db = await startDynalite();
 * try { ... } finally { await db.stop(); }
 */
export async function startDynalite(tableName = 'endpoint-guard-test'): Promise<Dynalite> {
  const server = createDynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // The engine never closes a connection on its own. Node's server closes an idle keep-alive
  // connection after 5 s; a client that picks that socket for its next request in the same
  // instant gets a real ECONNRESET ("socket hang up"), which on a loaded machine is no longer
  // rare, and a test then fails on a fault nobody injected. Connections are closed at stop().
  server.keepAliveTimeout = 0;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const documentClient = DynamoDBDocumentClient.from(client);

  const createTable = async (name = `endpoint-guard-test-${++tableCounter}`): Promise<string> => {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitUntilTableExists(
      // Bounded generously: the wait is for the engine's timer, which a busy machine delays.
      { client, maxWaitTime: 120, minDelay: 0.05, maxDelay: 0.2 },
      { TableName: name },
    );
    try {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        }),
      );
    } catch (error) {
      // dynalite does not implement UpdateTimeToLive (it never expires items); the store's
      // conditions compare expiresAt with the clock themselves, so tests do not depend on it.
      if (!(error instanceof Error && /UnknownOperation/.test(error.name))) throw error;
    }
    return name;
  };

  await createTable(tableName);
  return {
    endpoint,
    client,
    documentClient,
    tableName,
    createTable,
    async stop() {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      client.destroy();
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      // Every client's kept-alive sockets (tests build clients they never destroy).
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * Starts dynalite before the tests of the current file (or describe block) and stops it after.
 * The returned object's fields are usable inside tests and hooks, not at collection time.
 *
 * @example
 * const db = useDynalite();
 * beforeEach(async () => { tableName = await db.createTable(); });
 */
export function useDynalite(tableName?: string): Dynalite {
  let running: Dynalite | undefined;
  const current = (): Dynalite => {
    if (!running) throw new Error('dynalite is not running: use it inside tests or hooks');
    return running;
  };
  beforeAll(async () => {
    running = await startDynalite(tableName);
  });
  afterAll(async () => {
    await running?.stop();
    running = undefined;
  });
  return {
    get endpoint() {
      return current().endpoint;
    },
    get client() {
      return current().client;
    },
    get documentClient() {
      return current().documentClient;
    },
    get tableName() {
      return current().tableName;
    },
    createTable: (name) => current().createTable(name),
    stop: () => current().stop(),
  };
}

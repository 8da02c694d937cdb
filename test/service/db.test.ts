import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { closedPort, type Running, startDynalite } from '../helpers/servers.js';
import { dynamoClient, type StartedApp, startApp } from './start-app.js';

let dynamo: Running;
let client: DynamoDBClient;
let app: StartedApp | undefined;

beforeEach(async () => {
  dynamo = await startDynalite();
  client = dynamoClient(dynamo.url);
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  client.destroy();
  await dynamo.close();
});

async function createTables(names: string[]): Promise<void> {
  for (const TableName of names) {
    await client.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
}

async function getDb(options: { maxPages?: number; endpoint?: string } = {}): Promise<[number, unknown]> {
  app = await startApp({ dynamoEndpoint: options.endpoint ?? dynamo.url, maxPages: options.maxPages });
  const res = await fetch(`${app.url}/db`);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return [res.status, await res.json()];
}

const names = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `table-${String(i).padStart(3, '0')}`);

describe('GET /db', () => {
  it('says "no-tables" when the region has none', async () => {
    const [status, body] = await getDb();
    expect(status).toBe(200);
    expect(body).toEqual({ db: 'no-tables', message: expect.stringContaining('No DynamoDB tables') });
  });

  it('lists the tables when connected', async () => {
    await createTables(['web-app-table', 'stepship-deployments']);
    const [status, body] = await getDb();
    expect(status).toBe(200);
    expect(body).toEqual({ db: 'connected', tables: ['stepship-deployments', 'web-app-table'] });
  });

  it('follows pagination past the 100 names of one ListTables page', async () => {
    await createTables(names(105));
    const [, body] = await getDb();
    expect(body).toEqual({ db: 'connected', tables: names(105) });
  });

  it('stops at the page cap and says the list is truncated', async () => {
    await createTables(names(105));
    const [, body] = await getDb({ maxPages: 1 });
    expect(body).toEqual({ db: 'connected', tables: names(100), truncated: true });
  });

  it('answers 500 with a readable message when DynamoDB is down', async () => {
    const [status, body] = await getDb({ endpoint: `http://127.0.0.1:${await closedPort()}` });
    expect(status).toBe(500);
    expect(body).toEqual({ db: 'error', message: expect.stringMatching(/ECONNREFUSED|connect/i) });
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  CreateTableCommand,
  DescribeTableOutput$,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  ResourceNotFoundException,
  ScanOutput$,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { rawAwsRequest } from '../helpers/raw-aws.js';
import { unmodeledMembers } from '../helpers/unmodeled.js';

let cloud: LocalCloud;
let ddb: DynamoDBClient;

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-ddb-')),
  });
  ddb = new DynamoDBClient({
    endpoint: cloud.endpointUrl,
    region: cloud.region,
    credentials: LOCAL_CREDENTIALS,
  });
  await ddb.send(
    new CreateTableCommand({
      TableName: 'api-table',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
}, 30_000);
afterAll(() => cloud.stop());

const dynamodb = (operation: string, body: object) =>
  rawAwsRequest(cloud.endpointUrl, {
    service: 'dynamodb',
    target: `DynamoDB_20120810.${operation}`,
    contentType: 'application/x-amz-json-1.0',
    body: JSON.stringify(body),
  });

describe('DynamoDB through the same endpoint', () => {
  it('is a real DynamoDB implementation (dynalite)', async () => {
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).toContain('api-table');
  });

  it('answers only the members the model declares, with a checksum that matches the body', async () => {
    const described = await dynamodb('DescribeTable', { TableName: 'api-table' });
    expect(described.status).toBe(200);
    expect(unmodeledMembers(DescribeTableOutput$, described.json)).toEqual([]);
    expect(described.text).not.toContain('TableThroughputModeSummary');
    expect((described.json as { Table: object }).Table).toMatchObject({
      TableName: 'api-table',
      TableStatus: 'ACTIVE',
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      CreationDateTime: expect.any(Number),
    });
    expect(Number(described.headers.get('x-amz-crc32'))).toBe(crc32(Buffer.from(described.text)));
    expect(Number(described.headers.get('content-length'))).toBe(Buffer.byteLength(described.text));
  });

  it('keeps every attribute type intact through the filter', async () => {
    const item = {
      pk: { S: 'all-types' },
      n: { N: '12.5' },
      b: { B: new Uint8Array([0, 1, 254, 255]) },
      yes: { BOOL: true },
      none: { NULL: true },
      ss: { SS: ['a', 'b'] },
      ns: { NS: ['1', '2'] },
      bs: { BS: [new Uint8Array([7])] },
      list: { L: [{ S: 'x' }, { N: '1' }] },
      map: { M: { inner: { S: 'y' } } },
    };
    await ddb.send(new PutItemCommand({ TableName: 'api-table', Item: item }));
    const got = await ddb.send(
      new GetItemCommand({ TableName: 'api-table', Key: { pk: { S: 'all-types' } } }),
    );
    expect(got.Item).toEqual(item);
    const scanned = await dynamodb('Scan', { TableName: 'api-table' });
    expect(unmodeledMembers(ScanOutput$, scanned.json)).toEqual([]);
    expect((scanned.json as { Count: number }).Count).toBe(1);
  });

  it('passes errors on as dynalite answers them', async () => {
    const missing = await dynamodb('DescribeTable', { TableName: 'no-such-table' });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ __type: expect.stringMatching(/ResourceNotFoundException$/) });
    await expect(
      ddb.send(new GetItemCommand({ TableName: 'no-such-table', Key: { pk: { S: 'x' } } })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

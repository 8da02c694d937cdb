import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  type CreateTableInput,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateItemCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { expect } from '@jest/globals';
import { caseBuilders } from '../case-builders.js';
import type { ClientClass, ServiceCatalogue } from '../suite.js';

interface DynamoFixtures {
  tableArn: string;
}

const TABLE = 'conf-t1';
const ABSENT = 'conf-absent';
const key = (sk: string) => ({ pk: { S: 'p' }, sk: { S: sk } });
const SORT_KEYS = ['1', '2', '3', '4', '5'];
const QUERY = {
  TableName: TABLE,
  KeyConditionExpression: 'pk = :p',
  ExpressionAttributeValues: { ':p': { S: 'p' } },
};
// A start key of the wrong type for the table's key schema: a token no page could have answered.
const WRONG_KEY = { pk: { N: '1' }, sk: { N: '1' } };

const table = (name: string): CreateTableInput => ({
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
});

const { custom, fails, ok, paginates } = caseBuilders<DynamoFixtures>();

export const dynamodb: ServiceCatalogue<DynamoFixtures> = {
  model: 'dynamodb',
  client: DynamoDBClient as unknown as ClientClass,
  // Served by dynalite as is: its own list of the operations it implements.
  emulated: () => [
    'BatchGetItem',
    'BatchWriteItem',
    'CreateTable',
    'DeleteItem',
    'DeleteTable',
    'DescribeTable',
    'DescribeTimeToLive',
    'GetItem',
    'ListTables',
    'PutItem',
    'Query',
    'Scan',
    'TagResource',
    'UntagResource',
    'ListTagsOfResource',
    'UpdateItem',
    'UpdateTable',
  ],

  async setup({ prepare }) {
    const created = await prepare(CreateTableCommand, table(TABLE));
    for (const name of ['conf-t2', 'conf-t3']) await prepare(CreateTableCommand, table(name));
    for (const sk of SORT_KEYS)
      await prepare(PutItemCommand, { TableName: TABLE, Item: { ...key(sk), n: { N: sk } } });
    const tableArn = created.TableDescription?.TableArn ?? '';
    await prepare(TagResourceCommand, {
      ResourceArn: tableArn,
      Tags: ['a', 'b', 'c'].map((k) => ({ Key: k, Value: k })),
    });
    return { tableArn };
  },

  cases: [
    ok(CreateTableCommand, 'creates a table', table('conf-new'), (out) =>
      expect(out.TableDescription?.TableName).toBe('conf-new'),
    ),
    fails(CreateTableCommand, 'a table that exists', table(TABLE), 'ResourceInUseException'),
    fails(
      CreateTableCommand,
      'no key schema',
      { ...table('conf-bad'), KeySchema: [] },
      'ValidationException',
    ),
    ok(DescribeTableCommand, 'describes a table', { TableName: TABLE }, (out) =>
      expect(out.Table?.TableStatus).toBe('ACTIVE'),
    ),
    fails(DescribeTableCommand, 'an unknown table', { TableName: ABSENT }, 'ResourceNotFoundException'),
    ok(ListTablesCommand, 'lists tables', {}, (out) =>
      expect(out.TableNames).toEqual(expect.arrayContaining([TABLE, 'conf-t2', 'conf-t3'])),
    ),
    // A table name, not an opaque token: one too short to be a name is what a forged token looks like.
    ...paginates(ListTablesCommand, {}, { invalidToken: 'x' }),
    ok(UpdateTableCommand, 'switches a table to provisioned capacity', {
      TableName: 'conf-t3',
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    }),
    fails(
      UpdateTableCommand,
      'an unknown table',
      { TableName: ABSENT, BillingMode: 'PAY_PER_REQUEST' },
      'ResourceNotFoundException',
    ),
    custom('DeleteTable', 'deletes a table', async (w) => {
      await w.prepare(CreateTableCommand, table('conf-doomed'));
      const out = await w.send(DeleteTableCommand, { TableName: 'conf-doomed' });
      expect(out.TableDescription?.TableName).toBe('conf-doomed');
    }),
    fails(DeleteTableCommand, 'an unknown table', { TableName: ABSENT }, 'ResourceNotFoundException'),
    ok(PutItemCommand, 'puts an item', { TableName: 'conf-t2', Item: { ...key('x'), v: { S: 'x' } } }),
    fails(
      PutItemCommand,
      'an unknown table',
      { TableName: ABSENT, Item: key('x') },
      'ResourceNotFoundException',
    ),
    fails(
      PutItemCommand,
      'an item without its sort key',
      { TableName: TABLE, Item: { pk: { S: 'p' } } },
      'ValidationException',
    ),
    ok(GetItemCommand, 'gets an item', { TableName: TABLE, Key: key('1') }, (out) =>
      expect(out.Item?.n).toEqual({ N: '1' }),
    ),
    fails(
      GetItemCommand,
      'an unknown table',
      { TableName: ABSENT, Key: key('1') },
      'ResourceNotFoundException',
    ),
    ok(
      UpdateItemCommand,
      'updates an item and answers its new values',
      {
        TableName: 'conf-t2',
        Key: key('u'),
        UpdateExpression: 'SET v = :v',
        ExpressionAttributeValues: { ':v': { S: 'new' } },
        ReturnValues: 'ALL_NEW',
      },
      (out) => expect(out.Attributes?.v).toEqual({ S: 'new' }),
    ),
    fails(
      UpdateItemCommand,
      'a condition that does not hold',
      {
        TableName: TABLE,
        Key: key('1'),
        UpdateExpression: 'SET v = :v',
        ConditionExpression: 'attribute_not_exists(pk)',
        ExpressionAttributeValues: { ':v': { S: 'x' } },
      },
      'ConditionalCheckFailedException',
    ),
    ok(DeleteItemCommand, 'deletes an item', { TableName: 'conf-t2', Key: key('x') }),
    fails(
      DeleteItemCommand,
      'an unknown table',
      { TableName: ABSENT, Key: key('x') },
      'ResourceNotFoundException',
    ),
    ok(QueryCommand, 'queries a partition', QUERY, (out) => expect(out.Count).toBe(SORT_KEYS.length)),
    fails(QueryCommand, 'an unknown table', { ...QUERY, TableName: ABSENT }, 'ResourceNotFoundException'),
    ...paginates(QueryCommand, QUERY, { invalidToken: WRONG_KEY }),
    ok(ScanCommand, 'scans a table', { TableName: TABLE }, (out) => expect(out.Count).toBe(SORT_KEYS.length)),
    fails(ScanCommand, 'an unknown table', { TableName: ABSENT }, 'ResourceNotFoundException'),
    ...paginates(ScanCommand, { TableName: TABLE }, { invalidToken: WRONG_KEY }),
    ok(BatchWriteItemCommand, 'writes items in a batch', {
      RequestItems: { 'conf-t2': [{ PutRequest: { Item: key('b1') } }, { PutRequest: { Item: key('b2') } }] },
    }),
    fails(BatchWriteItemCommand, 'no requests', { RequestItems: {} }, 'ValidationException'),
    ok(
      BatchGetItemCommand,
      'gets items in a batch',
      { RequestItems: { [TABLE]: { Keys: [key('1'), key('2')] } } },
      (out) => expect(out.Responses?.[TABLE]).toHaveLength(2),
    ),
    fails(
      BatchGetItemCommand,
      'an unknown table',
      { RequestItems: { [ABSENT]: { Keys: [key('1')] } } },
      'ResourceNotFoundException',
    ),
    ok(DescribeTimeToLiveCommand, 'describes time to live', { TableName: TABLE }, (out) =>
      expect(out.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED'),
    ),
    fails(DescribeTimeToLiveCommand, 'an unknown table', { TableName: ABSENT }, 'ResourceNotFoundException'),
    ok(TagResourceCommand, 'tags a table', (f) => ({
      ResourceArn: f.tableArn,
      Tags: [{ Key: 'd', Value: 'd' }],
    })),
    fails(
      TagResourceCommand,
      'an unknown table',
      (f) => ({ ResourceArn: f.tableArn.replace(TABLE, ABSENT), Tags: [{ Key: 'd', Value: 'd' }] }),
      'ResourceNotFoundException',
    ),
    ok(UntagResourceCommand, 'untags a table', (f) => ({ ResourceArn: f.tableArn, TagKeys: ['d'] })),
    fails(
      UntagResourceCommand,
      'an unknown table',
      (f) => ({ ResourceArn: f.tableArn.replace(TABLE, ABSENT), TagKeys: ['d'] }),
      'ResourceNotFoundException',
    ),
    ok(
      ListTagsOfResourceCommand,
      'lists a table’s tags',
      (f) => ({ ResourceArn: f.tableArn }),
      (out) => expect(out.Tags?.map((t) => t.Key).sort()).toEqual(['a', 'b', 'c']),
    ),
    fails(
      ListTagsOfResourceCommand,
      'an unknown table',
      (f) => ({ ResourceArn: f.tableArn.replace(TABLE, ABSENT) }),
      'ResourceNotFoundException',
    ),
    ...paginates(ListTagsOfResourceCommand, (f) => ({ ResourceArn: f.tableArn }), { pageSize: false }),
    fails(
      DescribeContinuousBackupsCommand,
      'an operation the local cloud does not serve is refused, saying so',
      { TableName: TABLE },
      'UnknownOperationException',
    ),
  ],
};

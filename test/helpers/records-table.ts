import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RecordStore } from '../../functions/commons/records.js';
import { RECORDS_TABLE as T } from '../../functions/contract/records.js';

/** Creates a records table with the keys and index the pipeline stack gives it, in dynalite. */
export async function createRecordsTable(client: DynamoDBClient, tableName: string): Promise<RecordStore> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: T.partitionKey, AttributeType: 'S' },
        { AttributeName: T.sortKey, AttributeType: 'S' },
        { AttributeName: T.byServicePartitionKey, AttributeType: 'S' },
        { AttributeName: T.byServiceSortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: T.partitionKey, KeyType: 'HASH' },
        { AttributeName: T.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: T.byServiceIndex,
          KeySchema: [
            { AttributeName: T.byServicePartitionKey, KeyType: 'HASH' },
            { AttributeName: T.byServiceSortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  return new RecordStore(client, tableName);
}

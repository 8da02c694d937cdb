import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BY_SERVICE_INDEX, RecordStore } from '../../functions/commons/records.js';

/** Creates a records table with the keys and index the pipeline stack gives it, in dynalite. */
export async function createRecordsTable(client: DynamoDBClient, tableName: string): Promise<RecordStore> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'service', AttributeType: 'S' },
        { AttributeName: 'startedAt', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: BY_SERVICE_INDEX,
          KeySchema: [
            { AttributeName: 'service', KeyType: 'HASH' },
            { AttributeName: 'startedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  return new RecordStore(client, tableName);
}

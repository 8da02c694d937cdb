import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from '@jest/globals';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './fake-credentials.js';
import { type Running, startDynalite } from './servers.js';

/** One dynalite for a test file, started before its tests and closed after: the client to reach it. */
export function useDynalite(): () => DynamoDBClient {
  let dynamo: Running;
  let ddb: DynamoDBClient;
  beforeAll(async () => {
    dynamo = await startDynalite();
    ddb = new DynamoDBClient({ endpoint: dynamo.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  });
  afterAll(async () => {
    ddb.destroy();
    await dynamo.close();
  });
  return () => ddb;
}

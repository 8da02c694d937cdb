import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { requireEnv } from '../commons/env.js';
import { stepMiddleware } from '../commons/middleware.js';
import { RecordStore } from '../commons/records.js';
import { type RecordFailureInput, recordFailure } from './record-failure.js';

const deps = {
  records: new RecordStore(new DynamoDBClient(AWS_CLIENT_CONFIG), requireEnv('RECORDS_TABLE_NAME')),
};

export const handler = middy<RecordFailureInput>()
  .use(stepMiddleware('record-failure'))
  .handler((event: RecordFailureInput) => recordFailure(event, deps));

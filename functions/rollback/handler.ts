import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import middy from '@middy/core';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { requireEnv } from '../commons/env.js';
import { stepMiddleware } from '../commons/middleware.js';
import { RecordStore } from '../commons/records.js';
import { type RollbackInput, rollback } from './rollback.js';

const deps = {
  ecs: new ECSClient(AWS_CLIENT_CONFIG),
  records: new RecordStore(new DynamoDBClient(AWS_CLIENT_CONFIG), requireEnv('RECORDS_TABLE_NAME')),
};

export const handler = middy<RollbackInput>()
  .use(stepMiddleware('rollback'))
  .handler((event: RollbackInput) => rollback(event, deps));

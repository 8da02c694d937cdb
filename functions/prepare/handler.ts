import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import middy from '@middy/core';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { readTargetEnv, requireEnv, requireNumber } from '../commons/env.js';
import { stepMiddleware } from '../commons/middleware.js';
import { RecordStore } from '../commons/records.js';
import { type PrepareInput, prepare } from './prepare.js';

const deps = {
  ecs: new ECSClient(AWS_CLIENT_CONFIG),
  records: new RecordStore(new DynamoDBClient(AWS_CLIENT_CONFIG), requireEnv('RECORDS_TABLE_NAME')),
  target: readTargetEnv(),
  lockTtlSeconds: requireNumber('LOCK_TTL_SECONDS'),
};

export const handler = middy<PrepareInput>()
  .use(stepMiddleware('prepare'))
  .handler((event: PrepareInput) => prepare(event, deps));

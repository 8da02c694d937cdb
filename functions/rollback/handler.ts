import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import { recordStoreFromEnv } from '../commons/records.js';
import { STEP } from '../contract/states.js';
import { type RollbackInput, type RollbackResult, rollback } from './rollback.js';

const o = observability(STEP.rollback);
const deps = {
  ecs: new ECSClient(AWS_CLIENT_CONFIG),
  records: recordStoreFromEnv(new DynamoDBClient(AWS_CLIENT_CONFIG)),
};

export const handler = stepHandler<RollbackInput, RollbackResult>(o).handler((event: RollbackInput) =>
  rollback(event, deps),
);

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import { recordStoreFromEnv } from '../commons/records.js';
import { STEP } from '../contract/states.js';
import { type DeploymentSummary, type FinalizeInput, finalize } from './finalize.js';

const o = observability(STEP.finalize);
const deps = { records: recordStoreFromEnv(new DynamoDBClient(AWS_CLIENT_CONFIG)) };

export const handler = stepHandler<FinalizeInput, DeploymentSummary>(o).handler((event: FinalizeInput) =>
  finalize(event, deps),
);

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import { recordStoreFromEnv } from '../commons/records.js';
import { STEP } from '../contract/states.js';
import { type FailureSummary, type RecordFailureInput, recordFailure } from './record-failure.js';

const o = observability(STEP.recordFailure);
const deps = { records: recordStoreFromEnv(new DynamoDBClient(AWS_CLIENT_CONFIG)) };

export const handler = stepHandler<RecordFailureInput, FailureSummary>(o).handler(
  (event: RecordFailureInput) => recordFailure(event, deps),
);

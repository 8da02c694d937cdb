import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { ENV } from '../contract/environment.js';
import { AWS_CLIENT_CONFIG } from './aws-clients.js';
import { requireEnv, requireNumber } from './env.js';
import { RolloutWaiters } from './rollout-waiters.js';
import { TaskCallbacks } from './task-callbacks.js';

/** What the two sides of the rollout wait (await-rollout, rollout-events) run with, read once at cold start. */
export function rolloutWaitingDeps() {
  return {
    ecs: new ECSClient(AWS_CLIENT_CONFIG),
    waiters: new RolloutWaiters(new DynamoDBClient(AWS_CLIENT_CONFIG), requireEnv(ENV.recordsTable)),
    callbacks: new TaskCallbacks(new SFNClient(AWS_CLIENT_CONFIG)),
    timeoutSeconds: requireNumber(ENV.rolloutTimeoutSeconds),
  };
}

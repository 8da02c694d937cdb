import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { ENV } from '../contract/environment.js';
import { AWS_CLIENT_CONFIG } from './aws-clients.js';
import { requireEnv, requireNumber } from './env.js';
import type { StepObservability } from './observability.js';
import { RolloutWaiters } from './rollout-waiters.js';
import { TaskCallbacks } from './task-callbacks.js';

/** What the two sides of the rollout wait (await-rollout, rollout-events) run with, read once at cold start. */
export function rolloutWaitingDeps(o: StepObservability) {
  return {
    ecs: o.traced(new ECSClient(AWS_CLIENT_CONFIG)),
    waiters: new RolloutWaiters(
      o.traced(new DynamoDBClient(AWS_CLIENT_CONFIG)),
      requireEnv(ENV.recordsTable),
    ),
    callbacks: new TaskCallbacks(o.traced(new SFNClient(AWS_CLIENT_CONFIG))),
    timeoutSeconds: requireNumber(ENV.rolloutTimeoutSeconds),
  };
}

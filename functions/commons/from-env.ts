import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { ENV } from '../contract/environment.js';
import { AWS_CLIENT_CONFIG } from './aws-clients.js';
import { EventBridgeSink } from './deployment-events.js';
import { DeploymentQueue } from './deployment-queue.js';
import { requireEnv, requireNumber } from './env.js';
import type { StepObservability } from './observability.js';
import { QueueSlot } from './queue-slot.js';
import { RecordStore } from './records.js';

/**
 * What the functions that write deployment records share, built once at
 * cold start from the environment the pipeline stack sets: the record
 * store and the event sink.
 */
export function recordsAndEventsFromEnv(o: StepObservability) {
  const ddb = new DynamoDBClient(AWS_CLIENT_CONFIG);
  const tableName = requireEnv(ENV.recordsTable);
  const events = new EventBridgeSink(
    new EventBridgeClient(AWS_CLIENT_CONFIG),
    requireEnv(ENV.eventBusName),
    o.logger,
  );
  return { ddb, tableName, records: new RecordStore(ddb, tableName), events };
}

/** The above, and the queue of deployments waiting their turn (which starts executions). */
export function deploymentTurnsFromEnv(o: StepObservability) {
  const { ddb, tableName, records, events } = recordsAndEventsFromEnv(o);
  const sfn = new SFNClient(AWS_CLIENT_CONFIG);
  const stateMachineArn = requireEnv(ENV.stateMachineArn);
  const queue = new DeploymentQueue({
    records,
    slot: new QueueSlot(ddb, tableName),
    sfn,
    stateMachineArn,
    events,
    lockTtlSeconds: requireNumber(ENV.lockTtlSeconds),
  });
  return { records, events, sfn, stateMachineArn, queue };
}

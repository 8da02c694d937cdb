import { afterEach } from '@jest/globals';
import { DeploymentQueue } from '../../functions/commons/deployment-queue.js';
import { QueueSlot } from '../../functions/commons/queue-slot.js';
import { useDynalite } from './dynalite-client.js';
import { fakeStepFunctions, recordingEvents } from './fake-sfn.js';
import { createRecordsTable } from './records-table.js';

/**
 * What the functions that take turns on a service share, for a test file:
 * one dynalite for the file, and per test a fresh records table, its queue
 * slot, a Step Functions that answers as AWS documents, the events emitted,
 * and the queue over them all.
 */
export function useQueueWorld(stateMachineArn: string) {
  const dynamodb = useDynalite();
  let sfn: ReturnType<typeof fakeStepFunctions> | undefined;
  let tables = 0;
  afterEach(() => sfn?.mock.restore());

  return async function queueWorld(options: { now?: () => Date } = {}) {
    const ddb = dynamodb();
    sfn = fakeStepFunctions(stateMachineArn);
    const tableName = `records-${++tables}`;
    const records = await createRecordsTable(ddb, tableName);
    const slot = new QueueSlot(ddb, tableName);
    const events = recordingEvents();
    const queue = new DeploymentQueue({
      records,
      slot,
      sfn: sfn.client,
      stateMachineArn,
      events: events.sink,
      lockTtlSeconds: 900,
      ...(options.now ? { now: options.now } : {}),
    });
    return { sfn, records, slot, events, queue };
  };
}

import {
  DeleteItemCommand,
  type DynamoDBClient,
  paginateListTables,
  paginateScan,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { RECORD_TABLE } from '../console/read/deployments.js';

/** What the error field of a deployment that the local cloud's end interrupted says. */
export const INTERRUPTED_ERROR = 'LocalCloudInterrupted';

export interface Recovered {
  /** `table/deploymentId` of each record marked FAILED. */
  failed: string[];
  /** `table/service` of each lock released. */
  released: string[];
}

/**
 * When a local cloud starts on a state directory whose DynamoDB outlived
 * the last one, no execution is running yet (executions don't survive the
 * process): a deployment record still STARTED was interrupted by that
 * cloud's end, and any per-service lock is held by a run that is gone. The
 * records are marked FAILED, saying why, and the locks released, so the
 * history tells the truth and the next deployment of each service can start.
 * (Item shapes: functions/commons/records.ts.)
 */
export async function recoverInterruptedDeployments(
  dynamodb: DynamoDBClient,
  now: Date = new Date(),
): Promise<Recovered> {
  const recovered: Recovered = { failed: [], released: [] };
  const tables: string[] = [];
  for await (const page of paginateListTables({ client: dynamodb }, {}))
    tables.push(...(page.TableNames ?? []).filter((name) => RECORD_TABLE.test(name)));
  for (const table of tables) {
    for await (const page of paginateScan(
      { client: dynamodb },
      {
        TableName: table,
        FilterExpression:
          '(begins_with(pk, :deployment) AND sk = :record AND #status = :started) OR begins_with(pk, :lock)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':deployment': { S: 'DEPLOYMENT#' },
          ':record': { S: 'RECORD' },
          ':started': { S: 'STARTED' },
          ':lock': { S: 'LOCK#' },
        },
      },
    )) {
      for (const item of page.Items ?? []) {
        const pk = item.pk?.S ?? '';
        const key = { pk: { S: pk }, sk: item.sk ?? { S: '' } };
        if (pk.startsWith('LOCK#')) {
          await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: key }));
          recovered.released.push(`${table}/${pk.slice('LOCK#'.length)}`);
          continue;
        }
        await dynamodb.send(
          new UpdateItemCommand({
            TableName: table,
            Key: key,
            // Only a record still STARTED: a run that finished meanwhile keeps its outcome.
            ConditionExpression: '#status = :started',
            UpdateExpression: 'SET #status = :failed, #error = :error, #cause = :cause, finishedAt = :at',
            ExpressionAttributeNames: { '#status': 'status', '#error': 'error', '#cause': 'cause' },
            ExpressionAttributeValues: {
              ':started': { S: 'STARTED' },
              ':failed': { S: 'FAILED' },
              ':error': { S: INTERRUPTED_ERROR },
              ':cause': {
                S: 'The local cloud stopped (it was killed, crashed or was stopped) while this deployment ran; it was marked FAILED, and its lock released, when the local cloud next started on the same state directory.',
              },
              ':at': { S: now.toISOString() },
            },
          }),
        );
        recovered.failed.push(`${table}/${pk.slice('DEPLOYMENT#'.length)}`);
      }
    }
  }
  return recovered;
}

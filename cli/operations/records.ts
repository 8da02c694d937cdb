import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DeploymentRecord } from '../../functions/commons/records.js';
import { RECORDS_TABLE } from '../../functions/contract/records.js';
import { UsageError } from '../errors.js';

export interface HistoryPage {
  records: DeploymentRecord[];
  /** Where the next page starts (opaque), when there are older records. */
  nextToken?: string;
}

/**
 * A service's deployment records, newest first, from the records table's
 * `by-service` index: DynamoDB pages are read until `limit` records are in
 * hand, and the position after the last one is the next token.
 */
export async function serviceHistory(
  ddb: DynamoDBClient,
  table: string,
  service: string,
  limit: number,
  nextToken?: string,
): Promise<HistoryPage> {
  const records: DeploymentRecord[] = [];
  let start = nextToken === undefined ? undefined : decodeToken(nextToken, service);
  do {
    const out = await ddb.send(
      new QueryCommand({
        TableName: table,
        IndexName: RECORDS_TABLE.byServiceIndex,
        KeyConditionExpression: '#service = :service',
        ExpressionAttributeNames: { '#service': RECORDS_TABLE.byServicePartitionKey },
        ExpressionAttributeValues: marshall({ ':service': service }),
        ScanIndexForward: false,
        Limit: limit - records.length,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      const { [RECORDS_TABLE.partitionKey]: _pk, [RECORDS_TABLE.sortKey]: _sk, ...record } = unmarshall(item);
      records.push(record as DeploymentRecord);
    }
    start = out.LastEvaluatedKey;
  } while (start && records.length < limit);
  return { records, ...(start ? { nextToken: encodeToken(start, service) } : {}) };
}

/** The newest record of a service, if it has any. */
export async function lastDeployment(
  ddb: DynamoDBClient,
  table: string,
  service: string,
): Promise<DeploymentRecord | undefined> {
  return (await serviceHistory(ddb, table, service, 1)).records[0];
}

type Key = NonNullable<QueryCommand['input']['ExclusiveStartKey']>;

function encodeToken(key: Key, service: string): string {
  return Buffer.from(JSON.stringify({ service, key: unmarshall(key) })).toString('base64url');
}

function decodeToken(token: string, service: string): Key {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      service?: unknown;
      key?: unknown;
    };
    if (decoded.service === service && typeof decoded.key === 'object' && decoded.key !== null)
      return marshall(decoded.key as Record<string, unknown>);
  } catch {
    // Answered below.
  }
  throw new UsageError(
    `--next-token is not one that \`stepship history ${service}\` printed; run it without the token to start from the newest`,
  );
}

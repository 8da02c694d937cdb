import {
  type AttributeValue,
  paginateListTables,
  paginateScan,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ConsoleClients } from './clients.js';

/**
 * stepship's deployment records (functions/commons/records.ts), as the
 * console shows them. Read defensively: the table is data, and a field of
 * an unexpected type is left out rather than trusted.
 */
export interface DeploymentRecordView {
  table: string;
  deploymentId: string;
  service?: string;
  executionArn?: string;
  status?: string;
  trigger?: string;
  requester?: string;
  imageTag?: string;
  imageDigest?: string;
  imageUri?: string;
  taskDefinitionArn?: string;
  previousTaskDefinitionArn?: string;
  rolledBackTo?: string;
  error?: string;
  cause?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Phase → milliseconds (build, register, rollout, verify, total…). */
  timings: Record<string, number>;
}

/** The record tables every stepship app's pipeline stack creates. */
export const RECORD_TABLE = /^stepship-.+-deployments$/;
const RECORD_KEY_PREFIX = 'DEPLOYMENT#';

export async function recordTables(clients: ConsoleClients): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListTables({ client: clients.dynamodb }, {}))
    names.push(...(page.TableNames ?? []).filter((name) => RECORD_TABLE.test(name)));
  return names;
}

/** Every deployment record of every app, newest first. */
export async function readDeploymentRecords(clients: ConsoleClients): Promise<DeploymentRecordView[]> {
  const records: DeploymentRecordView[] = [];
  for (const table of await recordTables(clients)) {
    for await (const page of paginateScan(
      { client: clients.dynamodb },
      {
        TableName: table,
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: { ':prefix': { S: RECORD_KEY_PREFIX } },
      },
    ))
      for (const item of page.Items ?? []) {
        const record = recordView(table, item);
        if (record) records.push(record);
      }
  }
  return records.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
}

/** The record of one deployment (stepship names each execution after its deployment id). */
export async function readRecord(
  clients: ConsoleClients,
  deploymentId: string,
): Promise<DeploymentRecordView | undefined> {
  for (const table of await recordTables(clients)) {
    const out = await clients.dynamodb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `${RECORD_KEY_PREFIX}${deploymentId}` } },
      }),
    );
    const record = out.Items?.[0] && recordView(table, out.Items[0]);
    if (record) return record;
  }
  return undefined;
}

const TEXT_FIELDS = [
  'service',
  'executionArn',
  'status',
  'trigger',
  'requester',
  'imageTag',
  'imageDigest',
  'imageUri',
  'taskDefinitionArn',
  'previousTaskDefinitionArn',
  'rolledBackTo',
  'error',
  'cause',
  'startedAt',
  'finishedAt',
] as const;

export function recordView(
  table: string,
  item: Record<string, AttributeValue>,
): DeploymentRecordView | undefined {
  const raw = unmarshall(item) as Record<string, unknown>;
  const pk = raw.pk;
  if (typeof pk !== 'string' || !pk.startsWith(RECORD_KEY_PREFIX)) return undefined;
  const deploymentId =
    typeof raw.deploymentId === 'string' ? raw.deploymentId : pk.slice(RECORD_KEY_PREFIX.length);
  const view: DeploymentRecordView = { table, deploymentId, timings: {} };
  for (const field of TEXT_FIELDS) {
    const value = raw[field];
    if (typeof value === 'string') view[field] = value;
  }
  if (typeof raw.timings === 'object' && raw.timings !== null)
    for (const [phase, ms] of Object.entries(raw.timings))
      if (typeof ms === 'number' && Number.isFinite(ms)) view.timings[phase] = ms;
  return view;
}

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeploymentInProgressError } from '../../functions/commons/errors.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../helpers/fake-credentials.js';
import { createRecordsTable } from '../helpers/records-table.js';
import { type Running, startDynalite } from '../helpers/servers.js';

let dynamo: Running;
let ddb: DynamoDBClient;

beforeAll(async () => {
  dynamo = await startDynalite();
  ddb = new DynamoDBClient({ endpoint: dynamo.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
});
afterAll(async () => {
  ddb.destroy();
  await dynamo.close();
});

let tableCount = 0;
const freshStore = () => createRecordsTable(ddb, `records-${++tableCount}`);
const at = (iso: string) => new Date(iso);

describe('the per-service lock', () => {
  it('is taken by one execution; a second one fails fast, naming the holder', async () => {
    const store = await freshStore();
    await store.acquireLock('web', 'exec-A', 600, at('2026-11-23T10:00:00Z'));
    const second = store.acquireLock('web', 'exec-B', 600, at('2026-11-23T10:01:00Z'));
    await expect(second).rejects.toBeInstanceOf(DeploymentInProgressError);
    await expect(second).rejects.toThrow(/already in progress: exec-A \(since 2026-11-23T10:00:00.000Z\)/);
  });

  it('is per service', async () => {
    const store = await freshStore();
    await store.acquireLock('web', 'exec-A', 600, at('2026-11-23T10:00:00Z'));
    await expect(store.acquireLock('api', 'exec-B', 600, at('2026-11-23T10:00:00Z'))).resolves.toMatchObject({
      owner: 'exec-B',
    });
  });

  it('expires, so a crashed run cannot hold it forever', async () => {
    const store = await freshStore();
    await store.acquireLock('web', 'crashed', 60, at('2026-11-23T10:00:00Z'));
    await expect(store.acquireLock('web', 'next', 60, at('2026-11-23T10:02:00Z'))).resolves.toMatchObject({
      owner: 'next',
    });
  });

  it('is released only by its owner', async () => {
    const store = await freshStore();
    await store.acquireLock('web', 'exec-A', 600, at('2026-11-23T10:00:00Z'));
    expect(await store.releaseLock('web', 'exec-B')).toBe(false);
    expect((await store.currentLock('web'))?.owner).toBe('exec-A');
    expect(await store.releaseLock('web', 'exec-A')).toBe(true);
    expect(await store.currentLock('web')).toBeUndefined();
  });
});

describe('deployment records', () => {
  it('are created, updated and read back', async () => {
    const store = await freshStore();
    await store.putRecord({
      deploymentId: 'd1',
      service: 'web',
      executionArn: 'arn:x',
      startedAt: '2026-11-23T10:00:00Z',
      status: 'STARTED',
      trigger: 'api',
      requester: 'me',
    });
    await store.updateRecord('d1', { status: 'SUCCEEDED', timings: { total: 1234 } });
    expect(await store.getRecord('d1')).toMatchObject({
      status: 'SUCCEEDED',
      timings: { total: 1234 },
      requester: 'me',
    });
  });

  it('find the last verified task definition, skipping failures and the failed revision', async () => {
    const store = await freshStore();
    const base = { service: 'web', executionArn: 'arn', trigger: 'api', requester: 'me' };
    await store.putRecord({
      ...base,
      deploymentId: 'd1',
      startedAt: '2026-11-20T00:00:00Z',
      status: 'SUCCEEDED',
      taskDefinitionArn: 'td:1',
    });
    await store.putRecord({
      ...base,
      deploymentId: 'd2',
      startedAt: '2026-11-21T00:00:00Z',
      status: 'SUCCEEDED',
      taskDefinitionArn: 'td:2',
    });
    await store.putRecord({
      ...base,
      deploymentId: 'd3',
      startedAt: '2026-11-22T00:00:00Z',
      status: 'ROLLED_BACK',
      taskDefinitionArn: 'td:3',
    });
    await store.putRecord({
      ...base,
      deploymentId: 'd4',
      startedAt: '2026-11-23T00:00:00Z',
      status: 'STARTED',
      taskDefinitionArn: 'td:4',
    });
    expect(await store.lastVerifiedTaskDefinition('web', 'td:4')).toBe('td:2');
    expect(await store.lastVerifiedTaskDefinition('web', 'td:2')).toBe('td:1');
    expect(await store.lastVerifiedTaskDefinition('other', 'td:4')).toBeUndefined();
  });
});

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeploymentInProgressError } from '../../functions/commons/errors.js';
import { QueueSlot } from '../../functions/commons/queue-slot.js';
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

describe('claims and conditional updates', () => {
  const record = {
    deploymentId: 'd1',
    service: 'web',
    executionArn: 'arn:x',
    startedAt: '2026-11-23T10:00:00Z',
    status: 'STARTED' as const,
    trigger: 'api',
    requester: 'me',
  };

  it('let one of several identical claims win, and leave the winner’s record as it was', async () => {
    const store = await freshStore();
    const wins = await Promise.all(
      ['a', 'b', 'c'].map((requester) => store.claimRecord({ ...record, requester })),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
    const winner = ['a', 'b', 'c'][wins.indexOf(true)];
    expect((await store.getRecord('d1'))?.requester).toBe(winner);
  });

  it('never overwrite an outcome with a late writer', async () => {
    const store = await freshStore();
    await store.putRecord({ ...record, status: 'ROLLED_BACK' });
    expect(await store.updateRecordIf('d1', { status: 'ABORTED' }, ['STARTED'])).toBe(false);
    expect((await store.getRecord('d1'))?.status).toBe('ROLLED_BACK');
    await store.putRecord({ ...record, deploymentId: 'd2' });
    expect(await store.updateRecordIf('d2', { status: 'ABORTED' }, ['STARTED'])).toBe(true);
    expect((await store.getRecord('d2'))?.status).toBe('ABORTED');
  });

  it('create a record that is not there only when asked to', async () => {
    const store = await freshStore();
    expect(await store.updateRecordIf('d3', { status: 'ABORTED' }, ['STARTED'])).toBe(false);
    expect(await store.getRecord('d3')).toBeUndefined();
    expect(await store.updateRecordIf('d3', { status: 'ABORTED' }, ['STARTED'], { orAbsent: true })).toBe(
      true,
    );
    expect((await store.getRecord('d3'))?.status).toBe('ABORTED');
  });
});

describe('the lock, not reentrant', () => {
  it('is refused to its own owner too, so two workers starting the same deployment cannot both go on', async () => {
    const store = await freshStore();
    await store.acquireLock('web', 'exec-A', 600, at('2026-11-23T10:00:00Z'), { reentrant: false });
    await expect(
      store.acquireLock('web', 'exec-A', 600, at('2026-11-23T10:00:01Z'), { reentrant: false }),
    ).rejects.toBeInstanceOf(DeploymentInProgressError);
    await expect(store.acquireLock('web', 'exec-A', 600, at('2026-11-23T10:00:01Z'))).resolves.toMatchObject({
      owner: 'exec-A',
    });
  });
});

describe('the queue slot', () => {
  const slotOf = async () => {
    const name = `slot-${++tableCount}`;
    await createRecordsTable(ddb, name);
    return new QueueSlot(ddb, name);
  };

  it('keeps the newest waiting deployment, naming the one it displaced', async () => {
    const slot = await slotOf();
    expect(await slot.offer('web', { deploymentId: 'p1', queuedAt: '2026-11-23T10:00:00.001Z' })).toEqual({
      taken: true,
    });
    expect(await slot.offer('web', { deploymentId: 'p2', queuedAt: '2026-11-23T10:00:00.002Z' })).toEqual({
      taken: true,
      displaced: { deploymentId: 'p1', queuedAt: '2026-11-23T10:00:00.001Z' },
    });
    expect(await slot.peek('web')).toEqual({ deploymentId: 'p2', queuedAt: '2026-11-23T10:00:00.002Z' });
  });

  it('refuses an older deployment that arrives late, naming the newer one', async () => {
    const slot = await slotOf();
    await slot.offer('web', { deploymentId: 'p2', queuedAt: '2026-11-23T10:00:00.002Z' });
    expect(await slot.offer('web', { deploymentId: 'p1', queuedAt: '2026-11-23T10:00:00.001Z' })).toEqual({
      taken: false,
      newer: { deploymentId: 'p2', queuedAt: '2026-11-23T10:00:00.002Z' },
    });
  });

  it('is emptied only for the deployment that waits in it', async () => {
    const slot = await slotOf();
    await slot.offer('web', { deploymentId: 'p2', queuedAt: '2026-11-23T10:00:00.002Z' });
    expect(await slot.take('web', 'p1')).toBe(false);
    expect(await slot.take('web', 'p2')).toBe(true);
    expect(await slot.peek('web')).toBeUndefined();
    expect(await slot.peek('api')).toBeUndefined();
  });
});

import { describe, expect, it } from '@jest/globals';
import type { DeploymentRecord } from '../../functions/commons/records.js';
import type { fakeStepFunctions } from '../helpers/fake-sfn.js';
import { useQueueWorld } from '../helpers/queue-world.js';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:stepship-web-deploy';
const execution = (name: string) => `${MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;

const queueWorld = useQueueWorld(MACHINE);
let sfn: ReturnType<typeof fakeStepFunctions>;

async function world() {
  const turns = await queueWorld();
  sfn = turns.sfn;
  const { records, slot, queue, events } = turns;
  let n = 0;
  /** A push recorded QUEUED, as start-deployment records it, queued `n` ms after the first. */
  const queuedPush = async (name: string): Promise<DeploymentRecord> => {
    const queuedAt = new Date(Date.parse('2026-11-23T10:00:00.000Z') + ++n).toISOString();
    const record: DeploymentRecord = {
      deploymentId: name,
      service: 'web',
      executionArn: execution(name),
      startedAt: queuedAt,
      queuedAt,
      status: 'QUEUED',
      trigger: 'push',
      requester: 'ecr-push:123456789012',
      imageDigest: `sha256:${String(n).repeat(64)}`,
      request: {
        service: 'web',
        trigger: 'push',
        requester: 'ecr-push:123456789012',
        imageDigest: `sha256:${String(n).repeat(64)}`,
      },
    };
    await records.claimRecord(record);
    return record;
  };
  return { records, slot, queue, events, queuedPush };
}

describe('the next turn, once a deployment has ended', () => {
  it('starts the waiting deployment with the lock taken for it, and empties the slot', async () => {
    const { records, slot, queue, queuedPush } = await world();
    await records.acquireLock('web', execution('running'), 900, new Date());
    const waiting = await queuedPush('push-2');
    await expect(queue.place(waiting)).resolves.toEqual({ outcome: 'queued' });
    await records.releaseLock('web', execution('running'));
    await expect(queue.next('web')).resolves.toMatchObject({ deploymentId: 'push-2' });
    expect(sfn.started()).toEqual(['push-2']);
    expect((await records.currentLock('web'))?.owner).toBe(execution('push-2'));
    expect(await slot.peek('web')).toBeUndefined();
  });

  it('waits for a deployment that took the lock in between (an API request), whose end takes the turn', async () => {
    const { records, slot, queue, queuedPush } = await world();
    await records.acquireLock('web', execution('running'), 900, new Date());
    await queue.place(await queuedPush('push-2'));
    await records.releaseLock('web', execution('running'));
    await records.acquireLock('web', execution('api-request'), 900, new Date());
    await expect(queue.next('web')).resolves.toBeUndefined();
    expect(sfn.started()).toEqual([]);
    expect((await slot.peek('web'))?.deploymentId).toBe('push-2');
    await records.releaseLock('web', execution('api-request'));
    await expect(queue.next('web')).resolves.toMatchObject({ deploymentId: 'push-2' });
  });

  it('drained by several workers at once starts the waiting deployment once', async () => {
    const { records, queue, queuedPush } = await world();
    await records.acquireLock('web', execution('running'), 900, new Date());
    await queue.place(await queuedPush('push-2'));
    await records.releaseLock('web', execution('running'));
    const turns = await Promise.all([queue.next('web'), queue.next('web'), queue.next('web')]);
    expect(turns.filter((t) => t !== undefined)).toHaveLength(1);
    expect(sfn.starts).toBe(1);
    expect((await records.currentLock('web'))?.owner).toBe(execution('push-2'));
  });

  it('with nothing waiting starts nothing and leaves the service free', async () => {
    const { records, queue } = await world();
    await expect(queue.next('web')).resolves.toBeUndefined();
    expect(await records.currentLock('web')).toBeUndefined();
  });

  it('with pushes arriving while the slot is drained, ends with one running and the newest waiting or running', async () => {
    // Several rounds: the interleaving of the concurrent writes differs from one to the next.
    for (let round = 0; round < 5; round++) {
      const { records, slot, queue, queuedPush } = await world();
      await records.acquireLock('web', execution('running'), 900, new Date());
      await queue.place(await queuedPush('push-1'));
      await records.releaseLock('web', execution('running'));
      const late = [await queuedPush('push-2'), await queuedPush('push-3')];
      await Promise.all([queue.next('web'), ...late.map((r) => queue.place(r))]);
      const [running, ...more] = sfn.started();
      expect(more).toEqual([]);
      expect((await records.currentLock('web'))?.owner).toBe(execution(running ?? ''));
      const waiting = (await slot.peek('web'))?.deploymentId;
      expect([running, waiting]).toContain('push-3');
      for (const id of ['push-1', 'push-2', 'push-3']) {
        const expected = id === running || id === waiting ? 'QUEUED' : 'SUPERSEDED';
        expect([id, (await records.getRecord(id))?.status]).toEqual([id, expected]);
      }
      sfn.mock.restore();
    }
  });

  it('skips a slot whose deployment has already run, freeing the service', async () => {
    const { records, queue, queuedPush } = await world();
    await records.acquireLock('web', execution('running'), 900, new Date());
    const waiting = await queuedPush('push-2');
    await queue.place(waiting);
    // Its execution ran (started by a retry elsewhere) and finished before this turn came.
    sfn.executions.set('push-2', { name: 'push-2', input: '{}', status: 'SUCCEEDED', startDate: new Date() });
    await records.releaseLock('web', execution('running'));
    await expect(queue.next('web')).resolves.toBeUndefined();
    expect(await records.currentLock('web')).toBeUndefined();
  });
});

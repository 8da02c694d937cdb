import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { awaitRollout } from '../../functions/await-rollout/await-rollout.js';
import { ValidationError } from '../../functions/commons/errors.js';
import { RolloutWaiters } from '../../functions/commons/rollout-waiters.js';
import { TaskCallbacks } from '../../functions/commons/task-callbacks.js';
import { useDynalite } from '../helpers/dynalite-client.js';
import { createRecordsTable } from '../helpers/records-table.js';
import { preparedDeployment } from '../helpers/targets.js';
import {
  circuitBreakerFailed,
  completed,
  fakeEcs,
  fakeSfn,
  ours,
  rollout,
  STARTED,
} from './rollout-wait-fixtures.js';

const dynamodb = useDynalite();

let tables = 0;
let waiters: RolloutWaiters;
let ecs: ReturnType<typeof fakeEcs>;
let sfn: ReturnType<typeof fakeSfn>;
let waiting: Set<string>;
beforeEach(async () => {
  const name = `waiters-${++tables}`;
  await createRecordsTable(dynamodb(), name);
  waiters = new RolloutWaiters(dynamodb(), name);
  ecs = fakeEcs();
  waiting = new Set(['token-1']);
  sfn = fakeSfn(waiting);
});

const wait = (taskToken: string | undefined = 'token-1') =>
  awaitRollout(
    { taskToken: taskToken as string, deployment: preparedDeployment(), rollout },
    {
      ecs: ecs.client,
      waiters,
      callbacks: new TaskCallbacks(sfn.client),
      timeoutSeconds: 600,
      now: () => STARTED + 2000,
    },
  );
const stored = () => waiters.ofService('stepship-web', 'web');

describe('await-rollout, the start of the rollout wait', () => {
  it('stores the token before it checks, and leaves it for the events while ECS is at work', async () => {
    let storedAtCheck: unknown[] = [];
    ecs.mock.on(DescribeServicesCommand).callsFake(async () => {
      storedAtCheck = await stored();
      return {
        services: [{ serviceName: 'web', status: 'ACTIVE', deployments: [ours({ runningCount: 1 })] }],
      };
    });
    await expect(wait()).resolves.toEqual({ deploymentId: 'ecs-svc/222', state: 'WAITING' });
    expect(storedAtCheck).toEqual([
      expect.objectContaining({ taskToken: 'token-1', cluster: 'stepship-web', service: 'web', rollout }),
    ]);
    expect(await stored()).toEqual([
      {
        taskToken: 'token-1',
        cluster: 'stepship-web',
        service: 'web',
        rollout,
        executionArn: preparedDeployment().executionArn,
        storedAt: STARTED + 2000,
      },
    ]);
    expect(sfn.sent).toEqual([]);
  });

  it('resumes the execution at once when the rollout was already COMPLETED (its event came before the token)', async () => {
    ecs.set(completed());
    await expect(wait()).resolves.toEqual({
      deploymentId: 'ecs-svc/222',
      state: 'COMPLETED',
      resumedBy: 'this-check',
    });
    expect(sfn.sent).toEqual([
      {
        command: 'success',
        token: 'token-1',
        output: { ...rollout, state: 'COMPLETED', checkedAt: STARTED + 2000, completedAt: STARTED + 2000 },
      },
    ]);
    expect(await stored()).toEqual([]);
  });

  it('fails the task with RolloutFailedError and ECS’s reasons when the circuit breaker already failed it', async () => {
    ecs.set(circuitBreakerFailed(), [
      {
        createdAt: new Date(STARTED + 1000),
        message: '(service web) rolling back to deployment ecs-svc/333.',
      },
    ]);
    await expect(wait()).resolves.toMatchObject({ state: 'FAILED', resumedBy: 'this-check' });
    expect(sfn.sent).toEqual([
      expect.objectContaining({ command: 'failure', token: 'token-1', error: 'RolloutFailedError' }),
    ]);
    const cause = sfn.sent[0]?.cause ?? '';
    expect(cause).toContain('ecs-svc/222 FAILED: ECS deployment circuit breaker: tasks failed to start.');
    expect(cause).toContain('rolling back to deployment ecs-svc/333');
    expect(cause).toContain('task t1: Essential container in task exited; web: (exit code 1)');
  });

  it('leaves the execution alone when an event claimed the token during its check', async () => {
    ecs.mock.on(DescribeServicesCommand).callsFake(async () => {
      const [waiter] = await stored();
      if (waiter) await waiters.claim(waiter); // rollout-events got there first
      return { services: [{ serviceName: 'web', status: 'ACTIVE', deployments: completed() }] };
    });
    await expect(wait()).resolves.toMatchObject({ state: 'COMPLETED', resumedBy: 'an-event' });
    expect(sfn.sent).toEqual([]);
  });

  it('replaces the waiter of a retried wait: the new token is the one kept', async () => {
    waiting.add('token-2');
    await wait('token-1');
    await wait('token-2');
    expect((await stored()).map((w) => w.taskToken)).toEqual(['token-2']);
  });

  it('does not fail when the task it answers is gone (stopped, or timed out meanwhile)', async () => {
    waiting.clear();
    ecs.set(completed());
    await expect(wait()).resolves.toMatchObject({ state: 'COMPLETED', resumedBy: 'this-check' });
  });

  it.each([[''], [null]])(
    'refuses a missing task token (%p) with ValidationError, storing nothing',
    async (token) => {
      await expect(wait(token as unknown as string)).rejects.toBeInstanceOf(ValidationError);
      expect(await stored()).toEqual([]);
    },
  );
});

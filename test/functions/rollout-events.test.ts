import { beforeEach, describe, expect, it } from '@jest/globals';
import { type RolloutWaiter, RolloutWaiters } from '../../functions/commons/rollout-waiters.js';
import { TaskCallbacks } from '../../functions/commons/task-callbacks.js';
import { onEcsEvent } from '../../functions/rollout-events/rollout-events.js';
import { useDynalite } from '../helpers/dynalite-client.js';
import { createRecordsTable } from '../helpers/records-table.js';
import {
  circuitBreakerFailed,
  completed,
  deploymentEvent,
  fakeEcs,
  fakeSfn,
  ours,
  previous,
  rollout,
  STARTED,
  taskEvent,
} from './rollout-wait-fixtures.js';

const dynamodb = useDynalite();

const waiter: RolloutWaiter = {
  taskToken: 'token-1',
  cluster: 'stepship-web',
  service: 'web',
  rollout,
  storedAt: STARTED + 1000,
};

let tables = 0;
let waiters: RolloutWaiters;
let ecs: ReturnType<typeof fakeEcs>;
let sfn: ReturnType<typeof fakeSfn>;
let waiting: Set<string>;
beforeEach(async () => {
  const name = `events-${++tables}`;
  await createRecordsTable(dynamodb(), name);
  waiters = new RolloutWaiters(dynamodb(), name);
  await waiters.put(waiter);
  ecs = fakeEcs();
  waiting = new Set(['token-1']);
  sfn = fakeSfn(waiting);
});

const handle = (event: unknown, now = STARTED + 5000) =>
  onEcsEvent(event, {
    ecs: ecs.client,
    waiters,
    callbacks: new TaskCallbacks(sfn.client),
    timeoutSeconds: 600,
    now: () => now,
  });
const stored = () => waiters.ofService('stepship-web', 'web');

describe('rollout-events, which resumes rollout waits on ECS events', () => {
  it('completes the wait on its deployment’s COMPLETED event, once ECS confirms it by the deployment’s id', async () => {
    ecs.set(completed());
    await expect(handle(deploymentEvent('SERVICE_DEPLOYMENT_COMPLETED'))).resolves.toEqual({
      signal: {
        kind: 'deployment',
        cluster: 'stepship-web',
        service: 'web',
        deploymentId: 'ecs-svc/222',
        eventName: 'SERVICE_DEPLOYMENT_COMPLETED',
      },
      waiters: [{ deploymentId: 'ecs-svc/222', action: 'COMPLETED' }],
    });
    expect(sfn.sent).toEqual([
      {
        command: 'success',
        token: 'token-1',
        output: { ...rollout, state: 'COMPLETED', checkedAt: STARTED + 5000, completedAt: STARTED + 5000 },
      },
    ]);
    expect(await stored()).toEqual([]);
  });

  it('ignores the same event delivered again: the wait is over and its token gone', async () => {
    ecs.set(completed());
    await handle(deploymentEvent('SERVICE_DEPLOYMENT_COMPLETED'));
    const describes = ecs.describes();
    await expect(handle(deploymentEvent('SERVICE_DEPLOYMENT_COMPLETED'))).resolves.toMatchObject({
      waiters: [],
    });
    expect(sfn.sent).toHaveLength(1);
    expect(ecs.describes()).toBe(describes);
  });

  it('resumes exactly once when two copies arrive together', async () => {
    ecs.set(completed());
    const both = await Promise.all([
      handle(deploymentEvent('SERVICE_DEPLOYMENT_COMPLETED')),
      handle(deploymentEvent('SERVICE_DEPLOYMENT_COMPLETED')),
    ]);
    const actions = both.flatMap((o) => o.waiters.map((w) => w.action)).sort();
    expect(actions.filter((a) => a === 'COMPLETED')).toHaveLength(1);
    expect(actions.every((a) => a === 'COMPLETED' || a === 'already-settled')).toBe(true);
    expect(sfn.sent.filter((s) => s.command === 'success')).toHaveLength(1);
  });

  it('does not take an event’s word for it: COMPLETED while ECS still rolls out is only a heartbeat', async () => {
    ecs.set([ours({ runningCount: 1 }), previous]);
    await expect(handle(deploymentEvent('SERVICE_DEPLOYMENT_COMPLETED'))).resolves.toMatchObject({
      waiters: [{ deploymentId: 'ecs-svc/222', action: 'heartbeat' }],
    });
    expect(sfn.sent).toEqual([{ command: 'heartbeat', token: 'token-1' }]);
    expect(await stored()).toHaveLength(1);
  });

  it('fails the wait on the circuit breaker’s FAILED event with RolloutFailedError and ECS’s reasons', async () => {
    ecs.set(circuitBreakerFailed(), [
      {
        createdAt: new Date(STARTED + 4000),
        message: '(service web) rolling back to deployment ecs-svc/333.',
      },
    ]);
    await expect(handle(deploymentEvent('SERVICE_DEPLOYMENT_FAILED'))).resolves.toMatchObject({
      waiters: [{ deploymentId: 'ecs-svc/222', action: 'FAILED', error: 'RolloutFailedError' }],
    });
    expect(sfn.sent).toEqual([expect.objectContaining({ command: 'failure', error: 'RolloutFailedError' })]);
    expect(sfn.sent[0]?.cause).toMatch(
      /^ECS deployment ecs-svc\/222 FAILED: ECS deployment circuit breaker: tasks failed to start\.\nService events:\n {2}- \(service web\) rolling back to deployment ecs-svc\/333\.\nStopped tasks:\n {2}- task t1: Essential container in task exited; web: \(exit code 1\)$/,
    );
  });

  it('judges ours when another deployment of the service starts: superseded is RolloutFailedError at once', async () => {
    ecs.set([
      { ...previous, id: 'ecs-svc/444', status: 'PRIMARY', rolloutState: 'IN_PROGRESS' },
      ours({ status: 'ACTIVE' }),
    ]);
    await expect(
      handle(deploymentEvent('SERVICE_DEPLOYMENT_IN_PROGRESS', 'ecs-svc/444')),
    ).resolves.toMatchObject({
      waiters: [{ deploymentId: 'ecs-svc/222', action: 'FAILED', error: 'RolloutFailedError' }],
    });
    expect(sfn.sent[0]?.cause).toMatch(/^ECS deployment ecs-svc\/222 was superseded \(status ACTIVE\)/);
  });

  it('never settles ours on another deployment’s COMPLETED: ours, still rolling out, gets a heartbeat', async () => {
    ecs.set([ours({ runningCount: 1 }), previous]);
    await expect(
      handle(deploymentEvent('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/111')),
    ).resolves.toMatchObject({
      waiters: [{ deploymentId: 'ecs-svc/222', action: 'heartbeat' }],
    });
    expect(sfn.sent.map((s) => s.command)).toEqual(['heartbeat']);
  });

  it.each([
    [
      'another service',
      deploymentEvent(
        'SERVICE_DEPLOYMENT_COMPLETED',
        'ecs-svc/222',
        'arn:aws:ecs:us-east-1:123456789012:service/stepship-web/api',
      ),
    ],
    [
      'another cluster',
      deploymentEvent(
        'SERVICE_DEPLOYMENT_COMPLETED',
        'ecs-svc/222',
        'arn:aws:ecs:us-east-1:123456789012:service/other/web',
      ),
    ],
    ['a task of another service', taskEvent('RUNNING', 'service:api')],
  ])('does nothing for an event of %s: no AWS call at all', async (_, event) => {
    ecs.set(completed());
    await expect(handle(event)).resolves.toMatchObject({ waiters: [] });
    expect(ecs.describes()).toBe(0);
    expect(sfn.sent).toEqual([]);
  });

  it.each([
    ['an ECR push', { source: 'aws.ecr', 'detail-type': 'ECR Image Action', detail: { result: 'SUCCESS' } }],
    [
      'a deployment event without a deployment id',
      {
        ...deploymentEvent('SERVICE_DEPLOYMENT_COMPLETED'),
        detail: { eventName: 'SERVICE_DEPLOYMENT_COMPLETED' },
      },
    ],
    [
      'a deployment event without resources',
      { ...deploymentEvent('SERVICE_DEPLOYMENT_COMPLETED'), resources: [] },
    ],
    [
      'a service ARN of the old format (no cluster)',
      deploymentEvent(
        'SERVICE_DEPLOYMENT_COMPLETED',
        'ecs-svc/222',
        'arn:aws:ecs:us-east-1:123456789012:service/web',
      ),
    ],
    ['a standalone task (RunTask)', taskEvent('RUNNING', 'family:web')],
    ['null', null],
    ['a string', 'SERVICE_DEPLOYMENT_COMPLETED'],
  ])('ignores %s without failing (a retry would change nothing)', async (_, event) => {
    ecs.set(completed());
    await expect(handle(event)).resolves.toEqual({ waiters: [] });
    expect(sfn.sent).toEqual([]);
    expect(await stored()).toHaveLength(1);
  });

  it('sends a heartbeat on a task event of the service, without asking ECS anything', async () => {
    await expect(handle(taskEvent('RUNNING'))).resolves.toEqual({
      signal: { kind: 'task', cluster: 'stepship-web', service: 'web', lastStatus: 'RUNNING' },
      waiters: [{ deploymentId: 'ecs-svc/222', action: 'heartbeat' }],
    });
    expect(sfn.sent).toEqual([{ command: 'heartbeat', token: 'token-1' }]);
    expect(ecs.describes()).toBe(0);
  });

  it('judges on a task event once the rollout is overdue: RolloutTimeoutError, though ECS is busy', async () => {
    ecs.set([ours({ runningCount: 1, failedTasks: 1 }), previous]);
    await expect(handle(taskEvent('STOPPED'), STARTED + 601_000)).resolves.toMatchObject({
      waiters: [{ deploymentId: 'ecs-svc/222', action: 'FAILED', error: 'RolloutTimeoutError' }],
    });
    expect(sfn.sent[0]?.cause).toMatch(/did not complete within 600 s \(1\/2 running, 1 failed\)/);
  });

  it('removes the token of a task that is gone (timed out, or its execution stopped)', async () => {
    waiting.clear();
    await expect(handle(taskEvent('RUNNING'))).resolves.toMatchObject({
      waiters: [{ deploymentId: 'ecs-svc/222', action: 'removed-stale' }],
    });
    expect(await stored()).toEqual([]);
  });
});

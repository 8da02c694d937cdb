import {
  type Deployment,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type ServiceEvent,
} from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { RolloutFailedError, RolloutTimeoutError } from '../../functions/commons/errors.js';
import { checkRollout } from '../../functions/commons/rollout-check.js';
import type { Rollout } from '../../functions/contract/shapes.js';
import { preparedDeployment } from '../helpers/targets.js';

const ecsMock = mockClient(ECSClient);
const deployment = preparedDeployment();
const STARTED = Date.parse('2026-11-23T10:00:00Z');
const rollout: Rollout = {
  deploymentId: 'ecs-svc/222',
  taskDefinitionArn: 'arn:td/web:2',
  startedAt: STARTED,
  state: 'IN_PROGRESS',
};

function service(deployments: Deployment[], events: ServiceEvent[] = []) {
  ecsMock
    .on(DescribeServicesCommand)
    .resolves({ services: [{ serviceName: 'web', status: 'ACTIVE', deployments, events }] });
}
const ours = (d: Partial<Deployment>): Deployment => ({
  id: 'ecs-svc/222',
  status: 'PRIMARY',
  taskDefinition: 'arn:td/web:2',
  desiredCount: 2,
  runningCount: 0,
  rolloutState: 'IN_PROGRESS',
  ...d,
});
const old: Deployment = {
  id: 'ecs-svc/111',
  status: 'ACTIVE',
  taskDefinition: 'arn:td/web:1',
  rolloutState: 'COMPLETED',
};
const check = (now = STARTED + 10_000, timeoutSeconds = 600) =>
  checkRollout(
    { deployment, rollout },
    { ecs: new ECSClient({ region: 'us-east-1' }), timeoutSeconds, now: () => now },
  );

beforeEach(() => {
  ecsMock.reset();
  ecsMock
    .on(ListTasksCommand)
    .resolves({ taskArns: ['arn:task/stepship-web/t1', 'arn:task/stepship-web/t0'] });
  ecsMock.on(DescribeTasksCommand).resolves({
    tasks: [
      {
        taskArn: 'arn:task/stepship-web/t1',
        startedBy: 'ecs-svc/222',
        stoppedReason: 'Task failed ELB health checks in (target-group web)',
        containers: [{ name: 'web', exitCode: 137, reason: 'OutOfMemoryError' }],
      },
      {
        taskArn: 'arn:task/stepship-web/t0',
        startedBy: 'ecs-svc/111',
        stoppedReason: 'Scaling activity initiated by deployment',
      },
    ],
  });
});

describe('check-rollout judges this deployment by its id', () => {
  it('is IN_PROGRESS while ECS rolls it out', async () => {
    service([ours({ runningCount: 1 }), old]);
    await expect(check()).resolves.toEqual({ ...rollout, state: 'IN_PROGRESS', checkedAt: STARTED + 10_000 });
  });

  it('is COMPLETED only when PRIMARY, COMPLETED and at the desired count', async () => {
    service([ours({ rolloutState: 'COMPLETED', runningCount: 2 })]);
    await expect(check()).resolves.toMatchObject({ state: 'COMPLETED', completedAt: STARTED + 10_000 });
  });

  it('fails when the circuit breaker marked it FAILED — even though the service is stable again — with the reasons', async () => {
    service(
      [
        {
          ...old,
          status: 'PRIMARY',
          id: 'ecs-svc/333',
          rolloutState: 'COMPLETED',
          runningCount: 2,
          desiredCount: 2,
        },
        ours({
          status: 'ACTIVE',
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
        }),
      ],
      [
        {
          createdAt: new Date(STARTED + 9000),
          message: '(service web) rolling back to deployment ecs-svc/111.',
        },
        { createdAt: new Date(STARTED - 60_000), message: '(service web) has reached a steady state.' },
      ],
    );
    const failure = check();
    await expect(failure).rejects.toBeInstanceOf(RolloutFailedError);
    await expect(failure).rejects.toThrow(/ecs-svc\/222 FAILED: ECS deployment circuit breaker/);
    const message = await failure.catch((e: Error) => e.message);
    expect(message).toContain('rolling back to deployment ecs-svc/111');
    expect(message).not.toContain('reached a steady state'); // older than this rollout
    expect(message).toContain('task t1: Task failed ELB health checks');
    expect(message).toContain('web: OutOfMemoryError (exit code 137)');
    expect(message).not.toContain('t0'); // another deployment's task
  });

  it('fails when the deployment was superseded by another', async () => {
    service([{ ...old, status: 'PRIMARY' }, ours({ status: 'ACTIVE' })]);
    await expect(check()).rejects.toThrow(/was superseded/);
  });

  it('fails when the deployment vanished, naming what runs instead', async () => {
    service([{ ...old, status: 'PRIMARY' }]);
    await expect(check()).rejects.toThrow(
      /ecs-svc\/222 was superseded and no longer exists: the service now runs ecs-svc\/111 \(arn:td\/web:1\)/,
    );
  });

  it('times out with RolloutTimeoutError and the reasons', async () => {
    service([ours({ runningCount: 1, failedTasks: 2 })]);
    const late = check(STARTED + 601_000, 600);
    await expect(late).rejects.toBeInstanceOf(RolloutTimeoutError);
    await expect(late).rejects.toThrow(/did not complete within 600 s \(1\/2 running, 2 failed\)/);
  });
});

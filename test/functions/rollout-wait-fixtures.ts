import {
  type Deployment,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type ServiceEvent,
} from '@aws-sdk/client-ecs';
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { Rollout } from '../../functions/contract/shapes.js';

export const STARTED = Date.parse('2026-11-23T10:00:00Z');
export const SERVICE_ARN = 'arn:aws:ecs:us-east-1:123456789012:service/stepship-web/web';
export const CLUSTER_ARN = 'arn:aws:ecs:us-east-1:123456789012:cluster/stepship-web';

export const rollout: Rollout = {
  deploymentId: 'ecs-svc/222',
  taskDefinitionArn: 'arn:td/web:2',
  startedAt: STARTED,
  state: 'IN_PROGRESS',
};

export const ours = (d: Partial<Deployment> = {}): Deployment => ({
  id: 'ecs-svc/222',
  status: 'PRIMARY',
  taskDefinition: 'arn:td/web:2',
  desiredCount: 2,
  runningCount: 0,
  rolloutState: 'IN_PROGRESS',
  ...d,
});
export const previous: Deployment = {
  id: 'ecs-svc/111',
  status: 'ACTIVE',
  taskDefinition: 'arn:td/web:1',
  rolloutState: 'COMPLETED',
  desiredCount: 2,
  runningCount: 2,
};
export const completed = (): Deployment[] => [ours({ rolloutState: 'COMPLETED', runningCount: 2 })];
export const circuitBreakerFailed = (): Deployment[] => [
  { ...previous, id: 'ecs-svc/333', status: 'PRIMARY', rolloutState: 'IN_PROGRESS' },
  ours({
    status: 'ACTIVE',
    rolloutState: 'FAILED',
    rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
  }),
];

/** ECS as DescribeServices shows it, and the one stopped task of ours, for a failure's cause. */
export function fakeEcs() {
  const client = new ECSClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  let deployments: Deployment[] = [ours({ runningCount: 1 }), previous];
  let events: ServiceEvent[] = [];
  mock.on(DescribeServicesCommand).callsFake(() => ({
    services: [{ serviceName: 'web', status: 'ACTIVE', deployments, events }],
  }));
  mock.on(ListTasksCommand).resolves({ taskArns: ['arn:task/stepship-web/t1'] });
  mock.on(DescribeTasksCommand).resolves({
    tasks: [
      {
        taskArn: 'arn:task/stepship-web/t1',
        startedBy: 'ecs-svc/222',
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'web', exitCode: 1 }],
      },
    ],
  });
  return {
    client,
    mock,
    set(next: Deployment[], nextEvents: ServiceEvent[] = []) {
      deployments = next;
      events = nextEvents;
    },
    describes: () => mock.commandCalls(DescribeServicesCommand).length,
  };
}

/** Step Functions' task-token API: what was sent, and which tokens a task still waits on. */
export function fakeSfn(waitingTokens: Set<string>) {
  const client = new SFNClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  const sent: { command: string; token: string; output?: unknown; error?: string; cause?: string }[] = [];
  const answer = (token: string) => {
    if (!waitingTokens.has(token)) throw new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} });
  };
  mock.on(SendTaskSuccessCommand).callsFake((i: { taskToken: string; output: string }) => {
    answer(i.taskToken);
    waitingTokens.delete(i.taskToken);
    sent.push({ command: 'success', token: i.taskToken, output: JSON.parse(i.output) });
    return {};
  });
  mock.on(SendTaskFailureCommand).callsFake((i: { taskToken: string; error: string; cause: string }) => {
    answer(i.taskToken);
    waitingTokens.delete(i.taskToken);
    sent.push({ command: 'failure', token: i.taskToken, error: i.error, cause: i.cause });
    return {};
  });
  mock.on(SendTaskHeartbeatCommand).callsFake((i: { taskToken: string }) => {
    answer(i.taskToken);
    sent.push({ command: 'heartbeat', token: i.taskToken });
    return {};
  });
  return { client, sent };
}

export const deploymentEvent = (
  eventName: string,
  deploymentId = 'ecs-svc/222',
  serviceArn = SERVICE_ARN,
): Record<string, unknown> => ({
  version: '0',
  id: `e-${eventName}-${deploymentId}`,
  'detail-type': 'ECS Deployment State Change',
  source: 'aws.ecs',
  account: '123456789012',
  time: '2026-11-23T10:00:05Z',
  region: 'us-east-1',
  resources: [serviceArn],
  detail: {
    eventType: eventName.endsWith('FAILED') ? 'ERROR' : 'INFO',
    eventName,
    deploymentId,
    updatedAt: '2026-11-23T10:00:05Z',
    reason: 'ECS deployment in progress.',
  },
});

export const taskEvent = (lastStatus: string, group = 'service:web'): Record<string, unknown> => ({
  version: '0',
  id: `e-task-${lastStatus}`,
  'detail-type': 'ECS Task State Change',
  source: 'aws.ecs',
  account: '123456789012',
  time: '2026-11-23T10:00:03Z',
  region: 'us-east-1',
  resources: ['arn:aws:ecs:us-east-1:123456789012:task/stepship-web/t2'],
  detail: {
    clusterArn: CLUSTER_ARN,
    group,
    taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/stepship-web/t2',
    startedBy: 'ecs-svc/222',
    lastStatus,
    desiredStatus: 'RUNNING',
  },
});

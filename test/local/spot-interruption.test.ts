import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import type { CloudEvent } from '../../local/services/events/provider.js';
import { eventually } from '../helpers/eventually.js';
import { steadyLoad } from '../helpers/load.js';
import { quickGroupBehindLoadBalancer } from './load-balanced-group.js';
import { pushTestImage, serviceScript } from './test-images.js';

let cloud: LocalCloud;
let ecs: ECSClient;

/** Runs long enough for a SIGTERM to be seen and ignored: only SIGKILL ends it. */
const STUBBORN = `import http from 'node:http';
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT ?? 3000), process.env.HOST);
process.on('SIGTERM', () => console.log('SIGTERM received, ignoring it'));
`;

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-spot-')),
  });
  ecs = new ECSClient({ endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS });
  cloud.ecr.createRepository(cloud.scope, { repositoryName: 'svc' });
  const { group } = await quickGroupBehindLoadBalancer(cloud, 'svc');
  await ecs.send(new CreateClusterCommand({ clusterName: 'test' }));
  for (const [name, script] of [
    ['svc', serviceScript('v1')],
    ['stubborn', STUBBORN],
  ] as const) {
    const image = pushTestImage(cloud, 'svc', name, script);
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          { name: 'svc', image, portMappings: [{ containerPort: 3000 }], stopTimeout: 2 },
        ],
      }),
    );
  }
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'test',
      serviceName: 'svc',
      taskDefinition: 'svc',
      desiredCount: 4,
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE', base: 1, weight: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 2 },
      ],
      loadBalancers: [{ targetGroupArn: group.arn, containerName: 'svc', containerPort: 3000 }],
    }),
  );
}, 30_000);
afterAll(async () => {
  ecs.destroy();
  await cloud.stop();
});

async function tasks(service: string, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): Promise<Task[]> {
  const arns = (
    await ecs.send(new ListTasksCommand({ cluster: 'test', serviceName: service, desiredStatus }))
  ).taskArns;
  if (!arns?.length) return [];
  return (await ecs.send(new DescribeTasksCommand({ cluster: 'test', tasks: arns }))).tasks ?? [];
}

const steady = async () => {
  const out = await ecs.send(new DescribeServicesCommand({ cluster: 'test', services: ['svc'] }));
  const s = out.services?.[0];
  return s?.runningCount === 4 && s.deployments?.[0]?.rolloutState === 'COMPLETED' ? s : undefined;
};

describe('Fargate Spot, locally', () => {
  it('places tasks by the strategy (FARGATE base 1, then FARGATE_SPOT 2 : FARGATE 1) and says so on each task', async () => {
    const service = await eventually('the service steady at 4 tasks', steady, 30_000);
    expect(service.capacityProviderStrategy).toEqual([
      { capacityProvider: 'FARGATE', base: 1, weight: 1 },
      { capacityProvider: 'FARGATE_SPOT', base: 0, weight: 2 },
    ]);
    expect(service.launchType).toBeUndefined();
    // Its deployments too: a strategy, not a launch type, as ECS answers them.
    expect(service.deployments?.map((d) => [d.launchType, d.capacityProviderStrategy])).toEqual([
      [undefined, service.capacityProviderStrategy],
    ]);
    const names = (await tasks('svc')).map((t) => t.capacityProviderName).sort();
    expect(names).toEqual(['FARGATE', 'FARGATE', 'FARGATE_SPOT', 'FARGATE_SPOT']);
  }, 40_000);

  it('an interrupted Spot task stops with SpotInterruption, is replaced, and the load balancer fails no request', async () => {
    await eventually('the service steady at 4 tasks', steady, 30_000);
    const spot = (await tasks('svc')).find((t) => t.capacityProviderName === 'FARGATE_SPOT');
    // What ECS sends to EventBridge about the task, seen where the local bus takes it in.
    const sent: CloudEvent[] = [];
    const publish = cloud.events.publish.bind(cloud.events);
    cloud.events.publish = (scope, event, bus) => {
      sent.push(event);
      return publish(scope, event, bus);
    };
    const stopLoad = steadyLoad(`${cloud.loadBalancerUrl}/status`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await cloud.interruptSpotTask(spot?.taskArn ?? '', 5);
    cloud.events.publish = publish;
    const stoppedEvent = sent.find(
      (e) =>
        e['detail-type'] === 'ECS Task State Change' &&
        e.resources?.[0] === spot?.taskArn &&
        (e.detail as { lastStatus?: string }).lastStatus === 'STOPPED',
    );
    expect(stoppedEvent).toMatchObject({
      source: 'aws.ecs',
      detail: {
        stopCode: 'SpotInterruption',
        desiredStatus: 'STOPPED',
        capacityProviderName: 'FARGATE_SPOT',
      },
    });
    const stopped = (
      await ecs.send(new DescribeTasksCommand({ cluster: 'test', tasks: [spot?.taskArn ?? ''] }))
    ).tasks?.[0];
    expect(stopped).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'SpotInterruption',
      stoppedReason: 'Your Spot Task was interrupted.',
      capacityProviderName: 'FARGATE_SPOT',
    });
    const service = await eventually('the service steady at 4 tasks', steady, 30_000);
    expect(service.deployments?.[0]?.failedTasks).toBe(0);
    const replacements = (await tasks('svc')).filter((t) => t.taskArn !== spot?.taskArn);
    expect(replacements).toHaveLength(4);
    const load = await stopLoad();
    expect(load.requests).toBeGreaterThan(20);
    expect(load.failures).toEqual([]);
  }, 60_000);

  it('gives a task that ignores SIGTERM until the warning runs out, then kills it', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'test',
        serviceName: 'stubborn',
        taskDefinition: 'stubborn',
        desiredCount: 1,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      }),
    );
    const [task] = await eventually('the stubborn task running', async () => {
      const running = await tasks('stubborn');
      return running[0]?.lastStatus === 'RUNNING' ? running : undefined;
    });
    const started = Date.now();
    await cloud.interruptSpotTask(task?.taskArn ?? '', 2);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    const stopped = (
      await ecs.send(new DescribeTasksCommand({ cluster: 'test', tasks: [task?.taskArn ?? ''] }))
    ).tasks?.[0];
    expect(stopped?.stopCode).toBe('SpotInterruption');
    expect(stopped?.containers?.[0]?.exitCode).toBe(137);
  }, 30_000);

  it('refuses to interrupt a task that is not on FARGATE_SPOT', async () => {
    const onDemand = (await tasks('svc')).find((t) => t.capacityProviderName === 'FARGATE');
    await expect(cloud.interruptSpotTask(onDemand?.taskArn ?? '')).rejects.toMatchObject({
      name: 'NotInterruptibleError',
    });
  });
});

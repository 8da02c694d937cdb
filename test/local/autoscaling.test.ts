import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApplicationAutoScalingClient,
  DescribeScalingActivitiesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { ProcessMeter } from '../../local/services/application-autoscaling/task-metrics.js';
import { eventually } from '../helpers/eventually.js';
import { steadyLoad } from '../helpers/load.js';
import { quickGroupBehindLoadBalancer } from './load-balanced-group.js';
import { pushTestImage, serviceScript } from './test-images.js';

let cloud: LocalCloud;
let ecs: ECSClient;
let scaling: ApplicationAutoScalingClient;
let resourceLabel = '';
const RESOURCE = 'service/test/web';

async function register(version: string): Promise<string> {
  const image = pushTestImage(cloud, 'web', version, serviceScript(version));
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'web', image, portMappings: [{ containerPort: 3000 }], stopTimeout: 2 }],
    }),
  );
  return out.taskDefinition?.taskDefinitionArn ?? '';
}

async function service() {
  const out = await ecs.send(new DescribeServicesCommand({ cluster: 'test', services: ['web'] }));
  return out.services?.[0];
}

beforeAll(async () => {
  // A one-second period, one period to scale out and two to scale in: the semantics in seconds.
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-scaling-')),
    scaling: { periodSeconds: 1, scaleOutPeriods: 1, scaleInPeriods: 2 },
  });
  const config = { endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS };
  ecs = new ECSClient(config);
  scaling = new ApplicationAutoScalingClient(config);
  cloud.ecr.createRepository(cloud.scope, { repositoryName: 'web' });
  const { group, lb } = await quickGroupBehindLoadBalancer(cloud, 'web');
  // CloudWatch's label of a target group behind a load balancer: app/<lb>/<id>/targetgroup/<tg>/<id>.
  resourceLabel = `${lb.arn.split(':loadbalancer/')[1]}/${group.arn.split(':').at(-1)}`;
  await ecs.send(new CreateClusterCommand({ clusterName: 'test' }));
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'test',
      serviceName: 'web',
      taskDefinition: await register('v1'),
      desiredCount: 1,
      loadBalancers: [{ targetGroupArn: group.arn, containerName: 'web', containerPort: 3000 }],
    }),
  );
}, 30_000);
afterAll(async () => {
  ecs.destroy();
  scaling.destroy();
  await cloud.stop();
});

describe('Application Auto Scaling, locally', () => {
  it('registering a target moves the desired count into its range at once', async () => {
    await scaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs',
        ResourceId: RESOURCE,
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: 2,
        MaxCapacity: 5,
      }),
    );
    expect((await service())?.desiredCount).toBe(2);
    await eventually('two tasks running', async () =>
      (await service())?.runningCount === 2 ? true : undefined,
    );
  }, 30_000);

  it('tracks requests per target: scales out under load, deploys meanwhile without resetting the count or failing a request, and scales back in when idle', async () => {
    // 900 requests a minute per target is 15 a second: the load's ~35 a second wants at least 3 tasks.
    await scaling.send(
      new PutScalingPolicyCommand({
        ServiceNamespace: 'ecs',
        ResourceId: RESOURCE,
        ScalableDimension: 'ecs:service:DesiredCount',
        PolicyName: 'requests',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 900,
          PredefinedMetricSpecification: {
            PredefinedMetricType: 'ALBRequestCountPerTarget',
            ResourceLabel: resourceLabel,
          },
          ScaleOutCooldown: 1,
          ScaleInCooldown: 1,
        },
      }),
    );
    const stopLoad = steadyLoad(`${cloud.loadBalancerUrl}/status`);
    const scaledOut = await eventually(
      'a scale-out to at least 3',
      async () => {
        const s = await service();
        return (s?.desiredCount ?? 0) >= 3 ? s : undefined;
      },
      30_000,
    );
    const scaledTo = scaledOut.desiredCount ?? 0;
    // A deployment now (UpdateService without desiredCount, as stepship sends it) keeps the scaled count.
    await ecs.send(
      new UpdateServiceCommand({ cluster: 'test', service: 'web', taskDefinition: await register('v2') }),
    );
    const deployed = await eventually(
      'the deployment completed',
      async () => {
        const s = await service();
        return s?.deployments?.length === 1 && s.deployments[0]?.rolloutState === 'COMPLETED' ? s : undefined;
      },
      60_000,
    );
    expect(deployed.desiredCount).toBeGreaterThanOrEqual(scaledTo);
    const load = await stopLoad();
    expect(load.requests).toBeGreaterThan(50);
    expect(load.failures).toEqual([]);

    const idle = await eventually(
      'a scale-in to the minimum',
      async () => {
        const s = await service();
        return s?.desiredCount === 2 ? s : undefined;
      },
      60_000,
    );
    expect(idle.desiredCount).toBe(2);
    const activities = (
      await scaling.send(
        new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: RESOURCE }),
      )
    ).ScalingActivities;
    expect(activities?.[0]).toMatchObject({
      Description: 'Setting desired count to 2.',
      StatusCode: 'Successful',
    });
    expect(activities?.some((a) => a.Cause?.includes('AlarmHigh') && a.Cause.includes('requests'))).toBe(
      true,
    );
  }, 180_000);
});

describe('measuring a process', () => {
  it('reads CPU used between two readings and resident memory from /proc', async () => {
    const meter = new ProcessMeter();
    expect(meter.cpuCores(process.pid)).toBeUndefined();
    // Node's own count of this process's CPU time over the same window is the yardstick: on a busy
    // machine a spinning process gets well under one core, so no fixed share can be expected.
    const started = { cpu: process.cpuUsage(), at: performance.now() };
    const until = Date.now() + 300;
    while (Date.now() < until) Math.sqrt(Math.random());
    await sleep(10);
    const used = process.cpuUsage(started.cpu);
    const cores = (used.user + used.system) / 1000 / (performance.now() - started.at);
    const measured = meter.cpuCores(process.pid);
    expect(measured).toBeGreaterThan(0.05);
    expect(Math.abs((measured ?? 0) - cores)).toBeLessThan(Math.max(0.15, cores * 0.3));
    expect(meter.memoryMiB(process.pid)).toBeGreaterThan(10);
    expect(meter.cpuCores(999_999_999)).toBeUndefined();
  });
});

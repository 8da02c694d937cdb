import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { botocoreUnavailableReason, rawJsonCall, shapeProblems } from '../helpers/botocore-shape.js';
import { eventually } from '../helpers/eventually.js';
import { steadyLoad } from '../helpers/load.js';
import { quickGroupBehindLoadBalancer } from './load-balanced-group.js';
import { pushTestImage, serviceScript } from './test-images.js';

let cloud: LocalCloud;
let ecs: ECSClient;
let elbv2: ElasticLoadBalancingV2Client;
let targetGroupArn: string;

// t3.micro: 2048 CPU units and 998 MiB registered; tasks of 256 units and 400 MiB: two fit on each instance.
const TASK = { cpu: 256, memory: 400 };

async function runningTasks(): Promise<Task[]> {
  const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster: 'test', serviceName: 'api' }));
  if (taskArns.length === 0) return [];
  const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster: 'test', tasks: taskArns }));
  return tasks.filter((t) => t.lastStatus === 'RUNNING');
}

async function instances() {
  const { containerInstanceArns = [] } = await ecs.send(
    new ListContainerInstancesCommand({ cluster: 'test' }),
  );
  const { containerInstances = [] } = await ecs.send(
    new DescribeContainerInstancesCommand({ cluster: 'test', containerInstances: containerInstanceArns }),
  );
  return containerInstances;
}

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-ec2-')),
  });
  const clientConfig = { endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS };
  ecs = new ECSClient(clientConfig);
  elbv2 = new ElasticLoadBalancingV2Client(clientConfig);
  cloud.ecr.createRepository(cloud.scope, { repositoryName: 'api' });
  const { group } = await quickGroupBehindLoadBalancer(cloud, 'api', { targetType: 'instance' });
  targetGroupArn = group.arn;
  await ecs.send(new CreateClusterCommand({ clusterName: 'test' }));
  // What provisioning does for the template's launch template, group, capacity provider and association.
  cloud.ecs.capacity.launchTemplate(cloud.scope, 'lt-0123456789abcdef0', 't3.micro');
  const groupArn = cloud.ecs.capacity.autoScalingGroup(cloud.scope, {
    name: 'api-instances',
    launchTemplateId: 'lt-0123456789abcdef0',
    desired: 2,
    zones: [`${cloud.region}a`, `${cloud.region}b`],
  });
  cloud.ecs.capacity.createCapacityProvider(cloud.scope, { name: 'api-cp', autoScalingGroupArn: groupArn });
  cloud.ecs.capacity.associate(cloud.scope, 'test', ['api-cp']);
  for (const version of ['v1', 'v2']) {
    const image = pushTestImage(cloud, 'api', version, serviceScript(version));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'api',
        requiresCompatibilities: ['EC2'],
        networkMode: 'bridge',
        containerDefinitions: [
          {
            name: 'api',
            image,
            ...TASK,
            portMappings: [{ containerPort: 3000, hostPort: 0 }],
            stopTimeout: 2,
          },
        ],
      }),
    );
  }
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'test',
      serviceName: 'api',
      taskDefinition: 'api:1',
      desiredCount: 2,
      capacityProviderStrategy: [{ capacityProvider: 'api-cp', weight: 1 }],
      loadBalancers: [{ targetGroupArn: group.arn, containerName: 'api', containerPort: 3000 }],
    }),
  );
  await eventually('two healthy targets', async () => {
    const { TargetHealthDescriptions = [] } = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: group.arn }),
    );
    return (
      TargetHealthDescriptions.filter((d) => d.TargetHealth?.State === 'healthy').length === 2 || undefined
    );
  });
}, 60_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('EC2 capacity: an Auto Scaling group of local instances behind a capacity provider', () => {
  it("registers the group's desired count of instances with the cluster, each with its instance type's resources", async () => {
    const described = await instances();
    expect(described).toHaveLength(2);
    for (const instance of described) {
      expect(instance).toMatchObject({
        status: 'ACTIVE',
        agentConnected: true,
        capacityProviderName: 'api-cp',
        ec2InstanceId: expect.stringMatching(/^i-[0-9a-f]{17}$/),
        containerInstanceArn: expect.stringMatching(/:container-instance\/test\/[0-9a-f]{32}$/),
      });
      const registered = Object.fromEntries(
        (instance.registeredResources ?? []).map((r) => [r.name, r.integerValue ?? r.stringSetValue]),
      );
      expect(registered).toMatchObject({ CPU: 2048, MEMORY: 998 });
    }
    const { clusters = [] } = await ecs.send(new DescribeClustersCommand({ clusters: ['test'] }));
    expect(clusters[0]).toMatchObject({
      registeredContainerInstancesCount: 2,
      capacityProviders: ['api-cp'],
    });
    const page = await ecs.send(new ListContainerInstancesCommand({ cluster: 'test', maxResults: 1 }));
    expect(page.containerInstanceArns).toHaveLength(1);
    const next = await ecs.send(
      new ListContainerInstancesCommand({ cluster: 'test', maxResults: 1, nextToken: page.nextToken }),
    );
    expect(next.containerInstanceArns).toHaveLength(1);
    expect(next.containerInstanceArns?.[0]).not.toBe(page.containerInstanceArns?.[0]);
    const { capacityProviders = [] } = await ecs.send(
      new DescribeCapacityProvidersCommand({ capacityProviders: ['api-cp'] }),
    );
    expect(capacityProviders[0]?.autoScalingGroupProvider).toMatchObject({
      autoScalingGroupArn: expect.stringContaining(':autoScalingGroupName/api-instances'),
      managedScaling: { status: 'ENABLED', targetCapacity: 100 },
    });
  });

  it('spreads the tasks over the instances, each container port on a dynamic host port of its instance', async () => {
    const tasks = await runningTasks();
    expect(tasks).toHaveLength(2);
    expect(new Set(tasks.map((t) => t.containerInstanceArn)).size).toBe(2);
    for (const task of tasks) {
      expect(task).toMatchObject({ launchType: 'EC2', capacityProviderName: 'api-cp', attachments: [] });
      const [binding] = task.containers?.[0]?.networkBindings ?? [];
      expect(binding).toMatchObject({ bindIP: '0.0.0.0', containerPort: 3000, protocol: 'tcp' });
      expect(binding?.hostPort).toBeGreaterThanOrEqual(32768);
      expect(binding?.hostPort).toBeLessThanOrEqual(60999);
    }
    const described = await instances();
    for (const instance of described) {
      const left = Object.fromEntries(
        (instance.remainingResources ?? []).map((r) => [r.name, r.integerValue ?? r.stringSetValue]),
      );
      expect(left).toMatchObject({ CPU: 2048 - TASK.cpu, MEMORY: 998 - TASK.memory });
      expect(instance.runningTasksCount).toBe(1);
    }
  });

  it('registers each task in the instance target group as instance id and host port; traffic reaches it there', async () => {
    const tasks = await runningTasks();
    const ids = new Map((await instances()).map((i) => [i.containerInstanceArn, i.ec2InstanceId]));
    const expected = tasks.map((t) => ({
      Id: ids.get(t.containerInstanceArn),
      Port: t.containers?.[0]?.networkBindings?.[0]?.hostPort,
    }));
    const { TargetHealthDescriptions = [] } = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
    );
    expect(
      TargetHealthDescriptions.map((d) => d.Target).sort((a, b) => (a?.Port ?? 0) - (b?.Port ?? 0)),
    ).toEqual(expected.sort((a, b) => (a.Port ?? 0) - (b.Port ?? 0)));
    for (const target of expected) {
      // The instance's own address and the host port: what the load balancer and its health checks reach.
      const address = cloud.ecs.capacity.instanceAddress(target.Id ?? '', cloud.scope);
      const direct = await fetch(`http://${address}:${target.Port}/`);
      expect(await direct.json()).toMatchObject({ version: 'v1' });
    }
    const res = await fetch(`${cloud.loadBalancerUrl}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ version: 'v1' });
  });

  (botocoreUnavailableReason() ? it.skip : it)(
    "answers an EC2 task's, its service's and its instances' shapes as botocore models them",
    async () => {
      const tasks = (await runningTasks()).map((t) => t.taskArn);
      const calls: [string, unknown][] = [
        ['DescribeTasks', { cluster: 'test', tasks }],
        ['DescribeServices', { cluster: 'test', services: ['api'] }],
        [
          'DescribeContainerInstances',
          { cluster: 'test', containerInstances: (await instances()).map((i) => i.containerInstanceArn) },
        ],
        ['DescribeCapacityProviders', {}],
        ['DescribeClusters', { clusters: ['test'] }],
      ];
      for (const [operation, body] of calls) {
        const answer = await rawJsonCall(
          cloud.endpointUrl,
          `AmazonEC2ContainerServiceV20141113.${operation}`,
          body,
        );
        expect(answer.status).toBe(200);
        expect(shapeProblems('ecs', operation, answer.body)).toEqual([]);
      }
    },
  );

  it('answers InvalidTarget for an instance that does not run here', async () => {
    await expect(
      elbv2.send(
        new RegisterTargetsCommand({
          TargetGroupArn: targetGroupArn,
          Targets: [{ Id: 'i-0123456789abcdef0', Port: 40000 }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidTargetException', Code: 'InvalidTarget' });
  });

  it('says so, and starts nothing, when a task fits on no instance', async () => {
    // Two instances of two tasks each: the fifth has no room.
    await ecs.send(new UpdateServiceCommand({ cluster: 'test', service: 'api', desiredCount: 5 }));
    const events = await eventually('the placement failure event', async () => {
      const { services = [] } = await ecs.send(
        new DescribeServicesCommand({ cluster: 'test', services: ['api'] }),
      );
      const messages = (services[0]?.events ?? []).map((e) => e.message ?? '');
      return messages.some((m) =>
        m.includes('was unable to place a task because no container instance met all of its requirements'),
      )
        ? messages
        : undefined;
    });
    expect(events.find((m) => m.includes('unable to place'))).toMatch(/has insufficient memory available/);
    await eventually('four tasks running', async () =>
      (await runningTasks()).length === 4 ? true : undefined,
    );
    const ports = (await runningTasks()).map(
      (t) => `${t.containerInstanceArn}:${t.containers?.[0]?.networkBindings?.[0]?.hostPort}`,
    );
    expect(new Set(ports).size).toBe(4);
    await ecs.send(new UpdateServiceCommand({ cluster: 'test', service: 'api', desiredCount: 2 }));
    await eventually('back to two tasks', async () =>
      (await runningTasks()).length === 2 ? true : undefined,
    );
  }, 30_000);

  it('rolls a new task definition out under load through the load balancer with no failed request', async () => {
    const stop = steadyLoad(`${cloud.loadBalancerUrl}/`);
    await ecs.send(new UpdateServiceCommand({ cluster: 'test', service: 'api', taskDefinition: 'api:2' }));
    await eventually(
      'the new deployment completed',
      async () => {
        const { services = [] } = await ecs.send(
          new DescribeServicesCommand({ cluster: 'test', services: ['api'] }),
        );
        const service = services[0];
        return service?.deployments?.length === 1 && service.deployments[0]?.rolloutState === 'COMPLETED'
          ? service
          : undefined;
      },
      45_000,
    );
    const load = await stop();
    expect(load.requests).toBeGreaterThan(20);
    expect(load.failures).toEqual([]);
    const { services = [] } = await ecs.send(
      new DescribeServicesCommand({ cluster: 'test', services: ['api'] }),
    );
    // A service placed by a strategy says so, not a launch type, and so do its deployments.
    expect(services[0]?.launchType).toBeUndefined();
    expect(services[0]?.capacityProviderStrategy).toEqual([
      { capacityProvider: 'api-cp', base: 0, weight: 1 },
    ]);
    expect(services[0]?.deployments?.[0]?.launchType).toBeUndefined();
    expect(services[0]?.deployments?.[0]?.capacityProviderStrategy).toEqual([
      { capacityProvider: 'api-cp', base: 0, weight: 1 },
    ]);
    const res = await fetch(`${cloud.loadBalancerUrl}/`);
    expect(await res.json()).toMatchObject({ version: 'v2' });
  }, 60_000);

  it('runs one-off tasks (stepship run) on the instances too, and reports one that fits nowhere as RunTask does', async () => {
    // Each instance holds one service task (400 of 998 MiB): one more fits on each, a third nowhere.
    const out = await ecs.send(
      new RunTaskCommand({
        cluster: 'test',
        taskDefinition: 'api:2',
        count: 3,
        capacityProviderStrategy: [{ capacityProvider: 'api-cp', weight: 1 }],
      }),
    );
    expect(out.tasks).toHaveLength(2);
    expect(out.failures).toEqual([
      { arn: expect.stringContaining(':container-instance/test/'), reason: 'RESOURCE:MEMORY' },
    ]);
    for (const task of out.tasks ?? []) {
      expect(task).toMatchObject({ launchType: 'EC2', capacityProviderName: 'api-cp' });
      expect(task.containerInstanceArn).toBeDefined();
    }
    expect(new Set(out.tasks?.map((t) => t.containerInstanceArn)).size).toBe(2);
    for (const task of out.tasks ?? [])
      await ecs.send(new StopTaskCommand({ cluster: 'test', task: task.taskArn }));
  });
});

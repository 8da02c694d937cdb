import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionRequest,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { expect } from '@jest/globals';
import { eventually } from '../../helpers/eventually.js';
import { caseBuilders } from '../case-builders.js';
import { type ClientClass, type SdkClient, type ServiceCatalogue, tableOperations } from '../suite.js';

interface EcsFixtures {
  clusterArn: string;
  image: string;
  taskDefinitionArn: string;
  serviceArn: string;
  taskArns: string[];
  containerInstanceArns: string[];
}

const CLUSTER = 'conf';
const MANY = 'conf-many';
/** A cluster with three local instances of an EC2 capacity provider. */
const EC2 = 'conf-ec2';
const TAGS = [{ key: 'team', value: 'conformance' }];
const SERVER = "require('node:http').createServer((q, s) => s.end('ok')).listen(3000, process.env.HOST);";

const taskDefinition = (family: string, image: string): RegisterTaskDefinitionRequest => ({
  family,
  requiresCompatibilities: ['FARGATE'],
  networkMode: 'awsvpc',
  cpu: '256',
  memory: '512',
  containerDefinitions: [
    { name: 'app', image, essential: true, portMappings: [{ containerPort: 3000, protocol: 'tcp' }] },
  ],
});

const service = (name: string, f: EcsFixtures, desiredCount = 0) => ({
  cluster: CLUSTER,
  serviceName: name,
  taskDefinition: f.taskDefinitionArn,
  desiredCount,
  launchType: 'FARGATE' as const,
  networkConfiguration: {
    awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'DISABLED' as const },
  },
});

const { custom, fails, ok, pagesByDefault, paginates, refuses } = caseBuilders<EcsFixtures>();

/** A one-off task of the conformance family, with the network configuration awsvpc requires. */
const oneOff = (command: string[], extra: Record<string, unknown> = {}) => ({
  cluster: CLUSTER,
  taskDefinition: 'conf-web:1',
  launchType: 'FARGATE' as const,
  networkConfiguration: {
    awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'DISABLED' as const },
  },
  overrides: { containerOverrides: [{ name: 'app', command }] },
  ...extra,
});

export const ecs: ServiceCatalogue<EcsFixtures> = {
  model: 'ecs',
  client: ECSClient as unknown as ClientClass,
  emulated: (cloud) => tableOperations(cloud.ecs.api),

  async setup({ cloud, prepare, clientOf }) {
    const ecr = clientOf(ECRClient as unknown as ClientClass) as SdkClient;
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'conf-web' }));
    const manifest = cloud.images.createImage(
      { 'app/server.cjs': Buffer.from(SERVER) },
      { entrypoint: ['node', 'app/server.cjs'], env: {}, exposedPorts: [3000] },
    );
    const pushed = (await ecr.send(
      new PutImageCommand({ repositoryName: 'conf-web', imageManifest: manifest, imageTag: 'v1' }),
    )) as { image?: { imageId?: { imageDigest?: string } } };
    const image = `${cloud.accountId}.dkr.ecr.${cloud.region}.amazonaws.com/conf-web@${pushed.image?.imageId?.imageDigest}`;

    const { cluster } = await prepare(CreateClusterCommand, { clusterName: CLUSTER });
    for (const name of ['conf-b', 'conf-c']) await prepare(CreateClusterCommand, { clusterName: name });
    const registered = await prepare(RegisterTaskDefinitionCommand, taskDefinition('conf-web', image));
    await prepare(RegisterTaskDefinitionCommand, taskDefinition('conf-web', image));
    for (const family of ['conf-worker', 'conf-batch'])
      await prepare(RegisterTaskDefinitionCommand, taskDefinition(family, image));
    const f: EcsFixtures = {
      clusterArn: cluster?.clusterArn ?? '',
      image,
      taskDefinitionArn: registered.taskDefinition?.taskDefinitionArn ?? '',
      serviceArn: '',
      taskArns: [],
      containerInstanceArns: [],
    };
    // What provisioning does with a template's launch template, Auto Scaling group and capacity provider.
    await prepare(CreateClusterCommand, { clusterName: EC2 });
    cloud.ecs.capacity.launchTemplate(cloud.scope, 'lt-00000000000000001', 't3.small');
    const group = cloud.ecs.capacity.autoScalingGroup(cloud.scope, {
      name: 'conf-instances',
      launchTemplateId: 'lt-00000000000000001',
      desired: 3,
      zones: [`${cloud.region}a`, `${cloud.region}b`],
    });
    cloud.ecs.capacity.createCapacityProvider(cloud.scope, { name: 'conf-cp', autoScalingGroupArn: group });
    cloud.ecs.capacity.associate(cloud.scope, EC2, ['conf-cp']);
    f.containerInstanceArns =
      (await prepare(ListContainerInstancesCommand, { cluster: EC2 })).containerInstanceArns ?? [];
    const created = await prepare(CreateServiceCommand, { ...service('conf-a', f), tags: TAGS });
    f.serviceArn = created.service?.serviceArn ?? '';
    await prepare(CreateServiceCommand, service('conf-b', f));
    await prepare(CreateServiceCommand, service('conf-tasks', f, 3));
    // More services than ListServices answers by default.
    await prepare(CreateClusterCommand, { clusterName: MANY });
    for (let i = 1; i <= 11; i++)
      await prepare(CreateServiceCommand, { ...service(`many-${i}`, f), cluster: MANY });
    f.taskArns = await eventually('three tasks of conf-tasks', async () => {
      const { taskArns = [] } = await prepare(ListTasksCommand, {
        cluster: CLUSTER,
        serviceName: 'conf-tasks',
      });
      return taskArns.length === 3 ? taskArns : undefined;
    });
    return f;
  },

  cases: [
    ok(CreateClusterCommand, 'creates a cluster', { clusterName: 'conf-new' }, (out) =>
      expect(out.cluster?.status).toBe('ACTIVE'),
    ),
    fails(
      CreateClusterCommand,
      'a name with spaces is an invalid parameter',
      { clusterName: 'no spaces here' },
      'InvalidParameterException',
    ),
    ok(DescribeClustersCommand, 'describes a cluster by name', { clusters: [CLUSTER] }, (out) =>
      expect(out.clusters?.map((c) => c.clusterName)).toEqual([CLUSTER]),
    ),
    ok(
      DescribeClustersCommand,
      'reports a missing cluster as a failure',
      { clusters: [CLUSTER, 'absent'] },
      (out) => expect(out.failures?.map((x) => x.reason)).toEqual(['MISSING']),
    ),
    fails(
      DescribeClustersCommand,
      'more than 100 clusters at once',
      { clusters: Array.from({ length: 101 }, (_, i) => `c${i}`) },
      'InvalidParameterException',
    ),
    ok(ListClustersCommand, 'lists clusters', {}, (out) =>
      expect(out.clusterArns).toContainEqual(expect.stringContaining(`cluster/${CLUSTER}`)),
    ),
    ...paginates(ListClustersCommand, {}),
    fails(ListClustersCommand, 'a page size over 100', { maxResults: 101 }, 'InvalidParameterException'),
    custom('DeleteCluster', 'deletes an empty cluster', async (w) => {
      await w.prepare(CreateClusterCommand, { clusterName: 'conf-doomed' });
      const out = await w.send(DeleteClusterCommand, { cluster: 'conf-doomed' });
      expect(out.cluster?.status).toBe('INACTIVE');
    }),
    fails(DeleteClusterCommand, 'an unknown cluster', { cluster: 'absent' }, 'ClusterNotFoundException'),
    fails(
      DeleteClusterCommand,
      'a cluster that still has services',
      { cluster: CLUSTER },
      'ClusterContainsServicesException',
    ),
    ok(
      RegisterTaskDefinitionCommand,
      'registers a Fargate task definition',
      (f) => ({ ...taskDefinition('conf-new', f.image), tags: [{ key: 'team', value: 'conf' }] }),
      (out) => expect(out.taskDefinition?.revision).toBe(1),
    ),
    fails(
      RegisterTaskDefinitionCommand,
      'no containers',
      { family: 'conf-empty', containerDefinitions: [] },
      'ClientException',
    ),
    fails(RegisterTaskDefinitionCommand, 'a required member missing', { family: 'conf-missing' } as never, [
      'ClientException',
      'InvalidParameterException',
    ]),
    ok(
      DescribeTaskDefinitionCommand,
      'describes a revision with its tags',
      { taskDefinition: 'conf-web:1', include: ['TAGS'] },
      (out) => expect(out.taskDefinition?.family).toBe('conf-web'),
    ),
    fails(
      DescribeTaskDefinitionCommand,
      'an unknown family',
      { taskDefinition: 'conf-absent:1' },
      'ClientException',
    ),
    ok(ListTaskDefinitionsCommand, 'lists a family', { familyPrefix: 'conf-web' }, (out) =>
      expect(out.taskDefinitionArns).toHaveLength(2),
    ),
    ...paginates(ListTaskDefinitionsCommand, {}),
    ok(ListTaskDefinitionFamiliesCommand, 'lists families by prefix', { familyPrefix: 'conf-w' }, (out) =>
      expect(out.families).toEqual(['conf-web', 'conf-worker']),
    ),
    ...paginates(ListTaskDefinitionFamiliesCommand, {}),
    custom('DeregisterTaskDefinition', 'deregisters a revision', async (w) => {
      await w.prepare(RegisterTaskDefinitionCommand, taskDefinition('conf-old', w.fixtures.image));
      const out = await w.send(DeregisterTaskDefinitionCommand, { taskDefinition: 'conf-old:1' });
      expect(out.taskDefinition?.status).toBe('INACTIVE');
    }),
    fails(
      DeregisterTaskDefinitionCommand,
      'a family without a revision',
      { taskDefinition: 'conf-web' },
      'ClientException',
    ),
    ok(
      CreateServiceCommand,
      'creates a Fargate service, its answer without deploymentController (as documented for ECS controllers)',
      (f) => service('conf-new', f),
      (out) => {
        expect(out.service?.status).toBe('ACTIVE');
        expect(out.service).not.toHaveProperty('deploymentController');
      },
    ),
    fails(
      CreateServiceCommand,
      'an unknown cluster',
      (f) => ({ ...service('conf-x', f), cluster: 'absent' }),
      'ClusterNotFoundException',
    ),
    fails(
      CreateServiceCommand,
      'a negative desired count',
      (f) => service('conf-neg', f, -1),
      'InvalidParameterException',
    ),
    ok(
      UpdateServiceCommand,
      'forces a new deployment',
      { cluster: CLUSTER, service: 'conf-a', forceNewDeployment: true },
      (out) => expect(out.service?.deployments?.length).toBeGreaterThan(1),
    ),
    fails(
      UpdateServiceCommand,
      'an unknown service',
      { cluster: CLUSTER, service: 'absent', desiredCount: 1 },
      'ServiceNotFoundException',
    ),
    custom('DeleteService', 'deletes a service by force', async (w) => {
      await w.prepare(CreateServiceCommand, service('conf-doomed', w.fixtures, 0));
      const out = await w.send(DeleteServiceCommand, {
        cluster: CLUSTER,
        service: 'conf-doomed',
        force: true,
      });
      expect(out.service?.status).toBe('DRAINING');
    }),
    fails(
      DeleteServiceCommand,
      'an unknown service',
      { cluster: CLUSTER, service: 'absent' },
      'ServiceNotFoundException',
    ),
    ok(
      DescribeServicesCommand,
      'describes services, a missing one as a failure',
      { cluster: CLUSTER, services: ['conf-a', 'conf-tasks', 'absent'] },
      (out) => {
        expect(out.services?.map((s) => s.serviceName)).toEqual(['conf-a', 'conf-tasks']);
        expect(out.failures?.map((x) => x.reason)).toEqual(['MISSING']);
      },
    ),
    ok(
      DescribeServicesCommand,
      'answers tags only when asked to include them',
      { cluster: CLUSTER, services: ['conf-a'], include: ['TAGS'] },
      (out) => expect(out.services?.[0]?.tags).toEqual(TAGS),
    ),
    ok(
      DescribeServicesCommand,
      'answers the deployment controller, and no tags unless asked',
      { cluster: CLUSTER, services: ['conf-a'] },
      (out) => {
        expect(out.services?.[0]?.deploymentController).toEqual({ type: 'ECS' });
        expect(out.services?.[0]).not.toHaveProperty('tags');
      },
    ),
    fails(
      DescribeServicesCommand,
      'an unknown cluster',
      { cluster: 'absent', services: ['conf-a'] },
      'ClusterNotFoundException',
    ),
    ok(ListServicesCommand, 'lists a cluster’s services', { cluster: CLUSTER }, (out) =>
      expect(out.serviceArns?.length).toBeGreaterThanOrEqual(3),
    ),
    ...paginates(ListServicesCommand, { cluster: CLUSTER }),
    pagesByDefault(ListServicesCommand, { cluster: MANY }, 10),
    fails(ListServicesCommand, 'an unknown cluster', { cluster: 'absent' }, 'ClusterNotFoundException'),
    ok(
      ListTasksCommand,
      'lists a service’s tasks',
      { cluster: CLUSTER, serviceName: 'conf-tasks' },
      (out, f) => expect(out.taskArns?.sort()).toEqual([...f.taskArns].sort()),
    ),
    ...paginates(ListTasksCommand, { cluster: CLUSTER, serviceName: 'conf-tasks' }),
    fails(
      ListTasksCommand,
      'an unknown service',
      { cluster: CLUSTER, serviceName: 'absent' },
      'ServiceNotFoundException',
    ),
    ok(
      DescribeTasksCommand,
      'describes tasks, a missing one as a failure',
      (f) => ({ cluster: CLUSTER, tasks: [...f.taskArns, 'absent'] }),
      (out) => {
        expect(out.tasks).toHaveLength(3);
        expect(out.failures?.map((x) => x.reason)).toEqual(['MISSING']);
      },
    ),
    ok(
      DescribeTasksCommand,
      'answers tags only when asked to include them',
      (f) => ({ cluster: CLUSTER, tasks: f.taskArns.slice(0, 1), include: ['TAGS' as const] }),
      (out) => expect(out.tasks?.[0]?.tags).toEqual([]),
    ),
    ok(
      DescribeTasksCommand,
      'answers no tags unless asked',
      (f) => ({ cluster: CLUSTER, tasks: f.taskArns.slice(0, 1) }),
      (out) => expect(out.tasks?.[0]).not.toHaveProperty('tags'),
    ),
    fails(
      DescribeTasksCommand,
      'no tasks named',
      { cluster: CLUSTER, tasks: [] },
      'InvalidParameterException',
    ),
    ok(
      StopTaskCommand,
      'stops a task',
      (f) => ({ cluster: CLUSTER, task: f.taskArns[0] ?? '', reason: 'conformance' }),
      (out) => expect(out.task?.desiredStatus).toBe('STOPPED'),
    ),
    custom(
      'RunTask',
      'runs a one-off task with a command override; once the command exits, DescribeTasks reports its exit code',
      async (w) => {
        const out = await w.send(
          RunTaskCommand,
          oneOff(['node', '-e', 'process.exit(3)'], { startedBy: 'conformance/run' }),
        );
        const started = out.tasks?.[0];
        expect(out.failures).toEqual([]);
        expect(started).toMatchObject({
          group: 'family:conf-web',
          startedBy: 'conformance/run',
          desiredStatus: 'RUNNING',
          overrides: { containerOverrides: [{ name: 'app', command: ['node', '-e', 'process.exit(3)'] }] },
        });
        const stopped = await eventually('the one-off task to stop', async () => {
          const { tasks } = await w.send(DescribeTasksCommand, {
            cluster: CLUSTER,
            tasks: [started?.taskArn ?? ''],
          });
          return tasks?.[0]?.lastStatus === 'STOPPED' ? tasks[0] : undefined;
        });
        expect(stopped).toMatchObject({
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
          containers: [expect.objectContaining({ name: 'app', exitCode: 3 })],
        });
      },
    ),
    custom('RunTask', 'runs up to ten tasks a call, listed by their startedBy and no service', async (w) => {
      const out = await w.send(
        RunTaskCommand,
        oneOff(['node', '-e', 'setTimeout(() => {}, 60000)'], { count: 2, startedBy: 'conf-batch' }),
      );
      expect(out.tasks).toHaveLength(2);
      const { taskArns } = await w.send(ListTasksCommand, { cluster: CLUSTER, startedBy: 'conf-batch' });
      expect(taskArns?.sort()).toEqual(out.tasks?.map((t) => t.taskArn).sort());
      const owned = await w.send(ListTasksCommand, { cluster: CLUSTER, serviceName: 'conf-tasks' });
      expect(owned.taskArns).not.toEqual(expect.arrayContaining(taskArns ?? []));
      for (const task of taskArns ?? []) await w.send(StopTaskCommand, { cluster: CLUSTER, task });
    }),
    fails(
      RunTaskCommand,
      'an unknown cluster',
      oneOff(['true'], { cluster: 'absent' }),
      'ClusterNotFoundException',
    ),
    fails(
      RunTaskCommand,
      'an unknown task definition',
      oneOff(['true'], { taskDefinition: 'conf-absent:1' }),
      'ClientException',
    ),
    fails(
      RunTaskCommand,
      'more than ten tasks',
      oneOff(['true'], { count: 11 }),
      'InvalidParameterException',
    ),
    fails(
      RunTaskCommand,
      'an override for a container the task definition does not have',
      oneOff(['true'], { overrides: { containerOverrides: [{ name: 'sidecar', command: ['true'] }] } }),
      'InvalidParameterException',
    ),
    fails(
      RunTaskCommand,
      'an awsvpc task without a network configuration',
      oneOff(['true'], { networkConfiguration: undefined }),
      'InvalidParameterException',
    ),
    refuses(
      RunTaskCommand,
      'a count that is not a number',
      '{"cluster":"conf","taskDefinition":"conf-web:1","count":"two"}',
      'SerializationException',
    ),
    refuses(
      ListClustersCommand,
      'a page size that is not a number',
      '{"maxResults":"two"}',
      'SerializationException',
    ),
    refuses(
      DescribeServicesCommand,
      'services given as a string, not a list',
      '{"cluster":"conf","services":"conf-a"}',
      'SerializationException',
    ),
    refuses(DescribeServicesCommand, 'the required services missing', '{"cluster":"conf"}', [
      'InvalidParameterException',
      'ValidationException',
    ]),
    fails(
      DeleteClusterCommand,
      'a cluster that still has container instances',
      { cluster: EC2 },
      'ClusterContainsContainerInstancesException',
    ),
    ok(ListContainerInstancesCommand, "lists a cluster's container instances", { cluster: EC2 }, (out) =>
      expect(out.containerInstanceArns).toHaveLength(3),
    ),
    ok(
      ListContainerInstancesCommand,
      'filters by instance type',
      { cluster: EC2, filter: 'attribute:ecs.instance-type == t3.micro' },
      (out) => expect(out.containerInstanceArns).toEqual([]),
    ),
    ok(ListContainerInstancesCommand, 'lists none DRAINING', { cluster: EC2, status: 'DRAINING' }, (out) =>
      expect(out.containerInstanceArns).toEqual([]),
    ),
    ...paginates(ListContainerInstancesCommand, { cluster: EC2 }),
    fails(
      ListContainerInstancesCommand,
      'an unknown cluster',
      { cluster: 'absent' },
      'ClusterNotFoundException',
    ),
    ok(
      DescribeContainerInstancesCommand,
      'describes instances with their resources, and a missing one as a failure',
      (f) => ({ cluster: EC2, containerInstances: [...f.containerInstanceArns, 'absent'] }),
      (out) => {
        expect(out.containerInstances).toHaveLength(3);
        expect(out.containerInstances?.[0]).toMatchObject({
          status: 'ACTIVE',
          agentConnected: true,
          capacityProviderName: 'conf-cp',
          ec2InstanceId: expect.stringMatching(/^i-[0-9a-f]{17}$/),
        });
        expect(out.failures?.map((x) => x.reason)).toEqual(['MISSING']);
      },
    ),
    fails(
      DescribeContainerInstancesCommand,
      'no container instances named',
      { cluster: EC2, containerInstances: [] },
      'InvalidParameterException',
    ),
    fails(
      DescribeContainerInstancesCommand,
      'an unknown cluster',
      { cluster: 'absent', containerInstances: ['x'] },
      'ClusterNotFoundException',
    ),
    ok(
      DescribeCapacityProvidersCommand,
      'describes an Auto Scaling group provider by name, and an unknown one as a failure',
      { capacityProviders: ['conf-cp', 'absent'], include: ['TAGS'] },
      (out) => {
        expect(out.capacityProviders?.[0]?.autoScalingGroupProvider?.autoScalingGroupArn).toContain(
          'autoScalingGroupName/conf-instances',
        );
        expect(out.failures?.map((x) => x.reason)).toEqual(['MISSING']);
      },
    ),
    ok(DescribeCapacityProvidersCommand, 'lists Fargate providers among all', {}, (out) =>
      expect(out.capacityProviders?.map((p) => p.name)).toEqual(
        expect.arrayContaining(['FARGATE', 'FARGATE_SPOT']),
      ),
    ),
    fails(
      DescribeCapacityProvidersCommand,
      'a page size over 10',
      { maxResults: 11 },
      'InvalidParameterException',
    ),
    refuses(CreateClusterCommand, 'a body that is not JSON', '{"clusterName":', 'SerializationException'),
    fails(
      StopTaskCommand,
      'an unknown task',
      { cluster: CLUSTER, task: 'absent' },
      'InvalidParameterException',
    ),
  ],
};

import { AwsError, requireString } from '../../http/aws-error.js';
import type { JsonService } from '../../http/json-protocol.js';
import type { Cluster, ContainerDefinition, Service, Task, TaskDefinition } from './model.js';
import type { ServiceScheduler } from './scheduler.js';

const FAMILY = /^[a-zA-Z0-9_-]{1,255}$/;

/**
 * ECS's API over the local clusters, task definitions, services and tasks.
 * Validation and error codes follow ECS: ClusterNotFoundException,
 * ServiceNotFoundException, ClientException for unknown task definitions…
 */
export class EcsService {
  readonly clusters = new Map<string, Cluster>();
  readonly taskDefinitions = new Map<string, TaskDefinition[]>();
  private readonly tags = new Map<string, { key: string; value: string }[]>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    readonly scheduler: ServiceScheduler,
  ) {}

  arn(resource: string): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}:${resource}`;
  }

  createCluster(name = 'default', settings: Cluster['settings'] = []): Cluster {
    const existing = this.clusters.get(name);
    if (existing) return existing;
    const cluster: Cluster = {
      clusterArn: this.arn(`cluster/${name}`),
      clusterName: name,
      status: 'ACTIVE',
      settings,
    };
    this.clusters.set(name, cluster);
    return cluster;
  }

  cluster(ref: unknown): Cluster {
    const name = typeof ref === 'string' && ref !== '' ? (ref.split('/').pop() ?? ref) : 'default';
    const cluster = this.clusters.get(name);
    if (!cluster) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
    return cluster;
  }

  registerTaskDefinition(input: Record<string, unknown>): TaskDefinition {
    const family = requireString(input, 'family', 'ClientException');
    if (!FAMILY.test(family))
      throw new AwsError('ClientException', `Family contains invalid characters: ${family}`);
    const containers = input.containerDefinitions as ContainerDefinition[] | undefined;
    if (!Array.isArray(containers) || containers.length === 0) {
      throw new AwsError('ClientException', 'Container list cannot be empty.');
    }
    for (const c of containers) {
      if (!c.name) throw new AwsError('ClientException', 'Container.name should not be null or empty.');
      if (!c.image) throw new AwsError('ClientException', 'Container.image should not be null or empty.');
    }
    const revisions = this.taskDefinitions.get(family) ?? [];
    const revision = revisions.length + 1;
    const { tags, ...rest } = input as { tags?: { key: string; value: string }[] };
    const definition: TaskDefinition = {
      ...(rest as Record<string, unknown>),
      family,
      containerDefinitions: containers,
      taskDefinitionArn: this.arn(`task-definition/${family}:${revision}`),
      revision,
      status: 'ACTIVE',
      compatibilities: ['EC2', 'FARGATE'],
      requiresAttributes: [],
      registeredAt: new Date(),
      registeredBy: `arn:aws:iam::${this.accountId}:root`,
    };
    revisions.push(definition);
    this.taskDefinitions.set(family, revisions);
    if (tags?.length) this.tags.set(definition.taskDefinitionArn, tags);
    return definition;
  }

  /** By ARN, `family:revision`, or `family` (the latest ACTIVE revision). */
  findTaskDefinition(ref: string): TaskDefinition | undefined {
    const name = ref.includes(':task-definition/') ? (ref.split(':task-definition/')[1] ?? '') : ref;
    const [family = '', revision] = name.split(':');
    const revisions = this.taskDefinitions.get(family) ?? [];
    if (revision) return revisions[Number(revision) - 1];
    return [...revisions].reverse().find((d) => d.status === 'ACTIVE');
  }

  taskDefinition(ref: string): TaskDefinition {
    const found = this.findTaskDefinition(ref);
    if (!found) throw new AwsError('ClientException', 'Unable to describe task definition.');
    return found;
  }

  createService(input: Record<string, unknown>): Service {
    const cluster = this.cluster(input.cluster);
    const name = requireString(input, 'serviceName', 'InvalidParameterException');
    const existing = this.scheduler.services.get(name);
    if (existing && existing.status === 'ACTIVE')
      throw new AwsError('InvalidParameterException', 'Creation of service was not idempotent.');
    const definition = this.taskDefinition(
      requireString(input, 'taskDefinition', 'InvalidParameterException'),
    );
    if (definition.status !== 'ACTIVE') throw new AwsError('ClientException', `TaskDefinition is inactive`);
    const config = (input.deploymentConfiguration ?? {}) as Partial<Service['deploymentConfiguration']>;
    const desiredCount = Number(input.desiredCount ?? 0);
    if (!Number.isInteger(desiredCount) || desiredCount < 0)
      throw new AwsError('InvalidParameterException', 'desiredCount must be a non-negative integer');
    const service: Service = {
      serviceArn: this.arn(`service/${cluster.clusterName}/${name}`),
      serviceName: name,
      clusterArn: cluster.clusterArn,
      status: 'ACTIVE',
      taskDefinition: definition.taskDefinitionArn,
      desiredCount,
      launchType: 'FARGATE',
      deploymentConfiguration: {
        minimumHealthyPercent: config.minimumHealthyPercent ?? 100,
        maximumPercent: config.maximumPercent ?? 200,
        deploymentCircuitBreaker: { enable: false, rollback: false, ...config.deploymentCircuitBreaker },
      },
      loadBalancers: ((input.loadBalancers as Service['loadBalancers'] | undefined) ?? []).map((lb) => ({
        ...lb,
        containerPort: Number(lb.containerPort),
      })),
      healthCheckGracePeriodSeconds: Number(input.healthCheckGracePeriodSeconds ?? 0),
      networkConfiguration: input.networkConfiguration,
      deployments: [],
      events: [],
      createdAt: new Date(),
    };
    this.scheduler.services.set(name, service);
    this.scheduler.newDeployment(service, definition.taskDefinitionArn);
    return service;
  }

  service(clusterRef: unknown, name: string): Service {
    const cluster = this.cluster(clusterRef);
    const service = this.scheduler.services.get(name.split('/').pop() ?? name);
    if (!service || service.clusterArn !== cluster.clusterArn)
      throw new AwsError('ServiceNotFoundException', 'Service not found.');
    if (service.status !== 'ACTIVE')
      throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.');
    return service;
  }

  updateService(input: Record<string, unknown>): Service {
    const service = this.service(input.cluster, requireString(input, 'service', 'InvalidParameterException'));
    if (input.desiredCount !== undefined) {
      const count = Number(input.desiredCount);
      if (!Number.isInteger(count) || count < 0)
        throw new AwsError('InvalidParameterException', 'desiredCount must be a non-negative integer');
      service.desiredCount = count;
    }
    const config = input.deploymentConfiguration as Partial<Service['deploymentConfiguration']> | undefined;
    if (config) Object.assign(service.deploymentConfiguration, config);
    const ref = input.taskDefinition as string | undefined;
    const definition = ref ? this.taskDefinition(ref) : undefined;
    if (definition && definition.status !== 'ACTIVE')
      throw new AwsError('ClientException', `TaskDefinition is inactive`);
    if (
      (definition && definition.taskDefinitionArn !== service.taskDefinition) ||
      input.forceNewDeployment === true
    ) {
      this.scheduler.newDeployment(service, definition?.taskDefinitionArn ?? service.taskDefinition);
    }
    return service;
  }

  serviceShape(s: Service) {
    const running = s.deployments.reduce((n, d) => n + d.runningCount, 0);
    const pending = s.deployments.reduce((n, d) => n + d.pendingCount, 0);
    return {
      serviceArn: s.serviceArn,
      serviceName: s.serviceName,
      clusterArn: s.clusterArn,
      loadBalancers: s.loadBalancers,
      status: s.status,
      desiredCount: s.desiredCount,
      runningCount: running,
      pendingCount: pending,
      launchType: s.launchType,
      platformVersion: 'LATEST',
      taskDefinition: s.taskDefinition,
      deploymentConfiguration: s.deploymentConfiguration,
      deployments: s.deployments.map((d) => ({ ...d })),
      events: s.events,
      createdAt: s.createdAt,
      healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds,
      networkConfiguration: s.networkConfiguration,
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
    };
  }

  taskShape(t: Task) {
    const definition = this.findTaskDefinition(t.taskDefinitionArn);
    return {
      taskArn: t.taskArn,
      clusterArn: t.clusterArn,
      taskDefinitionArn: t.taskDefinitionArn,
      group: t.group,
      startedBy: t.startedBy,
      lastStatus: t.lastStatus,
      desiredStatus: t.desiredStatus,
      healthStatus: t.healthStatus,
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      cpu: definition?.cpu,
      memory: definition?.memory,
      availabilityZone: `${this.region}a`,
      createdAt: t.createdAt,
      startedAt: t.startedAt,
      stoppingAt: t.stoppingAt,
      stoppedAt: t.stoppedAt,
      stoppedReason: t.stoppedReason,
      stopCode: t.stopCode,
      containers: t.containers.map((c) => ({
        ...c,
        taskArn: t.taskArn,
        imageDigest: t.imageDigest,
        networkInterfaces: [{ attachmentId: `eni-${t.id.slice(0, 8)}`, privateIpv4Address: t.ip }],
      })),
      attachments: [
        {
          id: `eni-${t.id.slice(0, 8)}`,
          type: 'ElasticNetworkInterface',
          status: t.lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED',
          details: [
            { name: 'subnetId', value: 'subnet-local' },
            { name: 'networkInterfaceId', value: `eni-${t.id.slice(0, 8)}` },
            { name: 'privateIPv4Address', value: t.ip },
          ],
        },
      ],
    };
  }

  /** The task metadata endpoint's documents for a task (shapes of reference/demo-app.md). */
  metadataFor(taskId: string) {
    const task = [...this.scheduler.tasks.values()].find((t) => t.id === taskId);
    if (!task) return undefined;
    const definition = this.findTaskDefinition(task.taskDefinitionArn);
    const c = task.containers[0];
    const container = {
      DockerId: task.id,
      Name: c?.name,
      DockerName: `ecs-${definition?.family}-${definition?.revision}-${c?.name}`,
      Image: c?.image,
      ImageID: task.imageDigest,
      Labels: {
        'com.amazonaws.ecs.cluster': task.clusterArn,
        'com.amazonaws.ecs.container-name': c?.name,
        'com.amazonaws.ecs.task-arn': task.taskArn,
        'com.amazonaws.ecs.task-definition-family': definition?.family,
        'com.amazonaws.ecs.task-definition-version': String(definition?.revision),
      },
      DesiredStatus: task.desiredStatus,
      KnownStatus: task.lastStatus,
      Limits: { CPU: Number(definition?.cpu ?? 256), Memory: Number(definition?.memory ?? 512) },
      CreatedAt: task.createdAt.toISOString(),
      StartedAt: task.startedAt?.toISOString(),
      Type: 'NORMAL',
      Networks: [
        {
          NetworkMode: 'awsvpc',
          IPv4Addresses: [task.ip],
          AttachmentIndex: 0,
          IPv4SubnetCIDRBlock: '127.0.0.0/8',
          PrivateDNSName: `ip-${task.ip.replaceAll('.', '-')}.local`,
        },
      ],
    };
    return {
      container,
      task: {
        Cluster: task.clusterArn,
        TaskARN: task.taskArn,
        Family: definition?.family,
        Revision: String(definition?.revision),
        DesiredStatus: task.desiredStatus,
        KnownStatus: task.lastStatus,
        Containers: [container],
        AvailabilityZone: `${this.region}a`,
        LaunchType: 'FARGATE',
      },
    };
  }

  readonly api: JsonService = {
    name: 'ECS',
    targetPrefix: 'AmazonEC2ContainerServiceV20141113',
    jsonVersion: '1.1',
    operations: {
      CreateCluster: (input) => ({
        cluster: this.createCluster(
          (input.clusterName as string | undefined) ?? 'default',
          input.settings as Cluster['settings'],
        ),
      }),
      DescribeClusters: (input) => {
        const refs = (input.clusters as string[] | undefined) ?? ['default'];
        const found = refs.map((r) => this.clusters.get(r.split('/').pop() ?? r));
        const tasks = [...this.scheduler.tasks.values()];
        return {
          clusters: found
            .filter((c): c is Cluster => c !== undefined)
            .map((c) => ({
              ...c,
              registeredContainerInstancesCount: 0,
              runningTasksCount: tasks.filter(
                (t) => t.clusterArn === c.clusterArn && t.lastStatus === 'RUNNING',
              ).length,
              pendingTasksCount: tasks.filter(
                (t) =>
                  t.clusterArn === c.clusterArn &&
                  ['PROVISIONING', 'PENDING', 'ACTIVATING'].includes(t.lastStatus),
              ).length,
              activeServicesCount: [...this.scheduler.services.values()].filter(
                (s) => s.clusterArn === c.clusterArn && s.status === 'ACTIVE',
              ).length,
            })),
          failures: refs
            .filter((_, i) => !found[i])
            .map((r) => ({ arn: r.startsWith('arn:') ? r : this.arn(`cluster/${r}`), reason: 'MISSING' })),
        };
      },
      ListClusters: () => ({ clusterArns: [...this.clusters.values()].map((c) => c.clusterArn) }),
      RegisterTaskDefinition: (input) => {
        const definition = this.registerTaskDefinition(input);
        return { taskDefinition: definition, tags: this.tags.get(definition.taskDefinitionArn) ?? [] };
      },
      DescribeTaskDefinition: (input) => {
        const definition = this.taskDefinition(requireString(input, 'taskDefinition', 'ClientException'));
        const include = (input.include as string[] | undefined) ?? [];
        return {
          taskDefinition: definition,
          ...(include.includes('TAGS') ? { tags: this.tags.get(definition.taskDefinitionArn) ?? [] } : {}),
        };
      },
      ListTaskDefinitions: (input) => {
        const prefix = (input.familyPrefix as string | undefined) ?? '';
        const status = (input.status as string | undefined) ?? 'ACTIVE';
        const arns = [...this.taskDefinitions.entries()]
          .filter(([family]) => family.startsWith(prefix))
          .flatMap(([, revisions]) =>
            revisions.filter((d) => status === 'ALL' || d.status === status).map((d) => d.taskDefinitionArn),
          );
        return { taskDefinitionArns: input.sort === 'DESC' ? arns.reverse() : arns };
      },
      DeregisterTaskDefinition: (input) => {
        const definition = this.taskDefinition(requireString(input, 'taskDefinition', 'ClientException'));
        definition.status = 'INACTIVE';
        definition.deregisteredAt = new Date();
        return { taskDefinition: definition };
      },
      CreateService: (input) => ({ service: this.serviceShape(this.createService(input)) }),
      UpdateService: (input) => ({ service: this.serviceShape(this.updateService(input)) }),
      DescribeServices: (input) => {
        const cluster = this.cluster(input.cluster);
        const names = (input.services as string[] | undefined) ?? [];
        if (names.length === 0) throw new AwsError('InvalidParameterException', 'Services cannot be empty.');
        const found = names
          .map((n) => this.scheduler.services.get(n.split('/').pop() ?? n))
          .map((s) => (s?.clusterArn === cluster.clusterArn ? s : undefined));
        return {
          services: found.filter((s): s is Service => s !== undefined).map((s) => this.serviceShape(s)),
          failures: names
            .filter((_, i) => !found[i])
            .map((n) => ({
              arn: n.startsWith('arn:') ? n : this.arn(`service/${cluster.clusterName}/${n}`),
              reason: 'MISSING',
            })),
        };
      },
      ListServices: (input) => {
        const cluster = this.cluster(input.cluster);
        return {
          serviceArns: [...this.scheduler.services.values()]
            .filter((s) => s.clusterArn === cluster.clusterArn && s.status === 'ACTIVE')
            .map((s) => s.serviceArn),
        };
      },
      ListTasks: (input) => {
        const cluster = this.cluster(input.cluster);
        const desired = (input.desiredStatus as string | undefined) ?? 'RUNNING';
        const serviceName = input.serviceName as string | undefined;
        if (serviceName && !this.scheduler.services.has(serviceName))
          throw new AwsError('ServiceNotFoundException', 'Service not found.');
        const tasks = [...this.scheduler.tasks.values()].filter(
          (t) =>
            t.clusterArn === cluster.clusterArn &&
            t.desiredStatus === desired &&
            (!serviceName || t.serviceName === serviceName) &&
            (!input.startedBy || t.startedBy === input.startedBy) &&
            (!input.family || this.findTaskDefinition(t.taskDefinitionArn)?.family === input.family),
        );
        return { taskArns: tasks.map((t) => t.taskArn) };
      },
      DescribeTasks: (input) => {
        const cluster = this.cluster(input.cluster);
        const refs = (input.tasks as string[] | undefined) ?? [];
        if (refs.length === 0) throw new AwsError('InvalidParameterException', 'Tasks cannot be empty.');
        const find = (ref: string) =>
          [...this.scheduler.tasks.values()].find(
            (t) => t.clusterArn === cluster.clusterArn && (t.taskArn === ref || t.id === ref),
          );
        return {
          tasks: refs
            .map(find)
            .filter((t): t is Task => t !== undefined)
            .map((t) => this.taskShape(t)),
          failures: refs.filter((r) => !find(r)).map((arn) => ({ arn, reason: 'MISSING' })),
        };
      },
      StopTask: async (input) => {
        const cluster = this.cluster(input.cluster);
        const ref = requireString(input, 'task', 'InvalidParameterException');
        const task = [...this.scheduler.tasks.values()].find(
          (t) => t.clusterArn === cluster.clusterArn && (t.taskArn === ref || t.id === ref),
        );
        if (!task) throw new AwsError('InvalidParameterException', 'The referenced task was not found.');
        const service = this.scheduler.services.get(task.serviceName);
        if (service) {
          const stopTimeout = this.findTaskDefinition(task.taskDefinitionArn)?.containerDefinitions[0]
            ?.stopTimeout;
          void this.scheduler.stopTaskFor(
            service,
            task,
            (input.reason as string | undefined) ?? 'Task stopped by user',
            stopTimeout,
          );
        }
        return { task: this.taskShape(task) };
      },
    },
  };
}

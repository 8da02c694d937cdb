import {
  CreateClusterCommand,
  type CreateClusterRequest,
  CreateServiceCommand,
  type CreateServiceRequest,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type Failure,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionRequest,
  RunTaskCommand,
  type RunTaskRequest,
  StopTaskCommand,
  UpdateServiceCommand,
  type UpdateServiceRequest,
} from '@aws-sdk/client-ecs';
import { arns, lastSegment, parseArn, scopeOfArn } from '../../core/arns.js';
import { define, OperationTable } from '../../core/operation.js';
import { paginate } from '../../core/pagination.js';
import type { Scope } from '../../core/scope.js';
import { RegionalStores } from '../../core/stores.js';
import { AwsError } from '../../http/aws-error.js';
import type { JsonService } from '../../http/json-protocol.js';
import type { Elbv2 } from '../elbv2/provider.js';
import { Ec2Capacity } from './ec2-capacity.js';
import { checkRunTask, runOneOffTasks } from './run-task.js';
import { ServiceScheduler } from './scheduler.js';
import { checkCount, checkGracePeriod, checkPercents } from './service-checks.js';
import { clusterShape, createdServiceShape, metadataDocuments, serviceShape, taskShape } from './shapes.js';
import { type Cluster, EcsStore, type Service, type Task, type TaskDefinition } from './store.js';
import { normalizeTaskDefinition, requiredAttributes } from './task-definitions.js';
import type { TaskLauncher } from './task-launcher.js';

const fail = (code: string, message: string): never => {
  throw new AwsError(code, message);
};
const invalid = (message: string) => new AwsError('InvalidParameterException', message);
const SERVICE_NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const CLUSTER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

/**
 * ECS: clusters, task definitions, services and tasks, one store per account
 * and region, which this API and the service scheduler share. Validation and
 * errors follow ECS: ClusterNotFoundException, ServiceNotFoundException,
 * ClientException for task definitions, InvalidParameterException for the rest.
 */
export class Ecs {
  readonly stores = new RegionalStores(() => new EcsStore());
  readonly scheduler: ServiceScheduler;
  /** Task id → task, for the metadata endpoint (ids are unique across scopes). */
  private readonly tasksById = new Map<string, Task>();

  /** Auto Scaling groups of local instances behind capacity providers. */
  readonly capacity: Ec2Capacity = new Ec2Capacity(this, () => this.launcher.allocateAddress());

  constructor(
    private readonly launcher: TaskLauncher,
    elbv2: Elbv2,
  ) {
    this.scheduler = new ServiceScheduler(this, launcher, elbv2);
    elbv2.instanceAddresses = (id, scope) => this.capacity.instanceAddress(id, scope);
  }

  // --- clusters --------------------------------------------------------------------------------------

  createCluster(scope: Scope, input: CreateClusterRequest): Cluster {
    const store = this.stores.of(scope);
    const name = input.clusterName ?? 'default';
    if (!CLUSTER_NAME.test(name))
      throw invalid(
        `Cluster name "${name}" may hold only letters, digits, hyphens and underscores (up to 255).`,
      );
    const existing = store.clusters.get(name);
    if (existing?.status === 'ACTIVE') return existing;
    const insights = input.settings?.find((s) => s.name === 'containerInsights')?.value ?? 'disabled';
    const cluster: Cluster = {
      clusterArn: arns.ecsCluster(scope, name),
      clusterName: name,
      status: 'ACTIVE',
      settings: [{ name: 'containerInsights', value: insights }],
      tags: input.tags ?? [],
    };
    store.clusters.set(name, cluster);
    return cluster;
  }

  /** A cluster by name or ARN (`default` when none is given). */
  cluster(store: EcsStore, ref: string | undefined): Cluster {
    const cluster = store.clusters.get(ref ? lastSegment(ref) : 'default');
    if (cluster?.status !== 'ACTIVE') return fail('ClusterNotFoundException', 'Cluster not found.');
    return cluster;
  }

  // --- task definitions ------------------------------------------------------------------------------

  registerTaskDefinition(scope: Scope, request: RegisterTaskDefinitionRequest): TaskDefinition {
    const store = this.stores.of(scope);
    const input = normalizeTaskDefinition(request);
    const family = input.family ?? '';
    const revisions = store.taskDefinitions.get(family) ?? [];
    const revision = revisions.length + 1;
    const { tags, ...rest } = input;
    const definition: TaskDefinition = {
      ...rest,
      family,
      containerDefinitions: input.containerDefinitions ?? [],
      taskDefinitionArn: arns.ecsTaskDefinition(scope, family, revision),
      revision,
      status: 'ACTIVE',
      compatibilities: ['EC2', 'FARGATE'],
      requiresAttributes: requiredAttributes(input),
      registeredAt: new Date(),
      registeredBy: arns.iamRoot(scope),
    };
    revisions.push(definition);
    store.taskDefinitions.set(family, revisions);
    store.tags.set(definition.taskDefinitionArn, tags ?? []);
    return definition;
  }

  /** By ARN, `family:revision`, or `family` (its latest ACTIVE revision). */
  findTaskDefinition(scope: Scope, ref: string): TaskDefinition | undefined {
    const parsed = parseArn(ref);
    const store = this.stores.of(parsed ? scopeOfArn(parsed, scope) : scope);
    const name = parsed ? parsed.resource.replace(/^task-definition\//, '') : ref;
    const [family = '', revision] = name.split(':');
    const revisions = store.taskDefinitions.get(family) ?? [];
    if (revision !== undefined) return /^\d+$/.test(revision) ? revisions[Number(revision) - 1] : undefined;
    return [...revisions].reverse().find((d) => d.status === 'ACTIVE');
  }

  private taskDefinition(scope: Scope, ref: string): TaskDefinition {
    return (
      this.findTaskDefinition(scope, ref) ?? fail('ClientException', 'Unable to describe task definition.')
    );
  }

  // --- services --------------------------------------------------------------------------------------

  createService(scope: Scope, input: CreateServiceRequest): Service {
    const store = this.stores.of(scope);
    const cluster = this.cluster(store, input.cluster);
    const name = input.serviceName ?? '';
    if (!SERVICE_NAME.test(name))
      throw invalid(
        `Service name "${name}" may hold only letters, digits, hyphens and underscores (up to 255).`,
      );
    const arn = arns.ecsService(scope, cluster.clusterName, name);
    if (store.services.get(arn)?.status === 'ACTIVE')
      throw invalid('Creation of service was not idempotent.');
    if (!input.taskDefinition) throw invalid('TaskDefinition must be specified.');
    const definition = this.taskDefinition(scope, input.taskDefinition);
    if (definition.status !== 'ACTIVE') throw new AwsError('ClientException', 'TaskDefinition is inactive');
    if (input.launchType && input.capacityProviderStrategy?.length)
      throw invalid('Specifying both a launch type and capacity provider strategy is not supported.');
    if (input.launchType && input.launchType !== 'FARGATE' && input.launchType !== 'EC2')
      throw invalid(
        `The local cloud runs Fargate and EC2 services; launch type ${input.launchType} is not emulated.`,
      );
    const desiredCount = input.desiredCount ?? 0;
    checkCount('desiredCount', desiredCount);
    const loadBalancers = (input.loadBalancers ?? []).map((lb) => {
      const container = definition.containerDefinitions.find((c) => c.name === lb.containerName);
      if (!container)
        throw invalid(`The container ${lb.containerName} does not exist in the task definition.`);
      if (!container.portMappings?.some((p) => p.containerPort === lb.containerPort))
        throw invalid(
          `The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`,
        );
      if (!lb.targetGroupArn)
        throw invalid('Target group ARN must be specified for an application load balancer.');
      return {
        ...lb,
        targetGroupArn: lb.targetGroupArn,
        containerName: lb.containerName ?? '',
        containerPort: lb.containerPort ?? 0,
      };
    });
    const config = input.deploymentConfiguration ?? {};
    const grace = input.healthCheckGracePeriodSeconds ?? 0;
    checkGracePeriod(grace);
    const service: Service = {
      scope,
      serviceArn: arn,
      serviceName: name,
      clusterArn: cluster.clusterArn,
      status: 'ACTIVE',
      taskDefinition: definition.taskDefinitionArn,
      desiredCount,
      // ECS answers a launch type only for a service without a strategy.
      ...(input.capacityProviderStrategy?.length ? {} : { launchType: input.launchType ?? 'FARGATE' }),
      ...(input.capacityProviderStrategy?.length
        ? {
            // ECS answers each item's base and weight, 0 where the request left them out.
            capacityProviderStrategy: input.capacityProviderStrategy.map((item) => ({
              capacityProvider: item.capacityProvider,
              base: item.base ?? 0,
              weight: item.weight ?? 0,
            })),
          }
        : {}),
      platformVersion: input.platformVersion ?? 'LATEST',
      deploymentConfiguration: {
        minimumHealthyPercent: config.minimumHealthyPercent ?? 100,
        maximumPercent: config.maximumPercent ?? 200,
        deploymentCircuitBreaker: {
          enable: config.deploymentCircuitBreaker?.enable ?? false,
          rollback: config.deploymentCircuitBreaker?.rollback ?? false,
        },
      },
      loadBalancers,
      healthCheckGracePeriodSeconds: grace,
      ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
      propagateTags: input.propagateTags ?? 'NONE',
      enableECSManagedTags: input.enableECSManagedTags ?? false,
      enableExecuteCommand: input.enableExecuteCommand ?? false,
      deployments: [],
      events: [],
      createdAt: new Date(),
      createdBy: arns.iamRoot(scope),
    };
    checkPercents(service.deploymentConfiguration);
    store.services.set(arn, service);
    store.tags.set(arn, input.tags ?? []);
    this.scheduler.newDeployment(service, definition.taskDefinitionArn);
    return service;
  }

  /** A service by name or ARN in a cluster; missing is ServiceNotFoundException, not ACTIVE is ServiceNotActiveException. */
  service(store: EcsStore, scope: Scope, clusterRef: string | undefined, ref: string): Service {
    const cluster = this.cluster(store, clusterRef);
    const service = store.services.get(arns.ecsService(scope, cluster.clusterName, lastSegment(ref)));
    if (!service) return fail('ServiceNotFoundException', 'Service not found.');
    if (service.status !== 'ACTIVE') return fail('ServiceNotActiveException', 'Service was not ACTIVE.');
    return service;
  }

  updateService(scope: Scope, input: UpdateServiceRequest): Service {
    const store = this.stores.of(scope);
    const service = this.service(store, scope, input.cluster, input.service ?? '');
    if (input.desiredCount !== undefined) {
      checkCount('desiredCount', input.desiredCount);
      service.desiredCount = input.desiredCount;
    }
    const config = input.deploymentConfiguration;
    if (config) {
      const next = {
        ...service.deploymentConfiguration,
        ...(config.minimumHealthyPercent !== undefined
          ? { minimumHealthyPercent: config.minimumHealthyPercent }
          : {}),
        ...(config.maximumPercent !== undefined ? { maximumPercent: config.maximumPercent } : {}),
        ...(config.deploymentCircuitBreaker
          ? {
              deploymentCircuitBreaker: {
                enable: config.deploymentCircuitBreaker.enable ?? false,
                rollback: config.deploymentCircuitBreaker.rollback ?? false,
              },
            }
          : {}),
      };
      checkPercents(next);
      service.deploymentConfiguration = next;
    }
    if (input.healthCheckGracePeriodSeconds !== undefined) {
      checkGracePeriod(input.healthCheckGracePeriodSeconds);
      service.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
    }
    const definition = input.taskDefinition ? this.taskDefinition(scope, input.taskDefinition) : undefined;
    if (definition && definition.status !== 'ACTIVE')
      throw new AwsError('ClientException', 'TaskDefinition is inactive');
    if (
      (definition && definition.taskDefinitionArn !== service.taskDefinition) ||
      input.forceNewDeployment === true
    )
      this.scheduler.newDeployment(service, definition?.taskDefinitionArn ?? service.taskDefinition);
    return service;
  }

  // --- tasks -----------------------------------------------------------------------------------------

  /** Every task the scheduler started is known here too (the metadata endpoint looks them up by id). */
  trackTask(store: EcsStore, task: Task): void {
    store.tasks.set(task.taskArn, task);
    this.tasksById.set(task.id, task);
  }

  /**
   * RunTask: one-off tasks of a task definition, owned by no service (a
   * migration, a batch job). On EC2 capacity each is placed on an instance
   * with room; one that fits nowhere is a failure, as RunTask reports it.
   */
  runTask(scope: Scope, input: RunTaskRequest): { tasks: Task[]; failures: Failure[] } {
    const store = this.stores.of(scope);
    const cluster = this.cluster(store, input.cluster);
    const definition =
      this.findTaskDefinition(scope, input.taskDefinition ?? '') ??
      fail('ClientException', 'TaskDefinition not found.');
    const run = checkRunTask(input, definition);
    return runOneOffTasks(store, cluster.clusterArn, input, run.count, {
      definition,
      definitionOf: (arn) => this.findTaskDefinition(scope, arn),
      launch: (provider, instance) => {
        const task = this.launcher.run(
          {
            scope,
            clusterArn: cluster.clusterArn,
            group: run.group,
            startedBy: run.startedBy,
            ...(run.overrides ? { overrides: run.overrides } : {}),
            ...(provider ? { capacityProviderName: provider } : {}),
            ...(instance ? { instance } : {}),
          },
          definition,
        );
        this.trackTask(store, task);
        store.tags.set(task.taskArn, input.tags ?? []);
        return task;
      },
    });
  }

  metadataFor(taskId: string) {
    const task = this.tasksById.get(taskId);
    if (!task) return undefined;
    return metadataDocuments(task, this.findTaskDefinition(task.scope, task.taskDefinitionArn));
  }

  private findTask(store: EcsStore, cluster: Cluster, ref: string): Task | undefined {
    const id = lastSegment(ref);
    return [...store.tasks.values()].find(
      (t) => t.clusterArn === cluster.clusterArn && (t.taskArn === ref || t.id === id),
    );
  }

  // --- the API ---------------------------------------------------------------------------------------

  /** ECS's list operations answer up to 100 items a page when not told otherwise (ListServices: 10). */
  private page<T>(
    items: T[],
    nextToken: string | undefined,
    maxResults: number | undefined,
    context: string,
    defaultSize = 100,
  ) {
    const page = paginate(items, {
      token: nextToken,
      size: maxResults,
      defaultSize,
      maxSize: 100,
      sizeMember: 'maxResults',
      context,
      invalidToken: (m) => invalid(m),
      invalidSize: (m) => invalid(m),
    });
    return { items: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  }

  readonly api: JsonService = {
    name: 'ECS',
    targetPrefix: 'AmazonEC2ContainerServiceV20141113',
    jsonVersion: '1.1',
    codes: { missing: 'InvalidParameterException', wrongType: 'SerializationException' },
    operations: new OperationTable([
      ...this.capacity.operations,
      define(CreateClusterCommand, (input, ctx) => ({
        cluster: clusterShape(this.stores.of(ctx), this.createCluster(ctx, input)),
      })),
      define(DescribeClustersCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const refs = input.clusters?.length ? input.clusters : ['default'];
        if (refs.length > 100) throw invalid('At most 100 clusters can be described at once.');
        const found = refs.map((r) => store.clusters.get(lastSegment(r)));
        return {
          clusters: found.filter((c): c is Cluster => c !== undefined).map((c) => clusterShape(store, c)),
          failures: refs
            .filter((_, i) => !found[i])
            .map((r) => ({ arn: r.startsWith('arn:') ? r : arns.ecsCluster(ctx, r), reason: 'MISSING' })),
        };
      }),
      define(ListClustersCommand, (input, ctx) => {
        const all = [...this.stores.of(ctx).clusters.values()]
          .filter((c) => c.status === 'ACTIVE')
          .map((c) => c.clusterArn);
        const { items, ...rest } = this.page(all, input.nextToken, input.maxResults, 'ListClusters');
        return { clusterArns: items, ...rest };
      }),
      define(DeleteClusterCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const cluster = this.cluster(store, input.cluster);
        const services = [...store.services.values()].filter(
          (s) => s.clusterArn === cluster.clusterArn && s.status === 'ACTIVE',
        );
        if (services.length > 0)
          fail(
            'ClusterContainsServicesException',
            'The Cluster cannot be deleted while Services are active.',
          );
        const tasks = [...store.tasks.values()].filter(
          (t) => t.clusterArn === cluster.clusterArn && t.desiredStatus === 'RUNNING',
        );
        if (tasks.length > 0)
          fail('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.');
        if ([...store.containerInstances.values()].some((i) => i.clusterArn === cluster.clusterArn))
          fail(
            'ClusterContainsContainerInstancesException',
            'The Cluster cannot be deleted while Container Instances are active or draining.',
          );
        cluster.status = 'INACTIVE';
        return { cluster: clusterShape(store, cluster) };
      }),
      define(RegisterTaskDefinitionCommand, (input, ctx) => {
        const definition = this.registerTaskDefinition(ctx, input);
        return {
          taskDefinition: definition,
          tags: this.stores.of(ctx).tags.get(definition.taskDefinitionArn) ?? [],
        };
      }),
      define(DescribeTaskDefinitionCommand, (input, ctx) => {
        const definition = this.taskDefinition(ctx, input.taskDefinition ?? '');
        return {
          taskDefinition: definition,
          ...(input.include?.includes('TAGS')
            ? { tags: this.stores.of(ctx).tags.get(definition.taskDefinitionArn) ?? [] }
            : {}),
        };
      }),
      define(ListTaskDefinitionsCommand, (input, ctx) => {
        const status = input.status ?? 'ACTIVE';
        const arnsOf = [...this.stores.of(ctx).taskDefinitions.entries()]
          .filter(([family]) => input.familyPrefix === undefined || family === input.familyPrefix)
          .sort(([a], [b]) => a.localeCompare(b))
          .flatMap(([, revisions]) =>
            revisions.filter((d) => d.status === status).map((d) => d.taskDefinitionArn),
          );
        if (input.sort === 'DESC') arnsOf.reverse();
        const { items, ...rest } = this.page(
          arnsOf,
          input.nextToken,
          input.maxResults,
          `ListTaskDefinitions:${input.familyPrefix}:${status}:${input.sort}`,
        );
        return { taskDefinitionArns: items, ...rest };
      }),
      define(ListTaskDefinitionFamiliesCommand, (input, ctx) => {
        const status = input.status ?? 'ACTIVE';
        const families = [...this.stores.of(ctx).taskDefinitions.entries()]
          .filter(([family]) => family.startsWith(input.familyPrefix ?? ''))
          .filter(([, revisions]) =>
            status === 'ALL'
              ? true
              : status === 'ACTIVE'
                ? revisions.some((d) => d.status === 'ACTIVE')
                : revisions.every((d) => d.status !== 'ACTIVE'),
          )
          .map(([family]) => family)
          .sort();
        const { items, ...rest } = this.page(
          families,
          input.nextToken,
          input.maxResults,
          `ListTaskDefinitionFamilies:${input.familyPrefix}:${status}`,
        );
        return { families: items, ...rest };
      }),
      define(DeregisterTaskDefinitionCommand, (input, ctx) => {
        const ref = input.taskDefinition ?? '';
        if (!/:\d+$/.test(ref))
          throw new AwsError(
            'ClientException',
            'The specified task definition identifier is invalid. Specify a valid name or ARN and revision.',
          );
        const definition = this.taskDefinition(ctx, ref);
        definition.status = 'INACTIVE';
        definition.deregisteredAt = new Date();
        return { taskDefinition: definition };
      }),
      define(CreateServiceCommand, (input, ctx) => ({
        service: createdServiceShape(this.createService(ctx, input)),
      })),
      define(UpdateServiceCommand, (input, ctx) => ({
        service: serviceShape(this.updateService(ctx, input)),
      })),
      define(DeleteServiceCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const service = this.service(store, ctx, input.cluster, input.service ?? '');
        if (service.desiredCount > 0 && !input.force)
          throw invalid('The service cannot be stopped while it is scaled above 0.');
        service.desiredCount = 0;
        service.status = 'DRAINING';
        this.scheduler.drain(service);
        return { service: serviceShape(service) };
      }),
      define(DescribeServicesCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const cluster = this.cluster(store, input.cluster);
        const names = input.services ?? [];
        if (names.length === 0) throw invalid('Services cannot be empty.');
        if (names.length > 10) throw invalid('At most 10 services can be described at once.');
        const found = names.map((n) =>
          store.services.get(arns.ecsService(ctx, cluster.clusterName, lastSegment(n))),
        );
        const failures: Failure[] = names
          .filter((_, i) => !found[i])
          .map((n) => ({
            arn: n.startsWith('arn:') ? n : arns.ecsService(ctx, cluster.clusterName, n),
            reason: 'MISSING',
          }));
        // Tags only when asked for: "If this field is omitted, tags aren't included in the response."
        const withTags = input.include?.includes('TAGS') ?? false;
        return {
          services: found
            .filter((s): s is Service => s !== undefined)
            .map((s) => ({
              ...serviceShape(s),
              ...(withTags ? { tags: store.tags.get(s.serviceArn) ?? [] } : {}),
            })),
          failures,
        };
      }),
      define(ListServicesCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const cluster = this.cluster(store, input.cluster);
        const all = [...store.services.values()]
          .filter((s) => s.clusterArn === cluster.clusterArn && s.status === 'ACTIVE')
          .filter((s) => !input.launchType || s.launchType === input.launchType)
          .map((s) => s.serviceArn);
        const { items, ...rest } = this.page(
          all,
          input.nextToken,
          input.maxResults,
          `ListServices:${cluster.clusterArn}:${input.launchType}`,
          // "If this parameter isn't used, then ListServices returns up to 10 results and a nextToken."
          10,
        );
        return { serviceArns: items, ...rest };
      }),
      define(ListTasksCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const cluster = this.cluster(store, input.cluster);
        const desired = input.desiredStatus ?? 'RUNNING';
        const service = input.serviceName
          ? this.service(store, ctx, input.cluster, input.serviceName)
          : undefined;
        const tasks = [...store.tasks.values()]
          .filter(
            (t) =>
              t.clusterArn === cluster.clusterArn &&
              t.desiredStatus === desired &&
              (!service || t.serviceArn === service.serviceArn) &&
              (!input.startedBy || t.startedBy === input.startedBy) &&
              (!input.family || this.findTaskDefinition(ctx, t.taskDefinitionArn)?.family === input.family),
          )
          .map((t) => t.taskArn);
        const { items, ...rest } = this.page(
          tasks,
          input.nextToken,
          input.maxResults,
          `ListTasks:${JSON.stringify([cluster.clusterArn, desired, input.serviceName, input.startedBy, input.family])}`,
        );
        return { taskArns: items, ...rest };
      }),
      define(DescribeTasksCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const cluster = this.cluster(store, input.cluster);
        const refs = input.tasks ?? [];
        if (refs.length === 0) throw invalid('Tasks cannot be empty.');
        if (refs.length > 100) throw invalid('At most 100 tasks can be described at once.');
        const found = refs.map((r) => this.findTask(store, cluster, r));
        const withTags = input.include?.includes('TAGS') ?? false;
        return {
          tasks: found
            .filter((t): t is Task => t !== undefined)
            .map((t) => ({
              ...taskShape(t, this.findTaskDefinition(ctx, t.taskDefinitionArn)),
              ...(withTags ? { tags: store.tags.get(t.taskArn) ?? [] } : {}),
            })),
          failures: refs.filter((_, i) => !found[i]).map((arn) => ({ arn, reason: 'MISSING' })),
        };
      }),
      define(RunTaskCommand, (input, ctx) => {
        const { tasks, failures } = this.runTask(ctx, input);
        return {
          tasks: tasks.map((t) => taskShape(t, this.findTaskDefinition(ctx, t.taskDefinitionArn))),
          failures,
        };
      }),
      define(StopTaskCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const cluster = this.cluster(store, input.cluster);
        const task = this.findTask(store, cluster, input.task ?? '');
        if (!task) throw invalid('The referenced task was not found.');
        if ((input.reason ?? '').length > 255) throw invalid('reason is at most 255 characters.');
        this.scheduler.stopByUser(task, input.reason || 'Task stopped by user');
        return { task: taskShape(task, this.findTaskDefinition(ctx, task.taskDefinitionArn)) };
      }),
    ]),
  };
}

import { guarded, inBackground } from '../../runtime/background.js';
import type { Elbv2 } from '../elbv2/provider.js';
import { nextCapacityProvider, tasksPerProvider } from './capacity-providers.js';
import { placeTask } from './placement.js';
import { targetOf } from './port-mapping.js';
import type { Ecs } from './provider.js';
import { forgetStoppedTasks } from './retention.js';
import { EcsStateEvents } from './state-events.js';
import { circuitBreakerThreshold, type Deployment, type EcsStore, type Service, type Task } from './store.js';
import type { TaskLauncher } from './task-launcher.js';

const TICK_MS = 200;
const MAX_EVENTS = 100;

/** Stop codes that count as a failed task for the circuit breaker. */
const FAILURE_CODES = new Set([
  'TaskFailedToStart',
  'EssentialContainerExited',
  'ServiceSchedulerInitiated:health',
]);

/**
 * The ECS service scheduler for rolling deployments, over every account's and
 * region's ECS store: starts the PRIMARY deployment's tasks up to
 * maximumPercent, stops older deployments' tasks while keeping
 * minimumHealthyPercent healthy, replaces tasks that exit or fail ELB health
 * checks (after the grace period), trips the circuit breaker and rolls back,
 * and keeps deployments and events as DescribeServices reports them. Each
 * change of a deployment's or a task's state is sent to EventBridge as it
 * happens (state-events.ts).
 */
export class ServiceScheduler {
  private timer: NodeJS.Timeout | undefined;
  private serial = Date.now() % 1_000_000_000;
  /** ECS Deployment State Change and ECS Task State Change, once connected to a bus. */
  readonly stateEvents: EcsStateEvents;

  constructor(
    private readonly ecs: Ecs,
    private readonly launcher: TaskLauncher,
    private readonly elbv2: Elbv2,
  ) {
    this.stateEvents = new EcsStateEvents((task) =>
      ecs.findTaskDefinition(task.scope, task.taskDefinitionArn),
    );
    launcher.onStatusChange((task) => this.stateEvents.task(task));
  }

  start(): void {
    this.timer ??= setInterval(() => {
      for (const [, store] of this.ecs.stores.entries()) {
        for (const service of store.services.values())
          guarded(`scheduling ${service.serviceArn}`, () => this.reconcile(store, service));
        guarded('forgetting stopped tasks', () => forgetStoppedTasks(store, Date.now()));
      }
    }, TICK_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const stopping: Promise<void>[] = [];
    for (const [, store] of this.ecs.stores.entries()) {
      for (const task of store.tasks.values()) {
        if (task.desiredStatus !== 'RUNNING') continue;
        stopping.push(this.launcher.stop(task, [], 'Local cloud stopped', 'UserInitiated', 5));
      }
    }
    await Promise.all(stopping);
  }

  /** A new PRIMARY deployment (CreateService, UpdateService, or the circuit breaker's rollback to `rollingBackTo`). */
  newDeployment(service: Service, taskDefinition: string, rollingBackTo?: Deployment): Deployment {
    for (const d of service.deployments) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
    const deployment: Deployment = {
      id: `ecs-svc/${String(++this.serial).padStart(19, '0')}`,
      status: 'PRIMARY',
      taskDefinition,
      desiredCount: service.desiredCount,
      pendingCount: 0,
      runningCount: 0,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: 'ECS deployment in progress.',
      createdAt: new Date(),
      updatedAt: new Date(),
      // As the service: a strategy, or else a launch type.
      ...(service.capacityProviderStrategy
        ? { capacityProviderStrategy: service.capacityProviderStrategy }
        : { launchType: service.launchType ?? 'FARGATE' }),
    };
    service.deployments.unshift(deployment);
    service.taskDefinition = taskDefinition;
    this.stateEvents.deployment(
      service,
      deployment,
      'SERVICE_DEPLOYMENT_IN_PROGRESS',
      rollingBackTo
        ? `ECS deployment circuit breaker: rolling back to deploymentId ${rollingBackTo.id}.`
        : `ECS deployment ${deployment.id} in progress.`,
    );
    return deployment;
  }

  event(service: Service, message: string): void {
    service.events.unshift({
      id: String(++this.serial),
      createdAt: new Date(),
      message: `(service ${service.serviceName}) ${message}`,
    });
    service.events.length = Math.min(service.events.length, MAX_EVENTS);
  }

  private tasksOf(store: EcsStore, deployment: Deployment): Task[] {
    // A RunTask caller may name any startedBy: only a service's own tasks belong to its deployments.
    return [...store.tasks.values()].filter(
      (t) => t.startedBy === deployment.id && t.serviceArn !== undefined,
    );
  }

  private targetState(service: Service, task: Task, lb: Service['loadBalancers'][number]) {
    return this.elbv2
      .findTargetGroup(lb.targetGroupArn, service.scope)
      ?.targets.get(targetKey(task, lb.containerPort))?.state;
  }

  /** A task counts as healthy when RUNNING and, behind a load balancer, healthy in every target group. */
  private healthy(service: Service, task: Task): boolean {
    if (task.lastStatus !== 'RUNNING' || task.desiredStatus !== 'RUNNING') return false;
    return service.loadBalancers.every((lb) => this.targetState(service, task, lb) === 'healthy');
  }

  private stopTask(service: Service, task: Task, reason: string, code: string): void {
    inBackground(
      `stopping task ${task.taskArn}`,
      this.launcher.stop(task, service.loadBalancers, reason, code, this.stopTimeoutOf(task)),
    );
  }

  private stopTimeoutOf(task: Task): number | undefined {
    return this.ecs.findTaskDefinition(task.scope, task.taskDefinitionArn)?.containerDefinitions[0]
      ?.stopTimeout;
  }

  /**
   * A Fargate Spot interruption: the task leaves its target groups (drains),
   * gets SIGTERM, and SIGKILL when the warning (two minutes on AWS) runs out;
   * it stops with SpotInterruption, which is no failure, and the service
   * starts a replacement at once.
   */
  interruptSpot(task: Task, warningSeconds: number): Promise<void> {
    return this.launcher.stop(
      task,
      this.serviceOf(task)?.loadBalancers ?? [],
      'Your Spot Task was interrupted.',
      'SpotInterruption',
      warningSeconds,
    );
  }

  /** StopTask: a user's stop, which ECS does not count as a failure. */
  stopByUser(task: Task, reason: string): void {
    const service = this.serviceOf(task);
    inBackground(
      `stopping task ${task.taskArn}`,
      this.launcher.stop(
        task,
        service?.loadBalancers ?? [],
        reason,
        'UserInitiated',
        this.stopTimeoutOf(task),
      ),
    );
  }

  /** DeleteService: every task stops; the service is INACTIVE once they have. */
  drain(service: Service): void {
    const store = this.ecs.stores.of(service.scope);
    const tasks = [...store.tasks.values()].filter(
      (t) => t.serviceArn === service.serviceArn && t.desiredStatus === 'RUNNING',
    );
    const drained = Promise.all(
      tasks.map((t) =>
        this.launcher.stop(
          t,
          service.loadBalancers,
          'Service deleted',
          'ServiceSchedulerInitiated',
          this.stopTimeoutOf(t),
        ),
      ),
    ).then(() => {
      service.status = 'INACTIVE';
      service.deployments = [];
    });
    inBackground(`draining ${service.serviceArn}`, drained);
  }

  private serviceOf(task: Task): Service | undefined {
    return task.serviceArn ? this.ecs.stores.of(task.scope).services.get(task.serviceArn) : undefined;
  }

  reconcile(store: EcsStore, service: Service): void {
    if (service.status !== 'ACTIVE') return;
    const primary = service.deployments.find((d) => d.status === 'PRIMARY');
    if (!primary) return;
    this.replaceUnhealthy(store, service);
    this.countFailures(store, service);
    if (this.tripCircuitBreaker(store, service, primary)) return;

    const active = (d: Deployment) => this.tasksOf(store, d).filter((t) => t.desiredStatus === 'RUNNING');
    const desired = service.desiredCount;
    const { minimumHealthyPercent, maximumPercent } = service.deploymentConfiguration;
    const maxTotal = Math.max(desired, Math.floor((desired * maximumPercent) / 100));
    const minHealthy = Math.ceil((desired * minimumHealthyPercent) / 100);
    const all = service.deployments.flatMap(active);

    // Scale the primary up, within maximumPercent.
    if (primary.rolloutState !== 'FAILED') {
      const room = maxTotal - all.length;
      const wanted = desired - active(primary).length;
      const definition = this.ecs.findTaskDefinition(service.scope, primary.taskDefinition);
      const count = Math.min(room, wanted);
      if (definition && count > 0) {
        const strategy = service.capacityProviderStrategy;
        // Each deployment is placed by the strategy on its own, so a new one keeps its on-demand base.
        const placed = tasksPerProvider(this.tasksOf(store, primary));
        const started: Task[] = [];
        for (let n = 0; n < count; n++) {
          const provider = strategy ? nextCapacityProvider(strategy, placed) : undefined;
          const onEc2 = service.launchType === 'EC2' || (provider && store.capacityProviders.has(provider));
          const placement = onEc2
            ? placeTask(store, service, definition, provider, (arn) =>
                this.ecs.findTaskDefinition(service.scope, arn),
              )
            : undefined;
          if (placement && 'unplaced' in placement) {
            // ECS starts no task it can't place: it says why, and tries again.
            if (service.events[0]?.message !== `(service ${service.serviceName}) ${placement.unplaced}`)
              this.event(service, placement.unplaced);
            break;
          }
          if (provider) placed.set(provider, (placed.get(provider) ?? 0) + 1);
          const task = this.launcher.launch(service, primary, definition, provider, placement?.instance);
          // Tracked at once, so the next placement counts what this one took.
          this.ecs.trackTask(store, task);
          started.push(task);
        }
        if (started.length > 0)
          this.event(
            service,
            `has started ${started.length} tasks: ${started.map((t) => `(task ${t.id})`).join(' ')}.`,
          );
      }
      for (const extra of active(primary).slice(desired))
        this.stopTask(
          service,
          extra,
          `Scaling activity initiated by (deployment ${primary.id})`,
          'ServiceSchedulerInitiated',
        );
    }

    // Scale older deployments down while keeping minimumHealthyPercent healthy.
    let healthyCount = all.filter((t) => this.healthy(service, t)).length;
    const old = service.deployments.filter((d) => d !== primary).flatMap(active);
    old.sort((a, b) => Number(this.healthy(service, a)) - Number(this.healthy(service, b)));
    const stopped: Task[] = [];
    for (const task of old) {
      const isHealthy = this.healthy(service, task);
      if (isHealthy && healthyCount - 1 < minHealthy) continue;
      if (isHealthy) healthyCount--;
      stopped.push(task);
      this.stopTask(
        service,
        task,
        `Scaling activity initiated by (deployment ${primary.id})`,
        'ServiceSchedulerInitiated',
      );
    }
    if (stopped.length > 0)
      this.event(
        service,
        `has stopped ${stopped.length} running tasks: ${stopped.map((t) => `(task ${t.id})`).join(' ')}.`,
      );

    // Deployments with nothing left are gone; counts and rollout state follow the tasks.
    // A FAILED deployment stays listed until the rollback completes, so a deployer can read why.
    const live = (d: Deployment) => this.tasksOf(store, d).some((t) => t.lastStatus !== 'STOPPED');
    service.deployments = service.deployments.filter(
      (d) =>
        d === primary || live(d) || (d.rolloutState === 'FAILED' && primary.rolloutState !== 'COMPLETED'),
    );
    for (const d of service.deployments) {
      const tasks = this.tasksOf(store, d).filter((t) => t.desiredStatus === 'RUNNING');
      d.runningCount = tasks.filter((t) => t.lastStatus === 'RUNNING').length;
      d.pendingCount = tasks.length - d.runningCount;
      d.desiredCount = d === primary ? desired : d.runningCount;
    }
    const primaryHealthy = active(primary).filter((t) => this.healthy(service, t)).length;
    const othersLive = service.deployments.some((d) => d !== primary && live(d));
    if (primary.rolloutState === 'IN_PROGRESS' && primaryHealthy >= desired && !othersLive) {
      primary.rolloutState = 'COMPLETED';
      primary.rolloutStateReason = 'ECS deployment completed.';
      primary.updatedAt = new Date();
      this.stateEvents.deployment(
        service,
        primary,
        'SERVICE_DEPLOYMENT_COMPLETED',
        `ECS deployment ${primary.id} completed.`,
      );
      this.event(service, `deployment ${primary.id} deployment completed.`);
      this.event(service, 'has reached a steady state.');
    }
  }

  /** After the grace period, a task unhealthy in its target group is stopped and replaced. */
  private replaceUnhealthy(store: EcsStore, service: Service): void {
    const now = Date.now();
    for (const task of store.tasks.values()) {
      if (
        task.serviceArn !== service.serviceArn ||
        task.lastStatus !== 'RUNNING' ||
        task.desiredStatus !== 'RUNNING'
      )
        continue;
      if ((task.startedAt?.getTime() ?? now) + service.healthCheckGracePeriodSeconds * 1000 > now) continue;
      for (const lb of service.loadBalancers) {
        if (this.targetState(service, task, lb) !== 'unhealthy') continue;
        task.healthStatus = 'UNHEALTHY';
        this.event(service, `has stopped 1 running tasks: (task ${task.id}).`);
        this.event(
          service,
          `(task ${task.id}) failed ELB health checks in (target-group ${lb.targetGroupArn}).`,
        );
        this.stopTask(
          service,
          task,
          `Task failed ELB health checks in (target-group ${lb.targetGroupArn})`,
          'ServiceSchedulerInitiated:health',
        );
        break;
      }
    }
  }

  private countFailures(store: EcsStore, service: Service): void {
    for (const d of service.deployments) {
      for (const task of this.tasksOf(store, d)) {
        if (
          task.failureCounted ||
          task.desiredStatus !== 'STOPPED' ||
          !FAILURE_CODES.has(task.stopCode ?? '')
        )
          continue;
        task.failureCounted = true;
        if (task.stopCode === 'ServiceSchedulerInitiated:health') task.stopCode = 'ServiceSchedulerInitiated';
        d.failedTasks++;
      }
    }
  }

  /** Returns true when the breaker tripped this tick. */
  private tripCircuitBreaker(store: EcsStore, service: Service, primary: Deployment): boolean {
    const breaker = service.deploymentConfiguration.deploymentCircuitBreaker;
    if (
      !breaker.enable ||
      primary.rolloutState !== 'IN_PROGRESS' ||
      primary.failedTasks < circuitBreakerThreshold(service.desiredCount)
    )
      return false;
    primary.rolloutState = 'FAILED';
    primary.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    primary.updatedAt = new Date();
    this.stateEvents.deployment(service, primary, 'SERVICE_DEPLOYMENT_FAILED', primary.rolloutStateReason);
    this.event(service, `(deployment ${primary.id}) deployment failed: tasks failed to start.`);
    const lastCompleted = service.deployments.find((d) => d !== primary && d.rolloutState === 'COMPLETED');
    if (!breaker.rollback || !lastCompleted) return true;
    for (const task of this.tasksOf(store, primary)) {
      if (task.desiredStatus === 'RUNNING')
        this.stopTask(
          service,
          task,
          `Scaling activity initiated by (deployment ${primary.id})`,
          'ServiceSchedulerInitiated',
        );
    }
    const back = this.newDeployment(service, lastCompleted.taskDefinition, lastCompleted);
    // The tasks of the last completed deployment keep serving; the rollback deployment adopts them.
    for (const task of this.tasksOf(store, lastCompleted)) task.startedBy = back.id;
    service.deployments = service.deployments.filter((d) => d !== lastCompleted);
    this.event(service, `rolling back to deployment ${back.id}.`);
    return true;
  }
}

function targetKey(task: Task, containerPort: number): string {
  const target = targetOf(task, containerPort);
  return `${target.id}:${target.port}`;
}

import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeImagesCommand, ECRClient, ImageNotFoundException } from '@aws-sdk/client-ecr';
import {
  type Deployment,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type ServiceEvent,
  type Task,
  type TaskDefinition,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import type { HttpAnswer } from '../../functions/commons/http.js';

/** How tasks of an image behave once ECS starts them. */
export type Behaviour = 'healthy' | 'crashes' | 'never-settles' | 'no-dynamodb';

/**
 * What the tasks serve: the demo (/, /status, /db), or a minimal Node app
 * that answers only / and /healthz.
 */
export type AppRoutes = 'demo' | 'healthz-only';

const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web/web';
const ARN = 'arn:aws:ecs:us-east-1:123456789012';

/** An ECS event as EventBridge delivers it. */
export interface EcsEvent {
  version: '0';
  id: string;
  'detail-type': 'ECS Deployment State Change' | 'ECS Task State Change';
  source: 'aws.ecs';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/**
 * When ECS starts working on a new deployment: `now`, or once `gate`
 * resolves for its id (e.g. once an execution waits on it, so the test
 * decides which side — the waiter's check or an event — sees it end).
 */
export type RolloutGate = (deploymentId: string) => Promise<void>;
export const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

/**
 * A scripted stand-in for ECS, ECR and the ALB, just faithful enough for the
 * workflow: UpdateService makes a PRIMARY deployment that ECS rolls out on
 * its own clock, in `rolloutTicks` steps, according to the image's
 * behaviour — including the circuit breaker's rollback — and tells
 * listeners as ECS tells EventBridge (a deployment state change when a
 * deployment starts, completes or fails; a task state change each step).
 * Answers come through the real SDK clients (aws-sdk-client-mock), so the
 * steps' own request code runs.
 */
export class FakeWorld {
  readonly ecs = mockClient(ECSClient);
  readonly ecr = mockClient(ECRClient);
  readonly elb = mockClient(ElasticLoadBalancingV2Client);
  readonly images = new Map<string, string>([['v1', digest(1)]]);
  readonly behaviour = new Map<string, Behaviour>();
  readonly taskDefinitions = new Map<string, TaskDefinition>();
  deployments: Deployment[] = [];
  events: ServiceEvent[] = [];
  tasks: Task[] = [];
  private serial = 0;
  private nextIp = 10;
  private lastCompleted = '';
  private roundRobin = 0;
  /** Every URL verification requested, in order. */
  readonly requested: string[] = [];
  /** Steps (each a task state change) before a rollout settles. */
  rolloutTicks = 1;
  tickMs = 5;
  gate: RolloutGate = async () => undefined;
  private readonly listeners: ((event: EcsEvent) => void)[] = [];
  private service = { cluster: 'stepship-web', name: 'web' };
  private stopped = false;

  constructor(
    readonly desiredCount = 2,
    readonly routes: AppRoutes = 'demo',
  ) {
    const first = this.register({
      family: 'web',
      containerDefinitions: [
        { name: 'web', image: `${REPO}@${digest(1)}`, portMappings: [{ containerPort: 3000 }] },
      ],
    });
    this.deployments = [this.deployment(first, 'PRIMARY', 'COMPLETED')];
    this.lastCompleted = first;
    this.startTasks(first, this.deployments[0]?.id ?? '');
    this.install();
  }

  reset(): void {
    this.stopped = true;
    for (const mock of [this.ecs, this.ecr, this.elb]) mock.restore();
  }

  /** Hears every event ECS would send to EventBridge. */
  onEvent(listener: (event: EcsEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Someone else's UpdateService (a person, another tool): a new PRIMARY deployment replaces ours. */
  supersede(): Deployment {
    const current = this.primary?.taskDefinition ?? '';
    return this.startDeployment(current);
  }

  private emit(detailType: EcsEvent['detail-type'], resource: string, detail: Record<string, unknown>): void {
    const event: EcsEvent = {
      version: '0',
      id: `event-${++this.serial}`,
      'detail-type': detailType,
      source: 'aws.ecs',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [resource],
      detail,
    };
    for (const listener of this.listeners) listener(event);
  }

  private deploymentEvent(d: Deployment, eventName: string, reason: string): void {
    this.emit('ECS Deployment State Change', `${ARN}:service/${this.service.cluster}/${this.service.name}`, {
      eventType: eventName.endsWith('FAILED') ? 'ERROR' : 'INFO',
      eventName,
      deploymentId: d.id,
      updatedAt: new Date().toISOString(),
      reason,
    });
  }

  private taskEvent(task: Task): void {
    this.emit('ECS Task State Change', task.taskArn ?? '', {
      clusterArn: `${ARN}:cluster/${this.service.cluster}`,
      group: `service:${this.service.name}`,
      taskArn: task.taskArn,
      startedBy: task.startedBy,
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
    });
  }

  private startDeployment(taskDefinition: string): Deployment {
    for (const d of this.deployments) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
    const started = this.deployment(taskDefinition, 'PRIMARY', 'IN_PROGRESS');
    this.deployments.unshift(started);
    this.deploymentEvent(started, 'SERVICE_DEPLOYMENT_IN_PROGRESS', 'ECS deployment in progress.');
    void this.roll(started);
    return started;
  }

  /** ECS at work on a deployment, on its own clock, until it settles or is replaced. */
  private async roll(deployment: Deployment): Promise<void> {
    await this.gate(deployment.id ?? '');
    if (this.rolloutTicks === 0) return this.progress();
    for (let tick = 1; !this.stopped; tick++) {
      await sleep(this.tickMs);
      if (this.stopped || this.primary !== deployment || deployment.rolloutState !== 'IN_PROGRESS') return;
      const image = this.imageOf(deployment.taskDefinition ?? '');
      const settles = this.behaviour.get(image.split('@')[1] ?? '') !== 'never-settles';
      if (settles && tick >= this.rolloutTicks) {
        this.progress();
        return;
      }
      this.taskEvent({
        taskArn: `${ARN}:task/${this.service.cluster}/starting${this.serial}${tick}`,
        startedBy: deployment.id,
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
      });
    }
  }

  get primary(): Deployment | undefined {
    return this.deployments.find((d) => d.status === 'PRIMARY');
  }

  imageOf(taskDefinitionArn: string): string {
    return this.taskDefinitions.get(taskDefinitionArn)?.containerDefinitions?.[0]?.image ?? '';
  }

  private register(input: Partial<TaskDefinition>): string {
    const revision = this.taskDefinitions.size + 1;
    const arn = `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;
    this.taskDefinitions.set(arn, { ...input, taskDefinitionArn: arn, revision, status: 'ACTIVE' });
    return arn;
  }

  private deployment(
    taskDefinition: string,
    status: string,
    rolloutState: 'IN_PROGRESS' | 'COMPLETED',
  ): Deployment {
    return {
      id: `ecs-svc/${++this.serial}`,
      status,
      taskDefinition,
      desiredCount: this.desiredCount,
      runningCount: 0,
      failedTasks: 0,
      rolloutState,
      createdAt: new Date(),
    };
  }

  private startTasks(taskDefinition: string, deploymentId: string): void {
    for (const t of this.tasks) {
      if (t.lastStatus === 'RUNNING')
        Object.assign(t, {
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          stoppedReason: `Scaling activity initiated by (deployment ${deploymentId})`,
        });
    }
    for (let i = 0; i < this.desiredCount; i++) {
      const ip = `10.0.2.${this.nextIp++}`;
      this.tasks.push({
        taskArn: `arn:aws:ecs:us-east-1:123456789012:task/stepship-web/${ip.replaceAll('.', '')}`,
        taskDefinitionArn: taskDefinition,
        startedBy: deploymentId,
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        attachments: [
          { type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: ip }] },
        ],
      });
    }
    const primary = this.deployments.find((d) => d.id === deploymentId);
    if (primary) primary.runningCount = this.desiredCount;
  }

  /** Settle the IN_PROGRESS primary according to its image. */
  private progress(): void {
    const primary = this.primary;
    if (primary?.rolloutState !== 'IN_PROGRESS') return;
    const image = this.imageOf(primary.taskDefinition ?? '');
    const behaviour = this.behaviour.get(image.split('@')[1] ?? '') ?? 'healthy';
    if (behaviour === 'never-settles') return;
    if (behaviour === 'crashes') {
      for (let i = 0; i < 3; i++) {
        this.tasks.push({
          taskArn: `arn:aws:ecs:us-east-1:123456789012:task/stepship-web/crash${this.serial}${i}`,
          taskDefinitionArn: primary.taskDefinition,
          startedBy: primary.id,
          lastStatus: 'STOPPED',
          stoppedReason: 'Task failed ELB health checks in (target-group web)',
          containers: [{ name: 'web', exitCode: 1 }],
        });
      }
      Object.assign(primary, {
        status: 'ACTIVE',
        rolloutState: 'FAILED',
        failedTasks: 3,
        rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
      });
      this.deploymentEvent(
        primary,
        'SERVICE_DEPLOYMENT_FAILED',
        'ECS deployment circuit breaker: tasks failed to start.',
      );
      const back = this.deployment(this.lastCompleted, 'PRIMARY', 'IN_PROGRESS');
      this.deployments.unshift(back);
      this.events.unshift({
        id: `e${this.serial}`,
        createdAt: new Date(),
        message: `(service web) rolling back to deployment ${back.id}.`,
      });
      this.deploymentEvent(back, 'SERVICE_DEPLOYMENT_IN_PROGRESS', 'ECS deployment in progress.');
      void this.roll(back);
      return;
    }
    Object.assign(primary, { rolloutState: 'COMPLETED', runningCount: this.desiredCount });
    this.startTasks(primary.taskDefinition ?? '', primary.id ?? '');
    this.deployments = this.deployments.filter((d) => d === primary || d.rolloutState === 'FAILED');
    this.lastCompleted = primary.taskDefinition ?? '';
    this.events.unshift({
      id: `e${this.serial}`,
      createdAt: new Date(),
      message: '(service web) has reached a steady state.',
    });
    this.deploymentEvent(primary, 'SERVICE_DEPLOYMENT_COMPLETED', 'ECS deployment completed.');
  }

  private install(): void {
    this.ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => {
      return {
        services: [
          {
            serviceName: input.services[0],
            status: 'ACTIVE',
            taskDefinition: this.primary?.taskDefinition,
            desiredCount: this.desiredCount,
            deployments: structuredClone(this.deployments),
            events: structuredClone(this.events),
          },
        ],
      };
    });
    this.ecs
      .on(UpdateServiceCommand)
      .callsFake((input: { cluster: string; service: string; taskDefinition: string }) => {
        this.service = { cluster: input.cluster, name: input.service };
        this.startDeployment(input.taskDefinition);
        return { service: { deployments: structuredClone(this.deployments) } };
      });
    this.ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
      taskDefinition: this.taskDefinitions.get(input.taskDefinition),
      tags: [],
    }));
    this.ecs.on(RegisterTaskDefinitionCommand).callsFake((input: Partial<TaskDefinition>) => ({
      taskDefinition: { taskDefinitionArn: this.register(input) },
    }));
    this.ecs.on(ListTasksCommand).callsFake((input: { desiredStatus?: string }) => ({
      taskArns: this.tasks
        .filter((t) =>
          input.desiredStatus === 'STOPPED' ? t.lastStatus === 'STOPPED' : t.lastStatus === 'RUNNING',
        )
        .map((t) => t.taskArn),
    }));
    this.ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: this.tasks.filter((t) => input.tasks.includes(t.taskArn ?? '')),
    }));
    this.ecr
      .on(DescribeImagesCommand)
      .callsFake((input: { imageIds: { imageTag?: string; imageDigest?: string }[] }) => {
        const id = input.imageIds[0] ?? {};
        const found = id.imageDigest
          ? [...this.images.values()].find((d) => d === id.imageDigest)
          : this.images.get(id.imageTag ?? '');
        if (!found)
          throw new ImageNotFoundException({ message: 'The image requested does not exist', $metadata: {} });
        return { imageDetails: [{ imageDigest: found }] };
      });
    this.elb.on(DescribeTargetHealthCommand).callsFake(() => ({
      TargetHealthDescriptions: this.running().map((t) => ({
        Target: { Id: ipOf(t), Port: 3000 },
        TargetHealth: { State: 'healthy' },
      })),
    }));
  }

  running(): Task[] {
    return this.tasks.filter((t) => t.lastStatus === 'RUNNING');
  }

  /**
   * The network, as verification sees it: the load balancer (alb.local)
   * round robin over the running tasks, and each running task at its own IP
   * and port 3000.
   */
  readonly get = async (url: string): Promise<HttpAnswer> => {
    this.requested.push(url);
    const { hostname, port, pathname: path } = new URL(url);
    const running = this.running();
    const task =
      hostname === 'alb.local'
        ? running[this.roundRobin++ % running.length]
        : port === '3000'
          ? running.find((t) => ipOf(t) === hostname)
          : undefined;
    if (!task) throw new TypeError('fetch failed', { cause: new Error(`connect ECONNREFUSED ${hostname}`) });
    const image = this.imageOf(task.taskDefinitionArn ?? '');
    const answer = (status: number, json: unknown): HttpAnswer => ({
      status,
      json,
      text: JSON.stringify(json),
    });
    if (path === '/') return { status: 200, json: undefined, text: '<html>' };
    if (this.routes === 'healthz-only') {
      return path === '/healthz'
        ? answer(200, { ok: true })
        : { status: 404, json: undefined, text: 'Not Found' };
    }
    if (path === '/status')
      return answer(200, { status: 'ok', taskIP: ipOf(task), image, imageDigest: image.split('@')[1] });
    if (this.behaviour.get(image.split('@')[1] ?? '') === 'no-dynamodb') {
      return answer(500, {
        db: 'error',
        message: 'AccessDeniedException: User is not authorized to perform: dynamodb:ListTables',
      });
    }
    if (path === '/db') return answer(200, { db: 'connected', tables: ['web-app-table'] });
    return answer(404, { error: 'NotFound' });
  };
}

export function ipOf(task: Task): string {
  return task.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value ?? '';
}

import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerOverride } from '@aws-sdk/client-ecs';
import { arns } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import { type ImageStore, sha256 } from '../../images/image-store.js';
import type { ActivityLog } from '../../runtime/activity.js';
import { inBackground } from '../../runtime/background.js';
import { ContainerProcess } from '../../runtime/container-process.js';
import type { IpAllocator } from '../../runtime/ip-allocator.js';
import type { Lifeline } from '../../runtime/lifeline.js';
import type { MetadataServer } from '../../runtime/metadata-server.js';
import type { TaskNetwork } from '../../runtime/task-network.js';
import { TaskProcess } from '../../runtime/task-process.js';
import type { Ecr } from '../ecr/provider.js';
import type { Elbv2 } from '../elbv2/provider.js';
import type { Logs } from '../logs/provider.js';
import { HostPorts, targetOf } from './port-mapping.js';
import type {
  ContainerDefinition,
  ContainerInstance,
  Deployment,
  Service,
  Task,
  TaskDefinition,
} from './store.js';

export interface LauncherDeps {
  /** What tasks reach (the endpoint, AWS's host names, the CA) and how their ports are isolated. */
  network: TaskNetwork;
  ecr: Ecr;
  images: ImageStore;
  logs: Logs;
  elbv2: Elbv2;
  metadata: MetadataServer;
  ips: IpAllocator;
  activity: ActivityLog;
  /** The credentials a task calls AWS with: its task role's (a session named by the task id). */
  credentials: (
    taskRoleArn: string | undefined,
    taskId: string,
  ) => { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Local processes (the default), or containers in a Docker engine for images in the local registry. */
  runtime: 'process' | 'docker';
  /** A secret's value by its `valueFrom` (an SSM parameter or a Secrets Manager secret), or undefined. */
  secrets: (valueFrom: string, scope: Scope) => string | undefined;
  /** Told of every task process, so none outlives the local cloud (runtime/lifeline.ts). */
  lifeline?: Lifeline;
}

type LaunchSpec =
  | { kind: 'process'; argv: string[]; cwd: string; env: Record<string, string> }
  | {
      kind: 'container';
      image: string;
      env: Record<string, string>;
      networkArgs: string[];
      entryPoint?: string[];
      command?: string[];
    };

const START_TIMEOUT_MS = 30_000;

/** Where a task's load-balancer registrations go. */
type TaskLoadBalancers = Service['loadBalancers'];

/** Where a task runs and who started it: a service's deployment, or a RunTask caller. */
interface Placement {
  scope: Scope;
  clusterArn: string;
  group: string;
  startedBy: string;
  serviceArn?: string;
  loadBalancers: TaskLoadBalancers;
  overrides?: ContainerOverride[];
  /** The capacity provider a service's strategy placed the task on (FARGATE_SPOT can be interrupted). */
  capacityProviderName?: string;
  /** The container instance an EC2 task runs on; absent for Fargate. */
  instance?: ContainerInstance;
}

export type StandalonePlacement = Omit<Placement, 'serviceArn' | 'loadBalancers'>;

/**
 * Starts and stops tasks as ECS does on Fargate: each through its lifecycle
 * states, its container a local process on its own loopback IP, registered
 * in the service's target groups once RUNNING, deregistered and drained
 * before SIGTERM when stopping.
 */
export class TaskLauncher {
  private readonly statusListeners: ((task: Task) => void)[] = [];
  private readonly hostPorts = new HostPorts();

  constructor(private readonly deps: LauncherDeps) {}

  /** A loopback address of the same pool as tasks' (container instances take theirs from it too). */
  allocateAddress(): string {
    return this.deps.ips.allocate();
  }

  /** Tells `listener` of every change of a task's lastStatus or desiredStatus, as it happens. */
  onStatusChange(listener: (task: Task) => void): void {
    this.statusListeners.push(listener);
  }

  /** A task's status changed: its version goes up (as ECS's does), and the listeners hear of it. */
  private changed(task: Task): void {
    task.version = (task.version ?? 0) + 1;
    for (const listener of this.statusListeners) {
      try {
        listener(task);
      } catch {
        // A listener's failure is its own; the task's lifecycle goes on.
      }
    }
  }

  /** Creates a service's task (PROVISIONING) and runs its start in the background. */
  launch(
    service: Service,
    deployment: Deployment,
    definition: TaskDefinition,
    capacityProviderName?: string,
    instance?: ContainerInstance,
  ): Task {
    return this.place(
      {
        scope: service.scope,
        clusterArn: service.clusterArn,
        group: `service:${service.serviceName}`,
        startedBy: deployment.id,
        serviceArn: service.serviceArn,
        loadBalancers: service.loadBalancers,
        ...(capacityProviderName ? { capacityProviderName } : {}),
        ...(instance ? { instance } : {}),
      },
      definition,
    );
  }

  /**
   * A task RunTask started, owned by no service: it runs with the request's
   * overrides, counts as RUNNING once its container has started (nothing
   * waits for a port), and stops when its container exits.
   */
  run(placement: StandalonePlacement, definition: TaskDefinition): Task {
    return this.place({ ...placement, loadBalancers: [] }, definition);
  }

  private place(placement: Placement, definition: TaskDefinition): Task {
    const id = randomUUID().replaceAll('-', '');
    const clusterName = placement.clusterArn.split('/').pop() ?? 'default';
    const container = essential(definition);
    const scope = placement.scope;
    const task: Task = {
      scope,
      taskArn: arns.ecsTask(scope, clusterName, id),
      id,
      clusterArn: placement.clusterArn,
      taskDefinitionArn: definition.taskDefinitionArn,
      group: placement.group,
      startedBy: placement.startedBy,
      ...(placement.serviceArn ? { serviceArn: placement.serviceArn } : {}),
      ...(placement.overrides ? { overrides: placement.overrides } : {}),
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      healthStatus: 'UNKNOWN',
      createdAt: new Date(),
      ...(placement.capacityProviderName ? { capacityProviderName: placement.capacityProviderName } : {}),
      ip: this.deps.ips.allocate(),
      launchType: placement.instance ? 'EC2' : 'FARGATE',
      ...(placement.instance
        ? {
            containerInstanceArn: placement.instance.arn,
            host: { ec2InstanceId: placement.instance.ec2InstanceId, address: placement.instance.address },
          }
        : {}),
      containers: [
        {
          containerArn: arns.ecsContainer(scope, clusterName, id, randomUUID()),
          name: container.name ?? '',
          image: container.image ?? '',
          lastStatus: 'PENDING',
        },
      ],
    };
    this.changed(task);
    const override = placement.overrides?.find((o) => o.name === container.name);
    void this.start(task, placement, definition, withOverride(container, override)).catch((err: unknown) => {
      // A start that throws must not take the local cloud down: the task fails to start, as on ECS.
      this.finish(
        task,
        `TaskFailedToStart: ${err instanceof Error ? err.message : String(err)}`,
        'TaskFailedToStart',
      );
    });
    return task;
  }

  private async start(
    task: Task,
    { loadBalancers, instance }: Placement,
    definition: TaskDefinition,
    container: ContainerDefinition,
  ): Promise<void> {
    const started = Date.now();
    await sleep(10);
    // Stopped before it was placed: stop() has ended it, and nothing was started.
    if (stopRequested(task)) return;
    task.lastStatus = 'PENDING';
    task.pullStartedAt = new Date();
    this.changed(task);
    let spec: LaunchSpec;
    try {
      spec = this.processSpec(task, container, definition.taskRoleArn);
    } catch (err) {
      const message = (err as Error).message;
      const reason = err instanceof SecretsError ? message : `CannotPullContainerError: ${message}`;
      this.finish(task, reason, 'TaskFailedToStart', undefined, message);
      return;
    }
    task.pullStoppedAt = new Date();
    const options = container.logConfiguration?.options ?? {};
    const group = options['awslogs-group'] ?? `/ecs/${definition.family}`;
    const stream = `${options['awslogs-stream-prefix'] ?? 'ecs'}/${container.name}/${task.id}`;
    const onOutput = this.deps.logs.writer(task.scope, group, stream);
    task.process =
      spec.kind === 'process'
        ? new TaskProcess({
            ...spec,
            onOutput,
            ...(this.deps.lifeline ? { lifeline: this.deps.lifeline } : {}),
          })
        : new ContainerProcess({
            ...spec,
            name: `stepship-${task.id}`,
            stopTimeoutSeconds: container.stopTimeout ?? 30,
            addressOf: (id) => this.deps.network.containerAddress(id),
            onOutput,
          });
    task.lastStatus = 'ACTIVATING';
    this.changed(task);
    const port = container.portMappings?.[0]?.containerPort;
    // A service's task is ready once it listens; a one-off task (no service) once it has started.
    const ready = port && task.serviceArn ? await this.listening(task, port) : task.process.running;
    if (!ready || task.desiredStatus === 'STOPPED') {
      // stop() may have run before this process existed: end it here, or it outlives its task.
      await task.process.stop(0);
      if (task.lastStatus === 'ACTIVATING')
        this.finish(task, 'Essential container in task exited', 'EssentialContainerExited');
      return;
    }
    // Bridge mode: the container's ports are published on the instance before the agent reports RUNNING.
    if (instance) {
      task.networkBindings = await this.hostPorts.publish(task, instance, container.portMappings ?? []);
      // Stopped while its ports were being published: they close with it.
      if (stopRequested(task)) {
        await this.hostPorts.unpublish(task);
        return;
      }
    }
    task.lastStatus = 'RUNNING';
    task.startedAt = new Date();
    task.containers[0] = { ...(task.containers[0] as Task['containers'][number]), lastStatus: 'RUNNING' };
    this.changed(task);
    this.deps.activity.record('task-start', started);
    for (const lb of loadBalancers) {
      const target = targetOf(task, lb.containerPort);
      this.deps.elbv2
        .findTargetGroup(lb.targetGroupArn, task.scope)
        ?.register(target.id, target.port, target.host);
    }
    // A container that exits on its own stops its task; the scheduler replaces it.
    const exited = task.process.exited.then(() =>
      task.desiredStatus === 'RUNNING'
        ? this.stop(task, loadBalancers, 'Essential container in task exited', 'EssentialContainerExited', 0)
        : undefined,
    );
    inBackground(`stopping task ${task.taskArn} after its container exited`, exited);
  }

  private async listening(task: Task, port: number): Promise<boolean> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline && task.process?.running && task.desiredStatus === 'RUNNING') {
      const host = (await task.process.probeHost?.()) ?? task.ip;
      const open = await new Promise<boolean>((resolve) => {
        const socket = connect({ host, port }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
      if (open) return true;
      await sleep(50);
    }
    return false;
  }

  /** Deregisters (and drains), then SIGTERM, SIGKILL after the stop timeout, then STOPPED. */
  async stop(
    task: Task,
    loadBalancers: TaskLoadBalancers,
    reason: string,
    stopCode: string,
    stopTimeoutSeconds: number | undefined,
  ): Promise<void> {
    if (task.desiredStatus === 'STOPPED') return;
    task.desiredStatus = 'STOPPED';
    task.stoppingAt = new Date();
    task.stoppedReason = reason;
    task.stopCode = stopCode;
    if (
      task.lastStatus === 'PROVISIONING' ||
      task.lastStatus === 'PENDING' ||
      task.lastStatus === 'ACTIVATING'
    ) {
      this.changed(task);
      await task.process?.stop(0);
      this.finish(task, reason, stopCode);
      return;
    }
    task.lastStatus = 'DEACTIVATING';
    this.changed(task);
    const drainStart = Date.now();
    await Promise.all(
      loadBalancers.map((lb) => {
        const target = targetOf(task, lb.containerPort);
        return this.deps.elbv2
          .findTargetGroup(lb.targetGroupArn, task.scope)
          ?.deregister(target.id, target.port);
      }),
    );
    this.deps.activity.record('draining', drainStart);
    task.lastStatus = 'STOPPING';
    this.changed(task);
    const stopStart = Date.now();
    const exit = await task.process?.stop(stopTimeoutSeconds ?? 30);
    this.deps.activity.record('task-stop', stopStart);
    task.lastStatus = 'DEPROVISIONING';
    this.changed(task);
    this.finish(task, reason, stopCode, exit?.code ?? (exit?.signal ? 137 : undefined));
  }

  private finish(
    task: Task,
    reason: string,
    stopCode: string,
    exitCode?: number,
    containerReason?: string,
  ): void {
    // A start and a stop racing may both end the task: it stops (and says so) once.
    const alreadyStopped = task.lastStatus === 'STOPPED';
    task.desiredStatus = 'STOPPED';
    task.lastStatus = 'STOPPED';
    task.stoppedAt = new Date();
    task.stoppedReason ??= reason;
    task.stopCode ??= stopCode;
    const code = exitCode ?? (task.process?.exit ? (task.process.exit.code ?? 137) : undefined);
    task.containers[0] = {
      ...(task.containers[0] as Task['containers'][number]),
      lastStatus: 'STOPPED',
      ...(code !== undefined ? { exitCode: code } : {}),
      ...(containerReason ? { reason: containerReason } : {}),
    };
    this.deps.ips.release(task.ip);
    inBackground(`closing the host ports of ${task.taskArn}`, this.hostPorts.unpublish(task));
    if (!alreadyStopped) this.changed(task);
  }

  /**
   * The container's environment: its plain variables, and its secrets read
   * from SSM Parameter Store or Secrets Manager, as ECS does when it starts a
   * task (a secret it can't read keeps the task from starting).
   */
  private containerEnv(task: Task, container: ContainerDefinition): Record<string, string> {
    const env = Object.fromEntries((container.environment ?? []).map((e) => [e.name ?? '', e.value ?? '']));
    for (const secret of container.secrets ?? []) {
      const value = this.deps.secrets(secret.valueFrom ?? '', task.scope);
      if (value === undefined)
        throw new SecretsError(
          `ResourceInitializationError: unable to pull secrets or registry auth: the secret ${secret.name} (valueFrom ${secret.valueFrom}) does not exist or has no value. Create it first (aws ssm put-parameter / aws secretsmanager create-secret).`,
        );
      env[secret.name ?? ''] = value;
    }
    return env;
  }

  /** The process for a container: a local process image from the local ECR, or a Node image's own command. */
  private processSpec(task: Task, container: ContainerDefinition, taskRoleArn?: string): LaunchSpec {
    const credentials = this.deps.credentials(taskRoleArn, task.id);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ECS_CONTAINER_METADATA_URI_V4: this.deps.metadata.uriFor(task.id),
      AWS_REGION: task.scope.region,
      AWS_DEFAULT_REGION: task.scope.region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
      ECS_AGENT_URI: this.deps.metadata.uriFor(task.id),
    };
    const manifest = this.deps.ecr.manifestFor(container.image ?? '');
    if (manifest && this.deps.runtime === 'docker') {
      const { PATH: _path, ...containerEnvironment } = env;
      const ports = (container.portMappings ?? []).flatMap((m) => (m.containerPort ? [m.containerPort] : []));
      const network = this.deps.network.containerOptions(task.ip, ports);
      const metadataUri = this.deps.metadata.uriFor(task.id, this.deps.network.containerGateway);
      task.imageDigest = sha256(manifest);
      return {
        kind: 'container',
        image: this.deps.ecr.dockerReference(container.image ?? ''),
        env: {
          ...containerEnvironment,
          ECS_CONTAINER_METADATA_URI_V4: metadataUri,
          ECS_AGENT_URI: metadataUri,
          ...network.env,
          ...this.containerEnv(task, container),
        },
        networkArgs: network.args,
        entryPoint: container.entryPoint,
        command: container.command,
      };
    }
    const processEnv = { ...env, ...this.deps.network.processEnvironment(task.ip) };
    if (manifest) {
      const { config, rootfs } = this.deps.images.unpack(manifest);
      task.imageDigest = sha256(manifest);
      // The image's start command is its CMD: a RunTask command override replaces it.
      const replaced = task.overrides?.some((o) => o.name === container.name && o.command !== undefined);
      const start = container.entryPoint ?? (replaced ? [] : config.entrypoint);
      const argv = [...start, ...(container.command ?? [])].map((a, i) =>
        i === 0 && a === 'node' ? process.execPath : a,
      );
      return {
        kind: 'process',
        argv,
        cwd: rootfs,
        env: layered(config.env, processEnv, this.containerEnv(task, container)),
      };
    }
    if (/(^|\/)node:[\w.-]+$/.test(container.image ?? '') && container.command?.[0] === 'node') {
      // A public Node image with its own command (the stack's bootstrap): run the command on the local Node.
      return {
        kind: 'process',
        argv: [process.execPath, ...container.command.slice(1)],
        cwd: process.cwd(),
        env: layered({}, processEnv, this.containerEnv(task, container)),
      };
    }
    throw new Error(
      `pull image manifest has been retried 1 time(s): failed to resolve ref ${container.image}: not found in the local registry`,
    );
  }
}

/**
 * The image's variables, then the local cloud's, then the task definition's,
 * later ones winning, except NODE_OPTIONS: the local cloud's preload comes
 * first and the image's and task's options follow, rather than replace it.
 */
function layered(
  image: Record<string, string>,
  cloud: Record<string, string>,
  task: Record<string, string>,
): Record<string, string> {
  const nodeOptions = [cloud.NODE_OPTIONS, image.NODE_OPTIONS, task.NODE_OPTIONS].filter(Boolean).join(' ');
  return { ...image, ...cloud, ...task, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) };
}

/**
 * A container as RunTask's override has it run: the override's command
 * replaces the container's (and, for a process image, the image's start
 * command, which plays the part of a Dockerfile's CMD); its environment
 * variables are added, replacing those of the same name.
 */
function withOverride(container: ContainerDefinition, override?: ContainerOverride): ContainerDefinition {
  if (!override) return container;
  const environment = new Map((container.environment ?? []).map((e) => [e.name ?? '', e.value ?? '']));
  for (const e of override.environment ?? []) environment.set(e.name ?? '', e.value ?? '');
  return {
    ...container,
    ...(override.command ? { command: override.command } : {}),
    environment: [...environment].map(([name, value]) => ({ name, value })),
  };
}

function essential(definition: TaskDefinition): ContainerDefinition {
  const container =
    definition.containerDefinitions.find((c) => c.essential !== false) ?? definition.containerDefinitions[0];
  if (!container) throw new Error(`Task definition ${definition.taskDefinitionArn} has no container`);
  return container;
}

/** Read afresh after an await: a stop may have come in meanwhile. */
function stopRequested(task: Task): boolean {
  return task.desiredStatus === 'STOPPED';
}

/** A task that can't start because a secret its definition names can't be read, as ECS words it. */
class SecretsError extends Error {}

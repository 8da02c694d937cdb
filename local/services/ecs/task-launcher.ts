import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { arns } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import { type ImageStore, sha256 } from '../../images/image-store.js';
import type { ActivityLog } from '../../runtime/activity.js';
import { ContainerProcess } from '../../runtime/container-process.js';
import type { IpAllocator } from '../../runtime/ip-allocator.js';
import type { MetadataServer } from '../../runtime/metadata-server.js';
import type { TaskNetwork } from '../../runtime/task-network.js';
import { TaskProcess } from '../../runtime/task-process.js';
import type { Ecr } from '../ecr/provider.js';
import type { Elbv2 } from '../elbv2/provider.js';
import type { Logs } from '../logs/provider.js';
import type { ContainerDefinition, Deployment, Service, Task, TaskDefinition } from './store.js';

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

/**
 * Starts and stops tasks as ECS does on Fargate: each through its lifecycle
 * states, its container a local process on its own loopback IP, registered
 * in the service's target groups once RUNNING, deregistered and drained
 * before SIGTERM when stopping.
 */
export class TaskLauncher {
  constructor(private readonly deps: LauncherDeps) {}

  /** Creates the task (PROVISIONING) and runs its start in the background. */
  launch(
    service: Service,
    deployment: Deployment,
    definition: TaskDefinition,
    capacityProviderName?: string,
  ): Task {
    const id = randomUUID().replaceAll('-', '');
    const clusterName = service.clusterArn.split('/').pop() ?? 'default';
    const container = essential(definition);
    const scope = service.scope;
    const task: Task = {
      scope,
      taskArn: arns.ecsTask(scope, clusterName, id),
      id,
      clusterArn: service.clusterArn,
      taskDefinitionArn: definition.taskDefinitionArn,
      group: `service:${service.serviceName}`,
      startedBy: deployment.id,
      serviceArn: service.serviceArn,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      healthStatus: 'UNKNOWN',
      createdAt: new Date(),
      ...(capacityProviderName ? { capacityProviderName } : {}),
      ip: this.deps.ips.allocate(),
      containers: [
        {
          containerArn: arns.ecsContainer(scope, clusterName, id, randomUUID()),
          name: container.name ?? '',
          image: container.image ?? '',
          lastStatus: 'PENDING',
        },
      ],
    };
    void this.start(task, service.loadBalancers, definition, container).catch((err: unknown) => {
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
    loadBalancers: TaskLoadBalancers,
    definition: TaskDefinition,
    container: ContainerDefinition,
  ): Promise<void> {
    const started = Date.now();
    await sleep(10);
    task.lastStatus = 'PENDING';
    task.pullStartedAt = new Date();
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
        ? new TaskProcess({ ...spec, onOutput })
        : new ContainerProcess({
            ...spec,
            name: `stepship-${task.id}`,
            stopTimeoutSeconds: container.stopTimeout ?? 30,
            addressOf: (id) => this.deps.network.containerAddress(id),
            onOutput,
          });
    task.lastStatus = 'ACTIVATING';
    const port = container.portMappings?.[0]?.containerPort;
    const ready = port ? await this.listening(task, port) : task.process.running;
    if (!ready || task.desiredStatus === 'STOPPED') {
      if (task.lastStatus === 'ACTIVATING')
        this.finish(task, 'Essential container in task exited', 'EssentialContainerExited');
      return;
    }
    task.lastStatus = 'RUNNING';
    task.startedAt = new Date();
    task.containers[0] = { ...(task.containers[0] as Task['containers'][number]), lastStatus: 'RUNNING' };
    this.deps.activity.record('task-start', started);
    for (const lb of loadBalancers)
      this.deps.elbv2.findTargetGroup(lb.targetGroupArn, task.scope)?.register(task.ip, lb.containerPort);
    // A container that exits on its own stops its task; the scheduler replaces it.
    void task.process.exited.then(() => {
      if (task.desiredStatus === 'RUNNING')
        void this.stop(
          task,
          loadBalancers,
          'Essential container in task exited',
          'EssentialContainerExited',
          0,
        );
    });
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
      await task.process?.stop(0);
      this.finish(task, reason, stopCode);
      return;
    }
    task.lastStatus = 'DEACTIVATING';
    const drainStart = Date.now();
    await Promise.all(
      loadBalancers.map((lb) =>
        this.deps.elbv2.findTargetGroup(lb.targetGroupArn, task.scope)?.deregister(task.ip, lb.containerPort),
      ),
    );
    this.deps.activity.record('draining', drainStart);
    task.lastStatus = 'STOPPING';
    const stopStart = Date.now();
    const exit = await task.process?.stop(stopTimeoutSeconds ?? 30);
    this.deps.activity.record('task-stop', stopStart);
    task.lastStatus = 'DEPROVISIONING';
    this.finish(task, reason, stopCode, exit?.code ?? (exit?.signal ? 137 : undefined));
  }

  private finish(
    task: Task,
    reason: string,
    stopCode: string,
    exitCode?: number,
    containerReason?: string,
  ): void {
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
      const argv = [...(container.entryPoint ?? config.entrypoint), ...(container.command ?? [])].map(
        (a, i) => (i === 0 && a === 'node' ? process.execPath : a),
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

function essential(definition: TaskDefinition): ContainerDefinition {
  const container =
    definition.containerDefinitions.find((c) => c.essential !== false) ?? definition.containerDefinitions[0];
  if (!container) throw new Error(`Task definition ${definition.taskDefinitionArn} has no container`);
  return container;
}

/** A task that can't start because a secret its definition names can't be read, as ECS words it. */
class SecretsError extends Error {}

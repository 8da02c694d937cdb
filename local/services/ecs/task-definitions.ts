import type { ContainerDefinition, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { AwsError } from '../../http/aws-error.js';

const FAMILY = /^[a-zA-Z0-9_-]{1,255}$/;
const CONTAINER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const client = (message: string) => new AwsError('ClientException', message);

/** Fargate's task sizes: memory (MiB) allowed for each CPU size (units). */
const FARGATE_SIZES: Record<number, { min: number; max: number; step: number }> = {
  256: { min: 512, max: 2048, step: 512 },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

/** "256", "0.25 vCPU", "1 vcpu" → CPU units; undefined when unreadable. */
export function cpuUnits(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const vcpu = /^\s*([\d.]+)\s*vcpu\s*$/i.exec(value);
  const n = vcpu ? Number(vcpu[1]) * 1024 : Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** "512", "0.5GB", "2 gb" → MiB; undefined when unreadable. */
export function memoryMiB(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const gb = /^\s*([\d.]+)\s*gb\s*$/i.exec(value);
  const n = gb ? Number(gb[1]) * 1024 : Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Checks a RegisterTaskDefinition request as ECS does — family and container
 * names, images, ports, and for Fargate the network mode and the CPU/memory
 * combination — and fills in what ECS fills in (container cpu 0, essential,
 * host ports equal to container ports in awsvpc mode, protocol tcp, empty
 * lists). Throws ClientException naming the problem.
 */
export function normalizeTaskDefinition(input: RegisterTaskDefinitionRequest): RegisterTaskDefinitionRequest {
  const family = input.family ?? '';
  if (!FAMILY.test(family))
    throw client(
      `Family contains invalid characters: "${family}" (1–255 letters, digits, hyphens, underscores)`,
    );
  const containers = input.containerDefinitions ?? [];
  if (containers.length === 0) throw client('Container list cannot be empty.');
  if (containers.length > 10) throw client('A task definition can hold at most 10 containers.');
  const fargate = input.requiresCompatibilities?.includes('FARGATE') ?? false;
  const networkMode = input.networkMode ?? (fargate ? undefined : 'bridge');
  if (fargate && networkMode !== 'awsvpc') throw client('Fargate only supports network mode ‘awsvpc’.');
  if (fargate) checkFargateSize(input.cpu, input.memory);
  const names = new Set<string>();
  const normalized = containers.map((c) => normalizeContainer(c, networkMode ?? 'bridge'));
  for (const c of normalized) {
    if (names.has(c.name ?? '')) throw client(`Duplicate container name: ${c.name}`);
    names.add(c.name ?? '');
  }
  if (!normalized.some((c) => c.essential))
    throw client('A task definition must have at least one essential container.');
  return {
    ...input,
    ...(networkMode ? { networkMode: networkMode as RegisterTaskDefinitionRequest['networkMode'] } : {}),
    containerDefinitions: normalized,
    volumes: input.volumes ?? [],
    placementConstraints: input.placementConstraints ?? [],
  };
}

function checkFargateSize(cpu: string | undefined, memory: string | undefined): void {
  if (cpu === undefined || memory === undefined)
    throw client("Fargate requires that 'cpu' and 'memory' be defined at the task level.");
  const units = cpuUnits(cpu);
  const mib = memoryMiB(memory);
  const range = units === undefined ? undefined : FARGATE_SIZES[units];
  if (
    !range ||
    mib === undefined ||
    mib < range.min ||
    mib > range.max ||
    (mib - range.min) % range.step !== 0
  ) {
    throw client(
      `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`,
    );
  }
}

function normalizeContainer(c: ContainerDefinition, networkMode: string): ContainerDefinition {
  if (!c.name) throw client('Container.name should not be null or empty.');
  if (!CONTAINER_NAME.test(c.name))
    throw client(
      `Container name "${c.name}" may hold only letters, digits, hyphens and underscores (up to 255).`,
    );
  if (!c.image) throw client('Container.image should not be null or empty.');
  if (c.image.length > 255) throw client(`Container.image of "${c.name}" is longer than 255 characters.`);
  if (c.stopTimeout !== undefined && (c.stopTimeout < 0 || c.stopTimeout > 120))
    throw client(
      `Container "${c.name}": stopTimeout must be from 0 to 120 seconds on Fargate (got ${c.stopTimeout}).`,
    );
  const portMappings = (c.portMappings ?? []).map((p) => {
    const containerPort = p.containerPort;
    if (
      containerPort === undefined ||
      !Number.isInteger(containerPort) ||
      containerPort < 0 ||
      containerPort > 65535
    )
      throw client(
        `Invalid 'containerPort' setting for container '${c.name}': ${String(containerPort)} is not a port (0–65535).`,
      );
    const hostPort = p.hostPort ?? (networkMode === 'awsvpc' || networkMode === 'host' ? containerPort : 0);
    if (!Number.isInteger(hostPort) || hostPort < 0 || hostPort > 65535)
      throw client(
        `Invalid 'hostPort' setting for container '${c.name}': ${hostPort} is not a port (0–65535).`,
      );
    if (networkMode === 'awsvpc' && hostPort !== containerPort)
      throw client(
        `Container '${c.name}': in awsvpc mode, hostPort must equal containerPort (${containerPort}).`,
      );
    return { ...p, containerPort, hostPort, protocol: p.protocol ?? 'tcp' };
  });
  return {
    ...c,
    cpu: c.cpu ?? 0,
    essential: c.essential ?? true,
    portMappings,
    environment: c.environment ?? [],
    mountPoints: c.mountPoints ?? [],
    volumesFrom: c.volumesFrom ?? [],
    systemControls: c.systemControls ?? [],
  };
}

/** The capabilities ECS lists as a task definition's requiresAttributes. */
export function requiredAttributes(input: RegisterTaskDefinitionRequest): { name: string }[] {
  const names = new Set<string>(['com.amazonaws.ecs.capability.docker-remote-api.1.18']);
  const containers = input.containerDefinitions ?? [];
  if (containers.some((c) => c.logConfiguration?.logDriver === 'awslogs')) {
    names.add('com.amazonaws.ecs.capability.logging-driver.awslogs');
    if (input.executionRoleArn) names.add('ecs.capability.execution-role-awslogs');
  }
  if (input.taskRoleArn) names.add('com.amazonaws.ecs.capability.task-iam-role');
  if (input.networkMode === 'awsvpc') names.add('ecs.capability.task-eni');
  if (containers.some((c) => c.readonlyRootFilesystem))
    names.add('com.amazonaws.ecs.capability.docker-remote-api.1.17');
  if (containers.some((c) => c.secrets?.length))
    names.add('ecs.capability.secrets.ssm.environment-variables');
  if (containers.some((c) => c.dockerLabels && Object.keys(c.dockerLabels).length))
    names.add('com.amazonaws.ecs.capability.docker-remote-api.1.18');
  return [...names].sort().map((name) => ({ name }));
}

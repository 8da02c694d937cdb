/**
 * Checks of a service's task count, scaling and capacity, and of what its
 * capacity and the app's network ask of verification.
 */
import { DEFAULT_DESIRED_COUNT, instanceArchitecture, type ParsedCapacity } from './capacity-schema.js';
import type { Finding, KeyPath } from './errors.js';
import type { ServicePart } from './parts.js';
import type { ParsedService } from './service-schema.js';

/** The tasks a service starts with: scaling's minimum, its fixed count, or the default. */
export function taskCount(service: Pick<Partial<ParsedService>, 'scaling' | 'desiredCount'>): number {
  return service.scaling?.min ?? service.desiredCount ?? DEFAULT_DESIRED_COUNT;
}

export function checkCapacity({ name, service, broken }: ServicePart): Finding[] {
  const at = (...keys: (string | number)[]): KeyPath => ['services', name, ...keys];
  const findings: Finding[] = [];
  const { scaling, capacity } = service;
  if (scaling) {
    if (scaling.max < scaling.min) {
      findings.push({
        path: at('scaling', 'max'),
        message: `must be at least scaling.min (got max ${scaling.max}, min ${scaling.min})`,
      });
    }
    if (
      scaling.cpu === undefined &&
      scaling.memory === undefined &&
      scaling.requestsPerTarget === undefined
    ) {
      findings.push({
        path: at('scaling'),
        message: 'needs a target to track: cpu (e.g. 60), memory (e.g. 70) or requestsPerTarget (e.g. 500)',
      });
    }
    if (service.desiredCount !== undefined) {
      findings.push({
        path: at('desiredCount'),
        message:
          'conflicts with scaling: remove it; scaling.min is the count a new service starts from, and autoscaling decides it from then on (deployments never reset it)',
      });
    }
  }
  if (Array.isArray(capacity)) findings.push(...checkFargateProviders(capacity, at));
  else if (capacity) {
    const { ec2 } = capacity;
    if (ec2.max < ec2.min) {
      findings.push({
        path: at('capacity', 'ec2', 'max'),
        message: `must be at least capacity.ec2.min (got max ${ec2.max}, min ${ec2.min})`,
      });
    }
    const instance = instanceArchitecture(ec2.instanceType);
    if (!broken.has('architecture') && service.architecture && instance !== service.architecture) {
      findings.push({
        path: at('capacity', 'ec2', 'instanceType'),
        message: `is an ${shown(instance)} instance type, but the service's architecture is ${shown(service.architecture)}: choose an ${shown(service.architecture)} type (${service.architecture === 'ARM64' ? 't4g.small' : 't3.small'}) or set architecture: ${shown(instance)}`,
      });
    }
  }
  return findings;
}

function checkFargateProviders(
  providers: Extract<ParsedCapacity, unknown[]>,
  at: (...keys: (string | number)[]) => KeyPath,
): Finding[] {
  const findings: Finding[] = [];
  providers.forEach((item, index) => {
    if (providers.findIndex((other) => other.provider === item.provider) !== index) {
      findings.push({
        path: at('capacity', index, 'provider'),
        message: `is listed more than once: each provider appears once (got ${item.provider})`,
      });
    }
  });
  const withBase = providers.flatMap((item, index) => (item.base > 0 ? [index] : []));
  for (const index of withBase.slice(1)) {
    findings.push({
      path: at('capacity', index, 'base'),
      message: `must be 0: only one provider of a strategy can have a base, and capacity[${withBase[0]}] has one`,
      showValue: true,
    });
  }
  if (providers.every((item) => item.weight === 0)) {
    findings.push({
      path: at('capacity'),
      message: 'needs a weight above 0 on at least one provider, or ECS places no task beyond the base',
    });
  }
  return findings;
}

/**
 * Tasks verification cannot reach at their own address are verified through
 * the load balancer by an identity route: in public mode the verify step runs
 * outside the VPC, and EC2 tasks sit behind host ports only the load balancer
 * may reach, answering from a bridge address that is not theirs (so kind: arn).
 */
export function checkVerifiableCapacity(
  { name, service, broken }: ServicePart,
  networkMode: 'private' | 'public' | undefined,
): Finding[] {
  if (broken.has('verify') || broken.has('capacity')) return [];
  const at = (...keys: string[]): KeyPath => ['services', name, ...keys];
  const identity = service.verify?.identity;
  const onInstances = service.capacity !== undefined && !Array.isArray(service.capacity);
  if (onInstances) {
    if (!identity) {
      return [
        {
          path: at('verify'),
          message:
            'needs identity with kind: arn on EC2 capacity: tasks run behind host ports only the load balancer may reach, so verification sees them only through it',
        },
      ];
    }
    if (identity.kind !== 'arn') {
      return [
        {
          path: at('verify', 'identity', 'kind'),
          message:
            "must be arn on EC2 capacity: a task in bridge mode answers from a bridge address, not an IP of its own (add kind: arn and a field holding the task's ARN)",
        },
      ];
    }
  }
  if (networkMode === 'public' && !identity) {
    return [
      {
        path: at('verify'),
        message:
          'needs identity in network mode public: without NAT the verify step runs outside the VPC and sees the tasks only through the load balancer',
      },
    ];
  }
  return [];
}

const shown = (architecture: 'X86_64' | 'ARM64') => architecture.toLowerCase();

import type { TargetDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Scope } from '../../core/scope.js';
import { AwsError } from '../../http/aws-error.js';

/** A running instance's address by its EC2 instance id, or undefined (ECS's container instances answer it). */
export type InstanceAddresses = (ec2InstanceId: string, scope: Scope) => string | undefined;

const INSTANCE_ID = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;

/** An instance target group's targets as AWS checks them: instance ids, each with a port in range. */
export function checkInstanceTargets(targets: TargetDescription[]): TargetDescription[] {
  for (const t of targets) {
    if (!INSTANCE_ID.test(t.Id ?? ''))
      throw new AwsError('ValidationError', `The instance ID '${t.Id}' is not valid`);
    if (t.Port !== undefined && (!Number.isInteger(t.Port) || t.Port < 1 || t.Port > 65535))
      throw new AwsError('ValidationError', `Port must be an integer from 1 to 65535 (got ${t.Port})`);
  }
  return targets;
}

/**
 * Where each target is reached: the instance's address. An instance that
 * is not running here (no such container instance) can't be registered,
 * in AWS's words.
 */
export function instanceHosts(
  targets: TargetDescription[],
  addresses: InstanceAddresses | undefined,
  scope: Scope,
): string[] {
  const hosts = targets.map((t) => addresses?.(t.Id ?? '', scope));
  const missing = targets.filter((_, i) => hosts[i] === undefined).map((t) => `'${t.Id}'`);
  if (missing.length > 0)
    throw new AwsError(
      'InvalidTarget',
      `The following targets are not in a running state and cannot be registered: ${missing.join(', ')}`,
    );
  return hosts as string[];
}

import { DescribeServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { TargetNotFoundError } from './errors.js';

/** Describes the one service, or throws TargetNotFoundError naming it and the cluster. */
export async function describeService(ecs: ECSClient, cluster: string, service: string): Promise<Service> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const found = out.services?.find((s) => s.serviceName === service && s.status !== 'INACTIVE');
  if (!found) {
    const reason = out.failures?.[0]?.reason;
    throw new TargetNotFoundError(
      `Service ${service} not found in cluster ${cluster}${reason ? ` (${reason})` : ''}`,
    );
  }
  return found;
}

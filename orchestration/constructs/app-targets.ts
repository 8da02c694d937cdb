import type { ServiceModel } from '../../manifest/model.js';
import type { AppStack } from '../app-stack.js';
import type { BuildSettings, PipelineTarget } from './pipeline-target.js';

/** Each service of the app stack as the pipeline deploys it. */
export function pipelineTargets(stack: AppStack): PipelineTarget[] {
  return [...stack.services.values()].map((s) => {
    const model = s.model;
    return {
      service: s.service,
      serviceName: model.name,
      cluster: stack.cluster,
      clusterName: stack.clusterName,
      containerName: model.name,
      containerPort: model.port,
      repository: s.repository,
      targetGroup: s.targetGroup,
      loadBalancerUrl: stack.loadBalancerUrl,
      ...(stack.model.domain ? { serverName: stack.model.domain.name } : {}),
      taskRole: s.taskRole,
      executionRole: s.executionRole,
      tables: Object.fromEntries(
        model.tableAccess.flatMap((a) => {
          const table = stack.tables.get(a.table);
          return table ? [[a.table, table]] : [];
        }),
      ),
      verify: model.verify,
      // A Lambda function in a public subnet gets no public IP: without NAT it can't reach the load balancer from there.
      ...(stack.network.assignPublicIp
        ? {}
        : { network: { vpc: stack.network.vpc, subnets: stack.network.taskSubnets } }),
      networkMode: model.capacity.kind === 'ec2' ? ('bridge' as const) : ('awsvpc' as const),
      build: buildSettings(model, stack.appUrl, stack.loadBalancer.loadBalancer.loadBalancerDnsName),
    };
  });
}

/**
 * The Dockerfile and build arguments of a service built from source; build
 * arguments may name the app's outputs, resolved here to CloudFormation
 * references (the load balancer's DNS name is known once the stack is).
 */
function buildSettings(model: ServiceModel, appUrl: string, dnsName: string): BuildSettings {
  if (model.image.kind !== 'build') return { dockerfile: 'Dockerfile', args: '' };
  const outputs: Record<string, string> = {
    'loadBalancer.dnsName': dnsName,
    'loadBalancer.url': appUrl,
  };
  const args = Object.entries(model.image.args).map(([name, value]) => {
    let text = value.template;
    for (const reference of value.references)
      text = text.replaceAll(`\${${reference}}`, outputs[reference] ?? '');
    return `${name}=${text}`;
  });
  return { dockerfile: model.image.dockerfile, args: args.join('\n') };
}

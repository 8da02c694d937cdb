import { DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import type { AppModel } from '../../manifest/model.js';
import { stackNames } from '../../orchestration/stack-names.js';
import { CommandFailedError } from '../errors.js';
import type { AwsClients } from './clients.js';
import type { Connection } from './connection.js';

/** One service of the app as its stack deployed it. */
export interface ServiceResources {
  serviceName: string;
  repositoryUri: string;
  /** The repository's name: the URI's path. */
  repositoryName: string;
}

/**
 * What the commands work on, found as on AWS: the outputs of the app's two
 * stacks (CloudFormation DescribeStacks), which the local cloud serves for
 * what it provisioned.
 */
export interface AppResources {
  cluster: string;
  loadBalancerUrl: string;
  loadBalancerDnsName: string;
  /** By the manifest's service name. */
  services: Record<string, ServiceResources>;
  stateMachineArn: string;
  recordsTable: string;
  sourceBucket: string;
  startFunction: string;
}

/** `orders-api` → `OrdersApi`: the stack's output names (orchestration/app-stack.ts names them so). */
export const outputName = (service: string, suffix: string): string =>
  `${service.replace(/(^|[-_])([a-zA-Z0-9])/g, (_, __, c: string) => c.toUpperCase())}${suffix}`;

export async function findResources(
  clients: AwsClients,
  app: AppModel,
  where: Connection,
): Promise<AppResources> {
  const names = stackNames(app.name);
  const [appStack, pipeline] = await Promise.all([
    stackOutputs(clients, names.app, where),
    stackOutputs(clients, names.pipeline, where),
  ]);
  const need = (outputs: Map<string, string>, stack: string, key: string): string => {
    const value = outputs.get(key);
    if (value === undefined)
      throw new CommandFailedError(
        `The stack ${stack} has no output ${key}: it was deployed by another stepship version, or from another stepship.yml. Deploy the app again (stepship synth, then cdk deploy).`,
      );
    return value;
  };
  const services = Object.fromEntries(
    app.services.map((s) => {
      const repositoryUri = need(appStack, names.app, outputName(s.name, 'RepositoryUri'));
      return [
        s.name,
        {
          serviceName: need(appStack, names.app, outputName(s.name, 'ServiceName')),
          repositoryUri,
          repositoryName: repositoryUri.slice(repositoryUri.indexOf('/') + 1),
        },
      ];
    }),
  );
  return {
    cluster: need(appStack, names.app, 'ClusterName'),
    loadBalancerUrl: need(appStack, names.app, 'LoadBalancerUrl'),
    loadBalancerDnsName: need(appStack, names.app, 'LoadBalancerDnsName'),
    services,
    stateMachineArn: need(pipeline, names.pipeline, 'StateMachineArn'),
    recordsTable: need(pipeline, names.pipeline, 'RecordsTableName'),
    sourceBucket: need(pipeline, names.pipeline, 'SourceBucketName'),
    startFunction: need(pipeline, names.pipeline, 'StartDeploymentFunctionName'),
  };
}

async function stackOutputs(
  clients: AwsClients,
  stack: string,
  where: Connection,
): Promise<Map<string, string>> {
  let outputs: Output[];
  try {
    const out = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: stack }));
    outputs = out.Stacks?.[0]?.Outputs ?? [];
  } catch (err) {
    if (err instanceof Error && err.name === 'ValidationError' && /does not exist/.test(err.message))
      throw new CommandFailedError(notDeployed(stack, where));
    throw err;
  }
  return new Map(
    outputs.flatMap((o) => (o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [])),
  );
}

function notDeployed(stack: string, where: Connection): string {
  return where.target === 'local'
    ? `The local cloud at ${where.endpoint} has no stack ${stack}: it serves another app. Start this one with \`stepship start\` in its folder (or --app DIR), or use --aws.`
    : `The stack ${stack} is not deployed in ${where.region}. Deploy the app first (stepship synth, then cdk deploy), set AWS_REGION or AWS_PROFILE to where it is, or start it locally with \`stepship start\`.`;
}

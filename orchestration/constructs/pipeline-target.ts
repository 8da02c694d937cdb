import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { DeployTarget, DeployTargets } from '../../functions/contract/shapes.js';
import type { VerifyModel } from '../../manifest/model.js';

/**
 * One service the pipeline deploys, as the stack that defines it hands it
 * over: the constructs the pipeline grants access to, and what the steps
 * need at run time. The pipeline takes a list of these, so a new service
 * needs no change to it.
 */
export interface PipelineTarget {
  service: ecs.BaseService;
  /** The service's and cluster's fixed names, so policies and the steps need no cross-stack token for them. */
  serviceName: string;
  cluster: ecs.ICluster;
  clusterName: string;
  containerName: string;
  containerPort: number;
  repository: ecr.IRepository;
  targetGroup: elbv2.IApplicationTargetGroup;
  /** The load balancer by its own DNS name (`https://` when the app has a domain): verification connects here. */
  loadBalancerUrl: string;
  /** The app's domain: verification asks for it by Host and TLS server name, so it never needs public DNS. */
  serverName?: string;
  /** The roles the service's task definition passes to ECS; registering a new revision passes them again. */
  taskRole: iam.IRole;
  executionRole: iam.IRole;
  /** The app's tables this service may reach, by logical name. */
  tables: Record<string, dynamodb.ITable>;
  verify: VerifyModel;
  /**
   * Where the tasks run, when the verify step can join it there and be
   * admitted to the tasks on their port; absent when it cannot (public
   * subnets only, no NAT): it then runs outside the VPC and checks through the
   * load balancer alone, which the app's identity route makes enough.
   */
  network?: { vpc: ec2.IVpc; subnets: ec2.SubnetSelection };
  /** awsvpc: each task has an IP (ip target); bridge: tasks on instances' host ports (instance target). */
  networkMode: 'awsvpc' | 'bridge';
  /** How a build from source builds this service's image. */
  build: BuildSettings;
}

export interface BuildSettings {
  /** The Dockerfile's path within the uploaded build context. */
  dockerfile: string;
  /** Build arguments, `NAME=value` per line (values may hold deploy-time tokens, e.g. the load balancer's name). */
  args: string;
}

/** What the steps receive for a target: plain values (tokens resolve at deploy time). */
export function deployTargetOf(t: PipelineTarget): DeployTarget {
  return {
    service: t.serviceName,
    cluster: t.clusterName,
    containerName: t.containerName,
    containerPort: t.containerPort,
    repositoryName: t.repository.repositoryName,
    repositoryUri: t.repository.repositoryUri,
    targetGroupArn: t.targetGroup.targetGroupArn,
    loadBalancerUrl: t.loadBalancerUrl.replace(/\/+$/, ''),
    ...(t.serverName ? { serverName: t.serverName } : {}),
    tables: Object.fromEntries(Object.entries(t.tables).map(([name, table]) => [name, table.tableName])),
    verify: t.verify,
    build: t.build,
  };
}

export function deployTargetsOf(targets: PipelineTarget[]): DeployTargets {
  return Object.fromEntries(targets.map((t) => [t.serviceName, deployTargetOf(t)]));
}

/**
 * Mistakes in the targets that would otherwise surface only mid-deployment:
 * none or duplicate services, checks naming tables the service can't reach,
 * networks the one verify function can't join together, tasks it could not
 * tell apart without an identity route, and keys Step Functions would read as
 * paths (a key ending in `.$` in the definition's literal).
 */
export function targetProblems(targets: PipelineTarget[]): string[] {
  const problems: string[] = [];
  if (targets.length === 0) problems.push('The pipeline needs at least one target service');
  const names = targets.map((t) => t.serviceName);
  for (const name of new Set(names.filter((n, i) => names.indexOf(n) !== i)))
    problems.push(`Service ${name} is listed more than once`);
  const vpcs = new Set(targets.map((t) => t.network?.vpc));
  if (vpcs.size > 1) problems.push('All target services must run in one VPC: the verify step joins it');
  for (const t of targets) {
    if (!t.network && !t.verify.identity)
      problems.push(
        `${t.serviceName}: the verify step runs outside the VPC, so it needs an identity route to tell the new tasks apart`,
      );
    if (t.networkMode === 'bridge' && t.verify.identity?.kind !== 'arn')
      problems.push(
        `${t.serviceName}: tasks in bridge mode have no IP of their own; verification needs an identity route of kind arn`,
      );
    for (const reference of JSON.stringify(t.verify).matchAll(/\$\{table:([^}]*)\}/g)) {
      if (!Object.hasOwn(t.tables, reference[1] ?? ''))
        problems.push(
          `${t.serviceName}'s checks refer to \${table:${reference[1]}}, which is not one of its tables`,
        );
    }
    const keys = [...Object.keys(t.tables), ...t.verify.checks.flatMap((c) => Object.keys(c.json))];
    for (const key of keys.filter((k) => k.endsWith('.$')))
      problems.push(`${t.serviceName}: "${key}" ends with ".$", which Step Functions would read as a path`);
  }
  return problems;
}

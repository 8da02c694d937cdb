import { createHash } from 'node:crypto';
import type { Scope } from './scope.js';

/**
 * Every ARN the local cloud hands out is built here, and every ARN it is
 * given is parsed here, so resources name each other the way AWS names them.
 */
export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  /** Everything after the account: `cluster/web`, `function:name`, … */
  resource: string;
}

const PARTITION = 'aws';

export function formatArn(
  scope: Partial<Scope>,
  service: string,
  resource: string,
  { global = false }: { global?: boolean } = {},
): string {
  return `arn:${PARTITION}:${service}:${global ? '' : (scope.region ?? '')}:${scope.accountId ?? ''}:${resource}`;
}

/** The parts of an ARN, or undefined when `value` is not one. */
export function parseArn(value: unknown): ParsedArn | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/.exec(value);
  if (!match) return undefined;
  const [, partition = '', service = '', region = '', accountId = '', resource = ''] = match;
  return { partition, service, region, accountId, resource };
}

/** The scope an ARN names, falling back to `fallback` for global ARNs. */
export function scopeOfArn(arn: ParsedArn, fallback: Scope): Scope {
  return { accountId: arn.accountId || fallback.accountId, region: arn.region || fallback.region };
}

/** The ARN builders, one per resource type, in AWS's own formats. */
export const arns = {
  ecsCluster: (s: Scope, name: string) => formatArn(s, 'ecs', `cluster/${name}`),
  ecsService: (s: Scope, cluster: string, name: string) => formatArn(s, 'ecs', `service/${cluster}/${name}`),
  ecsTask: (s: Scope, cluster: string, id: string) => formatArn(s, 'ecs', `task/${cluster}/${id}`),
  ecsContainer: (s: Scope, cluster: string, task: string, id: string) =>
    formatArn(s, 'ecs', `container/${cluster}/${task}/${id}`),
  ecsContainerInstance: (s: Scope, cluster: string, id: string) =>
    formatArn(s, 'ecs', `container-instance/${cluster}/${id}`),
  ecsCapacityProvider: (s: Scope, name: string) => formatArn(s, 'ecs', `capacity-provider/${name}`),
  ecsTaskDefinition: (s: Scope, family: string, revision: number) =>
    formatArn(s, 'ecs', `task-definition/${family}:${revision}`),
  /** Every revision of a family: what RegisterTaskDefinition is authorized against before its revision exists. */
  ecsTaskDefinitionFamily: (s: Scope, family: string) => formatArn(s, 'ecs', `task-definition/${family}:*`),
  /** CloudFormation's Ref is the group's name; its ARN carries an id, here derived from the name. */
  autoScalingGroup: (s: Scope, name: string) =>
    formatArn(
      s,
      'autoscaling',
      `autoScalingGroup:${createHash('sha256')
        .update(name)
        .digest('hex')
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5')}:autoScalingGroupName/${name}`,
    ),
  scalableTarget: (s: Scope, id: string) => formatArn(s, 'application-autoscaling', `scalable-target/${id}`),
  scalingPolicy: (s: Scope, id: string, ns: string, resourceId: string, name: string) =>
    formatArn(s, 'autoscaling', `scalingPolicy:${id}:resource/${ns}/${resourceId}:policyName/${name}`),
  cloudwatchAlarm: (s: Scope, name: string) => formatArn(s, 'cloudwatch', `alarm:${name}`),
  acmCertificate: (s: Scope, id: string) => formatArn(s, 'acm', `certificate/${id}`),
  ecrRepository: (s: Scope, name: string) => formatArn(s, 'ecr', `repository/${name}`),
  codebuildProject: (s: Scope, name: string) => formatArn(s, 'codebuild', `project/${name}`),
  codebuildBuild: (s: Scope, id: string) => formatArn(s, 'codebuild', `build/${id}`),
  elbLoadBalancer: (s: Scope, name: string, id: string) =>
    formatArn(s, 'elasticloadbalancing', `loadbalancer/app/${name}/${id}`),
  elbListener: (s: Scope, lbName: string, lbId: string, id: string) =>
    formatArn(s, 'elasticloadbalancing', `listener/app/${lbName}/${lbId}/${id}`),
  elbListenerRule: (s: Scope, lbName: string, lbId: string, listenerId: string, id: string) =>
    formatArn(s, 'elasticloadbalancing', `listener-rule/app/${lbName}/${lbId}/${listenerId}/${id}`),
  elbTargetGroup: (s: Scope, name: string, id: string) =>
    formatArn(s, 'elasticloadbalancing', `targetgroup/${name}/${id}`),
  eventsRule: (s: Scope, name: string, bus = 'default') =>
    formatArn(s, 'events', bus === 'default' ? `rule/${name}` : `rule/${bus}/${name}`),
  eventsBus: (s: Scope, name: string) => formatArn(s, 'events', `event-bus/${name}`),
  logGroup: (s: Scope, name: string) => formatArn(s, 'logs', `log-group:${name}:*`),
  /** The log group's ARN without the trailing `:*` (DescribeLogGroups' `logGroupArn`, `logGroupIdentifier`). */
  logGroupExact: (s: Scope, name: string) => formatArn(s, 'logs', `log-group:${name}`),
  logStream: (s: Scope, group: string, stream: string) =>
    formatArn(s, 'logs', `log-group:${group}:log-stream:${stream}`),
  lambdaFunction: (s: Scope, name: string) => formatArn(s, 'lambda', `function:${name}`),
  lambdaQualified: (s: Scope, name: string, qualifier: string) =>
    formatArn(s, 'lambda', `function:${name}:${qualifier}`),
  stateMachine: (s: Scope, name: string) => formatArn(s, 'states', `stateMachine:${name}`),
  execution: (s: Scope, machine: string, name: string) =>
    formatArn(s, 'states', `execution:${machine}:${name}`),
  dynamodbTable: (s: Scope, name: string) => formatArn(s, 'dynamodb', `table/${name}`),
  kmsAlias: (s: Scope, alias: string) => formatArn(s, 'kms', `alias/${alias}`),
  dynamodbIndex: (s: Scope, table: string, index: string) =>
    formatArn(s, 'dynamodb', `table/${table}/index/${index}`),
  s3Bucket: (name: string) => `arn:${PARTITION}:s3:::${name}`,
  s3Object: (bucket: string, key: string) => `arn:${PARTITION}:s3:::${bucket}/${key}`,
  ssmParameter: (s: Scope, name: string) =>
    formatArn(s, 'ssm', `parameter${name.startsWith('/') ? '' : '/'}${name}`),
  secret: (s: Scope, name: string, suffix: string) =>
    formatArn(s, 'secretsmanager', `secret:${name}-${suffix}`),
  /** `path` is IAM's: `/` or `/a/b/`. */
  iamRole: (s: Scope, name: string, path = '/') =>
    formatArn(s, 'iam', `role${path}${name}`, { global: true }),
  iamPolicy: (s: Scope, name: string, path = '/') =>
    formatArn(s, 'iam', `policy${path}${name}`, { global: true }),
  /** A policy AWS manages (`service-role/AWSLambdaBasicExecutionRole`): its account is `aws`. */
  awsManagedPolicy: (pathAndName: string) =>
    formatArn({ accountId: 'aws' }, 'iam', `policy/${pathAndName}`, { global: true }),
  /** The principal of a role's session, as IAM names it in its errors. */
  stsAssumedRole: (s: Scope, role: string, session: string) =>
    formatArn(s, 'sts', `assumed-role/${role}/${session}`, { global: true }),
  iamRoot: (s: Scope) => formatArn(s, 'iam', 'root', { global: true }),
  stack: (s: Scope, name: string) => formatArn(s, 'cloudformation', `stack/${name}/local`),
};

/** The resource name an ARN ends with (`…:cluster/web` → `web`), or the value itself when it is a plain name. */
export function lastSegment(value: string): string {
  const parsed = parseArn(value);
  const resource = parsed ? parsed.resource : value;
  return resource.split(/[/:]/).pop() ?? resource;
}

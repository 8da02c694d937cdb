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
  ecsTaskDefinition: (s: Scope, family: string, revision: number) =>
    formatArn(s, 'ecs', `task-definition/${family}:${revision}`),
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
  s3Bucket: (name: string) => `arn:${PARTITION}:s3:::${name}`,
  iamRole: (s: Scope, name: string) => formatArn(s, 'iam', `role/${name}`, { global: true }),
  iamRoot: (s: Scope) => formatArn(s, 'iam', 'root', { global: true }),
  stack: (s: Scope, name: string) => formatArn(s, 'cloudformation', `stack/${name}/local`),
};

/** The resource name an ARN ends with (`…:cluster/web` → `web`), or the value itself when it is a plain name. */
export function lastSegment(value: string): string {
  const parsed = parseArn(value);
  const resource = parsed ? parsed.resource : value;
  return resource.split(/[/:]/).pop() ?? resource;
}

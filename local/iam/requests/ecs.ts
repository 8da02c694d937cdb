import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { arns, lastSegment, parseArn } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import { check, named, rule, ServiceRules, text, texts } from './rules.js';

/** ECS takes a cluster by name or ARN, and means `default` when none is given. */
const clusterArn = (scope: Scope, cluster: unknown) => {
  const ref = text(cluster) ?? 'default';
  return parseArn(ref) ? ref : arns.ecsCluster(scope, ref);
};
const clusterName = (cluster: unknown) => lastSegment(text(cluster) ?? 'default');
const serviceArn = (scope: Scope, cluster: unknown, service: string) =>
  parseArn(service) ? service : arns.ecsService(scope, clusterName(cluster), service);
const containerInstanceArn = (scope: Scope, cluster: unknown, id: string) =>
  parseArn(id) ? id : arns.ecsContainerInstance(scope, clusterName(cluster), id);
const taskArn = (scope: Scope, cluster: unknown, task: string) =>
  parseArn(task) ? task : arns.ecsTask(scope, clusterName(cluster), task);

/** `ecs:task-definition` when the request names a revision (a bare family names whichever is latest). */
function taskDefinitionKey(scope: Scope, reference: unknown): string | undefined {
  const ref = text(reference);
  if (!ref) return undefined;
  if (parseArn(ref)) return ref;
  const match = /^(.+):(\d+)$/.exec(ref);
  return match ? arns.ecsTaskDefinition(scope, match[1] as string, Number(match[2])) : undefined;
}

/**
 * ECS, per the Service Authorization Reference: services and tasks by ARN
 * with the `ecs:cluster` key; listings on `*` with `ecs:cluster` (ListTasks
 * is documented on container instances, but AWS evaluates it on `*`);
 * task definitions registered on their family, passing their roles to
 * `ecs-tasks.amazonaws.com`.
 */
export const ecsRules = new ServiceRules('ecs', [
  rule(DescribeServicesCommand, (input, scope, action) =>
    texts(input.services).map((s) =>
      check(action, serviceArn(scope, input.cluster, s), { 'ecs:cluster': clusterArn(scope, input.cluster) }),
    ),
  ),
  rule(UpdateServiceCommand, (input, scope, action) =>
    named(input.service, (service) =>
      check(action, serviceArn(scope, input.cluster, service), {
        'ecs:cluster': clusterArn(scope, input.cluster),
        'ecs:task-definition': taskDefinitionKey(scope, input.taskDefinition),
      }),
    ),
  ),
  rule(CreateServiceCommand, (input, scope, action) =>
    named(input.serviceName, (service) =>
      check(action, serviceArn(scope, input.cluster, service), {
        'ecs:cluster': clusterArn(scope, input.cluster),
        'ecs:task-definition': taskDefinitionKey(scope, input.taskDefinition),
      }),
    ),
  ),
  rule(DeleteServiceCommand, (input, scope, action) =>
    named(input.service, (service) =>
      check(action, serviceArn(scope, input.cluster, service), {
        'ecs:cluster': clusterArn(scope, input.cluster),
      }),
    ),
  ),
  rule(ListServicesCommand, (input, scope, action) => [
    check(action, '*', { 'ecs:cluster': clusterArn(scope, input.cluster) }),
  ]),
  rule(ListTasksCommand, (input, scope, action) => [
    check(action, '*', { 'ecs:cluster': clusterArn(scope, input.cluster) }),
  ]),
  rule(DescribeTasksCommand, (input, scope, action) =>
    texts(input.tasks).map((t) =>
      check(action, taskArn(scope, input.cluster, t), { 'ecs:cluster': clusterArn(scope, input.cluster) }),
    ),
  ),
  // On the revision it runs (a bare family: any of its revisions), in the cluster it names.
  rule(RunTaskCommand, (input, scope, action) => {
    const reference = text(input.taskDefinition);
    if (!reference) return [];
    const resource =
      taskDefinitionKey(scope, reference) ??
      (parseArn(reference) ? reference : arns.ecsTaskDefinitionFamily(scope, reference));
    return [check(action, resource, { 'ecs:cluster': clusterArn(scope, input.cluster) })];
  }),
  rule(StopTaskCommand, (input, scope, action) =>
    named(input.task, (task) =>
      check(action, taskArn(scope, input.cluster, task), { 'ecs:cluster': clusterArn(scope, input.cluster) }),
    ),
  ),
  rule(RegisterTaskDefinitionCommand, (input, scope, action) => {
    const family = text(input.family);
    if (!family) return [];
    const passed = [input.taskRoleArn, input.executionRoleArn].map(text).filter((r) => r !== undefined);
    return [
      check(action, arns.ecsTaskDefinitionFamily(scope, family), {
        'ecs:task-cpu': text(input.cpu),
        'ecs:task-memory': text(input.memory),
      }),
      ...[...new Set(passed)].map((role) =>
        check('iam:PassRole', role, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }),
      ),
    ];
  }),
  // Container instances by ARN, listed on the cluster; capacity providers by ARN (all of them: `*`).
  rule(DescribeContainerInstancesCommand, (input, scope, action) =>
    texts(input.containerInstances).map((i) =>
      check(action, containerInstanceArn(scope, input.cluster, i), {
        'ecs:cluster': clusterArn(scope, input.cluster),
      }),
    ),
  ),
  rule(ListContainerInstancesCommand, (input, scope, action) => [
    check(action, clusterArn(scope, input.cluster)),
  ]),
  rule(DescribeCapacityProvidersCommand, (input, scope, action) => {
    const names = texts(input.capacityProviders);
    return names.length === 0
      ? [check(action, '*')]
      : names.map((n) => check(action, parseArn(n) ? n : arns.ecsCapacityProvider(scope, n)));
  }),
  rule(CreateClusterCommand, (input, scope, action) => [
    check(action, arns.ecsCluster(scope, text(input.clusterName) ?? 'default')),
  ]),
  rule(DeleteClusterCommand, (input, scope, action) => [check(action, clusterArn(scope, input.cluster))]),
  rule(DescribeClustersCommand, (input, scope, action) => {
    const clusters = texts(input.clusters);
    return (clusters.length > 0 ? clusters : ['default']).map((c) => check(action, clusterArn(scope, c)));
  }),
]);

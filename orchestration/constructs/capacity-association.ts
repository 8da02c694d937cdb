import type * as ecs from 'aws-cdk-lib/aws-ecs';
import { Dependable, type IDependable } from 'constructs';

/**
 * The cluster's capacity provider association, as something a service can
 * depend on. CDK adds the association only while synthesizing (an aspect of
 * the cluster, child of it under the cluster's own id), so its roots are read
 * then, when dependencies are resolved. A service using a capacity provider
 * must depend on it: created before it, the service finds no provider on the
 * cluster; deleted after it, it keeps the provider in use and the association
 * can't go.
 */
export function capacityProviderAssociation(cluster: ecs.Cluster): IDependable {
  const dependable: IDependable = {};
  Dependable.implement(dependable, {
    get dependencyRoots() {
      const association = cluster.node.tryFindChild(cluster.node.id);
      if (!association) throw new Error(`Cluster ${cluster.node.path} has no capacity provider association`);
      return [association];
    },
  });
  return dependable;
}

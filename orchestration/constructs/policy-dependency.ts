import { type CfnElement, type CfnResource, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';

/**
 * CDK makes a resource that uses a role depend on the role and on the role's
 * policy. The role is already a dependency through its `Fn::GetAtt`
 * (cfn-lint W3005); only the policy, which must exist before the resource
 * first acts, needs to be named.
 */
export function dependOnPolicyOnly(resource: CfnResource, role: iam.IRole): void {
  const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild as CfnElement | undefined;
  if (!policy) return;
  resource.addOverride('DependsOn', [Stack.of(resource).getLogicalId(policy)]);
}

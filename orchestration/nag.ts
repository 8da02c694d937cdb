import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges specific cdk-nag findings on `scope`, each with the reason it
 * is acceptable. A finding names the exact resource pattern (e.g.
 * `AwsSolutions-IAM5[Resource::<Fn.Arn>:*]`), so nothing broader is waived.
 */
export function acknowledge(scope: IConstruct, findings: string[], reason: string): void {
  for (const id of findings) Validations.of(scope).acknowledge({ id, reason });
}

/** How cdk-nag renders a construct's `Fn::GetAtt …Arn` inside a finding id. */
export function arnRef(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnElement;
  return `<${Stack.of(construct).getLogicalId(resource)}.Arn>`;
}

/** How cdk-nag renders an ARN built with Stack.formatArn for this stack's (fixed) region. */
export function arnPattern(scope: IConstruct, service: string, rest: string): string {
  return `arn:<AWS::Partition>:${service}:${Stack.of(scope).region}:<AWS::AccountId>:${rest}`;
}

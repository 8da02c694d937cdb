import type { PolicyDocument } from './policy-document.js';

/** A role as IAM holds it: its identity policies, by kind, and what bounds them. */
export interface Role {
  arn: string;
  name: string;
  /** `/` or `/a/b/`. */
  path: string;
  /** `AROA…`: the first half of `aws:userid` for its sessions. */
  roleId: string;
  /** Inline policies by name: the role's `Policies`, and `AWS::IAM::Policy`/`RolePolicy` resources naming it. */
  inline: Map<string, PolicyDocument>;
  /** Attached managed policies (customer-managed or AWS-managed), by ARN. */
  attached: Set<string>;
  /** A managed policy's ARN: what the role may do at most, whatever its policies allow. */
  permissionsBoundary?: string;
  tags: Record<string, string>;
}

/** A customer-managed policy (`AWS::IAM::ManagedPolicy`). */
export interface ManagedPolicy {
  arn: string;
  name: string;
  /** `ANPA…` */
  policyId: string;
  document: PolicyDocument;
}

/** One account's IAM (IAM is global: one store per account, whatever the region). */
export class IamStore {
  readonly roles = new Map<string, Role>();
  readonly policies = new Map<string, ManagedPolicy>();
}

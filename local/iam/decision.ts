import { type AuthorizationRequest, evaluate } from './evaluator.js';
import type { PolicyDocument } from './policy-document.js';

/** What bounds a role's session: its identity policies, and its permissions boundary. */
export interface PolicySet {
  identity: PolicyDocument[];
  /**
   * Policies the local cloud cannot read (an AWS-managed policy missing from
   * aws-managed-policies.ts, a customer-managed one the templates do not
   * define, every policy of a role they do not define). What they grant is
   * unknown, so a role that has any is not refused by implicit deny: the
   * local cloud must not refuse what AWS may allow.
   */
  unseen: string[];
  boundary?: PolicyDocument | 'unseen';
}

/** A refusal, worded as AWS words it. */
export interface Denial {
  action: string;
  resource: string;
  explicit: boolean;
  message: string;
}

/**
 * IAM's decision for one request of a role session (`principal`, the
 * `arn:aws:sts::…:assumed-role/<role>/<session>` its errors name): an
 * explicit Deny in the identity policies refuses; else no Allow refuses
 * (unless policies it cannot read may hold one); else the permissions
 * boundary must allow it too.
 */
export function decide(
  request: AuthorizationRequest,
  policies: PolicySet,
  principal: string,
): Denial | undefined {
  const refused = (explicit: boolean, by: string): Denial => {
    const what = `User: ${principal} is not authorized to perform: ${request.action} on resource: ${request.resource}`;
    return {
      action: request.action,
      resource: request.resource,
      explicit,
      message: explicit
        ? `${what} with an explicit deny in ${by}`
        : `${what} because no ${by} allows the ${request.action} action`,
    };
  };
  const identity = evaluate(request, policies.identity);
  if (identity.decision === 'ExplicitDeny') return refused(true, 'an identity-based policy');
  if (identity.decision === 'ImplicitDeny' && policies.unseen.length === 0)
    return refused(false, 'identity-based policy');
  if (policies.boundary && policies.boundary !== 'unseen') {
    const bounded = evaluate(request, [policies.boundary]);
    if (bounded.decision === 'ExplicitDeny') return refused(true, 'a permissions boundary');
    if (bounded.decision === 'ImplicitDeny') return refused(false, 'permissions boundary');
  }
  return undefined;
}

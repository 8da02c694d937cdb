import { type ContextValue, clauseHolds, takesPatterns } from './condition-operators.js';
import type { PolicyDocument, Statement } from './policy-document.js';
import { substituteVariables } from './policy-variables.js';
import { actionMatches, resourceMatches } from './wildcard.js';

/** What a request asks of IAM: one action on one resource, with the request's condition keys. */
export interface AuthorizationRequest {
  /** `ecs:UpdateService` */
  action: string;
  /** The ARN the request acts on, or `*` for actions without resource-level permissions. */
  resource: string;
  /** Condition keys by name (names are case-insensitive, as in IAM). */
  context: Readonly<Record<string, ContextValue>>;
}

export type Decision = 'Allow' | 'ImplicitDeny' | 'ExplicitDeny';

export interface Evaluation {
  decision: Decision;
  /** The statement that decided: the first Deny that applies, else the first Allow. */
  statement?: Statement;
}

/**
 * IAM's decision over a set of identity-based policies: an explicit Deny
 * in any statement that applies wins; otherwise an Allow that applies
 * allows; otherwise the request is implicitly denied.
 */
export function evaluate(request: AuthorizationRequest, policies: readonly PolicyDocument[]): Evaluation {
  const keys = new Map(Object.entries(request.context).map(([k, v]) => [k.toLowerCase(), v]));
  const contextValue = (key: string) => keys.get(key.toLowerCase());
  let allowing: Statement | undefined;
  for (const policy of policies) {
    for (const statement of policy.statements) {
      if (!applies(statement, policy.version, request, contextValue)) continue;
      if (statement.effect === 'Deny') return { decision: 'ExplicitDeny', statement };
      allowing ??= statement;
    }
  }
  return allowing ? { decision: 'Allow', statement: allowing } : { decision: 'ImplicitDeny' };
}

function applies(
  statement: Statement,
  version: PolicyDocument['version'],
  request: AuthorizationRequest,
  contextValue: (key: string) => ContextValue | undefined,
): boolean {
  const withVariables = (text: string, forPattern: boolean) =>
    version === '2012-10-17' ? substituteVariables(text, contextValue, forPattern) : text;
  const actionListed = (list: string[]) => list.some((p) => actionMatches(p, request.action));
  if (statement.action && !actionListed(statement.action)) return false;
  if (statement.notAction && actionListed(statement.notAction)) return false;
  const resourceListed = (list: string[]) =>
    list.some((p) => {
      const pattern = withVariables(p, true);
      return pattern !== undefined && resourceMatches(pattern, request.resource);
    });
  if (statement.resource && !resourceListed(statement.resource)) return false;
  if (statement.notResource && resourceListed(statement.notResource)) return false;
  return statement.conditions.every((clause) => {
    const patterns = takesPatterns(clause.operator);
    const values = clause.values.map((v) => withVariables(v, patterns));
    // A value whose variable is missing matches nothing; it stays out of the OR.
    const present = values.filter((v): v is string => v !== undefined);
    return clauseHolds({ ...clause, values: present }, contextValue(clause.key));
  });
}

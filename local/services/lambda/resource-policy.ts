import type { AddPermissionRequest } from '@aws-sdk/client-lambda';
import { AwsError } from '../../http/aws-error.js';
import type { ConditionClause } from '../../iam/condition-operators.js';
import { evaluate } from '../../iam/evaluator.js';
import { Constraints } from '../constraints.js';

/** One statement of a function's resource-based policy, as AddPermission (or AWS::Lambda::Permission) makes it. */
export interface Permission {
  sid: string;
  /** `*`, a service principal (`apigateway.amazonaws.com`), or an account's or principal's ARN. */
  principal: string;
  action: string;
  conditions: ConditionClause[];
  /** The statement as GetPolicy shows it. */
  document: Record<string, unknown>;
}

/** Who calls a function on its own behalf: a service, for a resource of its (the API, the rule). */
export interface ServiceInvocation {
  service: string;
  action: string;
  sourceArn?: string;
  sourceAccount?: string;
}

const validate = new Constraints('ValidationException');

/** The statement AddPermission adds to the policy of the function `functionArn`. */
export function permissionOf(functionArn: string, input: AddPermissionRequest): Permission {
  const sid = input.StatementId ?? '';
  const action = input.Action ?? '';
  const principal = input.Principal ?? '';
  validate.length('statementId', sid, 1, 100);
  validate.pattern('statementId', sid, /^[a-zA-Z0-9-_.]+$/, '([a-zA-Z0-9-_.]+)');
  validate.pattern(
    'action',
    action,
    /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/,
    '(lambda:[*]|lambda:[a-zA-Z]+|[*])',
  );
  validate.pattern('principal', principal, /^[^\s]+$/, '[^\\s]+');
  const conditions: ConditionClause[] = [];
  if (input.SourceArn !== undefined)
    conditions.push({ operator: 'ArnLike', key: 'AWS:SourceArn', values: [input.SourceArn] });
  if (input.SourceAccount !== undefined)
    conditions.push({ operator: 'StringEquals', key: 'AWS:SourceAccount', values: [input.SourceAccount] });
  if (input.PrincipalOrgID !== undefined)
    conditions.push({ operator: 'StringEquals', key: 'aws:PrincipalOrgID', values: [input.PrincipalOrgID] });
  const condition: Record<string, Record<string, string>> = {};
  for (const c of conditions)
    condition[c.operator] = { ...condition[c.operator], [c.key]: c.values[0] ?? '' };
  return {
    sid,
    principal,
    action,
    conditions,
    document: {
      Sid: sid,
      Effect: 'Allow',
      Principal: principalElement(principal),
      Action: action,
      Resource: functionArn,
      ...(conditions.length > 0 ? { Condition: condition } : {}),
    },
  };
}

/** Adds a statement; a statement id in use is Lambda's ResourceConflictException. */
export function addPermission(policy: Permission[], permission: Permission): void {
  if (policy.some((p) => p.sid === permission.sid))
    throw new AwsError(
      'ResourceConflictException',
      `The statement id (${permission.sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
      409,
    );
  policy.push(permission);
}

/**
 * Whether the policy lets `call.service` invoke the function for the
 * resource it names: a statement for that service principal (or `*`) whose
 * action and conditions (AWS:SourceArn, AWS:SourceAccount) hold, as Lambda
 * checks a service's invocation against the function's policy.
 */
export function allowsService(
  policy: readonly Permission[],
  functionArn: string,
  call: ServiceInvocation,
): boolean {
  const statements = policy
    .filter((p) => p.principal === '*' || p.principal === call.service)
    .map((p) => ({
      effect: 'Allow' as const,
      action: [p.action],
      resource: ['*'],
      conditions: p.conditions,
    }));
  if (statements.length === 0) return false;
  const context: Record<string, string> = {};
  if (call.sourceArn !== undefined) context['AWS:SourceArn'] = call.sourceArn;
  if (call.sourceAccount !== undefined) context['AWS:SourceAccount'] = call.sourceAccount;
  const decision = evaluate({ action: call.action, resource: functionArn, context }, [
    { version: '2012-10-17', statements },
  ]);
  return decision.decision === 'Allow';
}

/** The policy document GetPolicy answers. */
export function policyDocument(policy: readonly Permission[]): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: policy.map((p) => p.document) });
}

function principalElement(principal: string): unknown {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (principal.startsWith('arn:')) return { AWS: principal };
  return { Service: principal };
}

import { type ConditionClause, parseOperator } from './condition-operators.js';

export type Effect = 'Allow' | 'Deny';

/** One statement, normalized: single values become lists, exactly one of each Action/NotAction and Resource/NotResource pair is set. */
export interface Statement {
  sid?: string;
  effect: Effect;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  conditions: ConditionClause[];
}

/** An identity-based policy, checked and normalized as IAM stores it. */
export interface PolicyDocument {
  /** Policy variables (`${aws:username}`) are substituted only under 2012-10-17. */
  version: '2012-10-17' | '2008-10-17';
  statements: Statement[];
}

/** IAM refused the document (its error code is MalformedPolicyDocument). */
export class MalformedPolicyDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedPolicyDocument';
  }
}

const malformed = (message: string): never => {
  throw new MalformedPolicyDocumentError(message);
};

const VENDOR_ACTION = /^[a-zA-Z0-9-]+:[a-zA-Z0-9*?-]+$/;

/**
 * Checks an identity-based policy (a JSON string, or the object a template
 * holds with its intrinsics already resolved) and returns it normalized.
 * What IAM would refuse at PutRolePolicy is refused here, so a broken
 * template fails at provisioning, not at the first request.
 */
export function parsePolicyDocument(raw: unknown): PolicyDocument {
  let document = raw;
  if (typeof raw === 'string') {
    try {
      document = JSON.parse(raw);
    } catch {
      malformed('Syntax errors in policy: the document is not valid JSON.');
    }
  }
  if (!isObject(document)) return malformed('The policy document must be a JSON object.');
  const version = document.Version ?? '2008-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17')
    malformed(
      `The policy document's Version must be 2012-10-17 or 2008-10-17 (got ${JSON.stringify(version)}).`,
    );
  const statements = document.Statement;
  if (statements === undefined) malformed('The policy document has no Statement.');
  const list = Array.isArray(statements) ? statements : [statements];
  if (list.length === 0) malformed('The policy document has no Statement.');
  return { version: version as PolicyDocument['version'], statements: list.map(parseStatement) };
}

function parseStatement(raw: unknown, index: number): Statement {
  const where = `Statement ${index + 1}`;
  if (!isObject(raw)) return malformed(`${where} must be a JSON object.`);
  if (raw.Principal !== undefined || raw.NotPrincipal !== undefined)
    malformed('Policy document should not specify a principal.');
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny')
    malformed(`${where}: Effect must be Allow or Deny (got ${JSON.stringify(raw.Effect)}).`);
  const statement: Statement = {
    effect: raw.Effect as Effect,
    conditions: parseConditions(raw.Condition, where),
  };
  if (typeof raw.Sid === 'string') statement.sid = raw.Sid;
  const action = strings(raw.Action, `${where} Action`);
  const notAction = strings(raw.NotAction, `${where} NotAction`);
  if ((action === undefined) === (notAction === undefined))
    malformed(`${where} must contain exactly one of Action and NotAction.`);
  for (const a of action ?? notAction ?? [])
    if (a !== '*' && !VENDOR_ACTION.test(a))
      malformed(
        `Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc. (${where}: "${a}")`,
      );
  const resource = strings(raw.Resource, `${where} Resource`);
  const notResource = strings(raw.NotResource, `${where} NotResource`);
  if ((resource === undefined) === (notResource === undefined))
    malformed(`${where} must contain exactly one of Resource and NotResource.`);
  if (action) statement.action = action;
  if (notAction) statement.notAction = notAction;
  if (resource) statement.resource = resource;
  if (notResource) statement.notResource = notResource;
  return statement;
}

function parseConditions(raw: unknown, where: string): ConditionClause[] {
  if (raw === undefined) return [];
  if (!isObject(raw)) return malformed(`${where}: Condition must be a JSON object.`);
  const clauses: ConditionClause[] = [];
  for (const [operator, block] of Object.entries(raw)) {
    if (!parseOperator(operator)) malformed(`${where}: invalid Condition operator "${operator}".`);
    if (!isObject(block)) return malformed(`${where}: Condition ${operator} must map keys to values.`);
    for (const [key, value] of Object.entries(block)) {
      const values = (Array.isArray(value) ? value : [value]).map((v) => {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
          malformed(`${where}: the values of ${operator} ${key} must be strings, numbers or booleans.`);
        return String(v);
      });
      clauses.push({ operator, key, values });
    }
  }
  return clauses;
}

/** A string or a non-empty list of strings, as a list; undefined when absent. */
function strings(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== 'string' || v === ''))
    malformed(`${where} must be a non-empty string or a list of them.`);
  return list as string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { arns, parseArn } from '../core/arns.js';
import type { Scope } from '../core/scope.js';
import { RegionalStores } from '../core/stores.js';
import { AccessKeys, type RoleCredentials } from './access-keys.js';
import { awsManagedPolicy, isAwsManagedPolicyArn } from './aws-managed-policies.js';
import { type Denial, decide, type PolicySet } from './decision.js';
import { parsePolicyDocument } from './policy-document.js';
import type { Check } from './requests/rules.js';
import { IamStore, type ManagedPolicy, type Role } from './store.js';

/** The principal a request acts as: a session of one of the local cloud's roles. */
export interface Caller {
  roleArn: string;
  session: string;
}

/** Where the request came from, for the global condition keys (`aws:SourceIp`, `aws:RequestedRegion`). */
export interface RequestOrigin {
  region: string;
  sourceIp?: string;
}

export interface RoleInput {
  roleName: string;
  path?: string;
  /** Inline policies, as `AWS::IAM::Role`'s `Policies` hold them. */
  policies?: { policyName: string; policyDocument: unknown }[];
  managedPolicyArns?: string[];
  permissionsBoundary?: string;
  tags?: { Key: string; Value: string }[];
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
const PATH = /^\/([\u0021-\u007e]*\/)?$/;

/** IAM refused a request (as EntityAlreadyExists, NoSuchEntity, ValidationError…). */
export class IamError extends Error {
  constructor(code: string, message: string) {
    super(message);
    this.name = code;
  }
}

/**
 * IAM for the local cloud's own principals: the roles and policies the
 * templates define (one store per account: IAM is global), credentials that
 * name a role for each function and task, and IAM's decision on what a
 * role's session may do. The endpoint asks it about every request signed
 * with such credentials (see request-screen.ts); provisioning fills it.
 */
export class Iam {
  readonly stores = new RegionalStores(() => new IamStore());
  private readonly keys: AccessKeys;

  /** `stateDir`: where the roles' secret keys are kept between runs. */
  constructor(options: { stateDir?: string } = {}) {
    this.keys = new AccessKeys(
      options.stateDir ? join(options.stateDir, 'iam', 'role-keys.json') : undefined,
    );
  }

  private store(scope: Pick<Scope, 'accountId'>): IamStore {
    return this.stores.of({ accountId: scope.accountId, region: '' });
  }

  // --- roles and policies (what provisioning creates) -------------------------------------------------

  createRole(scope: Scope, input: RoleInput): Role {
    const store = this.store(scope);
    if (!ROLE_NAME.test(input.roleName))
      throw new IamError('ValidationError', `Role name "${input.roleName}" must be 1 to 64 of [\\w+=,.@-]`);
    const path = input.path ?? '/';
    if (!PATH.test(path)) throw new IamError('ValidationError', `Path "${path}" must begin and end with /`);
    if (store.roles.has(input.roleName))
      throw new IamError('EntityAlreadyExists', `Role with name ${input.roleName} already exists.`);
    const arn = arns.iamRole(scope, input.roleName, path);
    const role: Role = {
      arn,
      name: input.roleName,
      path,
      roleId: `AROA${uniqueIdOf(arn)}`,
      inline: new Map(),
      attached: new Set(input.managedPolicyArns ?? []),
      tags: Object.fromEntries((input.tags ?? []).map((t) => [t.Key, t.Value])),
      ...(input.permissionsBoundary ? { permissionsBoundary: input.permissionsBoundary } : {}),
    };
    // Every inline policy is checked before the role exists, as CloudFormation creates it whole or not at all.
    const inline = (input.policies ?? []).map(
      (p) => [checkPolicyName(p.policyName), parsePolicyDocument(p.policyDocument)] as const,
    );
    for (const [name, document] of inline) role.inline.set(name, document);
    store.roles.set(role.name, role);
    return role;
  }

  putRolePolicy(scope: Scope, roleName: string, policyName: string, document: unknown): void {
    const role = this.role(scope, roleName);
    role.inline.set(checkPolicyName(policyName), parsePolicyDocument(document));
  }

  createPolicy(
    scope: Scope,
    input: { policyName: string; path?: string; policyDocument: unknown },
  ): ManagedPolicy {
    const store = this.store(scope);
    const arn = arns.iamPolicy(scope, checkPolicyName(input.policyName), input.path ?? '/');
    if (store.policies.has(arn))
      throw new IamError('EntityAlreadyExists', `A policy called ${input.policyName} already exists.`);
    const policy: ManagedPolicy = {
      arn,
      name: input.policyName,
      policyId: `ANPA${uniqueIdOf(arn)}`,
      document: parsePolicyDocument(input.policyDocument),
    };
    store.policies.set(arn, policy);
    return policy;
  }

  attachRolePolicy(scope: Scope, roleName: string, policyArn: string): void {
    this.role(scope, roleName).attached.add(policyArn);
  }

  private role(scope: Scope, roleName: string): Role {
    const role = this.store(scope).roles.get(roleName);
    if (!role) throw new IamError('NoSuchEntity', `The role with name ${roleName} cannot be found.`);
    return role;
  }

  /** The role an ARN names, in its own account. */
  findRole(roleArn: string): Role | undefined {
    const parsed = parseArn(roleArn);
    if (parsed?.service !== 'iam' || !parsed.resource.startsWith('role/')) return undefined;
    const role = this.store(parsed).roles.get(parsed.resource.split('/').pop() ?? '');
    return role?.arn === roleArn ? role : undefined;
  }

  // --- principals -------------------------------------------------------------------------------------

  /** Credentials for a session of the role (a function's name, a task's id as the session name). */
  credentialsFor(roleArn: string, session: string): RoleCredentials {
    return this.keys.issue(roleArn, session);
  }

  /** The secret of a role's key issued here, for checking the signatures made with it. */
  secretOf(accessKeyId: string): string | undefined {
    return this.keys.secretOf(accessKeyId);
  }

  /** The role session a request's access key and session token name; undefined for any key not issued here. */
  callerOf(accessKeyId: string, sessionToken?: string): Caller | undefined {
    return this.keys.holderOf(accessKeyId, sessionToken);
  }

  // --- decisions --------------------------------------------------------------------------------------

  /** The first check IAM would refuse for this caller, as the denial AWS reports; undefined when all are allowed. */
  authorize(caller: Caller, checks: readonly Check[], origin: RequestOrigin): Denial | undefined {
    const role = this.findRole(caller.roleArn);
    const policies = this.policiesOf(caller.roleArn, role);
    const account = parseArn(caller.roleArn)?.accountId ?? '';
    const roleName = caller.roleArn.split('/').pop() ?? caller.roleArn;
    const principal = arns.stsAssumedRole({ accountId: account, region: '' }, roleName, caller.session);
    const now = new Date();
    const global = {
      'aws:PrincipalArn': caller.roleArn,
      'aws:PrincipalAccount': account,
      'aws:PrincipalType': 'AssumedRole',
      'aws:userid': `${role?.roleId ?? 'AROAUNKNOWN'}:${caller.session}`,
      'aws:RequestedRegion': origin.region,
      'aws:CurrentTime': now.toISOString(),
      'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
      // Clients reach AWS over TLS; the local cloud's plain loopback stands in for it.
      'aws:SecureTransport': 'true',
      'aws:ViaAWSService': 'false',
      ...(origin.sourceIp ? { 'aws:SourceIp': origin.sourceIp } : {}),
      ...Object.fromEntries(Object.entries(role?.tags ?? {}).map(([k, v]) => [`aws:PrincipalTag/${k}`, v])),
    };
    for (const c of checks) {
      const denial = decide(
        { action: c.action, resource: c.resource, context: { ...global, ...c.context } },
        policies,
        principal,
      );
      if (denial) return denial;
    }
    return undefined;
  }

  /**
   * A role's identity policies and boundary; what the local cloud cannot see
   * is reported, not guessed. A role the templates do not define (imported
   * by ARN) has policies it cannot see at all.
   */
  private policiesOf(roleArn: string, role: Role | undefined): PolicySet {
    const set: PolicySet = { identity: [], unseen: [] };
    if (!role) {
      set.unseen.push(roleArn);
      return set;
    }
    set.identity.push(...role.inline.values());
    for (const arn of role.attached) {
      const document = this.managedPolicy(arn);
      if (document) set.identity.push(document);
      else set.unseen.push(arn);
    }
    if (role.permissionsBoundary) {
      const boundary = this.managedPolicy(role.permissionsBoundary);
      set.boundary = boundary ?? 'unseen';
    }
    return set;
  }

  private managedPolicy(arn: string) {
    if (isAwsManagedPolicyArn(arn)) return awsManagedPolicy(arn);
    const parsed = parseArn(arn);
    return parsed ? this.store(parsed).policies.get(arn)?.document : undefined;
  }
}

/** The 17 characters after IAM's unique-id prefix (AROA…, ANPA…), stable for an ARN. */
const uniqueIdOf = (arn: string) => createHash('sha256').update(arn).digest('hex').slice(0, 17).toUpperCase();

function checkPolicyName(name: string): string {
  if (!POLICY_NAME.test(name))
    throw new IamError('ValidationError', `Policy name "${name}" must be 1 to 128 of [\\w+=,.@-]`);
  return name;
}

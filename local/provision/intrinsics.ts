/**
 * CloudFormation intrinsic functions, resolved against what a provisioner
 * knows: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`,
 * `Fn::Split`, `Fn::GetAZs`, `Fn::ImportValue`, `Fn::If`/conditions (only as
 * far as CDK emits them) and the pseudo parameters.
 */
export interface Environment {
  region: string;
  accountId: string;
  partition?: string;
  stackName: string;
  /** Logical id → what `Ref` returns for it. */
  refs: Record<string, string>;
  /** Logical id → attribute → value, for `Fn::GetAtt`. */
  attributes: Record<string, Record<string, string>>;
  /** Export name → value, for `Fn::ImportValue`. */
  exports?: Record<string, string>;
}

export class UnresolvableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnresolvableError';
  }
}

export function pseudoParameters(env: Environment): Record<string, string> {
  return {
    'AWS::Region': env.region,
    'AWS::AccountId': env.accountId,
    'AWS::Partition': env.partition ?? 'aws',
    'AWS::StackName': env.stackName,
    'AWS::StackId': `arn:aws:cloudformation:${env.region}:${env.accountId}:stack/${env.stackName}/local`,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::NoValue': '',
  };
}

/** Resolves every intrinsic in `value`, recursively; throws UnresolvableError naming what it couldn't. */
export function resolve(value: unknown, env: Environment): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, env));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0] as [string, unknown];
    const fn = INTRINSICS[key];
    if (fn) return fn(arg, env);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v, env)]));
}

function resolveString(value: unknown, env: Environment, where: string): string {
  const resolved = resolve(value, env);
  if (typeof resolved !== 'string' && typeof resolved !== 'number' && typeof resolved !== 'boolean') {
    throw new UnresolvableError(`${where} must resolve to a string, got ${JSON.stringify(resolved)}`);
  }
  return String(resolved);
}

function ref(name: string, env: Environment): string {
  const pseudo = pseudoParameters(env)[name];
  if (pseudo !== undefined) return pseudo;
  const value = env.refs[name];
  if (value === undefined) throw new UnresolvableError(`Ref to unknown resource or parameter "${name}"`);
  return value;
}

function getAtt(logicalId: string, attribute: string, env: Environment): string {
  const value = env.attributes[logicalId]?.[attribute];
  if (value === undefined) throw new UnresolvableError(`Fn::GetAtt ${logicalId}.${attribute} is not known`);
  return value;
}

const INTRINSICS: Record<string, (arg: unknown, env: Environment) => unknown> = {
  Ref: (arg, env) => ref(String(arg), env),
  'Fn::GetAtt': (arg, env) => {
    const [logicalId, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/s);
    return getAtt(String(logicalId), resolveString(attribute, env, 'Fn::GetAtt attribute'), env);
  },
  'Fn::Join': (arg, env) => {
    const [separator, parts] = arg as [string, unknown];
    const list = resolve(parts, env);
    if (!Array.isArray(list)) throw new UnresolvableError('Fn::Join needs a list');
    return list.map((p) => String(p)).join(separator);
  },
  'Fn::Sub': (arg, env) => {
    const [template, vars] = Array.isArray(arg)
      ? (arg as [string, Record<string, unknown>])
      : [String(arg), {}];
    const local = Object.fromEntries(
      Object.entries(vars ?? {}).map(([k, v]) => [k, resolveString(v, env, `Fn::Sub variable ${k}`)]),
    );
    return template.replace(/\$\{(!?)([^}]+)\}/g, (_whole, literal: string, name: string) => {
      if (literal) return `\${${name}}`;
      if (name in local) return local[name] as string;
      const [id, attribute] = name.split(/\.(.*)/s);
      return attribute ? getAtt(id ?? '', attribute, env) : ref(name, env);
    });
  },
  'Fn::Select': (arg, env) => {
    const [index, list] = arg as [unknown, unknown];
    const items = resolve(list, env);
    const i = Number(resolve(index, env));
    if (!Array.isArray(items) || !(i in items))
      throw new UnresolvableError(`Fn::Select index ${i} out of range`);
    return items[i];
  },
  'Fn::Split': (arg, env) => {
    const [separator, source] = arg as [string, unknown];
    return resolveString(source, env, 'Fn::Split source').split(separator);
  },
  'Fn::GetAZs': (_arg, env) => [`${env.region}a`, `${env.region}b`, `${env.region}c`],
  'Fn::ImportValue': (arg, env) => {
    const name = resolveString(arg, env, 'Fn::ImportValue name');
    const value = env.exports?.[name];
    if (value === undefined) throw new UnresolvableError(`Fn::ImportValue of unknown export "${name}"`);
    return value;
  },
};

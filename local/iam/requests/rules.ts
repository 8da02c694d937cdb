import { define, type InputOf } from '../../core/operation.js';
import type { Scope } from '../../core/scope.js';
import type { ContextValue } from '../condition-operators.js';

/** One thing IAM is asked about a request: an action on a resource, with the condition keys the request sets. */
export interface Check {
  action: string;
  /** An ARN, or `*` for actions without resource-level permissions. */
  resource: string;
  context?: Record<string, ContextValue>;
}

/** Any SDK command class (the same bound `define` takes). */
type CommandClass = Parameters<typeof define>[0];

/**
 * What one operation is authorized against, built from its request: the
 * checks of its own action (one per resource it names), plus any other
 * action it implies (RegisterTaskDefinition's iam:PassRole).
 */
export type Resolve<C extends CommandClass> = (input: InputOf<C>, scope: Scope, action: string) => Check[];

export interface Rule {
  operation: string;
  resolve: (input: Record<string, unknown>, scope: Scope, action: string) => Check[];
}

const unreachable = () => {
  throw new Error('an authorization rule is never served');
};

/** The rule of the operation that `command` calls, named as the SDK's own schema names it. */
export function rule<C extends CommandClass>(command: C, resolve: Resolve<C>): Rule {
  return { operation: define(command, unreachable).name, resolve: resolve as Rule['resolve'] };
}

/** A check of `action` on `resource`, with the request's condition keys (unset ones left out). */
export function check(
  action: string,
  resource: string,
  context: Record<string, ContextValue | undefined> = {},
): Check {
  const set = Object.entries(context).filter((e): e is [string, ContextValue] => e[1] !== undefined);
  return set.length > 0 ? { action, resource, context: Object.fromEntries(set) } : { action, resource };
}

/**
 * One service's rules under its IAM prefix (`ecs`). An operation without a
 * rule is checked against `*`, as are requests too malformed to name their
 * resources (the service then refuses them anyway, if IAM lets them through).
 */
export class ServiceRules {
  private readonly byOperation: ReadonlyMap<string, Rule>;

  constructor(
    readonly prefix: string,
    rules: Rule[],
  ) {
    this.byOperation = new Map(rules.map((r) => [r.operation, r]));
  }

  checks(operation: string, input: Record<string, unknown>, scope: Scope): Check[] {
    const action = `${this.prefix}:${operation}`;
    const rule = this.byOperation.get(operation);
    let checks: Check[] = [];
    if (rule) {
      try {
        checks = rule.resolve(input, scope, action);
      } catch {
        checks = [];
      }
    }
    return checks.length > 0 ? checks : [check(action, '*')];
  }

  operations(): string[] {
    return [...this.byOperation.keys()];
  }
}

/** A string member of a request, when it is one (requests are checked before the service validates them). */
export const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** A list-of-strings member of a request, keeping only its strings. */
export const texts = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];

/** The checks on a resource the request names, or none when it names none (then `*` is checked). */
export const named = (value: unknown, make: (name: string) => Check): Check[] => {
  const name = text(value);
  return name ? [make(name)] : [];
};

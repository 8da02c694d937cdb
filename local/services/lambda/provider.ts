import { randomUUID } from 'node:crypto';
import type { AddPermissionRequest } from '@aws-sdk/client-lambda';
import { arns, parseArn, scopeOfArn } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import { RegionalStores } from '../../core/stores.js';
import { AwsError } from '../../http/aws-error.js';
import type { RestHandler } from '../../http/endpoint.js';
import { Constraints } from '../constraints.js';
import type { Logs } from '../logs/provider.js';
import {
  addPermission,
  allowsService,
  type Permission,
  permissionOf,
  type ServiceInvocation,
} from './resource-policy.js';
import { lambdaRest } from './rest.js';
import { type FunctionDefinition, LATEST, type LambdaFunction, LambdaStore } from './store.js';
import { WarmFunction } from './warm-function.js';

const validate = new Constraints('ValidationException');
const FUNCTION_REF =
  /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?((?<account>\d{12}):)?(function:)?(?<name>[a-zA-Z0-9-_.]+)(:(?<qualifier>\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?$/;
const FUNCTION_REF_SOURCE =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?';
const QUALIFIER = /^(\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+)$/;

export const notFound = (message: string) => new AwsError('ResourceNotFoundException', message, 404);

/**
 * Lambda: the synthesized bundles, one store per account and region, each
 * function run warm in a worker thread with its template environment. Only
 * `$LATEST` exists (nothing is published), so any other qualifier is a
 * function that isn't there, as on AWS.
 */
export class Lambda {
  readonly stores = new RegionalStores(() => new LambdaStore());
  /** Invocations so far (the benchmark counts them). */
  invocations = 0;
  readonly rest: RestHandler;

  constructor(private readonly logs: Logs) {
    this.rest = lambdaRest(this);
  }

  create(scope: Scope, definition: FunctionDefinition): LambdaFunction {
    validate.length('functionName', definition.name, 1, 64);
    validate.pattern('functionName', definition.name, /^[a-zA-Z0-9-_]+$/, '[a-zA-Z0-9-_]+');
    this.logs.createGroup(scope, definition.logGroup);
    const arn = arns.lambdaFunction(scope, definition.name);
    const store = this.stores.of(scope);
    const previous = store.functions.get(definition.name);
    const fn: LambdaFunction = {
      scope,
      arn,
      definition,
      lastModified: new Date().toISOString().replace('Z', '+0000'),
      revisionId: randomUUID(),
      // A function defined again (a template provisioned anew) keeps the permissions it was given.
      policy: previous?.policy ?? [],
      warm: new WarmFunction(
        {
          bundle: definition.bundle,
          handlerName: definition.handlerName,
          environment: definition.environment,
          timeoutSeconds: definition.timeoutSeconds,
          functionName: definition.name,
          functionArn: arn,
          memorySize: definition.memorySize ?? 128,
          logGroup: definition.logGroup,
        },
        (stream) => this.logs.writer(scope, definition.logGroup, stream),
      ),
    };
    store.functions.set(definition.name, fn);
    void previous?.warm.stop();
    return fn;
  }

  /**
   * The function a name, partial ARN or ARN names (with a `:qualifier`
   * suffix or `qualifier`), in the ARN's scope or else `scope`.
   */
  resolve(scope: Scope, ref: string, qualifier?: string): LambdaFunction {
    validate.length('functionName', ref, 1, 256);
    const match = FUNCTION_REF.exec(ref);
    if (!match) validate.pattern('functionName', ref, FUNCTION_REF, FUNCTION_REF_SOURCE);
    const name = match?.groups?.name ?? '';
    const suffix = match?.groups?.qualifier;
    if (qualifier !== undefined) {
      validate.length('qualifier', qualifier, 1, 128);
      validate.pattern('qualifier', qualifier, QUALIFIER, '\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+');
      if (suffix !== undefined && suffix !== qualifier)
        throw new AwsError(
          'InvalidParameterValueException',
          'The derived qualifier from the function name does not match the specified qualifier.',
        );
    }
    const arn = parseArn(ref);
    const account = match?.groups?.account;
    const where = arn ? scopeOfArn(arn, scope) : account ? { ...scope, accountId: account } : scope;
    const version = qualifier ?? suffix;
    const fn = this.stores.of(where).functions.get(name);
    if (!fn || (version !== undefined && version !== LATEST)) {
      const missing =
        version === undefined ? arns.lambdaFunction(where, name) : arns.lambdaQualified(where, name, version);
      throw notFound(`Function not found: ${missing}`);
    }
    return fn;
  }

  /** Runs the function on `event`; a function error rejects with a FunctionError. */
  async invoke(scope: Scope, ref: string, event: unknown, qualifier?: string): Promise<unknown> {
    const fn = this.resolve(scope, ref, qualifier);
    this.invocations++;
    return fn.warm.invoke(event);
  }

  /** Adds a statement to the function's resource-based policy, as AddPermission does. */
  addPermission(scope: Scope, input: AddPermissionRequest): Permission {
    const fn = this.resolve(scope, input.FunctionName ?? '', input.Qualifier);
    const permission = permissionOf(fn.arn, input);
    addPermission(fn.policy, permission);
    fn.revisionId = randomUUID();
    return permission;
  }

  /** Whether the function's resource-based policy lets a service invoke it for the resource the call names. */
  allowsService(fn: LambdaFunction, call: ServiceInvocation): boolean {
    return allowsService(fn.policy, fn.arn, call);
  }

  list(scope: Scope): LambdaFunction[] {
    return [...this.stores.of(scope).functions.values()].sort((a, b) =>
      a.definition.name < b.definition.name ? -1 : 1,
    );
  }

  /** Ends every function's worker. */
  async stop(): Promise<void> {
    const all = [...this.stores.entries()].flatMap(([, store]) => [...store.functions.values()]);
    await Promise.all(all.map((f) => f.warm.stop()));
  }
}

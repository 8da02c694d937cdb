import { setTimeout as sleep } from 'node:timers/promises';
import type { EnvironmentVariableType } from '@aws-sdk/client-codebuild';
import type { Scope } from '../../core/scope.js';
import { AwsError } from '../../http/aws-error.js';
import type { CodeBuild } from '../codebuild/provider.js';
import type { StoredBuild } from '../codebuild/store.js';
import type { Lambda } from '../lambda/provider.js';
import { LATEST } from '../lambda/store.js';
import { FunctionError } from '../lambda/warm-function.js';

/** An error a Task state raises, with the Step Functions error name and cause. */
export class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** How a Task waits on what it starts: not at all, for the job to end (`.sync`), or for its token (`.waitForTaskToken`). */
export type IntegrationPattern = 'request' | 'sync' | 'callback';

export type TaskKind =
  /** A function ARN as the Resource: the function's result is the state's result (LambdaFunction* events). */
  | { kind: 'lambda'; functionArn: string }
  /** `arn:aws:states:::lambda:invoke[.waitForTaskToken]`: the Invoke response, or what the token's holder sends. */
  | { kind: 'lambda-invoke'; pattern: 'request' | 'callback' }
  | { kind: 'codebuild'; pattern: 'request' | 'sync' }
  | { kind: 'unsupported'; resource: string };

const INTEGRATION = /^arn:[^:]+:states:::([a-z0-9-]+):([A-Za-z0-9]+)(?:\.(sync(?::2)?|waitForTaskToken))?$/;

/** What a Task state's Resource runs, with the patterns Step Functions offers for it. */
export function taskKind(resource: string): TaskKind {
  if (/^arn:[^:]+:lambda:[^:]+:\d+:function:/.test(resource))
    return { kind: 'lambda', functionArn: resource };
  const [, service, action, suffix] = INTEGRATION.exec(resource) ?? [];
  const pattern: IntegrationPattern =
    suffix === undefined ? 'request' : suffix === 'waitForTaskToken' ? 'callback' : 'sync';
  // Lambda has no .sync; CodeBuild has no callback pattern.
  if (service === 'lambda' && action === 'invoke' && pattern !== 'sync')
    return { kind: 'lambda-invoke', pattern };
  if (service === 'codebuild' && action === 'startBuild' && pattern !== 'callback')
    return { kind: 'codebuild', pattern };
  return { kind: 'unsupported', resource };
}

/** How the history names a service integration: `lambda` / `invoke.waitForTaskToken`, `codebuild` / `startBuild.sync`. */
export function historyResource(resource: string): { resourceType: string; resource: string } {
  const [, service, action, suffix] = INTEGRATION.exec(resource) ?? [];
  if (service && action) return { resourceType: service, resource: suffix ? `${action}.${suffix}` : action };
  return { resourceType: resource.split(':')[5] ?? 'unknown', resource };
}

/**
 * Invokes a local function. A function error becomes the Task's error named
 * by its errorType, with Lambda's JSON as the cause; Lambda refusing the
 * call (no such function) is `Lambda.<code>`, as Step Functions names it.
 */
export async function invokeLambda(
  lambda: Lambda,
  scope: Scope,
  ref: string,
  input: unknown,
  qualifier?: string,
): Promise<unknown> {
  try {
    return await lambda.invoke(scope, ref, input, qualifier);
  } catch (err) {
    if (err instanceof AwsError) throw new TaskError(`Lambda.${err.code}`, err.message);
    const e = err instanceof FunctionError ? err : new FunctionError('Error', String(err));
    throw new TaskError(e.errorType, JSON.stringify(e.toPayload()));
  }
}

/** `lambda:invoke` (the optimized integration): Parameters name the function and payload; the result is Invoke's response. */
export async function lambdaInvokeIntegration(
  lambda: Lambda,
  scope: Scope,
  parameters: unknown,
): Promise<unknown> {
  const p = (parameters ?? {}) as {
    FunctionName?: unknown;
    Payload?: unknown;
    Qualifier?: unknown;
    InvocationType?: unknown;
  };
  if (typeof p.FunctionName !== 'string')
    throw new TaskError('States.Runtime', 'The lambda:invoke parameters must name a FunctionName');
  const qualifier = typeof p.Qualifier === 'string' ? p.Qualifier : undefined;
  const requestId = crypto.randomUUID();
  const response = (statusCode: number, payload?: unknown) => ({
    ExecutedVersion: LATEST,
    ...(payload === undefined ? {} : { Payload: payload }),
    SdkHttpMetadata: { HttpStatusCode: statusCode },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: statusCode,
  });
  if (p.InvocationType === 'Event') {
    try {
      lambda.resolve(scope, p.FunctionName, qualifier);
    } catch (err) {
      if (err instanceof AwsError) throw new TaskError(`Lambda.${err.code}`, err.message);
      throw err;
    }
    invokeLambda(lambda, scope, p.FunctionName, p.Payload ?? {}, qualifier).catch(() => undefined);
    return response(202);
  }
  return response(
    200,
    (await invokeLambda(lambda, scope, p.FunctionName, p.Payload ?? {}, qualifier)) ?? null,
  );
}

/** `codebuild:startBuild(.sync)` as the service integration returns it: the Build, in PascalCase. */
export async function runBuild(
  codebuild: CodeBuild,
  scope: Scope,
  parameters: Record<string, unknown>,
  sync: boolean,
  signal?: AbortSignal,
): Promise<unknown> {
  const overrides = (
    (parameters.EnvironmentVariablesOverride as
      | { Name: string; Value: string; Type?: string }[]
      | undefined) ?? []
  ).map((v) => ({
    name: v.Name,
    value: String(v.Value),
    type: v.Type as EnvironmentVariableType | undefined,
  }));
  let build: StoredBuild;
  try {
    build = codebuild.startBuild(scope, {
      projectName: String(parameters.ProjectName ?? ''),
      sourceLocationOverride: parameters.SourceLocationOverride as string | undefined,
      environmentVariablesOverride: overrides,
    });
  } catch (err) {
    throw new TaskError(`CodeBuild.${(err as Error).name}`, (err as Error).message);
  }
  // `.sync` waits for the build (its record is updated in place), until the execution stops waiting (StopExecution).
  while (sync && !build.buildComplete && !signal?.aborted) await sleep(200);
  const done = pascal(build);
  if (sync && build.buildStatus !== 'SUCCEEDED')
    throw new TaskError('States.TaskFailed', JSON.stringify({ Build: done }));
  return { Build: done };
}

/** Step Functions returns AWS SDK shapes with PascalCase member names. */
export function pascal(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(pascal);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k.charAt(0).toUpperCase() + k.slice(1),
        pascal(v),
      ]),
    );
  }
  return value;
}

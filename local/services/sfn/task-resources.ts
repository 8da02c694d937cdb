import { setTimeout as sleep } from 'node:timers/promises';
import type { EnvironmentVariableType } from '@aws-sdk/client-codebuild';
import type { Scope } from '../../core/scope.js';
import type { CodeBuild } from '../codebuild/provider.js';
import type { StoredBuild } from '../codebuild/store.js';
import { FunctionError, type LambdaService } from '../lambda.js';

/** An error a Task state raises, with the Step Functions error name and cause. */
export class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

export type TaskKind =
  | { kind: 'lambda'; functionArn: string }
  | { kind: 'codebuild'; sync: boolean }
  | { kind: 'unsupported'; resource: string };

/** What a Task state's Resource runs. */
export function taskKind(resource: string, parameters: unknown): TaskKind {
  if (/^arn:[^:]+:lambda:[^:]+:\d+:function:/.test(resource))
    return { kind: 'lambda', functionArn: resource };
  if (/^arn:[^:]+:states:::lambda:invoke$/.test(resource)) {
    const name = (parameters as { FunctionName?: string } | undefined)?.FunctionName ?? '';
    return { kind: 'lambda', functionArn: name };
  }
  const codebuild = /^arn:[^:]+:states:::codebuild:startBuild(\.sync)?$/.exec(resource);
  if (codebuild) return { kind: 'codebuild', sync: Boolean(codebuild[1]) };
  return { kind: 'unsupported', resource };
}

/** Invokes a local function; a function error becomes the Task's error, with Lambda's JSON cause. */
export async function invokeLambda(lambda: LambdaService, arn: string, input: unknown): Promise<unknown> {
  try {
    return await lambda.invoke(arn, input);
  } catch (err) {
    const e = err instanceof FunctionError ? err : new FunctionError('Error', String(err));
    const name =
      e.errorType === 'ResourceNotFoundException' ? 'Lambda.ResourceNotFoundException' : e.errorType;
    throw new TaskError(
      name,
      JSON.stringify({ errorType: e.errorType, errorMessage: e.message, trace: e.trace }),
    );
  }
}

/** `codebuild:startBuild(.sync)` as the service integration returns it: the Build, in PascalCase. */
export async function runBuild(
  codebuild: CodeBuild,
  scope: Scope,
  parameters: Record<string, unknown>,
  sync: boolean,
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
  while (sync && !build.buildComplete) await sleep(200);
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

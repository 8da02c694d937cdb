import { setTimeout as sleep } from 'node:timers/promises';
import type { Build, CodeBuildService } from '../codebuild.js';
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
  codebuild: CodeBuildService,
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
    type: v.Type,
  }));
  let build: Build;
  try {
    build = codebuild.startBuild(
      String(parameters.ProjectName ?? ''),
      parameters.SourceLocationOverride as string | undefined,
      overrides,
    );
  } catch (err) {
    throw new TaskError(`CodeBuild.${(err as Error).name}`, (err as Error).message);
  }
  while (sync && !codebuild.build(build.id)?.buildComplete) await sleep(200);
  const done = pascal(codebuild.build(build.id) ?? build);
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

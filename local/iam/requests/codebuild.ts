import {
  BatchGetBuildsCommand,
  BatchGetProjectsCommand,
  CreateProjectCommand,
  StartBuildCommand,
  StopBuildCommand,
} from '@aws-sdk/client-codebuild';
import { arns, parseArn } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import { check, named, rule, ServiceRules, texts } from './rules.js';

const project = (scope: Scope, name: string) => (parseArn(name) ? name : arns.codebuildProject(scope, name));

/** A build id (`<project>:<uuid>`) or build ARN (`…:build/<project>:<uuid>`) is authorized on its project. */
function projectOfBuild(scope: Scope, id: string): string {
  const parsed = parseArn(id);
  const bare = parsed ? parsed.resource.replace(/^build\//, '') : id;
  return arns.codebuildProject(
    parsed ? { accountId: parsed.accountId, region: parsed.region } : scope,
    bare.split(':')[0] ?? bare,
  );
}

/** CodeBuild: everything on the project's ARN, builds on the project they belong to. */
export const codebuildRules = new ServiceRules('codebuild', [
  rule(StartBuildCommand, (input, scope, action) =>
    named(input.projectName, (n) => check(action, project(scope, n))),
  ),
  rule(CreateProjectCommand, (input, scope, action) =>
    named(input.name, (n) => check(action, project(scope, n))),
  ),
  rule(BatchGetProjectsCommand, (input, scope, action) =>
    texts(input.names).map((n) => check(action, project(scope, n))),
  ),
  rule(BatchGetBuildsCommand, (input, scope, action) =>
    [...new Set(texts(input.ids).map((id) => projectOfBuild(scope, id)))].map((p) => check(action, p)),
  ),
  rule(StopBuildCommand, (input, scope, action) =>
    named(input.id, (id) => check(action, projectOfBuild(scope, id))),
  ),
]);

import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
} from '@aws-sdk/client-ssm';
import { arns, parseArn } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import { check, named, rule, ServiceRules, texts } from './rules.js';

/** A parameter by name (`/a/b`, `a`) or ARN; a `:version` or `:label` selector is not part of the resource. */
const parameter = (scope: Scope, name: string) =>
  parseArn(name) ? name : arns.ssmParameter(scope, name.replace(/:[^/:]+$/, ''));

/** SSM Parameter Store: each parameter on its ARN, GetParametersByPath on the path's. */
export const ssmRules = new ServiceRules('ssm', [
  ...[GetParameterCommand, PutParameterCommand, DeleteParameterCommand].map((command) =>
    rule(command, (input, scope, action) =>
      named((input as { Name?: unknown }).Name, (name) => check(action, parameter(scope, name))),
    ),
  ),
  ...[GetParametersCommand, DeleteParametersCommand].map((command) =>
    rule(command, (input, scope, action) =>
      texts((input as { Names?: unknown }).Names).map((name) => check(action, parameter(scope, name))),
    ),
  ),
  rule(GetParametersByPathCommand, (input, scope, action) =>
    named(input.Path, (path) => check(action, arns.ssmParameter(scope, path))),
  ),
]);

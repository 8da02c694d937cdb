import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  ListImagesCommand,
  PutImageCommand,
  UploadLayerPartCommand,
} from '@aws-sdk/client-ecr';
import { arns } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import { check, named, type Rule, rule, ServiceRules, text, texts } from './rules.js';

/** A repository's ARN: `registryId` names the account that owns it (the caller's when absent). */
const repository = (scope: Scope, registryId: unknown, name: string) =>
  arns.ecrRepository({ accountId: text(registryId) ?? scope.accountId, region: scope.region }, name);

const onRepository = (command: Parameters<typeof rule>[0]): Rule =>
  rule(command, (input, scope, action) => {
    const request = input as { registryId?: unknown; repositoryName?: unknown };
    return named(request.repositoryName, (name) =>
      check(action, repository(scope, request.registryId, name)),
    );
  });

/** ECR: every repository operation on the repository's ARN; GetAuthorizationToken on `*`. */
export const ecrRules = new ServiceRules('ecr', [
  ...[
    DescribeImagesCommand,
    BatchGetImageCommand,
    PutImageCommand,
    ListImagesCommand,
    BatchDeleteImageCommand,
    BatchCheckLayerAvailabilityCommand,
    GetDownloadUrlForLayerCommand,
    InitiateLayerUploadCommand,
    UploadLayerPartCommand,
    CompleteLayerUploadCommand,
    CreateRepositoryCommand,
    DeleteRepositoryCommand,
  ].map(onRepository),
  rule(DescribeRepositoriesCommand, (input, scope, action) => {
    const names = texts(input.repositoryNames);
    return (names.length > 0 ? names : ['*']).map((n) =>
      check(action, repository(scope, input.registryId, n)),
    );
  }),
]);

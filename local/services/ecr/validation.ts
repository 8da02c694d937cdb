import type { CreateRepositoryRequest, ImageFailure, ImageIdentifier } from '@aws-sdk/client-ecr';
import { arns } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import { isDigest } from '../../images/digest.js';
import { invalid } from './push.js';
import type { Image } from './store.js';

/** Whether a name is one ECR takes for a repository (2–256 characters of its pattern). */
export function isRepositoryName(name: string): boolean {
  return name.length >= 2 && name.length <= 256 && REPOSITORY_NAME.test(name);
}

const ENCRYPTION = ['AES256', 'KMS', 'KMS_DSSE'];
export const MUTABILITY = ['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION'];
const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
export function checkRepositoryName(name: string): void {
  if (!isRepositoryName(name))
    throw invalid(
      `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'' and have length between 2 and 256`,
    );
}

export function checkIdList(member: string, length: number): void {
  if (length < 1 || length > 100)
    throw invalid(
      `Invalid parameter at '${member}' failed to satisfy constraint: 'Member must have length between 1 and 100'`,
    );
}

/** The per-image failure ECR reports for an identifier it cannot use. */
export function identifierFailure(id: ImageIdentifier): ImageFailure | undefined {
  if (id.imageDigest === undefined && id.imageTag === undefined)
    return {
      imageId: id,
      failureCode: 'MissingDigestAndTag',
      failureReason: 'Invalid request parameters: both tag and digest cannot be null',
    };
  if (id.imageDigest !== undefined && !isDigest(id.imageDigest))
    return {
      imageId: id,
      failureCode: 'InvalidImageDigest',
      failureReason:
        "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
    };
  if (id.imageTag !== undefined && (id.imageTag.length < 1 || id.imageTag.length > 300))
    return {
      imageId: id,
      failureCode: 'InvalidImageTag',
      failureReason: 'Invalid request parameters: image tag must have length between 1 and 300',
    };
  return undefined;
}

export function matchesTagStatus(image: Image, status: string): boolean {
  if (status === 'TAGGED') return image.tags.size > 0;
  if (status === 'UNTAGGED') return image.tags.size === 0;
  return true;
}

export function encryption(scope: Scope, config: CreateRepositoryRequest['encryptionConfiguration']) {
  const type = config?.encryptionType ?? 'AES256';
  if (!ENCRYPTION.includes(type))
    throw invalid(
      `Invalid parameter at 'encryptionType' failed to satisfy constraint: 'Member must satisfy enum value set: [${ENCRYPTION.join(', ')}]'`,
    );
  if (type === 'AES256') {
    if (config?.kmsKey !== undefined)
      throw invalid('A KMS key can only be given with the KMS or KMS_DSSE encryption type');
    return { encryptionType: type };
  }
  // Without a key of its own, ECR encrypts with the account's AWS managed key for ECR.
  return { encryptionType: type, kmsKey: config?.kmsKey ?? arns.kmsAlias(scope, 'aws/ecr') };
}

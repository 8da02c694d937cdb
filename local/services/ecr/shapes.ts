import type { ImageDetail, ImageIdentifier, Repository as RepositoryShape } from '@aws-sdk/client-ecr';
import type { Scope } from '../../core/scope.js';
import type { Image, Repository } from './store.js';

export function repositoryShape(scope: Scope, r: Repository): RepositoryShape {
  return {
    repositoryArn: r.arn,
    registryId: scope.accountId,
    repositoryName: r.name,
    repositoryUri: r.uri,
    createdAt: r.createdAt,
    imageTagMutability: r.imageTagMutability,
    imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    encryptionConfiguration: r.encryptionConfiguration,
  };
}

/** As DescribeImages lists an image: an untagged image has no imageTags member at all. */
export function imageDetail(scope: Scope, repo: Repository, image: Image): ImageDetail {
  return {
    registryId: scope.accountId,
    repositoryName: repo.name,
    imageDigest: image.digest,
    ...(image.tags.size > 0 ? { imageTags: [...image.tags] } : {}),
    imageSizeInBytes: image.sizeInBytes,
    imagePushedAt: image.pushedAt,
    imageManifestMediaType: image.manifestMediaType,
    ...(image.artifactMediaType ? { artifactMediaType: image.artifactMediaType } : {}),
  };
}

/** As ListImages names images: one identifier per tag, and the digest alone for an untagged image. */
export function imageIdentifiers(image: Image): ImageIdentifier[] {
  if (image.tags.size === 0) return [{ imageDigest: image.digest }];
  return [...image.tags].map((imageTag) => ({ imageDigest: image.digest, imageTag }));
}

/** How ECR words an image identifier in its messages. */
export function describeId(id: ImageIdentifier): string {
  return `{imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'}`;
}

import {
  DescribeImagesCommand,
  type ECRClient,
  type ImageIdentifier,
  ImageNotFoundException,
} from '@aws-sdk/client-ecr';
import { ImageNotFoundError } from '../commons/errors.js';
import { IMAGE_DIGEST } from '../contract/request.js';
import type { BuildResult, PreparedDeployment, ResolvedImage } from '../contract/shapes.js';

export interface ResolveImageInput {
  deployment: PreparedDeployment;
  build?: BuildResult;
}

export interface ResolveImageDeps {
  ecr: ECRClient;
  now?: () => number;
}

/**
 * Pins the image to deploy by digest: the build's exported digest, the
 * requested digest, or the requested tag's current digest — and checks that
 * the repository holds it.
 */
export async function resolveImage(input: ResolveImageInput, deps: ResolveImageDeps): Promise<ResolvedImage> {
  const { deployment, build } = input;
  const { repositoryName, repositoryUri } = deployment.target;
  const builtDigest = build?.buildId ? exportedDigest(build) : undefined;
  const wanted: ImageIdentifier =
    builtDigest || deployment.imageDigest
      ? { imageDigest: builtDigest ?? deployment.imageDigest }
      : { imageTag: deployment.imageTag };
  const label = wanted.imageDigest
    ? `${repositoryName}@${wanted.imageDigest}`
    : `${repositoryName}:${wanted.imageTag}`;
  if (!wanted.imageDigest && !wanted.imageTag)
    throw new ImageNotFoundError('No image tag or digest to resolve');

  let digest: string | undefined;
  try {
    const out = await deps.ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [wanted] }));
    digest = out.imageDetails?.[0]?.imageDigest;
  } catch (err) {
    if (err instanceof ImageNotFoundException) {
      throw new ImageNotFoundError(`Image ${label} not found in ECR repository ${repositoryName}`);
    }
    throw err;
  }
  if (!digest || !IMAGE_DIGEST.test(digest)) {
    throw new ImageNotFoundError(`Image ${label} not found in ECR repository ${repositoryName}`);
  }
  return {
    imageDigest: digest,
    imageUri: `${repositoryUri}@${digest}`,
    ...(deployment.imageTag ? { imageTag: deployment.imageTag } : {}),
    resolvedAt: deps.now?.() ?? Date.now(),
  };
}

function exportedDigest(build: BuildResult): string {
  const value = build.exportedVariables?.find((v) => v.Name === 'IMAGE_DIGEST')?.Value;
  if (!value || !IMAGE_DIGEST.test(value)) {
    throw new ImageNotFoundError(
      `Build ${build.buildId} exported no valid IMAGE_DIGEST (got "${value ?? ''}")`,
    );
  }
  return value;
}

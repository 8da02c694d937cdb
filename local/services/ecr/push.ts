import type { PutImageRequest } from '@aws-sdk/client-ecr';
import type { Scope } from '../../core/scope.js';
import { AwsError } from '../../http/aws-error.js';
import { isDigest, sha256 } from '../../images/digest.js';
import type { ImageStore } from '../../images/image-store.js';
import {
  InvalidManifestError,
  MAX_MANIFEST_BYTES,
  type ParsedManifest,
  parseManifest,
  referencedBlobs,
} from '../../images/manifest.js';
import type { Image, Repository } from './store.js';

export const invalid = (message: string) => new AwsError('InvalidParameterException', message);

export type PushRequest = Pick<
  PutImageRequest,
  'imageManifest' | 'imageTag' | 'imageDigest' | 'imageManifestMediaType'
>;

/** What a push does to a repository: a new image, a new tag on a known one, or nothing (the same push again). */
export interface PushOutcome {
  image: Image;
  changed: boolean;
}

/**
 * Checks a push as ECR does, in its order: the manifest (JSON, schema 2, a
 * known media type, well-formed descriptors), the digest it was pushed under,
 * the tag, the blobs it needs (LayersNotFoundException) and the images an
 * index names (ReferencedImagesNotFoundException), tag immutability; then
 * applies it. Nothing is changed when a check fails.
 */
export function applyPush(
  scope: Scope,
  repo: Repository,
  request: PushRequest,
  blobs: ImageStore,
  { repeatIsError }: { repeatIsError: boolean },
): PushOutcome {
  const text = request.imageManifest ?? '';
  if (text === '' || Buffer.byteLength(text) > MAX_MANIFEST_BYTES)
    throw invalid(
      `Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Member must have length between 1 and ${MAX_MANIFEST_BYTES}'`,
    );
  let manifest: ParsedManifest;
  try {
    manifest = parseManifest(text, request.imageManifestMediaType);
  } catch (err) {
    if (err instanceof InvalidManifestError)
      throw invalid(`Invalid parameter at 'imageManifest': ${err.message}`);
    throw err;
  }
  const digest = sha256(text);
  if (request.imageDigest !== undefined) {
    if (!isDigest(request.imageDigest))
      throw invalid(
        `Invalid parameter at 'imageDigest' failed to satisfy constraint: 'must be sha256: and 64 hex digits'`,
      );
    if (request.imageDigest !== digest)
      throw new AwsError(
        'ImageDigestDoesNotMatchException',
        `The digest of the manifest (${digest}) does not match the provided digest ${request.imageDigest}`,
      );
  }
  const tag = request.imageTag;
  if (tag !== undefined && (tag.length < 1 || tag.length > 300))
    throw invalid(
      `Invalid parameter at 'imageTag' failed to satisfy constraint: 'Member must have length between 1 and 300'`,
    );
  checkReferences(scope, repo, manifest, blobs);

  const existing = repo.images.get(digest);
  if (existing && (tag === undefined || existing.tags.has(tag))) {
    if (!repeatIsError) return { image: existing, changed: false };
    throw new AwsError(
      'ImageAlreadyExistsException',
      `Image with digest '${digest}'${tag ? ` and tag '${tag}'` : ''} already exists in the repository with name '${repo.name}' in registry with id '${scope.accountId}'`,
    );
  }
  if (tag !== undefined) {
    const holder = [...repo.images.values()].find((i) => i.tags.has(tag));
    if (holder && repo.imageTagMutability.startsWith('IMMUTABLE'))
      throw new AwsError(
        'ImageTagAlreadyExistsException',
        `The image tag '${tag}' already exists in the '${repo.name}' repository and cannot be overwritten because the repository is immutable.`,
      );
    holder?.tags.delete(tag);
  }
  const image = existing ?? newImage(digest, text, manifest, repo);
  if (tag !== undefined) image.tags.add(tag);
  repo.images.set(digest, image);
  return { image, changed: true };
}

function checkReferences(scope: Scope, repo: Repository, manifest: ParsedManifest, blobs: ImageStore): void {
  const missing = referencedBlobs(manifest).filter((d) => blobs.blobSize(d.digest) !== d.size);
  if (missing.length > 0)
    throw new AwsError(
      'LayersNotFoundException',
      `Layers with digests '[${missing.map((d) => d.digest).join(', ')}]' required for pushing image into repository with name '${repo.name}' in registry with id '${scope.accountId}' do not exist (or their sizes differ from the manifest's)`,
    );
  if (manifest.kind === 'index') {
    const absent = manifest.manifests.filter((d) => !repo.images.has(d.digest));
    if (absent.length > 0)
      throw new AwsError(
        'ReferencedImagesNotFoundException',
        `Manifests with digests '[${absent.map((d) => d.digest).join(', ')}]' referenced by the manifest list do not exist in the repository with name '${repo.name}'`,
      );
  }
}

function newImage(digest: string, text: string, manifest: ParsedManifest, repo: Repository): Image {
  const base = {
    digest,
    manifest: text,
    manifestMediaType: manifest.mediaType,
    tags: new Set<string>(),
    pushedAt: new Date(),
  };
  if (manifest.kind === 'image')
    return {
      ...base,
      artifactMediaType: manifest.artifactType,
      sizeInBytes: manifest.layers.reduce((sum, d) => sum + d.size, 0),
      references: [],
    };
  const children = manifest.manifests.map((d) => d.digest);
  return {
    ...base,
    sizeInBytes: children.reduce((sum, d) => sum + (repo.images.get(d)?.sizeInBytes ?? 0), 0),
    references: children,
  };
}

import { AwsError, requireString } from '../http/aws-error.js';
import { type JsonService, LegacyOperations } from '../http/json-protocol.js';
import { type ImageStore, MANIFEST_MEDIA_TYPE, type Manifest, sha256 } from '../images/image-store.js';
import type { Events } from './events/provider.js';

interface Image {
  digest: string;
  manifest: string;
  mediaType: string;
  tags: Set<string>;
  pushedAt: Date;
  size: number;
}

interface Repository {
  name: string;
  arn: string;
  uri: string;
  createdAt: Date;
  scanOnPush: boolean;
  tagMutability: string;
  images: Map<string, Image>;
}

interface ImageId {
  imageTag?: string;
  imageDigest?: string;
}

/**
 * ECR: repositories and images (manifests) in the local image store. A
 * successful push publishes `ECR Image Action` to the event bus, as ECR
 * does, which is what auto-deploy listens for.
 */
export class EcrService {
  private readonly repositories = new Map<string, Repository>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly store: ImageStore,
    private readonly bus: Events,
    private readonly proxyEndpoint: string,
  ) {}

  /** The registry host in repository URIs, as ECR names it. */
  get registry(): string {
    return `${this.accountId}.dkr.ecr.${this.region}.amazonaws.com`;
  }

  /**
   * The same image as Docker reaches it: the endpoint's own address instead
   * of ECR's host name (which doesn't resolve here). Docker needs no TLS for
   * 127.0.0.0/8 registries.
   */
  dockerReference(uri: string): string {
    const host = new URL(this.proxyEndpoint).host;
    return uri.startsWith(`${this.registry}/`) ? `${host}${uri.slice(this.registry.length)}` : uri;
  }

  createRepository(name: string, scanOnPush = false, tagMutability = 'MUTABLE'): Repository {
    if (
      !/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(name) ||
      name.length > 256
    ) {
      throw new AwsError(
        'InvalidParameterException',
        `Invalid parameter at 'repositoryName' failed to satisfy constraint: '${name}'`,
      );
    }
    if (this.repositories.has(name)) {
      throw new AwsError(
        'RepositoryAlreadyExistsException',
        `The repository with name '${name}' already exists in the registry with id '${this.accountId}'`,
      );
    }
    const repo: Repository = {
      name,
      arn: `arn:aws:ecr:${this.region}:${this.accountId}:repository/${name}`,
      uri: `${this.registry}/${name}`,
      createdAt: new Date(),
      scanOnPush,
      tagMutability,
      images: new Map(),
    };
    this.repositories.set(name, repo);
    return repo;
  }

  repository(name: string): Repository {
    const repo = this.repositories.get(name);
    if (!repo) {
      throw new AwsError(
        'RepositoryNotFoundException',
        `The repository with name '${name}' does not exist in the registry with id '${this.accountId}'`,
      );
    }
    return repo;
  }

  /** Stores a manifest under a tag, as `docker push` or PutImage does, and announces it. */
  putImage(repositoryName: string, manifest: string, tag?: string, mediaType?: string): Image {
    const repo = this.repository(repositoryName);
    let parsed: Manifest;
    try {
      parsed = JSON.parse(manifest) as Manifest;
    } catch {
      throw new AwsError(
        'InvalidParameterException',
        'Invalid parameter at imageManifest: the manifest is not valid JSON',
      );
    }
    const missing = [parsed.config, ...(parsed.layers ?? [])].filter(
      (d) => d && !this.store.hasBlob(d.digest),
    );
    if (missing.length > 0) {
      throw new AwsError(
        'LayersNotFoundException',
        `The image manifest references layers that were not uploaded: ${missing.map((d) => d.digest).join(', ')}`,
      );
    }
    const digest = sha256(manifest);
    const existing = repo.images.get(digest);
    if (existing && tag && existing.tags.has(tag)) {
      throw new AwsError(
        'ImageAlreadyExistsException',
        `Image with digest '${digest}' and tag '${tag}' already exists in the repository with name '${repositoryName}' in registry with id '${this.accountId}'`,
      );
    }
    if (tag) {
      if (repo.tagMutability === 'IMMUTABLE' && [...repo.images.values()].some((i) => i.tags.has(tag))) {
        throw new AwsError(
          'ImageTagAlreadyExistsException',
          `The image tag '${tag}' already exists in the '${repositoryName}' repository and cannot be overwritten because the repository is immutable.`,
        );
      }
      for (const image of repo.images.values()) image.tags.delete(tag);
    }
    const image: Image = existing ?? {
      digest,
      manifest,
      mediaType: parsed.mediaType ?? (mediaType || MANIFEST_MEDIA_TYPE),
      tags: new Set(),
      pushedAt: new Date(),
      size: [parsed.config, ...(parsed.layers ?? [])].reduce((sum, d) => sum + (d?.size ?? 0), 0),
    };
    if (tag) image.tags.add(tag);
    repo.images.set(digest, image);
    const scope = { accountId: this.accountId, region: this.region };
    this.bus.publish(scope, {
      source: 'aws.ecr',
      'detail-type': 'ECR Image Action',
      detail: {
        result: 'SUCCESS',
        'repository-name': repositoryName,
        'image-digest': digest,
        'action-type': 'PUSH',
        ...(tag ? { 'image-tag': tag } : {}),
      },
    });
    return image;
  }

  findImage(repositoryName: string, id: ImageId): Image | undefined {
    const repo = this.repository(repositoryName);
    if (id.imageDigest) return repo.images.get(id.imageDigest);
    return [...repo.images.values()].find((i) => id.imageTag !== undefined && i.tags.has(id.imageTag));
  }

  /** The manifest an image URI (`<registry>/<repo>@sha256:…` or `:tag`) names, if it is in the local registry. */
  manifestFor(imageUri: string): string | undefined {
    const at = imageUri.lastIndexOf('@');
    const [path, ref] =
      at >= 0 ? [imageUri.slice(0, at), { imageDigest: imageUri.slice(at + 1) }] : splitTag(imageUri);
    if (!path.startsWith(`${this.registry}/`)) return undefined;
    const name = path.slice(this.registry.length + 1);
    if (!this.repositories.has(name)) return undefined;
    return this.findImage(name, ref)?.manifest;
  }

  private describe(repo: Repository, image: Image) {
    return {
      registryId: this.accountId,
      repositoryName: repo.name,
      imageDigest: image.digest,
      imageTags: [...image.tags],
      imageSizeInBytes: image.size,
      imagePushedAt: image.pushedAt,
      imageManifestMediaType: image.mediaType,
    };
  }

  readonly api: JsonService = {
    name: 'ECR',
    targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
    jsonVersion: '1.1',
    codes: { missing: 'ValidationException', wrongType: 'SerializationException' },
    operations: LegacyOperations.of({
      CreateRepository: (input) => {
        const config = input.imageScanningConfiguration as { scanOnPush?: boolean } | undefined;
        const repo = this.createRepository(
          requireString(input, 'repositoryName', 'InvalidParameterException'),
          config?.scanOnPush,
          input.imageTagMutability as string,
        );
        return { repository: this.repoShape(repo) };
      },
      DescribeRepositories: (input) => {
        const names = input.repositoryNames as string[] | undefined;
        const repos = names ? names.map((n) => this.repository(n)) : [...this.repositories.values()];
        return { repositories: repos.map((r) => this.repoShape(r)) };
      },
      DescribeImages: (input) => {
        const repo = this.repository(requireString(input, 'repositoryName', 'InvalidParameterException'));
        const ids = input.imageIds as ImageId[] | undefined;
        if (!ids) {
          const tagged = (input.filter as { tagStatus?: string } | undefined)?.tagStatus;
          const images = [...repo.images.values()].filter(
            (i) => !tagged || tagged === 'ANY' || (tagged === 'TAGGED') === i.tags.size > 0,
          );
          return { imageDetails: images.map((i) => this.describe(repo, i)) };
        }
        return {
          imageDetails: ids.map((id) => {
            const image = this.findImage(repo.name, id);
            if (!image) {
              throw new AwsError(
                'ImageNotFoundException',
                `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${repo.name}' in the registry with id '${this.accountId}'`,
              );
            }
            return this.describe(repo, image);
          }),
        };
      },
      BatchGetImage: (input) => {
        const repo = this.repository(requireString(input, 'repositoryName', 'InvalidParameterException'));
        const ids = (input.imageIds as ImageId[] | undefined) ?? [];
        const images = [];
        const failures = [];
        for (const id of ids) {
          const image = this.findImage(repo.name, id);
          if (image)
            images.push({
              registryId: this.accountId,
              repositoryName: repo.name,
              imageId: { imageDigest: image.digest, imageTag: id.imageTag },
              imageManifest: image.manifest,
              imageManifestMediaType: image.mediaType,
            });
          else
            failures.push({
              imageId: id,
              failureCode: 'ImageNotFound',
              failureReason: 'Requested image not found',
            });
        }
        return { images, failures };
      },
      PutImage: (input) => {
        const repositoryName = requireString(input, 'repositoryName', 'InvalidParameterException');
        const manifest = requireString(input, 'imageManifest', 'InvalidParameterException');
        const image = this.putImage(repositoryName, manifest, input.imageTag as string | undefined);
        return {
          image: {
            registryId: this.accountId,
            repositoryName,
            imageId: { imageDigest: image.digest, imageTag: input.imageTag },
            imageManifest: image.manifest,
            imageManifestMediaType: image.mediaType,
          },
        };
      },
      GetAuthorizationToken: () => ({
        authorizationData: [
          {
            authorizationToken: Buffer.from('AWS:stepship-local').toString('base64'),
            expiresAt: new Date(Date.now() + 12 * 3600 * 1000),
            proxyEndpoint: this.proxyEndpoint,
          },
        ],
      }),
    }),
  };

  private repoShape(r: Repository) {
    return {
      repositoryArn: r.arn,
      registryId: this.accountId,
      repositoryName: r.name,
      repositoryUri: r.uri,
      createdAt: r.createdAt,
      imageTagMutability: r.tagMutability,
      imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    };
  }
}

function splitTag(uri: string): [string, ImageId] {
  const slash = uri.lastIndexOf('/');
  const colon = uri.lastIndexOf(':');
  return colon > slash
    ? [uri.slice(0, colon), { imageTag: uri.slice(colon + 1) }]
    : [uri, { imageTag: 'latest' }];
}

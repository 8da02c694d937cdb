import { randomBytes } from 'node:crypto';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  type CreateRepositoryRequest,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  type ImageFailure,
  type ImageIdentifier,
  ListImagesCommand,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { arns } from '../../core/arns.js';
import { define, OperationTable } from '../../core/operation.js';
import { paginate } from '../../core/pagination.js';
import type { Scope } from '../../core/scope.js';
import { RegionalStores } from '../../core/stores.js';
import { AwsError } from '../../http/aws-error.js';
import type { JsonService } from '../../http/json-protocol.js';
import { isDigest } from '../../images/digest.js';
import type { ImageStore } from '../../images/image-store.js';
import { DurableStores } from '../../state/durable-stores.js';
import type { Events } from '../events/provider.js';
import { applyPush, invalid, type PushRequest } from './push.js';
import { RegistryTokens } from './registry-tokens.js';
import { describeId, imageDetail, imageIdentifiers, repositoryShape } from './shapes.js';
import { EcrStore, type Image, type Repository } from './store.js';
import {
  checkIdList,
  checkRepositoryName,
  encryption,
  identifierFailure,
  MUTABILITY,
  matchesTagStatus,
} from './validation.js';

const REGISTRY_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$/;

/**
 * ECR: repositories and images (manifests over the local image store's
 * blobs), one store per account and region. A push (PutImage or the
 * registry API) publishes `ECR Image Action` to the event bus, as ECR does,
 * which is what auto-deploy listens for.
 */
export class Ecr {
  readonly stores = new RegionalStores(() => new EcrStore());
  /** Signs and checks the registry's passwords. */
  readonly tokens: RegistryTokens;
  /** Called after every change of a repository or its images (a no-op unless the state is kept). */
  private changed: () => void = () => undefined;

  constructor(
    private readonly deps: {
      images: ImageStore;
      /** Where push events go (the local EventBridge). */
      bus: Pick<Events, 'publish'>;
      /** The endpoint Docker reaches the registry API at (`http://127.0.0.1:4566`). */
      proxyEndpoint: string;
      /** What GetAuthorizationToken's passwords are, and the registry API checks (a key of its own if not given). */
      tokens?: RegistryTokens;
    },
  ) {
    this.tokens = deps.tokens ?? new RegistryTokens(randomBytes(32));
  }

  /**
   * Keeps repositories and their image index in `path` between runs (the
   * image store keeps the blobs), restoring what an earlier run kept.
   */
  keepIn(path: string): void {
    const durable = new DurableStores(this.stores, path);
    this.changed = () => durable.save();
  }

  /** The registry host in repository URIs, as ECR names it. */
  registryHost(scope: Scope): string {
    return `${scope.accountId}.dkr.ecr.${scope.region}.amazonaws.com`;
  }

  /**
   * The same image as Docker reaches it: the endpoint's own address instead
   * of ECR's host name (which doesn't resolve here). Docker needs no TLS for
   * 127.0.0.0/8 registries.
   */
  dockerReference(uri: string): string {
    const slash = uri.indexOf('/');
    if (slash < 0 || !REGISTRY_HOST.test(uri.slice(0, slash))) return uri;
    return `${new URL(this.deps.proxyEndpoint).host}${uri.slice(slash)}`;
  }

  createRepository(scope: Scope, input: CreateRepositoryRequest): Repository {
    const store = this.stores.of(scope);
    const name = input.repositoryName ?? '';
    checkRepositoryName(name);
    const mutability = input.imageTagMutability ?? 'MUTABLE';
    if (!MUTABILITY.includes(mutability))
      throw invalid(
        `Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [${MUTABILITY.join(', ')}]'`,
      );
    if (store.repositories.has(name))
      throw new AwsError(
        'RepositoryAlreadyExistsException',
        `The repository with name '${name}' already exists in the registry with id '${scope.accountId}'`,
      );
    const repo: Repository = {
      name,
      arn: arns.ecrRepository(scope, name),
      uri: `${this.registryHost(scope)}/${name}`,
      createdAt: new Date(),
      scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
      imageTagMutability: mutability,
      encryptionConfiguration: encryption(scope, input.encryptionConfiguration),
      tags: input.tags ?? [],
      images: new Map(),
    };
    store.repositories.set(name, repo);
    this.changed();
    return repo;
  }

  repository(scope: Scope, name: string): Repository {
    checkRepositoryName(name);
    const repo = this.stores.of(scope).repositories.get(name);
    if (!repo)
      throw new AwsError(
        'RepositoryNotFoundException',
        `The repository with name '${name}' does not exist in the registry with id '${scope.accountId}'`,
      );
    return repo;
  }

  /**
   * Stores a manifest (under a tag, or by digest alone) as PutImage does, and
   * announces it. `repeatIsError: false` is the registry API's idempotent
   * push: the same manifest under the same tag again changes nothing and
   * announces nothing.
   */
  putImage(
    scope: Scope,
    repositoryName: string,
    request: PushRequest,
    { repeatIsError = true }: { repeatIsError?: boolean } = {},
  ): Image {
    const repo = this.repository(scope, repositoryName);
    const { image, changed } = applyPush(scope, repo, request, this.deps.images, { repeatIsError });
    if (changed) this.changed();
    if (changed)
      this.deps.bus.publish(scope, {
        source: 'aws.ecr',
        'detail-type': 'ECR Image Action',
        detail: {
          result: 'SUCCESS',
          'repository-name': repo.name,
          'image-digest': image.digest,
          'action-type': 'PUSH',
          ...(request.imageTag ? { 'image-tag': request.imageTag } : {}),
        },
      });
    return image;
  }

  /** An image by digest and/or tag (both must agree); a malformed digest is ECR's InvalidParameterException. */
  findImage(repo: Repository, id: ImageIdentifier): Image | undefined {
    if (id.imageDigest !== undefined) {
      if (!isDigest(id.imageDigest))
        throw invalid(
          `Invalid parameter at 'imageDigest' failed to satisfy constraint: 'must be sha256: and 64 hex digits'`,
        );
      const image = repo.images.get(id.imageDigest);
      return id.imageTag === undefined || image?.tags.has(id.imageTag) ? image : undefined;
    }
    if (id.imageTag === undefined) return undefined;
    const tag = id.imageTag;
    return [...repo.images.values()].find((i) => i.tags.has(tag));
  }

  /** The repository a URI names (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`), with its scope. */
  parseRepositoryUri(uri: string): { scope: Scope; name: string } | undefined {
    const slash = uri.indexOf('/');
    const host = REGISTRY_HOST.exec(uri.slice(0, Math.max(slash, 0)));
    if (!host) return undefined;
    return { scope: { accountId: host[1] ?? '', region: host[2] ?? '' }, name: uri.slice(slash + 1) };
  }

  /** The manifest an image URI (`<repository URI>@sha256:…` or `:tag`) names, if this registry holds it. */
  manifestFor(imageUri: string): string | undefined {
    const at = imageUri.indexOf('@');
    const colon = imageUri.lastIndexOf(':');
    const [repositoryUri, id]: [string, ImageIdentifier] =
      at >= 0
        ? [imageUri.slice(0, at), { imageDigest: imageUri.slice(at + 1) }]
        : colon > imageUri.lastIndexOf('/')
          ? [imageUri.slice(0, colon), { imageTag: imageUri.slice(colon + 1) }]
          : [imageUri, { imageTag: 'latest' }];
    const target = this.parseRepositoryUri(repositoryUri);
    const repo = target && this.stores.of(target.scope).repositories.get(target.name);
    if (!repo || (id.imageDigest !== undefined && !isDigest(id.imageDigest))) return undefined;
    return this.findImage(repo, id)?.manifest;
  }

  // --- the API ---------------------------------------------------------------------------------------

  /** The registry a request names (registryId), else the caller's own. */
  private registryScope(ctx: Scope, registryId: string | undefined): Scope {
    if (registryId === undefined) return ctx;
    if (!/^\d{12}$/.test(registryId))
      throw invalid(
        `Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression '[0-9]{12}''`,
      );
    return { accountId: registryId, region: ctx.region };
  }

  private page<T>(items: T[], input: { nextToken?: string; maxResults?: number }, context: string) {
    const page = paginate(items, {
      token: input.nextToken,
      size: input.maxResults,
      defaultSize: 100,
      maxSize: 1000,
      sizeMember: 'maxResults',
      context,
      invalidToken: () =>
        invalid(
          `Invalid parameter at 'nextToken' failed to satisfy constraint: 'The token is invalid or expired'`,
        ),
      invalidSize: () =>
        invalid(
          `Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value between 1 and 1000'`,
        ),
    });
    return { items: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  }

  readonly api: JsonService = {
    name: 'ECR',
    targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
    jsonVersion: '1.1',
    codes: { missing: 'InvalidParameterException', wrongType: 'SerializationException' },
    operations: new OperationTable([
      define(CreateRepositoryCommand, (input, ctx) => {
        const scope = this.registryScope(ctx, input.registryId);
        return { repository: repositoryShape(scope, this.createRepository(scope, input)) };
      }),
      define(DescribeRepositoriesCommand, (input, ctx) => {
        const scope = this.registryScope(ctx, input.registryId);
        if (input.repositoryNames !== undefined) {
          checkIdList('repositoryNames', input.repositoryNames.length);
          if (input.maxResults !== undefined || input.nextToken !== undefined)
            throw invalid('maxResults and nextToken cannot be used together with repositoryNames');
          return {
            repositories: input.repositoryNames.map((n) => repositoryShape(scope, this.repository(scope, n))),
          };
        }
        const all = [...this.stores.of(scope).repositories.values()].map((r) => repositoryShape(scope, r));
        const { items, ...rest } = this.page(all, input, `DescribeRepositories:${scope.accountId}`);
        return { repositories: items, ...rest };
      }),
      define(DeleteRepositoryCommand, (input, ctx) => {
        const scope = this.registryScope(ctx, input.registryId);
        const repo = this.repository(scope, input.repositoryName ?? '');
        if (repo.images.size > 0 && !input.force)
          throw new AwsError(
            'RepositoryNotEmptyException',
            `The repository with name '${repo.name}' in registry with id '${scope.accountId}' cannot be deleted because it still contains images`,
          );
        this.stores.of(scope).repositories.delete(repo.name);
        this.changed();
        return { repository: repositoryShape(scope, repo) };
      }),
      define(DescribeImagesCommand, (input, ctx) => {
        const scope = this.registryScope(ctx, input.registryId);
        const repo = this.repository(scope, input.repositoryName ?? '');
        if (input.imageIds !== undefined) {
          checkIdList('imageIds', input.imageIds.length);
          if (input.maxResults !== undefined || input.nextToken !== undefined)
            throw invalid('maxResults and nextToken cannot be used together with imageIds');
          const found = new Map<string, Image>();
          for (const id of input.imageIds) {
            const image = this.findImage(repo, id);
            if (!image)
              throw new AwsError(
                'ImageNotFoundException',
                `The image with imageId ${describeId(id)} does not exist within the repository with name '${repo.name}' in the registry with id '${scope.accountId}'`,
              );
            found.set(image.digest, image);
          }
          return { imageDetails: [...found.values()].map((i) => imageDetail(scope, repo, i)) };
        }
        const status = input.filter?.tagStatus ?? 'ANY';
        const images = [...repo.images.values()].filter((i) => matchesTagStatus(i, status));
        const { items, ...rest } = this.page(
          images,
          input,
          `DescribeImages:${scope.accountId}:${repo.name}:${status}`,
        );
        return { imageDetails: items.map((i) => imageDetail(scope, repo, i)), ...rest };
      }),
      define(ListImagesCommand, (input, ctx) => {
        const scope = this.registryScope(ctx, input.registryId);
        const repo = this.repository(scope, input.repositoryName ?? '');
        const status = input.filter?.tagStatus ?? 'ANY';
        const ids = [...repo.images.values()]
          .flatMap(imageIdentifiers)
          .filter((id) =>
            status === 'TAGGED'
              ? id.imageTag !== undefined
              : status === 'UNTAGGED'
                ? id.imageTag === undefined
                : true,
          );
        const { items, ...rest } = this.page(
          ids,
          input,
          `ListImages:${scope.accountId}:${repo.name}:${status}`,
        );
        return { imageIds: items, ...rest };
      }),
      define(BatchGetImageCommand, (input, ctx) => {
        const scope = this.registryScope(ctx, input.registryId);
        const repo = this.repository(scope, input.repositoryName ?? '');
        const ids = input.imageIds ?? [];
        checkIdList('imageIds', ids.length);
        const images = [];
        const failures: ImageFailure[] = [];
        for (const id of ids) {
          const failure = identifierFailure(id);
          const image = failure ? undefined : this.findImage(repo, id);
          if (failure) failures.push(failure);
          else if (!image)
            failures.push({
              imageId: id,
              failureCode: 'ImageNotFound',
              failureReason: 'Requested image not found',
            });
          else if (input.acceptedMediaTypes && !input.acceptedMediaTypes.includes(image.manifestMediaType))
            failures.push({
              imageId: id,
              failureCode: 'ImageNotFound',
              failureReason: `The image's manifest media type ${image.manifestMediaType} is not among the accepted media types`,
            });
          else
            images.push({
              registryId: scope.accountId,
              repositoryName: repo.name,
              imageId: { imageDigest: image.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
              imageManifest: image.manifest,
              imageManifestMediaType: image.manifestMediaType,
            });
        }
        return { images, failures };
      }),
      define(BatchDeleteImageCommand, (input, ctx) => {
        const scope = this.registryScope(ctx, input.registryId);
        const repo = this.repository(scope, input.repositoryName ?? '');
        const ids = input.imageIds ?? [];
        checkIdList('imageIds', ids.length);
        const deleted: ImageIdentifier[] = [];
        const failures: ImageFailure[] = [];
        for (const id of ids) {
          const failure = identifierFailure(id);
          const image = failure ? undefined : this.findImage(repo, id);
          if (failure) failures.push(failure);
          else if (!image)
            failures.push({
              imageId: id,
              failureCode: 'ImageNotFound',
              failureReason: 'Requested image not found',
            });
          else if (id.imageDigest === undefined && id.imageTag !== undefined && image.tags.size > 1) {
            // Deleting by one of several tags only untags the image.
            image.tags.delete(id.imageTag);
            deleted.push({ imageDigest: image.digest, imageTag: id.imageTag });
          } else if ([...repo.images.values()].some((i) => i.references.includes(image.digest)))
            failures.push({
              imageId: id,
              failureCode: 'ImageReferencedByManifestList',
              failureReason: 'Requested image is referenced by a manifest list',
            });
          else {
            deleted.push(...imageIdentifiers(image));
            repo.images.delete(image.digest);
          }
        }
        if (deleted.length > 0) this.changed();
        return { imageIds: deleted, failures };
      }),
      define(PutImageCommand, (input, ctx) => {
        const scope = this.registryScope(ctx, input.registryId);
        const name = input.repositoryName ?? '';
        const image = this.putImage(scope, name, input);
        return {
          image: {
            registryId: scope.accountId,
            repositoryName: name,
            imageId: { imageDigest: image.digest, ...(input.imageTag ? { imageTag: input.imageTag } : {}) },
            imageManifest: image.manifest,
            imageManifestMediaType: image.manifestMediaType,
          },
        };
      }),
      define(GetAuthorizationTokenCommand, (input, ctx) => {
        const ids = input.registryIds ?? [ctx.accountId];
        if (ids.length < 1 || ids.length > 10)
          throw invalid(
            `Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must have length between 1 and 10'`,
          );
        const expiresAt = new Date(Date.now() + 12 * 3600 * 1000);
        return {
          authorizationData: ids.map((id) => {
            this.registryScope(ctx, id);
            return {
              authorizationToken: Buffer.from(`AWS:${this.tokens.issue(id, expiresAt)}`).toString('base64'),
              expiresAt,
              proxyEndpoint: this.deps.proxyEndpoint,
            };
          }),
        };
      }),
    ]),
  };
}

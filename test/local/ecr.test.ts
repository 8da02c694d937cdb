import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ImageAlreadyExistsException,
  ImageDigestDoesNotMatchException,
  ImageNotFoundException,
  ImageTagAlreadyExistsException,
  InvalidParameterException,
  LayersNotFoundException,
  ListImagesCommand,
  PutImageCommand,
  RepositoryAlreadyExistsException,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { botocoreUnavailableReason, rawJsonCall, shapeProblems } from '../helpers/botocore-shape.js';
import { pushTestImage, serviceScript } from './test-images.js';

let cloud: LocalCloud;
let ecr: ECRClient;
/** A client of another account (a 12-digit access key names the account), so listings start empty. */
const clientOf = (accountId: string) =>
  new ECRClient({
    endpoint: cloud.endpointUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: accountId, secretAccessKey: 'local' },
  });

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-ecr-')),
  });
  ecr = new ECRClient({ endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS });
}, 30_000);
afterAll(() => cloud.stop());

const sha256 = (data: string | Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** A Docker image manifest over blobs the store holds (pushed as the registry would). */
function dockerManifest(layerText: string) {
  const config = cloud.images.putBlob(
    Buffer.from(`{"architecture":"amd64","os":"linux","x":"${layerText}"}`),
  );
  const layer = cloud.images.putBlob(Buffer.from(layerText));
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      digest: config.digest,
      size: config.size,
    },
    layers: [
      {
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        digest: layer.digest,
        size: layer.size,
      },
    ],
  });
}

describe('ECR repositories', () => {
  it('creates and describes repositories, with the modeled errors', async () => {
    const created = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'api-repo',
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );
    expect(created.repository).toMatchObject({
      repositoryUri: `${cloud.accountId}.dkr.ecr.us-east-1.amazonaws.com/api-repo`,
      repositoryArn: `arn:aws:ecr:us-east-1:${cloud.accountId}:repository/api-repo`,
      imageTagMutability: 'MUTABLE',
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
    await expect(
      ecr.send(new CreateRepositoryCommand({ repositoryName: 'api-repo' })),
    ).rejects.toBeInstanceOf(RepositoryAlreadyExistsException);
    const described = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['api-repo'] }));
    expect(described.repositories?.[0]?.imageScanningConfiguration?.scanOnPush).toBe(true);
    await expect(
      ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['nope'] })),
    ).rejects.toBeInstanceOf(RepositoryNotFoundException);
  });

  it('keeps KMS encryption and tag immutability as asked', async () => {
    const created = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'team/locked',
        imageTagMutability: 'IMMUTABLE',
        encryptionConfiguration: { encryptionType: 'KMS' },
      }),
    );
    expect(created.repository).toMatchObject({
      imageTagMutability: 'IMMUTABLE',
      encryptionConfiguration: {
        encryptionType: 'KMS',
        kmsKey: `arn:aws:kms:us-east-1:${cloud.accountId}:alias/aws/ecr`,
      },
    });
    const own = 'arn:aws:kms:us-east-1:000000000000:key/1234';
    const withKey = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'team/own-key',
        encryptionConfiguration: { encryptionType: 'KMS', kmsKey: own },
      }),
    );
    expect(withKey.repository?.encryptionConfiguration?.kmsKey).toBe(own);
  });

  it.each([
    ['an upper-case name', { repositoryName: 'Web' }],
    ['a one-character name', { repositoryName: 'a' }],
    ['a leading separator', { repositoryName: '-web' }],
    ['a name too long', { repositoryName: 'a'.repeat(257) }],
    ['an unknown tag mutability', { repositoryName: 'web-x', imageTagMutability: 'SOMETIMES' as 'MUTABLE' }],
    [
      'a KMS key with AES256',
      {
        repositoryName: 'web-y',
        encryptionConfiguration: { encryptionType: 'AES256' as const, kmsKey: 'k' },
      },
    ],
    ['a malformed registry id', { repositoryName: 'web-z', registryId: '12' }],
  ])('refuses %s with InvalidParameterException', async (_, input) => {
    await expect(ecr.send(new CreateRepositoryCommand(input))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });

  it('pages DescribeRepositories by maxResults and nextToken, and refuses bad tokens and sizes', async () => {
    const other = clientOf('111111111111');
    const names = ['r-one', 'r-two', 'r-three', 'r-four', 'r-five'];
    for (const repositoryName of names) await other.send(new CreateRepositoryCommand({ repositoryName }));
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await other.send(new DescribeRepositoriesCommand({ maxResults: 2, nextToken }));
      expect(page.repositories?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.repositories ?? []).map((r) => r.repositoryName ?? ''));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(seen).toEqual(names);
    expect((await other.send(new DescribeRepositoriesCommand({}))).nextToken).toBeUndefined();
    for (const bad of [{ nextToken: 'not-a-token' }, { maxResults: 0 }, { maxResults: 1001 }]) {
      await expect(other.send(new DescribeRepositoriesCommand(bad))).rejects.toBeInstanceOf(
        InvalidParameterException,
      );
    }
    // The other account's repositories are not the default account's.
    const mine = await ecr.send(new DescribeRepositoriesCommand({}));
    expect(mine.repositories?.map((r) => r.repositoryName)).not.toContain('r-one');
  });

  it('deletes a repository only when empty or forced', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'doomed' }));
    pushTestImage(cloud, 'doomed', 'v1', serviceScript('doomed'));
    await expect(ecr.send(new DeleteRepositoryCommand({ repositoryName: 'doomed' }))).rejects.toBeInstanceOf(
      RepositoryNotEmptyException,
    );
    await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'doomed', force: true }));
    await expect(
      ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['doomed'] })),
    ).rejects.toBeInstanceOf(RepositoryNotFoundException);
  });
});

describe('ECR images', () => {
  beforeAll(async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'images' }));
  });

  it('puts, describes and gets images by tag and digest', async () => {
    const uri = pushTestImage(cloud, 'api-repo', 'v1', serviceScript('v1'));
    const digest = uri.split('@')[1];
    const got = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: 'api-repo',
        imageIds: [{ imageTag: 'v1' }, { imageTag: 'missing' }],
      }),
    );
    expect(got.images?.[0]?.imageId?.imageDigest).toBe(digest);
    expect(got.failures?.[0]).toMatchObject({ failureCode: 'ImageNotFound' });
    const put = await ecr.send(
      new PutImageCommand({
        repositoryName: 'api-repo',
        imageManifest: got.images?.[0]?.imageManifest,
        imageTag: 'also-v1',
      }),
    );
    expect(put.image?.imageId?.imageDigest).toBe(digest);
    const images = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'api-repo', imageIds: [{ imageDigest: digest }] }),
    );
    expect(images.imageDetails?.[0]).toMatchObject({
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactMediaType: 'application/vnd.stepship.process.config.v1+json',
    });
    expect(images.imageDetails?.[0]?.imageTags?.sort()).toEqual(['also-v1', 'v1']);
    await expect(
      ecr.send(new DescribeImagesCommand({ repositoryName: 'api-repo', imageIds: [{ imageTag: 'nope' }] })),
    ).rejects.toBeInstanceOf(ImageNotFoundException);
    await expect(
      ecr.send(
        new PutImageCommand({
          repositoryName: 'api-repo',
          imageManifest: got.images?.[0]?.imageManifest,
          imageTag: 'v1',
        }),
      ),
    ).rejects.toBeInstanceOf(ImageAlreadyExistsException);
    const token = await ecr.send(new GetAuthorizationTokenCommand({}));
    expect(Buffer.from(token.authorizationData?.[0]?.authorizationToken ?? '', 'base64').toString()).toMatch(
      /^AWS:/,
    );
    expect(token.authorizationData?.[0]?.proxyEndpoint).toBe(cloud.endpointUrl);
  });

  it('pages DescribeImages and lists images by tag status, then deletes by tag and digest', async () => {
    const pushed = ['one', 'two', 'three'].map((tag) => {
      const manifest = dockerManifest(`layer ${tag}`);
      cloud.ecr.putImage(cloud.scope, 'images', { imageManifest: manifest, imageTag: tag });
      return sha256(manifest);
    });
    // Moving tag "one" to the second image leaves the first untagged.
    await ecr.send(
      new PutImageCommand({
        repositoryName: 'images',
        imageManifest: dockerManifest('layer two'),
        imageTag: 'one',
      }),
    );
    const first = await ecr.send(new DescribeImagesCommand({ repositoryName: 'images', maxResults: 2 }));
    expect(first.imageDetails).toHaveLength(2);
    expect(first.nextToken).toBeDefined();
    const second = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'images', maxResults: 2, nextToken: first.nextToken }),
    );
    expect(second.imageDetails?.map((d) => d.imageDigest)).toEqual([pushed[2]]);
    expect(second.nextToken).toBeUndefined();
    expect(first.imageDetails?.[0]?.imageTags).toBeUndefined();
    expect(first.imageDetails?.[1]).toMatchObject({
      imageDigest: pushed[1],
      imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
    });
    await expect(
      ecr.send(
        new DescribeImagesCommand({
          repositoryName: 'images',
          nextToken: first.nextToken,
          filter: { tagStatus: 'TAGGED' },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);

    const untagged = await ecr.send(
      new ListImagesCommand({ repositoryName: 'images', filter: { tagStatus: 'UNTAGGED' } }),
    );
    expect(untagged.imageIds).toEqual([{ imageDigest: pushed[0] }]);
    const tagged = await ecr.send(
      new ListImagesCommand({ repositoryName: 'images', filter: { tagStatus: 'TAGGED' } }),
    );
    expect(tagged.imageIds?.map((id) => id.imageTag).sort()).toEqual(['one', 'three', 'two']);
    const paged = await ecr.send(new ListImagesCommand({ repositoryName: 'images', maxResults: 1 }));
    expect(paged.imageIds).toHaveLength(1);
    expect(paged.nextToken).toBeDefined();

    const deleted = await ecr.send(
      new BatchDeleteImageCommand({
        repositoryName: 'images',
        imageIds: [
          { imageTag: 'one' },
          { imageDigest: pushed[0] },
          { imageTag: 'ghost' },
          { imageDigest: 'sha256:zz' },
        ],
      }),
    );
    expect(deleted.imageIds).toEqual([
      { imageDigest: pushed[1], imageTag: 'one' },
      { imageDigest: pushed[0] },
    ]);
    expect(deleted.failures?.map((f) => f.failureCode)).toEqual(['ImageNotFound', 'InvalidImageDigest']);
    const left = await ecr.send(new ListImagesCommand({ repositoryName: 'images' }));
    expect(left.imageIds?.map((id) => id.imageTag).sort()).toEqual(['three', 'two']);
  });

  it('answers a digest that is not sha256 and 64 hex digits as ECR does, without touching the file system', async () => {
    const traversal = 'sha256:../../etc/hostname';
    await expect(
      ecr.send(
        new DescribeImagesCommand({ repositoryName: 'images', imageIds: [{ imageDigest: traversal }] }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    const got = await ecr.send(
      new BatchGetImageCommand({ repositoryName: 'images', imageIds: [{ imageDigest: traversal }] }),
    );
    expect(got.failures?.[0]?.failureCode).toBe('InvalidImageDigest');
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: traversal, size: 1 },
      layers: [],
    });
    await expect(
      ecr.send(new PutImageCommand({ repositoryName: 'images', imageManifest: manifest, imageTag: 'evil' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  describe('PutImage refusals: a 4xx with the modeled error, and no push event', () => {
    const put = (
      imageManifest: string,
      extra: Partial<ConstructorParameters<typeof PutImageCommand>[0]> = {},
    ) =>
      ecr.send(
        new PutImageCommand({ repositoryName: 'images', imageManifest, imageTag: 'refused', ...extra }),
      );

    const layer = () => {
      const blob = cloud.images.putBlob(Buffer.from('a real layer'));
      return {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: blob.digest,
        size: blob.size,
      };
    };
    const config = () => {
      const blob = cloud.images.putBlob(Buffer.from('{}'));
      return { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blob.digest, size: blob.size };
    };
    const oci = (body: Record<string, unknown>) =>
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', ...body });

    it.each([
      ['{}', () => '{}', InvalidParameterException],
      ['123', () => '123', InvalidParameterException],
      ['[]', () => '[]', InvalidParameterException],
      ['null', () => 'null', InvalidParameterException],
      ['text that is not JSON', () => 'FROM node', InvalidParameterException],
      [
        'schema version 1',
        () => JSON.stringify({ schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] }),
        InvalidParameterException,
      ],
      [
        'an unknown media type',
        () => JSON.stringify({ schemaVersion: 2, mediaType: 'text/plain', config: config(), layers: [] }),
        InvalidParameterException,
      ],
      ['no config', () => oci({ layers: [layer()] }), InvalidParameterException],
      ['layers that are not a list', () => oci({ config: config(), layers: {} }), InvalidParameterException],
      [
        'a negative layer size',
        () => oci({ config: config(), layers: [{ ...layer(), size: -1 }] }),
        InvalidParameterException,
      ],
      [
        'a descriptor without media type',
        () => oci({ config: config(), layers: [{ ...layer(), mediaType: undefined }] }),
        InvalidParameterException,
      ],
      [
        'a layer never uploaded',
        () => oci({ config: config(), layers: [{ ...layer(), digest: sha256('never uploaded') }] }),
        LayersNotFoundException,
      ],
      [
        'a layer size that differs from the blob',
        () => oci({ config: config(), layers: [{ ...layer(), size: 3 }] }),
        LayersNotFoundException,
      ],
    ])('refuses %s', async (_, manifest, error) => {
      const publish = jest.spyOn(cloud.events, 'publish');
      try {
        await expect(put(manifest())).rejects.toBeInstanceOf(error);
        expect(publish).not.toHaveBeenCalled();
      } finally {
        publish.mockRestore();
      }
    });

    it('refuses a manifest whose media type differs from the declared one, or whose digest differs from the given one', async () => {
      const manifest = oci({ config: config(), layers: [layer()] });
      await expect(
        put(manifest, { imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json' }),
      ).rejects.toBeInstanceOf(InvalidParameterException);
      await expect(put(manifest, { imageDigest: sha256('something else') })).rejects.toBeInstanceOf(
        ImageDigestDoesNotMatchException,
      );
      await expect(put(manifest, { imageDigest: 'sha256:short' })).rejects.toBeInstanceOf(
        InvalidParameterException,
      );
    });

    it('announces a push that is accepted, once', async () => {
      const publish = jest.spyOn(cloud.events, 'publish');
      try {
        const manifest = oci({ config: config(), layers: [layer()] });
        const done = await put(manifest, { imageDigest: sha256(manifest) });
        expect(done.image?.imageId).toEqual({ imageDigest: sha256(manifest), imageTag: 'refused' });
        expect(publish).toHaveBeenCalledTimes(1);
        expect(publish.mock.calls[0]?.[1]).toMatchObject({
          source: 'aws.ecr',
          'detail-type': 'ECR Image Action',
          detail: { 'action-type': 'PUSH', 'image-tag': 'refused', 'image-digest': sha256(manifest) },
        });
      } finally {
        publish.mockRestore();
      }
    });
  });

  it('keeps an immutable tag on its image', async () => {
    cloud.ecr.putImage(cloud.scope, 'team/locked', {
      imageManifest: dockerManifest('locked 1'),
      imageTag: 'v1',
    });
    await expect(
      ecr.send(
        new PutImageCommand({
          repositoryName: 'team/locked',
          imageManifest: dockerManifest('locked 2'),
          imageTag: 'v1',
        }),
      ),
    ).rejects.toBeInstanceOf(ImageTagAlreadyExistsException);
  });
});

const botocoreReason = botocoreUnavailableReason();
if (botocoreReason && process.env.CI === 'true')
  throw new Error(`botocore checks must run in CI: ${botocoreReason}`);
(botocoreReason ? describe.skip : describe)('ECR responses against botocore’s model', () => {
  const call = (operation: string, body: unknown) =>
    rawJsonCall(cloud.endpointUrl, `AmazonEC2ContainerRegistry_V20150921.${operation}`, body);

  it.each([
    ['DescribeRepositories', {}],
    ['DescribeImages', { repositoryName: 'api-repo' }],
    ['ListImages', { repositoryName: 'api-repo' }],
    ['BatchGetImage', { repositoryName: 'api-repo', imageIds: [{ imageTag: 'v1' }, { imageTag: 'nope' }] }],
    ['GetAuthorizationToken', {}],
    [
      'CreateRepository',
      { repositoryName: 'shape-check', encryptionConfiguration: { encryptionType: 'KMS' } },
    ],
    ['BatchDeleteImage', { repositoryName: 'api-repo', imageIds: [{ imageTag: 'nope' }, {}] }],
    ['DeleteRepository', { repositoryName: 'shape-check' }],
  ])('%s fits the model', async (operation, body) => {
    const answer = await call(operation, body);
    expect(answer.status).toBe(200);
    expect(shapeProblems('ecr', operation, answer.body)).toEqual([]);
  });
});

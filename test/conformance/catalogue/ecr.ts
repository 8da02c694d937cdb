import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { expect } from '@jest/globals';
import type { LocalCloud } from '../../../local/cloud.js';
import { caseBuilders } from '../case-builders.js';
import { type ClientClass, type ServiceCatalogue, tableOperations } from '../suite.js';

interface EcrFixtures {
  /** A manifest pushed to no repository yet. */
  spareManifest: string;
  digests: string[];
}

const REPOSITORY = 'conf-a';

/** A distinct process image (its one file differs), stored in the local image store. */
const imageManifest = (cloud: LocalCloud, n: number) =>
  cloud.images.createImage(
    { 'app/n.txt': Buffer.from(String(n)) },
    { entrypoint: ['node', '-e', '0'], env: {}, exposedPorts: [] },
  );

const { fails, ok, paginates } = caseBuilders<EcrFixtures>();

export const ecr: ServiceCatalogue<EcrFixtures> = {
  model: 'ecr',
  client: ECRClient as unknown as ClientClass,
  emulated: (cloud) => tableOperations(cloud.ecr.api),

  async setup({ cloud, prepare }) {
    for (const name of [REPOSITORY, 'conf-b', 'conf-c'])
      await prepare(CreateRepositoryCommand, { repositoryName: name });
    const digests: string[] = [];
    for (const n of [1, 2, 3]) {
      const out = await prepare(PutImageCommand, {
        repositoryName: REPOSITORY,
        imageManifest: imageManifest(cloud, n),
        imageTag: `v${n}`,
      });
      digests.push(out.image?.imageId?.imageDigest ?? '');
    }
    return { spareManifest: imageManifest(cloud, 4), digests };
  },

  cases: [
    ok(
      CreateRepositoryCommand,
      'creates a repository that scans on push',
      { repositoryName: 'conf-new', imageScanningConfiguration: { scanOnPush: true } },
      (out) => expect(out.repository?.imageScanningConfiguration?.scanOnPush).toBe(true),
    ),
    fails(
      CreateRepositoryCommand,
      'a name that exists',
      { repositoryName: REPOSITORY },
      'RepositoryAlreadyExistsException',
    ),
    fails(CreateRepositoryCommand, 'an upper-case name', { repositoryName: 'Conf-Upper' }, [
      'InvalidParameterException',
      'ValidationException',
    ]),
    ok(
      DescribeRepositoriesCommand,
      'describes a repository by name',
      { repositoryNames: [REPOSITORY] },
      (out) => expect(out.repositories?.map((r) => r.repositoryName)).toEqual([REPOSITORY]),
    ),
    fails(
      DescribeRepositoriesCommand,
      'an unknown repository',
      { repositoryNames: ['conf-absent'] },
      'RepositoryNotFoundException',
    ),
    ...paginates(DescribeRepositoriesCommand, {}),
    ok(
      DescribeImagesCommand,
      'describes an image by tag',
      { repositoryName: REPOSITORY, imageIds: [{ imageTag: 'v1' }] },
      (out, f) => expect(out.imageDetails?.[0]?.imageDigest).toBe(f.digests[0]),
    ),
    fails(
      DescribeImagesCommand,
      'an unknown tag',
      { repositoryName: REPOSITORY, imageIds: [{ imageTag: 'absent' }] },
      'ImageNotFoundException',
    ),
    fails(
      DescribeImagesCommand,
      'an unknown repository',
      { repositoryName: 'conf-absent' },
      'RepositoryNotFoundException',
    ),
    ...paginates(DescribeImagesCommand, { repositoryName: REPOSITORY }),
    ok(
      BatchGetImageCommand,
      'gets an image’s manifest, a missing one as a failure',
      { repositoryName: REPOSITORY, imageIds: [{ imageTag: 'v2' }, { imageTag: 'absent' }] },
      (out) => {
        expect(out.images).toHaveLength(1);
        expect(out.failures?.map((x) => x.failureCode)).toEqual(['ImageNotFound']);
      },
    ),
    fails(
      BatchGetImageCommand,
      'an unknown repository',
      { repositoryName: 'conf-absent', imageIds: [{ imageTag: 'v1' }] },
      'RepositoryNotFoundException',
    ),
    ok(
      PutImageCommand,
      'pushes a manifest under a tag',
      (f) => ({ repositoryName: 'conf-b', imageManifest: f.spareManifest, imageTag: 'latest' }),
      (out) => expect(out.image?.imageId?.imageTag).toBe('latest'),
    ),
    fails(
      PutImageCommand,
      'an unknown repository',
      (f) => ({ repositoryName: 'conf-absent', imageManifest: f.spareManifest, imageTag: 'latest' }),
      'RepositoryNotFoundException',
    ),
    ok(GetAuthorizationTokenCommand, 'answers a token for the registry', {}, (out) =>
      expect(out.authorizationData?.[0]?.authorizationToken).toBeTruthy(),
    ),
    fails(
      GetAuthorizationTokenCommand,
      'a registry id that is not an account id',
      { registryIds: ['conf'] },
      'InvalidParameterException',
    ),
    ok(
      ListImagesCommand,
      'lists the tagged images',
      { repositoryName: REPOSITORY, filter: { tagStatus: 'TAGGED' } },
      (out) => expect(out.imageIds?.map((i) => i.imageTag).sort()).toEqual(['v1', 'v2', 'v3']),
    ),
    fails(
      ListImagesCommand,
      'an unknown repository',
      { repositoryName: 'conf-absent' },
      'RepositoryNotFoundException',
    ),
    ...paginates(ListImagesCommand, { repositoryName: REPOSITORY }),
    ok(
      BatchDeleteImageCommand,
      'deletes an image by tag, a missing one as a failure',
      { repositoryName: 'conf-c', imageIds: [{ imageTag: 'absent' }] },
      (out) => expect(out.failures?.map((f) => f.failureCode)).toEqual(['ImageNotFound']),
    ),
    fails(
      BatchDeleteImageCommand,
      'an unknown repository',
      { repositoryName: 'conf-absent', imageIds: [{ imageTag: 'v1' }] },
      'RepositoryNotFoundException',
    ),
    ok(DeleteRepositoryCommand, 'deletes an empty repository', { repositoryName: 'conf-c' }, (out) =>
      expect(out.repository?.repositoryName).toBe('conf-c'),
    ),
    fails(
      DeleteRepositoryCommand,
      'a repository that still holds images',
      { repositoryName: REPOSITORY },
      'RepositoryNotEmptyException',
    ),
    fails(
      DeleteRepositoryCommand,
      'an unknown repository',
      { repositoryName: 'conf-absent' },
      'RepositoryNotFoundException',
    ),
  ],
};

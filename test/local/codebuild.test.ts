import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  BatchGetBuildsCommand,
  BatchGetProjectsCommand,
  type Build,
  ResourceNotFoundException as BuildProjectNotFound,
  CodeBuildClient,
  CreateProjectCommand,
  type CreateProjectCommandInput,
  InvalidInputException,
  ListBuildsForProjectCommand,
  ListProjectsCommand,
  ResourceAlreadyExistsException,
  StartBuildCommand,
} from '@aws-sdk/client-codebuild';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { zipSync } from 'fflate';
import { zipFolder } from '../../cli/source-archive.js';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { botocoreUnavailableReason, rawJsonCall, shapeProblems } from '../helpers/botocore-shape.js';
import { eventually } from '../helpers/eventually.js';

const ROOT = new URL('../../', import.meta.url).pathname;
let cloud: LocalCloud;
let config: { endpoint: string; region: string; credentials: typeof LOCAL_CREDENTIALS };
let codebuild: CodeBuildClient;

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-codebuild-')),
  });
  config = { endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS };
  codebuild = new CodeBuildClient(config);
  cloud.s3.createBucket(cloud.scope, 'sources');
  cloud.ecr.createRepository(cloud.scope, { repositoryName: 'built' });
}, 30_000);
afterAll(() => cloud.stop());

const project = (name: string, source: CreateProjectCommandInput['source']): CreateProjectCommandInput => ({
  name,
  source,
  artifacts: { type: 'NO_ARTIFACTS' },
  environment: {
    type: 'LINUX_CONTAINER',
    image: 'aws/codebuild/standard:7.0',
    computeType: 'BUILD_GENERAL1_SMALL',
    environmentVariables: [{ name: 'REPOSITORY_URI', value: `${cloud.ecr.registryHost(cloud.scope)}/built` }],
  },
  serviceRole: 'arn:aws:iam::000000000000:role/build',
});

async function upload(key: string, body: Uint8Array): Promise<void> {
  await new S3Client({ ...config, forcePathStyle: true }).send(
    new PutObjectCommand({ Bucket: 'sources', Key: key, Body: body }),
  );
}

async function finished(id: string): Promise<Build> {
  return eventually(
    `build ${id} to complete`,
    async () => {
      const build = (await codebuild.send(new BatchGetBuildsCommand({ ids: [id] }))).builds?.[0];
      return build?.buildComplete ? build : undefined;
    },
    60_000,
  );
}

async function logOf(build: Build): Promise<string> {
  const logs = await new CloudWatchLogsClient(config).send(
    new GetLogEventsCommand({ logGroupName: build.logs?.groupName, logStreamName: build.logs?.streamName }),
  );
  return (logs.events ?? []).map((e) => e.message).join('\n');
}

describe('builds', () => {
  it('runs the buildspec on a zipped source: phases, logs and the exported digest of the pushed image', async () => {
    await upload('web.zip', zipFolder(join(ROOT, 'service')));
    await codebuild.send(
      new CreateProjectCommand(
        project('build', {
          type: 'S3',
          location: 'sources/web.zip',
          buildspec: readFileSync(join(ROOT, 'buildspec/buildspec.yml'), 'utf8'),
        }),
      ),
    );
    expect(
      (await codebuild.send(new BatchGetProjectsCommand({ names: ['build', 'ghost'] }))).projectsNotFound,
    ).toEqual(['ghost']);
    const started = await codebuild.send(
      new StartBuildCommand({
        projectName: 'build',
        environmentVariablesOverride: [{ name: 'IMAGE_TAG', value: 'v1', type: 'PLAINTEXT' }],
      }),
    );
    expect(started.build).toMatchObject({
      buildNumber: 1,
      buildStatus: 'IN_PROGRESS',
      source: { location: 'sources/web.zip' },
    });
    const build = await finished(started.build?.id ?? '');
    expect(build.buildStatus).toBe('SUCCEEDED');
    expect(build.phases?.map((p) => p.phaseType)).toEqual([
      'SUBMITTED',
      'QUEUED',
      'PROVISIONING',
      'DOWNLOAD_SOURCE',
      'INSTALL',
      'PRE_BUILD',
      'BUILD',
      'POST_BUILD',
      'UPLOAD_ARTIFACTS',
      'FINALIZING',
      'COMPLETED',
    ]);
    expect(build.environment?.environmentVariables?.map((v) => v.name)).toEqual([
      'REPOSITORY_URI',
      'IMAGE_TAG',
    ]);
    const digest = build.exportedEnvironmentVariables?.find((v) => v.name === 'IMAGE_DIGEST')?.value;
    const image = await new ECRClient(config).send(
      new DescribeImagesCommand({ repositoryName: 'built', imageIds: [{ imageTag: 'v1' }] }),
    );
    expect(image.imageDetails?.[0]?.imageDigest).toBe(digest);
    expect(await logOf(build)).toContain(
      `Pushed ${cloud.ecr.registryHost(cloud.scope)}/built:v1 as ${digest}`,
    );
  }, 60_000);

  it('fails in PRE_BUILD, as the buildspec says, when IMAGE_TAG is missing', async () => {
    const started = await codebuild.send(new StartBuildCommand({ projectName: 'build' }));
    expect(started.build?.buildNumber).toBe(2);
    const build = await finished(started.build?.id ?? '');
    expect(build.buildStatus).toBe('FAILED');
    const failed = build.phases?.find((p) => p.phaseStatus === 'FAILED');
    expect(failed?.phaseType).toBe('PRE_BUILD');
    expect(failed?.contexts?.[0]?.statusCode).toBe('COMMAND_EXECUTION_ERROR');
    expect(build.phases?.map((p) => p.phaseType).slice(-3)).toEqual(['PRE_BUILD', 'FINALIZING', 'COMPLETED']);
    expect(await logOf(build)).toContain('required environment variable(s) not set: IMAGE_TAG');
    await expect(codebuild.send(new StartBuildCommand({ projectName: 'ghost' }))).rejects.toBeInstanceOf(
      BuildProjectNotFound,
    );
  }, 60_000);

  it('fails a project without an inline buildspec whose source has none in DOWNLOAD_SOURCE, and keeps serving', async () => {
    await upload('no-buildspec.zip', zipSync({ 'index.js': Buffer.from('console.log(1)') }));
    await codebuild.send(
      new CreateProjectCommand(project('no-spec', { type: 'S3', location: 'sources/no-buildspec.zip' })),
    );
    const started = await codebuild.send(new StartBuildCommand({ projectName: 'no-spec' }));
    const build = await finished(started.build?.id ?? '');
    expect(build.buildStatus).toBe('FAILED');
    const failed = build.phases?.find((p) => p.phaseStatus === 'FAILED');
    expect(failed).toMatchObject({
      phaseType: 'DOWNLOAD_SOURCE',
      contexts: [
        { statusCode: 'YAML_FILE_ERROR', message: expect.stringContaining('YAML file does not exist') },
      ],
    });
    expect(build.phases?.map((p) => p.phaseType).slice(-2)).toEqual(['FINALIZING', 'COMPLETED']);
    // The endpoint is still up and answering.
    expect((await codebuild.send(new ListProjectsCommand({}))).projects).toContain('no-spec');
  }, 60_000);

  it('reads buildspec.yml from the source when the project has none inline', async () => {
    const spec =
      'version: 0.2\nphases:\n  pre_build:\n    commands:\n      - echo "the source buildspec ran"; exit 3\n';
    await upload('with-buildspec.zip', zipSync({ 'buildspec.yml': Buffer.from(spec) }));
    const started = await codebuild.send(
      new StartBuildCommand({ projectName: 'no-spec', sourceLocationOverride: 'sources/with-buildspec.zip' }),
    );
    const build = await finished(started.build?.id ?? '');
    expect(build.phases?.find((p) => p.phaseStatus === 'FAILED')?.phaseType).toBe('PRE_BUILD');
    expect(await logOf(build)).toContain('the source buildspec ran');
  }, 60_000);

  it.each([
    ['a parent-folder entry', (marker: string) => `../${marker}`],
    ['a nested parent-folder entry', (marker: string) => `src/../../${marker}`],
    ['an absolute entry', (marker: string) => join(tmpdir(), marker)],
  ])(
    'refuses a source archive with %s, writing nothing outside the build folder',
    async (_, entry) => {
      const marker = `stepship-zip-slip-${randomUUID()}`;
      await upload(`${marker}.zip`, zipSync({ [entry(marker)]: Buffer.from('escaped') }));
      const started = await codebuild.send(
        new StartBuildCommand({ projectName: 'build', sourceLocationOverride: `sources/${marker}.zip` }),
      );
      const build = await finished(started.build?.id ?? '');
      expect(build.buildStatus).toBe('FAILED');
      expect(build.phases?.find((p) => p.phaseStatus === 'FAILED')).toMatchObject({
        phaseType: 'DOWNLOAD_SOURCE',
        contexts: [{ statusCode: 'CLIENT_ERROR', message: expect.stringContaining('escapes') }],
      });
      expect(existsSync(join(tmpdir(), marker))).toBe(false);
    },
    60_000,
  );

  it('reports a missing source object as the download failure', async () => {
    const started = await codebuild.send(
      new StartBuildCommand({ projectName: 'build', sourceLocationOverride: 'sources/never-uploaded.zip' }),
    );
    const build = await finished(started.build?.id ?? '');
    expect(build.phases?.find((p) => p.phaseStatus === 'FAILED')).toMatchObject({
      phaseType: 'DOWNLOAD_SOURCE',
      contexts: [{ statusCode: 'CLIENT_ERROR' }],
    });
  }, 60_000);
});

describe('projects and listings', () => {
  it.each([
    ['one character', 'a'],
    ['a leading hyphen', '-build'],
    ['a space', 'my build'],
    ['a dot', 'my.build'],
    ['151 characters', `b${'x'.repeat(150)}`],
  ])('refuses a project name of %s with InvalidInputException', async (_, name) => {
    await expect(
      codebuild.send(
        new CreateProjectCommand(project(name, { type: 'NO_SOURCE', buildspec: 'version: 0.2' })),
      ),
    ).rejects.toBeInstanceOf(InvalidInputException);
  });

  it('accepts names of 2 and 150 characters, and refuses a second project of the same name', async () => {
    for (const name of ['ab', `b${'x'.repeat(149)}`])
      await codebuild.send(
        new CreateProjectCommand(project(name, { type: 'NO_SOURCE', buildspec: 'version: 0.2' })),
      );
    await expect(
      codebuild.send(
        new CreateProjectCommand(project('ab', { type: 'NO_SOURCE', buildspec: 'version: 0.2' })),
      ),
    ).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
  });

  it.each([
    ['no ids', []],
    ['101 ids', Array.from({ length: 101 }, (_, i) => `build:${i}`)],
  ])('refuses BatchGetBuilds with %s', async (_, ids) => {
    await expect(codebuild.send(new BatchGetBuildsCommand({ ids }))).rejects.toBeInstanceOf(
      InvalidInputException,
    );
  });

  it('refuses BatchGetProjects with more than 100 names', async () => {
    const names = Array.from({ length: 101 }, (_, i) => `p${i}`);
    await expect(codebuild.send(new BatchGetProjectsCommand({ names }))).rejects.toBeInstanceOf(
      InvalidInputException,
    );
  });

  it('pages ListProjects by 100 and lists a project’s builds newest first', async () => {
    const other = new CodeBuildClient({
      ...config,
      credentials: { accessKeyId: '222222222222', secretAccessKey: 'x' },
    });
    for (let i = 0; i < 101; i++)
      await other.send(
        new CreateProjectCommand(
          project(`p-${String(i).padStart(3, '0')}`, { type: 'NO_SOURCE', buildspec: 'version: 0.2' }),
        ),
      );
    const first = await other.send(new ListProjectsCommand({}));
    expect(first.projects).toHaveLength(100);
    expect(first.projects?.[0]).toBe('p-000');
    const second = await other.send(new ListProjectsCommand({ nextToken: first.nextToken }));
    expect(second.projects).toEqual(['p-100']);
    expect(second.nextToken).toBeUndefined();
    await expect(other.send(new ListProjectsCommand({ nextToken: 'bogus' }))).rejects.toBeInstanceOf(
      InvalidInputException,
    );

    const ids = (await codebuild.send(new ListBuildsForProjectCommand({ projectName: 'build' }))).ids ?? [];
    const builds = (await codebuild.send(new BatchGetBuildsCommand({ ids }))).builds ?? [];
    const numbers = builds.map((b) => b.buildNumber ?? 0);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    await expect(
      codebuild.send(new ListBuildsForProjectCommand({ projectName: 'ghost' })),
    ).rejects.toBeInstanceOf(BuildProjectNotFound);
  }, 60_000);
});

const botocoreReason = botocoreUnavailableReason();
if (botocoreReason && process.env.CI === 'true')
  throw new Error(`botocore checks must run in CI: ${botocoreReason}`);
(botocoreReason ? describe.skip : describe)('CodeBuild responses against botocore’s model', () => {
  it('shapes builds and projects exactly as the model does, nothing more', async () => {
    const ids = (await codebuild.send(new ListBuildsForProjectCommand({ projectName: 'build' }))).ids ?? [];
    expect(ids.length).toBeGreaterThan(0);
    const builds = await rawJsonCall(cloud.endpointUrl, 'CodeBuild_20161006.BatchGetBuilds', { ids });
    expect(builds.status).toBe(200);
    expect(shapeProblems('codebuild', 'BatchGetBuilds', builds.body)).toEqual([]);
    const projects = await rawJsonCall(cloud.endpointUrl, 'CodeBuild_20161006.BatchGetProjects', {
      names: ['build', 'no-spec'],
    });
    expect(shapeProblems('codebuild', 'BatchGetProjects', projects.body)).toEqual([]);
    const created = await rawJsonCall(cloud.endpointUrl, 'CodeBuild_20161006.CreateProject', {
      ...project('shape-check', { type: 'NO_SOURCE', buildspec: 'version: 0.2' }),
    });
    expect(created.status).toBe(200);
    expect(shapeProblems('codebuild', 'CreateProject', created.body)).toEqual([]);
    const started = await rawJsonCall(cloud.endpointUrl, 'CodeBuild_20161006.StartBuild', {
      projectName: 'shape-check',
    });
    expect(started.status).toBe(200);
    expect(shapeProblems('codebuild', 'StartBuild', started.body)).toEqual([]);
    const listed = await rawJsonCall(cloud.endpointUrl, 'CodeBuild_20161006.ListProjects', {});
    expect(shapeProblems('codebuild', 'ListProjects', listed.body)).toEqual([]);
  });
});

import {
  BatchGetBuildsCommand,
  BatchGetProjectsCommand,
  CodeBuildClient,
  CreateProjectCommand,
  type CreateProjectInput,
  StartBuildCommand,
} from '@aws-sdk/client-codebuild';
import { expect } from '@jest/globals';
import { eventually } from '../../helpers/eventually.js';
import { caseBuilders } from '../case-builders.js';
import { type ClientClass, type ServiceCatalogue, tableOperations } from '../suite.js';

interface CodeBuildFixtures {
  /** A build that has finished (it fails at once: its source is not there). */
  finishedBuildId: string;
}

const PROJECT = 'conf-build';
// Known violations (listed in the conformance report), fixed by CodeBuild's move onto the typed core.
const CB_ENVIRONMENT = 'CodeBuild-1: project.environment lacks the required image and computeType';
const CB_EMPTY = 'CodeBuild-3: an empty names/ids list is answered (the model requires at least one)';
const CB_BUILD =
  'CodeBuild-4: Build carries sourceLocation and environmentVariables, which the model does not declare';

const project = (name: string): CreateProjectInput => ({
  name,
  source: { type: 'S3', location: 'conf-sources/absent.zip', buildspec: 'version: 0.2\nphases: {}\n' },
  artifacts: { type: 'NO_ARTIFACTS' },
  environment: {
    type: 'LINUX_CONTAINER',
    image: 'aws/codebuild/standard:7.0',
    computeType: 'BUILD_GENERAL1_SMALL',
    privilegedMode: true,
    environmentVariables: [{ name: 'IMAGE_TAG', value: 'v1', type: 'PLAINTEXT' }],
  },
  serviceRole: 'arn:aws:iam::000000000000:role/conf-build',
  logsConfig: { cloudWatchLogs: { status: 'ENABLED', groupName: `/aws/codebuild/${name}` } },
});

const { fails, known, ok } = caseBuilders<CodeBuildFixtures>();

export const codebuild: ServiceCatalogue<CodeBuildFixtures> = {
  model: 'codebuild',
  client: CodeBuildClient as unknown as ClientClass,
  emulated: (cloud) => tableOperations(cloud.codebuild.api),

  async setup({ prepare }) {
    await prepare(CreateProjectCommand, project(PROJECT));
    const started = await prepare(StartBuildCommand, { projectName: PROJECT });
    const id = started.build?.id ?? '';
    await eventually('the fixture build to finish', async () => {
      const { builds = [] } = await prepare(BatchGetBuildsCommand, { ids: [id] });
      return builds[0]?.buildComplete ? true : undefined;
    });
    return { finishedBuildId: id };
  },

  cases: [
    ...known(
      CB_ENVIRONMENT,
      ok(CreateProjectCommand, 'creates a project', project('conf-new'), (out) =>
        expect(out.project?.name).toBe('conf-new'),
      ),
    ),
    fails(CreateProjectCommand, 'a name that exists', project(PROJECT), 'ResourceAlreadyExistsException'),
    ...known(
      'CodeBuild-2: a project without source, artifacts, environment and serviceRole (all required) is created',
      fails(CreateProjectCommand, 'required members missing', { name: 'conf-bare' } as CreateProjectInput, [
        'InvalidInputException',
        'ValidationException',
      ]),
    ),
    ...known(
      CB_ENVIRONMENT,
      ok(
        BatchGetProjectsCommand,
        'gets projects, a missing one as not found',
        { names: [PROJECT, 'conf-absent'] },
        (out) => {
          expect(out.projects?.map((p) => p.name)).toEqual([PROJECT]);
          expect(out.projectsNotFound).toEqual(['conf-absent']);
        },
      ),
    ),
    ...known(
      CB_EMPTY,
      fails(BatchGetProjectsCommand, 'no names', { names: [] }, [
        'InvalidInputException',
        'ValidationException',
      ]),
    ),
    ...known(
      CB_BUILD,
      ok(StartBuildCommand, 'starts a build', { projectName: PROJECT }, (out) =>
        expect(out.build?.buildStatus).toBe('IN_PROGRESS'),
      ),
    ),
    fails(
      StartBuildCommand,
      'an unknown project',
      { projectName: 'conf-absent' },
      'ResourceNotFoundException',
    ),
    ...known(
      CB_BUILD,
      ok(
        BatchGetBuildsCommand,
        'gets a finished build, a missing one as not found',
        (f) => ({ ids: [f.finishedBuildId, `${PROJECT}:00000000-0000-0000-0000-000000000000`] }),
        (out) => {
          expect(out.builds?.[0]?.buildComplete).toBe(true);
          expect(out.buildsNotFound).toHaveLength(1);
        },
      ),
    ),
    ...known(
      CB_EMPTY,
      fails(BatchGetBuildsCommand, 'no ids', { ids: [] }, ['InvalidInputException', 'ValidationException']),
    ),
  ],
};

import {
  BatchGetBuildsCommand,
  BatchGetProjectsCommand,
  CodeBuildClient,
  CreateProjectCommand,
  type CreateProjectInput,
  ListBuildsCommand,
  ListBuildsForProjectCommand,
  ListProjectsCommand,
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

const { fails, ok, paginates } = caseBuilders<CodeBuildFixtures>();

export const codebuild: ServiceCatalogue<CodeBuildFixtures> = {
  model: 'codebuild',
  client: CodeBuildClient as unknown as ClientClass,
  emulated: (cloud) => tableOperations(cloud.codebuild.api),

  async setup({ prepare }) {
    // Three of each, so that listings can be paged two at a time.
    for (const name of [PROJECT, `${PROJECT}-2`, `${PROJECT}-3`])
      await prepare(CreateProjectCommand, project(name));
    for (let i = 0; i < 2; i++) await prepare(StartBuildCommand, { projectName: PROJECT });
    const started = await prepare(StartBuildCommand, { projectName: PROJECT });
    const id = started.build?.id ?? '';
    await eventually('the fixture build to finish', async () => {
      const { builds = [] } = await prepare(BatchGetBuildsCommand, { ids: [id] });
      return builds[0]?.buildComplete ? true : undefined;
    });
    return { finishedBuildId: id };
  },

  cases: [
    ok(CreateProjectCommand, 'creates a project', project('conf-new'), (out) =>
      expect(out.project?.name).toBe('conf-new'),
    ),
    fails(CreateProjectCommand, 'a name that exists', project(PROJECT), 'ResourceAlreadyExistsException'),
    fails(CreateProjectCommand, 'required members missing', { name: 'conf-bare' } as CreateProjectInput, [
      'InvalidInputException',
      'ValidationException',
    ]),
    ok(
      BatchGetProjectsCommand,
      'gets projects, a missing one as not found',
      { names: [PROJECT, 'conf-absent'] },
      (out) => {
        expect(out.projects?.map((p) => p.name)).toEqual([PROJECT]);
        expect(out.projectsNotFound).toEqual(['conf-absent']);
      },
    ),
    fails(BatchGetProjectsCommand, 'no names', { names: [] }, [
      'InvalidInputException',
      'ValidationException',
    ]),
    ok(StartBuildCommand, 'starts a build', { projectName: PROJECT }, (out) =>
      expect(out.build?.buildStatus).toBe('IN_PROGRESS'),
    ),
    fails(
      StartBuildCommand,
      'an unknown project',
      { projectName: 'conf-absent' },
      'ResourceNotFoundException',
    ),
    ok(
      BatchGetBuildsCommand,
      'gets a finished build, a missing one as not found',
      (f) => ({ ids: [f.finishedBuildId, `${PROJECT}:00000000-0000-0000-0000-000000000000`] }),
      (out) => {
        expect(out.builds?.[0]?.buildComplete).toBe(true);
        expect(out.buildsNotFound).toHaveLength(1);
      },
    ),
    fails(BatchGetBuildsCommand, 'no ids', { ids: [] }, ['InvalidInputException', 'ValidationException']),
    ok(ListProjectsCommand, 'lists the projects', {}, (out) => expect(out.projects).toContain(PROJECT)),
    ...paginates(ListProjectsCommand, {}, { pageSize: false }),
    ok(ListBuildsCommand, 'lists the builds', {}, (out, f) => expect(out.ids).toContain(f.finishedBuildId)),
    ...paginates(ListBuildsCommand, {}, { pageSize: false }),
    ok(ListBuildsForProjectCommand, "lists a project's builds", { projectName: PROJECT }, (out, f) =>
      expect(out.ids).toContain(f.finishedBuildId),
    ),
    fails(
      ListBuildsForProjectCommand,
      'an unknown project',
      { projectName: 'conf-absent' },
      'ResourceNotFoundException',
    ),
    ...paginates(ListBuildsForProjectCommand, { projectName: PROJECT }, { pageSize: false }),
  ],
};

import { randomUUID } from 'node:crypto';
import {
  BatchGetBuildsCommand,
  BatchGetProjectsCommand,
  CreateProjectCommand,
  type CreateProjectInput,
  type EnvironmentVariable,
  ListBuildsCommand,
  ListBuildsForProjectCommand,
  ListProjectsCommand,
  StartBuildCommand,
  type StartBuildInput,
} from '@aws-sdk/client-codebuild';
import { arns, parseArn } from '../../core/arns.js';
import { define, OperationTable } from '../../core/operation.js';
import { paginate } from '../../core/pagination.js';
import type { Scope } from '../../core/scope.js';
import { RegionalStores } from '../../core/stores.js';
import { AwsError } from '../../http/aws-error.js';
import type { JsonService } from '../../http/json-protocol.js';
import { forgetOldBuilds } from './retention.js';
import { BuildRunner, complete, type RunnerDeps } from './runner.js';
import { type BuildRecord, CodeBuildStore, type StoredBuild, type StoredProject } from './store.js';

const invalidInput = (message: string) => new AwsError('InvalidInputException', message);
const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9\-_]{1,149}$/;
const SOURCE_TYPES = ['S3', 'NO_SOURCE'];
const VARIABLE_TYPES = ['PLAINTEXT', 'PARAMETER_STORE', 'SECRETS_MANAGER'];

/**
 * CodeBuild: projects and builds, one store per account and region. Builds
 * run in the background (see BuildRunner); a failure anywhere in one is the
 * build's FAILED status with its phase's context, never the endpoint's.
 */
export class CodeBuild {
  readonly stores = new RegionalStores(() => new CodeBuildStore());
  private readonly runner: BuildRunner;
  /** Builds still running, so a caller (a test, shutdown) can wait for them. */
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: RunnerDeps) {
    this.runner = new BuildRunner(deps);
  }

  createProject(scope: Scope, input: CreateProjectInput): StoredProject {
    const store = this.stores.of(scope);
    const name = input.name ?? '';
    if (!PROJECT_NAME.test(name))
      throw invalidInput(
        `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9][A-Za-z0-9\\-_]{1,149}`,
      );
    if (store.projects.has(name))
      throw new AwsError('ResourceAlreadyExistsException', `Project already exists: ${name}`);
    const source = input.source ?? { type: 'NO_SOURCE' };
    if (!SOURCE_TYPES.includes(source.type ?? ''))
      throw invalidInput(`The local cloud builds from S3 or NO_SOURCE sources, not ${source.type}`);
    if (source.type === 'S3' && !source.location)
      throw invalidInput('Invalid source location: an S3 source needs bucket/key');
    if (source.type === 'NO_SOURCE' && !source.buildspec?.trim())
      throw invalidInput('A project with no source needs an inline buildspec');
    checkRange('timeoutInMinutes', input.timeoutInMinutes, 5, 2160);
    checkRange('queuedTimeoutInMinutes', input.queuedTimeoutInMinutes, 5, 480);
    checkVariables(input.environment?.environmentVariables);
    const now = new Date();
    const project: StoredProject = {
      name,
      arn: arns.codebuildProject(scope, name),
      ...(input.description !== undefined ? { description: input.description } : {}),
      source,
      secondarySources: [],
      secondarySourceVersions: [],
      artifacts: input.artifacts ?? { type: 'NO_ARTIFACTS' },
      secondaryArtifacts: [],
      cache: input.cache ?? { type: 'NO_CACHE' },
      environment: {
        type: input.environment?.type ?? 'LINUX_CONTAINER',
        image: input.environment?.image ?? 'aws/codebuild/standard:7.0',
        computeType: input.environment?.computeType ?? 'BUILD_GENERAL1_SMALL',
        ...input.environment,
        environmentVariables: input.environment?.environmentVariables ?? [],
        privilegedMode: input.environment?.privilegedMode ?? false,
        imagePullCredentialsType: input.environment?.imagePullCredentialsType ?? 'CODEBUILD',
      },
      ...(input.serviceRole !== undefined ? { serviceRole: input.serviceRole } : {}),
      timeoutInMinutes: input.timeoutInMinutes ?? 60,
      queuedTimeoutInMinutes: input.queuedTimeoutInMinutes ?? 480,
      encryptionKey: input.encryptionKey ?? arns.kmsAlias(scope, 'aws/s3'),
      tags: input.tags ?? [],
      created: now,
      lastModified: now,
      badge: { badgeEnabled: input.badgeEnabled ?? false },
      logsConfig: input.logsConfig ?? {
        cloudWatchLogs: { status: 'ENABLED' },
        s3Logs: { status: 'DISABLED', encryptionDisabled: false },
      },
      projectVisibility: 'PRIVATE',
    };
    store.projects.set(name, project);
    this.deps.logs.createGroup(scope, logGroupOf(project));
    return project;
  }

  /** A project by name or ARN. */
  project(scope: Scope, ref: string): StoredProject {
    const parsed = parseArn(ref);
    const name = parsed ? parsed.resource.replace(/^project\//, '') : ref;
    const project = this.stores.of(scope).projects.get(name);
    if (!project)
      throw new AwsError(
        'ResourceNotFoundException',
        `Project cannot be found: ${arns.codebuildProject(scope, name)}`,
      );
    return project;
  }

  /** A build by id (`project:uuid`) or ARN. */
  build(scope: Scope, ref: string): StoredBuild | undefined {
    const parsed = parseArn(ref);
    const id = parsed ? parsed.resource.replace(/^build\//, '') : ref;
    return this.stores.of(scope).builds.get(id)?.build;
  }

  /** Starts a build and returns at once, as StartBuild does; the build runs in the background. */
  startBuild(scope: Scope, input: StartBuildInput, initiator = 'root'): StoredBuild {
    const store = this.stores.of(scope);
    const project = this.project(scope, input.projectName ?? '');
    checkRange('timeoutInMinutesOverride', input.timeoutInMinutesOverride, 5, 2160);
    checkRange('queuedTimeoutInMinutesOverride', input.queuedTimeoutInMinutesOverride, 5, 480);
    checkVariables(input.environmentVariablesOverride);
    const uuid = randomUUID();
    const id = `${project.name}:${uuid}`;
    const buildNumber = (store.buildNumbers.get(project.name) ?? 0) + 1;
    store.buildNumbers.set(project.name, buildNumber);
    const groupName = logGroupOf(project);
    const now = new Date();
    const build: StoredBuild = {
      id,
      arn: arns.codebuildBuild(scope, id),
      buildNumber,
      startTime: now,
      currentPhase: 'SUBMITTED',
      buildStatus: 'IN_PROGRESS',
      projectName: project.name,
      phases: [
        {
          phaseType: 'SUBMITTED',
          phaseStatus: 'SUCCEEDED',
          startTime: now,
          endTime: now,
          durationInSeconds: 0,
        },
      ],
      source: {
        ...project.source,
        type: input.sourceTypeOverride ?? project.source.type,
        ...(input.sourceLocationOverride !== undefined ? { location: input.sourceLocationOverride } : {}),
        ...(input.buildspecOverride !== undefined ? { buildspec: input.buildspecOverride } : {}),
      },
      secondarySources: [],
      secondarySourceVersions: [],
      artifacts: { location: '' },
      secondaryArtifacts: [],
      cache: project.cache ?? { type: 'NO_CACHE' },
      environment: {
        ...project.environment,
        ...(input.imageOverride ? { image: input.imageOverride } : {}),
        ...(input.computeTypeOverride ? { computeType: input.computeTypeOverride } : {}),
        ...(input.privilegedModeOverride !== undefined
          ? { privilegedMode: input.privilegedModeOverride }
          : {}),
        environmentVariables: mergeVariables(
          project.environment.environmentVariables,
          input.environmentVariablesOverride,
        ),
      },
      ...(project.serviceRole !== undefined
        ? { serviceRole: input.serviceRoleOverride ?? project.serviceRole }
        : {}),
      logs: {
        groupName,
        streamName: uuid,
        deepLink: `https://console.aws.amazon.com/cloudwatch/home?region=${scope.region}#logsV2:log-groups/log-group/${encodeURIComponent(groupName)}/log-events/${uuid}`,
        cloudWatchLogsArn: arns.logStream(scope, groupName, uuid),
        cloudWatchLogs: { status: 'ENABLED', groupName, streamName: uuid },
      },
      timeoutInMinutes: input.timeoutInMinutesOverride ?? project.timeoutInMinutes ?? 60,
      queuedTimeoutInMinutes: input.queuedTimeoutInMinutesOverride ?? project.queuedTimeoutInMinutes ?? 480,
      buildComplete: false,
      initiator,
      encryptionKey: project.encryptionKey ?? arns.kmsAlias(scope, 'aws/s3'),
    };
    const record: BuildRecord = { scope, build, buildspec: build.source?.buildspec ?? '' };
    forgetOldBuilds(store, project.name);
    store.builds.set(id, record);
    const run = this.runner
      .run(record)
      .catch((err: unknown) => complete(build, err))
      .finally(() => this.running.delete(run));
    this.running.add(run);
    return build;
  }

  /** Resolves once every build started so far has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private page<T>(items: T[], nextToken: string | undefined, context: string) {
    const page = paginate(items, {
      token: nextToken,
      defaultSize: 100,
      maxSize: 100,
      sizeMember: 'page size',
      context,
      invalidToken: () => invalidInput('Invalid pagination token'),
      invalidSize: (m) => invalidInput(m),
    });
    return { items: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  }

  readonly api: JsonService = {
    name: 'CodeBuild',
    targetPrefix: 'CodeBuild_20161006',
    jsonVersion: '1.1',
    codes: { missing: 'InvalidInputException', wrongType: 'SerializationException' },
    operations: new OperationTable([
      define(CreateProjectCommand, (input, ctx) => ({ project: this.createProject(ctx, input) })),
      define(BatchGetProjectsCommand, (input, ctx) => {
        const names = input.names ?? [];
        checkBatch('names', names.length);
        const found = names.map((n) => {
          try {
            return this.project(ctx, n);
          } catch {
            return undefined;
          }
        });
        return {
          projects: found.filter((p): p is StoredProject => p !== undefined),
          projectsNotFound: names.filter((_, i) => !found[i]),
        };
      }),
      define(ListProjectsCommand, (input, ctx) => {
        const by = input.sortBy ?? 'NAME';
        const projects = [...this.stores.of(ctx).projects.values()].sort((a, b) =>
          by === 'NAME'
            ? a.name.localeCompare(b.name)
            : Number(by === 'CREATED_TIME' ? a.created : a.lastModified) -
              Number(by === 'CREATED_TIME' ? b.created : b.lastModified),
        );
        if (input.sortOrder === 'DESCENDING') projects.reverse();
        const { items, ...rest } = this.page(
          projects.map((p) => p.name),
          input.nextToken,
          `ListProjects:${by}:${input.sortOrder}`,
        );
        return { projects: items, ...rest };
      }),
      define(StartBuildCommand, (input, ctx) => ({
        build: this.startBuild(ctx, input, ctx.accessKeyId ?? 'root'),
      })),
      define(BatchGetBuildsCommand, (input, ctx) => {
        const ids = input.ids ?? [];
        checkBatch('ids', ids.length);
        const found = ids.map((id) => this.build(ctx, id));
        return {
          builds: found.filter((b): b is StoredBuild => b !== undefined),
          buildsNotFound: ids.filter((_, i) => !found[i]),
        };
      }),
      define(ListBuildsForProjectCommand, (input, ctx) => {
        const project = this.project(ctx, input.projectName ?? '');
        const ids = this.buildIds(ctx, input.sortOrder, project.name);
        const { items, ...rest } = this.page(
          ids,
          input.nextToken,
          `ListBuildsForProject:${project.name}:${input.sortOrder}`,
        );
        return { ids: items, ...rest };
      }),
      define(ListBuildsCommand, (input, ctx) => {
        const ids = this.buildIds(ctx, input.sortOrder);
        const { items, ...rest } = this.page(ids, input.nextToken, `ListBuilds:${input.sortOrder}`);
        return { ids: items, ...rest };
      }),
    ]),
  };

  /** Build ids, newest first unless ASCENDING is asked for. */
  private buildIds(scope: Scope, order: string | undefined, project?: string): string[] {
    const ids = [...this.stores.of(scope).builds.values()]
      .filter((r) => project === undefined || r.build.projectName === project)
      .map((r) => r.build.id);
    return order === 'ASCENDING' ? ids : ids.reverse();
  }
}

function logGroupOf(project: StoredProject): string {
  return project.logsConfig?.cloudWatchLogs?.groupName ?? `/aws/codebuild/${project.name}`;
}

function mergeVariables(
  base: EnvironmentVariable[] | undefined,
  overrides: EnvironmentVariable[] | undefined,
): EnvironmentVariable[] {
  const byName = new Map<string, EnvironmentVariable>();
  for (const v of [...(base ?? []), ...(overrides ?? [])])
    byName.set(v.name ?? '', { name: v.name, value: v.value, type: v.type ?? 'PLAINTEXT' });
  return [...byName.values()];
}

function checkVariables(variables: EnvironmentVariable[] | undefined): void {
  for (const v of variables ?? []) {
    if (!v.name) throw invalidInput('An environment variable needs a name');
    if (v.type !== undefined && !VARIABLE_TYPES.includes(v.type))
      throw invalidInput(`Invalid environment variable type ${v.type} for ${v.name}`);
  }
}

function checkRange(member: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max))
    throw invalidInput(
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have value between ${min} and ${max}`,
    );
}

function checkBatch(member: string, length: number): void {
  if (length < 1 || length > 100)
    throw invalidInput(
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length between 1 and 100`,
    );
}

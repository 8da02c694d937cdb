import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { parse } from 'yaml';
import { AwsError, requireString } from '../http/aws-error.js';
import { type JsonService, LegacyOperations } from '../http/json-protocol.js';
import {
  dockerBuildAndPush,
  ensureBaseImage,
  hasBuildx,
  localAwsShim,
  run,
} from '../images/docker-builder.js';
import type { ImageStore } from '../images/image-store.js';
import { buildServiceApp } from '../images/local-builder.js';
import type { EcrService } from './ecr.js';
import type { Logs } from './logs/provider.js';
import type { S3Service } from './s3.js';

export interface Project {
  name: string;
  arn: string;
  sourceLocation: string;
  buildspec: string;
  environmentVariables: { name: string; value: string; type?: string }[];
  logGroup: string;
}

type PhaseType =
  | 'SUBMITTED'
  | 'QUEUED'
  | 'PROVISIONING'
  | 'DOWNLOAD_SOURCE'
  | 'INSTALL'
  | 'PRE_BUILD'
  | 'BUILD'
  | 'POST_BUILD'
  | 'UPLOAD_ARTIFACTS'
  | 'FINALIZING'
  | 'COMPLETED';

interface Phase {
  phaseType: PhaseType;
  phaseStatus?: 'SUCCEEDED' | 'FAILED';
  startTime: Date;
  endTime?: Date;
  durationInSeconds?: number;
  contexts?: { statusCode: string; message: string }[];
}

export interface Build {
  id: string;
  arn: string;
  buildNumber: number;
  projectName: string;
  startTime: Date;
  endTime?: Date;
  currentPhase: PhaseType;
  buildStatus: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'STOPPED';
  buildComplete: boolean;
  sourceLocation: string;
  phases: Phase[];
  logs: { groupName: string; streamName: string };
  environmentVariables: { name: string; value: string; type: string }[];
  exportedEnvironmentVariables?: { name: string; value: string }[];
}

interface Buildspec {
  env?: { variables?: Record<string, string>; 'exported-variables'?: string[] };
  phases?: Record<string, { commands?: string[] }>;
}

class BuildFailure extends Error {
  constructor(
    readonly statusCode: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * CodeBuild, run locally. The embedded runner does what the buildspec does,
 * without Docker: its own variable check (the buildspec's first pre_build
 * command, run in bash), then the service is bundled into a process image
 * and pushed to the local ECR under IMAGE_TAG; IMAGE_DIGEST and IMAGE_URI are
 * exported as the buildspec declares. Phases and logs are reported as
 * CodeBuild reports them.
 */
export class CodeBuildService {
  private readonly projects = new Map<string, Project>();
  private readonly builds = new Map<string, Build>();
  private counter = 0;

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly deps: {
      logs: Logs;
      s3: S3Service;
      ecr: EcrService;
      images: ImageStore;
      nodePaths: string[];
      /** Build with a Docker engine (the buildspec's own commands) instead of the embedded builder. */
      docker?: { endpointUrl: string; credentials: { accessKeyId: string; secretAccessKey: string } };
    },
  ) {}

  createProject(project: Omit<Project, 'arn'>): Project {
    const full = {
      ...project,
      arn: `arn:aws:codebuild:${this.region}:${this.accountId}:project/${project.name}`,
    };
    this.projects.set(project.name, full);
    this.deps.logs.createGroup({ accountId: this.accountId, region: this.region }, project.logGroup);
    return full;
  }

  build(id: string): Build | undefined {
    return this.builds.get(id);
  }

  startBuild(
    projectName: string,
    sourceLocation?: string,
    overrides: { name: string; value: string; type?: string }[] = [],
  ): Build {
    const project = this.projects.get(projectName);
    if (!project)
      throw new AwsError(
        'ResourceNotFoundException',
        `Project cannot be found: arn:aws:codebuild:${this.region}:${this.accountId}:project/${projectName}`,
      );
    const uuid = randomUUID();
    const id = `${projectName}:${uuid}`;
    const variables = new Map(
      project.environmentVariables.map((v) => [v.name, { ...v, type: v.type ?? 'PLAINTEXT' }]),
    );
    for (const v of overrides) variables.set(v.name, { ...v, type: v.type ?? 'PLAINTEXT' });
    const build: Build = {
      id,
      arn: `arn:aws:codebuild:${this.region}:${this.accountId}:build/${id}`,
      buildNumber: ++this.counter,
      projectName,
      startTime: new Date(),
      currentPhase: 'SUBMITTED',
      buildStatus: 'IN_PROGRESS',
      buildComplete: false,
      sourceLocation: sourceLocation ?? project.sourceLocation,
      phases: [{ phaseType: 'SUBMITTED', startTime: new Date() }],
      logs: { groupName: project.logGroup, streamName: uuid },
      environmentVariables: [...variables.values()],
    };
    this.builds.set(id, build);
    void this.run(build, project);
    return build;
  }

  private async run(build: Build, project: Project): Promise<void> {
    const scope = { accountId: this.accountId, region: this.region };
    const log = (line: string) =>
      this.deps.logs.put(scope, build.logs.groupName, build.logs.streamName, line);
    const workDir = mkdtempSync(join(tmpdir(), 'stepship-build-'));
    const env = Object.fromEntries(build.environmentVariables.map((v) => [v.name, v.value]));
    env.AWS_DEFAULT_REGION ??= this.region;
    env.CODEBUILD_BUILD_ID = build.id;
    env.CODEBUILD_SRC_DIR = workDir;
    const spec = parse(project.buildspec) as {
      env?: { variables?: Record<string, string>; 'exported-variables'?: string[] };
      phases?: Record<string, { commands?: string[] }>;
    };
    for (const [name, value] of Object.entries(spec.env?.variables ?? {})) env[name] ??= String(value);

    try {
      for (const phase of ['QUEUED', 'PROVISIONING'] as const)
        await this.phase(build, phase, async () => undefined);
      await this.phase(build, 'DOWNLOAD_SOURCE', async () => {
        log(`[Container] Downloading source from ${build.sourceLocation}`);
        this.download(build.sourceLocation, workDir);
      });
      await this.phase(build, 'INSTALL', async () => log('[Container] Entering phase INSTALL'));
      await this.phase(build, 'PRE_BUILD', async () => {
        log('[Container] Entering phase PRE_BUILD');
        const check = spec.phases?.pre_build?.commands?.[0];
        if (check) await this.bash(check, env, log);
      });
      await this.phase(build, 'BUILD', async () => {
        log('[Container] Entering phase BUILD');
        const image = this.deps.docker
          ? await this.dockerBuild(spec, env, workDir, log)
          : await this.processBuild(env, workDir, log);
        env.IMAGE_DIGEST = image;
        env.IMAGE_URI = `${env.REPOSITORY_URI}@${image}`;
      });
      await this.phase(build, 'POST_BUILD', async () => log('[Container] Entering phase POST_BUILD'));
      build.exportedEnvironmentVariables = (spec.env?.['exported-variables'] ?? []).map((name) => ({
        name,
        value: env[name] ?? '',
      }));
      await this.phase(build, 'UPLOAD_ARTIFACTS', async () => undefined);
      await this.phase(build, 'FINALIZING', async () => undefined);
      build.buildStatus = 'SUCCEEDED';
      log(`[Container] Phase complete: build succeeded`);
    } catch (err) {
      build.buildStatus = 'FAILED';
      log(`[Container] Build failed: ${(err as Error).message}`);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
      build.currentPhase = 'COMPLETED';
      build.phases.push({ phaseType: 'COMPLETED', startTime: new Date() });
      build.endTime = new Date();
      build.buildComplete = true;
    }
  }

  /** The embedded default: the service bundled into a process image, pushed to the local ECR. */
  private async processBuild(
    env: Record<string, string>,
    workDir: string,
    log: (line: string) => void,
  ): Promise<string> {
    log(`Building ${env.REPOSITORY_URI}:${env.IMAGE_TAG} as a local process image (no Docker engine in use)`);
    const serviceDir = join(workDir, env.SERVICE_DIR ?? '.');
    const app = await buildServiceApp(serviceDir, this.deps.nodePaths).catch((err: Error) => {
      throw new BuildFailure('COMMAND_EXECUTION_ERROR', `Error while building the service: ${err.message}`);
    });
    const manifest = this.deps.images.createImage(app.files, {
      entrypoint: app.entrypoint,
      env: { NODE_ENV: 'production' },
      exposedPorts: app.exposedPorts,
    });
    const repositoryName = (env.REPOSITORY_URI ?? '').split('/').slice(1).join('/');
    const image = this.deps.ecr.putImage(repositoryName, manifest, env.IMAGE_TAG);
    log(`Pushed ${env.REPOSITORY_URI}:${env.IMAGE_TAG} as ${image.digest}`);
    return image.digest;
  }

  /**
   * With a Docker engine: the buildspec's build commands for real when buildx
   * is there; otherwise the same image with plain `docker build` and `docker
   * push` (buildx's multi-platform build and registry cache need buildx).
   */
  private async dockerBuild(
    spec: Buildspec,
    env: Record<string, string>,
    workDir: string,
    log: (line: string) => void,
  ): Promise<string> {
    const docker = this.deps.docker as NonNullable<typeof this.deps.docker>;
    const shim = localAwsShim(docker.endpointUrl);
    const base = await ensureBaseImage();
    const buildEnv = {
      ...env,
      // Docker pushes to the endpoint's address; the image keeps its ECR name everywhere else.
      REPOSITORY_URI: this.deps.ecr.dockerReference(env.REPOSITORY_URI ?? ''),
      AWS_ACCESS_KEY_ID: docker.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: docker.credentials.secretAccessKey,
      PATH: `${shim}:${process.env.PATH ?? ''}`,
      BASE_IMAGE: base,
      PLATFORMS: `linux/${process.arch === 'arm64' ? 'arm64' : 'amd64'}`,
    };
    const login = spec.phases?.pre_build?.commands?.find((c) => c.includes('docker login'));
    if (login) await this.bash(`REGISTRY="\${REPOSITORY_URI%%/*}"\n${login}`, buildEnv, log);
    if (await hasBuildx()) {
      log('Building with docker buildx (the buildspec build phase)');
      // One shell for the phase, as CodeBuild runs it; the digest is read back from its variables.
      const commands = [
        ...(spec.phases?.build?.commands ?? []),
        'echo "STEPSHIP_IMAGE_DIGEST=$IMAGE_DIGEST"',
      ];
      const digest = /STEPSHIP_IMAGE_DIGEST=(sha256:[0-9a-f]{64})/.exec(
        await this.bash(commands.join('\n'), buildEnv, log),
      )?.[1];
      if (!digest)
        throw new BuildFailure('COMMAND_EXECUTION_ERROR', 'The build phase exported no IMAGE_DIGEST');
      return digest;
    }
    log('Building with docker build (buildx is not installed)');
    return dockerBuildAndPush(
      join(workDir, env.SERVICE_DIR ?? '.'),
      `${buildEnv.REPOSITORY_URI}:${env.IMAGE_TAG}`,
      base,
      log,
    ).catch((err: Error) => {
      throw new BuildFailure('COMMAND_EXECUTION_ERROR', err.message);
    });
  }

  private async phase(build: Build, type: PhaseType, work: () => Promise<void>): Promise<void> {
    const previous = build.phases.at(-1);
    if (previous && !previous.phaseStatus) this.endPhase(previous, 'SUCCEEDED');
    const phase: Phase = { phaseType: type, startTime: new Date() };
    build.phases.push(phase);
    build.currentPhase = type;
    try {
      await work();
      this.endPhase(phase, 'SUCCEEDED');
    } catch (err) {
      const failure =
        err instanceof BuildFailure
          ? err
          : new BuildFailure('COMMAND_EXECUTION_ERROR', (err as Error).message);
      this.endPhase(phase, 'FAILED', [{ statusCode: failure.statusCode, message: failure.message }]);
      throw failure;
    }
  }

  private endPhase(phase: Phase, status: 'SUCCEEDED' | 'FAILED', contexts?: Phase['contexts']): void {
    phase.phaseStatus = status;
    phase.endTime = new Date();
    phase.durationInSeconds = Math.round((phase.endTime.getTime() - phase.startTime.getTime()) / 1000);
    if (contexts) phase.contexts = contexts;
  }

  /** `bucket/key.zip` from the local S3, unzipped into the build's source directory. */
  private download(location: string, into: string): void {
    const [bucket = '', ...key] = location.replace(/^s3:\/\//, '').split('/');
    const zip = this.deps.s3.get(bucket, key.join('/'));
    if (!zip) throw new BuildFailure('CLIENT_ERROR', `Source not found: s3://${bucket}/${key.join('/')}`);
    for (const [path, data] of Object.entries(unzipSync(zip))) {
      if (path.endsWith('/')) continue;
      const target = join(into, path);
      if (!target.startsWith(into))
        throw new BuildFailure('CLIENT_ERROR', `Source archive escapes its folder: ${path}`);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, data);
    }
  }

  /**
   * Runs buildspec commands in bash, asynchronously: they may call the local
   * cloud itself (aws ecr get-login-password, docker push), which must keep
   * answering meanwhile.
   */
  private async bash(
    command: string,
    env: Record<string, string>,
    log: (line: string) => void,
  ): Promise<string> {
    try {
      return await run(
        'bash',
        ['-c', command],
        { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
        log,
        false,
      );
    } catch (err) {
      throw new BuildFailure(
        'COMMAND_EXECUTION_ERROR',
        `Error while executing command: ${command.split('\n')[0]}... Reason: ${(err as Error).message.replace(/^bash -c /, '')}`,
      );
    }
  }

  readonly api: JsonService = {
    name: 'CodeBuild',
    targetPrefix: 'CodeBuild_20161006',
    jsonVersion: '1.1',
    codes: { missing: 'ValidationException', wrongType: 'SerializationException' },
    operations: LegacyOperations.of({
      CreateProject: (input) => {
        const name = requireString(input, 'name', 'InvalidInputException');
        if (this.projects.has(name))
          throw new AwsError('ResourceAlreadyExistsException', `Project already exists: ${name}`);
        const source = (input.source as { location?: string; buildspec?: string }) ?? {};
        const environment =
          (input.environment as { environmentVariables?: Project['environmentVariables'] }) ?? {};
        const logs = (input.logsConfig as { cloudWatchLogs?: { groupName?: string } } | undefined)
          ?.cloudWatchLogs;
        const project = this.createProject({
          name,
          sourceLocation: source.location ?? '',
          buildspec: source.buildspec ?? '',
          environmentVariables: environment.environmentVariables ?? [],
          logGroup: logs?.groupName ?? `/aws/codebuild/${name}`,
        });
        return { project: this.projectShape(project) };
      },
      BatchGetProjects: (input) => {
        const names = (input.names as string[] | undefined) ?? [];
        return {
          projects: names
            .filter((n) => this.projects.has(n))
            .map((n) => this.projectShape(this.projects.get(n) as Project)),
          projectsNotFound: names.filter((n) => !this.projects.has(n)),
        };
      },
      StartBuild: (input) => {
        const build = this.startBuild(
          requireString(input, 'projectName', 'InvalidInputException'),
          input.sourceLocationOverride as string | undefined,
          (input.environmentVariablesOverride as Project['environmentVariables'] | undefined) ?? [],
        );
        return { build };
      },
      BatchGetBuilds: (input) => {
        const ids = (input.ids as string[] | undefined) ?? [];
        return {
          builds: ids.filter((id) => this.builds.has(id)).map((id) => this.builds.get(id)),
          buildsNotFound: ids.filter((id) => !this.builds.has(id)),
        };
      },
    }),
  };

  private projectShape(p: Project) {
    return {
      name: p.name,
      arn: p.arn,
      source: { type: 'S3', location: p.sourceLocation, buildspec: p.buildspec },
      environment: {
        type: 'LINUX_CONTAINER',
        privilegedMode: true,
        environmentVariables: p.environmentVariables,
      },
      logsConfig: { cloudWatchLogs: { status: 'ENABLED', groupName: p.logGroup } },
    };
  }
}

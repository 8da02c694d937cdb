import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { BuildPhaseType, PhaseContext } from '@aws-sdk/client-codebuild';
import {
  dockerBuildAndPush,
  ensureBaseImageFor,
  hasBuildx,
  localAwsShim,
  run,
} from '../../images/docker-builder.js';
import type { ImageStore } from '../../images/image-store.js';
import { buildServiceApp } from '../../images/local-builder.js';
import type { Ecr } from '../ecr/provider.js';
import type { Logs } from '../logs/provider.js';
import type { S3 } from '../s3/provider.js';
import { BuildFailure, type Buildspec, extractSource, loadBuildspec, s3Location } from './source.js';
import type { BuildRecord, StoredBuild } from './store.js';

export interface RunnerDeps {
  logs: Logs;
  s3: S3;
  ecr: Ecr;
  images: ImageStore;
  nodePaths: string[];
  /** Build with a Docker engine (the buildspec's own commands) instead of the embedded builder. */
  docker?: { endpointUrl: string; credentials: { accessKeyId: string; secretAccessKey: string } };
}

type Log = (line: string) => void;

/**
 * Runs a build, locally. The embedded runner does what the buildspec does,
 * without Docker: its own variable check (the buildspec's first pre_build
 * command, run in bash), then the service is bundled into a process image
 * and pushed to the local ECR under IMAGE_TAG; IMAGE_DIGEST and IMAGE_URI are
 * exported as the buildspec declares. Phases and logs are reported as
 * CodeBuild reports them. A run never rejects: whatever fails becomes the
 * build's failure, with the phase's context.
 */
export class BuildRunner {
  constructor(private readonly deps: RunnerDeps) {}

  async run(record: BuildRecord): Promise<void> {
    const { build, scope } = record;
    const log: Log = (line) => this.deps.logs.put(scope, build.logs.groupName, build.logs.streamName, line);
    const env = Object.fromEntries(
      (build.environment?.environmentVariables ?? []).map((v) => [v.name ?? '', v.value ?? '']),
    );
    env.AWS_DEFAULT_REGION ??= scope.region;
    env.AWS_REGION ??= scope.region;
    env.CODEBUILD_BUILD_ID = build.id;
    env.CODEBUILD_BUILD_ARN = build.arn;
    env.CODEBUILD_BUILD_NUMBER = String(build.buildNumber);
    let workDir: string | undefined;
    let spec: Buildspec = {};
    try {
      for (const phase of ['QUEUED', 'PROVISIONING'] as const)
        await this.phase(build, phase, async () => undefined);
      await this.phase(build, 'DOWNLOAD_SOURCE', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'stepship-build-'));
        workDir = dir;
        env.CODEBUILD_SRC_DIR = dir;
        this.download(record, dir, log);
        spec = loadBuildspec(record.buildspec, dir);
        for (const [name, value] of Object.entries(spec.env?.variables ?? {})) env[name] ??= String(value);
      });
      const dir = workDir ?? '';
      await this.phase(build, 'INSTALL', async () => log('[Container] Entering phase INSTALL'));
      await this.phase(build, 'PRE_BUILD', async () => {
        log('[Container] Entering phase PRE_BUILD');
        const check = spec.phases?.pre_build?.commands?.[0];
        if (check) await this.bash(check, env, log);
      });
      await this.phase(build, 'BUILD', async () => {
        log('[Container] Entering phase BUILD');
        const digest = this.deps.docker
          ? await this.dockerBuild(spec, env, dir, log)
          : await this.processBuild(env, dir, log);
        env.IMAGE_DIGEST = digest;
        env.IMAGE_URI = `${env.REPOSITORY_URI}@${digest}`;
      });
      await this.phase(build, 'POST_BUILD', async () => log('[Container] Entering phase POST_BUILD'));
      build.exportedEnvironmentVariables = (spec.env?.['exported-variables'] ?? []).map((name) => ({
        name,
        value: env[name] ?? '',
      }));
      await this.phase(build, 'UPLOAD_ARTIFACTS', async () => undefined);
      await this.phase(build, 'FINALIZING', async () => undefined);
      build.buildStatus = 'SUCCEEDED';
      log('[Container] Phase complete: build succeeded');
    } catch (err) {
      build.buildStatus = 'FAILED';
      log(`[Container] Build failed: ${err instanceof Error ? err.message : String(err)}`);
      // As CodeBuild: after a failed build phase, post_build still runs; after an earlier one, only finalizing.
      if (build.currentPhase === 'BUILD')
        await this.phase(build, 'POST_BUILD', async () => log('[Container] Entering phase POST_BUILD')).catch(
          () => undefined,
        );
      await this.phase(build, 'FINALIZING', async () => undefined).catch(() => undefined);
    } finally {
      if (workDir) rmSync(workDir, { recursive: true, force: true });
      complete(build);
    }
  }

  /** The embedded default: the service bundled into a process image, pushed to the local ECR. */
  private async processBuild(env: Record<string, string>, workDir: string, log: Log): Promise<string> {
    const target = this.deps.ecr.parseRepositoryUri(env.REPOSITORY_URI ?? '');
    if (!target)
      throw new BuildFailure(
        'CLIENT_ERROR',
        `REPOSITORY_URI ${env.REPOSITORY_URI ?? '(unset)'} is not an ECR repository URI`,
      );
    log(`Building ${env.REPOSITORY_URI}:${env.IMAGE_TAG} as a local process image (no Docker engine in use)`);
    const app = await buildServiceApp(serviceDir(workDir, env), { log, buildArgs: buildArgs(env) }).catch(
      (err: Error) => {
        throw new BuildFailure('COMMAND_EXECUTION_ERROR', `Error while building the service: ${err.message}`);
      },
    );
    const manifest = this.deps.images.createImage(app.files, {
      entrypoint: app.entrypoint,
      env: { NODE_ENV: 'production', ...app.env },
      exposedPorts: app.exposedPorts,
    });
    // As `docker push` does: the same image under the same tag again is no error.
    const image = this.deps.ecr.putImage(
      target.scope,
      target.name,
      { imageManifest: manifest, ...(env.IMAGE_TAG ? { imageTag: env.IMAGE_TAG } : {}) },
      { repeatIsError: false },
    );
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
    log: Log,
  ): Promise<string> {
    const docker = this.deps.docker as NonNullable<RunnerDeps['docker']>;
    const shim = localAwsShim(docker.endpointUrl);
    const context = serviceDir(workDir, env);
    const dockerfile = join(context, env.DOCKERFILE || 'Dockerfile');
    const base = await ensureBaseImageFor(dockerfile);
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
      {
        context,
        dockerfile,
        imageRef: `${buildEnv.REPOSITORY_URI}:${env.IMAGE_TAG}`,
        baseImage: base,
        buildArgs: buildArgs(env),
      },
      log,
    ).catch((err: Error) => {
      throw new BuildFailure('COMMAND_EXECUTION_ERROR', err.message);
    });
  }

  private async phase(build: StoredBuild, type: BuildPhaseType, work: () => Promise<void>): Promise<void> {
    const phase = { phaseType: type, startTime: new Date() } as StoredBuild['phases'][number];
    build.phases.push(phase);
    build.currentPhase = type;
    try {
      await work();
      endPhase(phase, 'SUCCEEDED');
    } catch (err) {
      const failure =
        err instanceof BuildFailure
          ? err
          : new BuildFailure('COMMAND_EXECUTION_ERROR', err instanceof Error ? err.message : String(err));
      endPhase(phase, 'FAILED', [{ statusCode: failure.statusCode, message: failure.message }]);
      throw failure;
    }
  }

  /** The S3 source (a zip), extracted into the build's source folder. */
  private download(record: BuildRecord, into: string, log: Log): void {
    const source = record.build.source;
    if (source?.type === 'NO_SOURCE') return;
    const location = source?.location ?? '';
    log(`[Container] Downloading source from ${location}`);
    const { bucket, key } = s3Location(location);
    const zip = this.deps.s3.get(record.scope, bucket, key);
    if (!zip)
      throw new BuildFailure('CLIENT_ERROR', `NoSuchKey: the source s3://${bucket}/${key} does not exist`);
    extractSource(zip, into, location);
  }

  /**
   * Runs buildspec commands in bash, asynchronously: they may call the local
   * cloud itself (aws ecr get-login-password, docker push), which must keep
   * answering meanwhile.
   */
  private async bash(command: string, env: Record<string, string>, log: Log): Promise<string> {
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
}

/** Ends a build that stopped on its own or on an error nothing else caught. */
export function complete(build: StoredBuild, failure?: unknown): void {
  if (failure !== undefined) {
    build.buildStatus = 'FAILED';
    const open = build.phases.at(-1);
    if (open && !open.phaseStatus)
      endPhase(open, 'FAILED', [
        {
          statusCode: 'COMMAND_EXECUTION_ERROR',
          message: failure instanceof Error ? failure.message : String(failure),
        },
      ]);
  }
  if (build.buildComplete) return;
  build.currentPhase = 'COMPLETED';
  build.phases.push({ phaseType: 'COMPLETED', startTime: new Date() });
  build.endTime = new Date();
  build.buildComplete = true;
}

function endPhase(
  phase: StoredBuild['phases'][number],
  status: 'SUCCEEDED' | 'FAILED',
  contexts?: PhaseContext[],
): void {
  phase.phaseStatus = status;
  phase.endTime = new Date();
  phase.durationInSeconds = Math.round((phase.endTime.getTime() - (phase.startTime?.getTime() ?? 0)) / 1000);
  if (contexts) phase.contexts = contexts;
}

/** SERVICE_DIR inside the source: a value that leaves it is the project's mistake, not a path to follow. */
function serviceDir(workDir: string, env: Record<string, string>): string {
  const dir = resolve(workDir, env.SERVICE_DIR ?? '.');
  const inside = relative(workDir, dir);
  if (inside.startsWith('..') || isAbsolute(inside))
    throw new BuildFailure('CLIENT_ERROR', `SERVICE_DIR ${env.SERVICE_DIR} is outside the source`);
  return dir;
}

/** BUILD_ARGS as the buildspec reads it: `NAME=value` per line. */
function buildArgs(env: Record<string, string>): Record<string, string> {
  const args: Record<string, string> = {};
  for (const line of (env.BUILD_ARGS ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) args[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return args;
}

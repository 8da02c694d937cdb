import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCKER, docker, extraCaCertificates } from '../docker/docker-cli.js';

/** The base image the local Docker builds use: made from this machine's Node and npm (no Docker Hub). */
export const LOCAL_BASE_IMAGE = 'stepship/node-base:24';
const MAKE_BASE = fileURLToPath(new URL('../docker/make-base-image.sh', import.meta.url));

/** The busybox base non-Node services build on: made from this machine's static busybox. */
export const LOCAL_BUSYBOX_IMAGE = 'stepship/busybox-base:local';
const MAKE_BUSYBOX = fileURLToPath(new URL('../docker/make-busybox-image.sh', import.meta.url));

/**
 * The local stand-in for a Dockerfile's `BASE_IMAGE` (no registry of base
 * images is reachable offline): a busybox image for Dockerfiles whose default
 * base is busybox, else the Node base.
 */
export async function ensureBaseImageFor(dockerfile: string): Promise<string> {
  let text = '';
  try {
    text = readFileSync(dockerfile, 'utf8');
  } catch {
    return ensureBaseImage();
  }
  const base = /^\s*ARG\s+BASE_IMAGE=(\S+)/im.exec(text)?.[1] ?? '';
  if (!/(^|\/)busybox(:|@|$)/.test(base)) return ensureBaseImage();
  const present = await docker(['image', 'inspect', LOCAL_BUSYBOX_IMAGE]).then(
    () => true,
    () => false,
  );
  if (!present) await run(MAKE_BUSYBOX, [LOCAL_BUSYBOX_IMAGE], {}, () => undefined);
  return LOCAL_BUSYBOX_IMAGE;
}

export async function ensureBaseImage(): Promise<string> {
  const present = await docker(['image', 'inspect', LOCAL_BASE_IMAGE]).then(
    () => true,
    () => false,
  );
  if (!present) await run(MAKE_BASE, [LOCAL_BASE_IMAGE], {}, () => undefined);
  return LOCAL_BASE_IMAGE;
}

export async function hasBuildx(): Promise<boolean> {
  return docker(['buildx', 'version']).then(
    () => true,
    () => false,
  );
}

/**
 * A directory with an `aws` that talks to the local cloud, put first on the
 * buildspec's PATH so its `aws ecr get-login-password` reaches the local ECR.
 */
export function localAwsShim(endpointUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepship-aws-'));
  const real = process.env.AWS_CLI ?? '/usr/bin/aws';
  writeFileSync(join(dir, 'aws'), `#!/bin/sh\nexec ${real} --endpoint-url ${endpointUrl} "$@"\n`);
  chmodSync(join(dir, 'aws'), 0o755);
  return dir;
}

/** Runs a command, streaming its output lines to `log`; rejects with the exit status. `env` adds to this process's unless `inherit` is false. */
export function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  log: (line: string) => void,
  inherit = true,
): Promise<string> {
  return new Promise((resolve, reject) => {
    // stdin from /dev/null: with a socket on stdin, bash assumes a remote start and reads ~/.bashrc.
    const child = spawn(command, args, {
      env: inherit ? { ...process.env, ...env } : env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(line);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${command} ${args[0] ?? ''} exited with status ${code}`)),
    );
  });
}

export interface DockerBuild {
  context: string;
  dockerfile: string;
  imageRef: string;
  baseImage: string;
  buildArgs: Record<string, string>;
}

/** Builds the service with plain `docker build` (no buildx here) and pushes it; returns the pushed digest. */
export async function dockerBuildAndPush(build: DockerBuild, log: (line: string) => void): Promise<string> {
  const { context, dockerfile, imageRef, baseImage, buildArgs } = build;
  const args = Object.entries(buildArgs).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]);
  await run(
    DOCKER,
    [
      'build',
      '--file',
      dockerfile,
      '--build-arg',
      `BASE_IMAGE=${baseImage}`,
      '--build-arg',
      `EXTRA_CA_CERTS=${extraCaCertificates()}`,
      ...args,
      '--tag',
      imageRef,
      context,
    ],
    {},
    log,
  );
  const pushed = await run(DOCKER, ['push', imageRef], {}, log);
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
  if (!digest) throw new Error('docker push reported no digest');
  return digest;
}

import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCKER, docker, extraCaCertificates } from '../docker/docker-cli.js';

/** The base image the local Docker builds use: made from this machine's Node and npm (no Docker Hub). */
export const LOCAL_BASE_IMAGE = 'stepship/node-base:24';
const MAKE_BASE = fileURLToPath(new URL('../docker/make-base-image.sh', import.meta.url));

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

/** Builds the service with plain `docker build` (no buildx here) and pushes it; returns the pushed digest. */
export async function dockerBuildAndPush(
  contextDir: string,
  imageRef: string,
  baseImage: string,
  log: (line: string) => void,
): Promise<string> {
  await run(
    DOCKER,
    [
      'build',
      '--build-arg',
      `BASE_IMAGE=${baseImage}`,
      '--build-arg',
      `EXTRA_CA_CERTS=${extraCaCertificates()}`,
      '--tag',
      imageRef,
      contextDir,
    ],
    {},
    log,
  );
  const pushed = await run(DOCKER, ['push', imageRef], {}, log);
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
  if (!digest) throw new Error('docker push reported no digest');
  return digest;
}

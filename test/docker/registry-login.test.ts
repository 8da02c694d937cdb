import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LocalCloud } from '../../local/cloud.js';
import { DOCKER, docker, dockerUnavailableReason } from '../../local/docker/docker-cli.js';
import { ensureBaseImageFor } from '../../local/images/docker-builder.js';

const skipReason = await dockerUnavailableReason();
if (skipReason && process.env.STEPSHIP_REQUIRE_DOCKER === '1') {
  throw new Error(`Docker tests are required here (STEPSHIP_REQUIRE_DOCKER=1), but ${skipReason}`);
}

const work = mkdtempSync(join(tmpdir(), 'stepship-registry-login-'));
// A Docker client configuration of the test's own, so no login of the user's is used or changed.
const dockerConfig = join(work, 'docker-config');
let cloud: LocalCloud;
let registry: string;
let tagged: string;

/** The docker client with the test's configuration: its exit and output, `stdin` fed in. */
function dockerClient(args: string[], stdin = ''): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      DOCKER,
      args,
      { env: { ...process.env, DOCKER_CONFIG: dockerConfig }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ ok: !err, output: `${stdout}${stderr}` }),
    );
    child.stdin?.end(stdin);
  });
}

(skipReason ? describe.skip : describe)(
  `docker login to a strict local cloud${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    beforeAll(async () => {
      cloud = await LocalCloud.start({
        endpointPort: 0,
        loadBalancerPort: 0,
        stateDir: join(work, 'state'),
        strict: true,
      });
      registry = new URL(cloud.endpointUrl).host;
      const context = mkdtempSync(join(work, 'context-'));
      writeFileSync(join(context, 'Dockerfile'), 'ARG BASE_IMAGE=busybox\n');
      const base = await ensureBaseImageFor(join(context, 'Dockerfile'));
      tagged = `${registry}/strict-app:v1`;
      await docker(['tag', base, tagged]);
    }, 300_000);
    afterAll(async () => {
      await docker(['rmi', tagged]).catch(() => undefined);
      await cloud?.stop();
      rmSync(work, { recursive: true, force: true });
    });

    it('refuses a push before login, and takes one after logging in with get-login-password', async () => {
      const ecr = new ECRClient({
        endpoint: cloud.endpointUrl,
        region: cloud.region,
        credentials: cloud.credentials,
      });
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'strict-app' }));

      const anonymous = await dockerClient(['push', tagged]);
      expect(anonymous.ok).toBe(false);
      expect(anonymous.output).toMatch(/unauthorized|authentication required|no basic auth credentials/i);

      const wrong = await dockerClient(
        ['login', '--username', 'AWS', '--password-stdin', registry],
        'guessed',
      );
      expect(wrong.ok).toBe(false);

      const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
      const password = Buffer.from(authorizationData?.[0]?.authorizationToken ?? '', 'base64')
        .toString()
        .replace(/^AWS:/, '');
      const login = await dockerClient(
        ['login', '--username', 'AWS', '--password-stdin', registry],
        password,
      );
      expect(login).toMatchObject({ ok: true });
      const pushed = await dockerClient(['push', tagged]);
      expect(pushed).toMatchObject({ ok: true });
      const images = await ecr.send(new DescribeImagesCommand({ repositoryName: 'strict-app' }));
      expect(images.imageDetails?.[0]?.imageTags).toEqual(['v1']);
    }, 300_000);
  },
);

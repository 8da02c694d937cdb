import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Running } from '../../cli/start.js';
import { docker, dockerUnavailableReason } from '../../local/docker/docker-cli.js';
import { PID_LABEL } from '../../local/runtime/lifeline.js';
import { startTestDeployment } from '../helpers/local-deployment.js';

const skipReason = await dockerUnavailableReason();
if (skipReason && process.env.STEPSHIP_REQUIRE_DOCKER === '1') {
  throw new Error(`Docker tests are required here (STEPSHIP_REQUIRE_DOCKER=1), but ${skipReason}`);
}
if (skipReason) console.warn(`Skipping the local cloud's Docker runtime tests: ${skipReason}`);

(skipReason ? describe.skip : describe)(
  `the local cloud with the docker runtime${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    const work = mkdtempSync(join(tmpdir(), 'stepship-docker-rt-'));
    let env: Running;
    // This cloud's task containers: another test file may run a Docker cloud at the same time.
    const taskContainers = async () =>
      (
        await docker([
          'ps',
          '--quiet',
          '--filter',
          'label=stepship.local-cloud=task',
          '--filter',
          `label=${PID_LABEL}=${process.pid}`,
        ])
      )
        .split('\n')
        .filter(Boolean);

    beforeAll(async () => {
      env = await startTestDeployment(work, { runtime: 'docker' });
    }, 600_000);
    afterAll(async () => {
      await env?.cloud.stop();
      rmSync(work, { recursive: true, force: true });
    });

    it('builds with docker, pushes to the local registry, and deploys the image as containers', async () => {
      expect(env.outcome).toMatchObject({ status: 'SUCCEEDED' });
      expect(await taskContainers()).toHaveLength(2);
      const status = (await (await fetch(`${env.cloud.loadBalancerUrl}/status`)).json()) as {
        taskIP: string;
        imageDigest: string;
        image: string;
      };
      expect(status.taskIP).toMatch(/^127\.0\.\d+\.\d+$/);
      expect(status.image).toBe(
        `${env.cloud.ecr.registryHost(env.cloud.scope)}/web/web@${status.imageDigest}`,
      );
      // The registry serves what docker pushed, under its digest.
      const manifest = await fetch(`${env.cloud.endpointUrl}/v2/web/web/manifests/${status.imageDigest}`);
      expect(manifest.status).toBe(200);
      expect(manifest.headers.get('docker-content-digest')).toBe(status.imageDigest);
      expect(manifest.headers.get('content-type')).toMatch(/manifest/);
    });

    it('stops every container when the cloud stops', async () => {
      await env.cloud.stop();
      expect(await taskContainers()).toEqual([]);
    }, 60_000);
  },
);

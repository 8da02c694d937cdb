import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { docker, dockerUnavailableReason } from '../../local/docker/docker-cli.js';
import { ensureBaseImageFor } from '../../local/images/docker-builder.js';
import { PID_LABEL } from '../../local/runtime/lifeline.js';
import { type CloudChild, startCloudChild } from '../helpers/cloud-child.js';
import { eventually } from '../helpers/eventually.js';
import { kill9, reaperOf, runService } from '../lifetime/cloud-processes.js';

const skipReason = await dockerUnavailableReason();
if (skipReason && process.env.STEPSHIP_REQUIRE_DOCKER === '1') {
  throw new Error(`Docker tests are required here (STEPSHIP_REQUIRE_DOCKER=1), but ${skipReason}`);
}

const work = mkdtempSync(join(tmpdir(), 'stepship-containers-lifetime-'));
const clouds: CloudChild[] = [];

async function dockerCloud(stateDir: string): Promise<{ cloud: CloudChild; ecs: ECSClient; ecr: ECRClient }> {
  const cloud = await startCloudChild({ stateDir, runtime: 'docker' });
  clouds.push(cloud);
  const config = { endpoint: cloud.endpointUrl, region: cloud.region, credentials: cloud.credentials };
  return { cloud, ecs: new ECSClient(config), ecr: new ECRClient(config) };
}

/** A busybox container that sleeps, pushed to the cloud's registry; answers its image URI. */
async function sleeperImage(cloud: CloudChild, ecr: ECRClient): Promise<string> {
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'sleeper' }));
  const context = mkdtempSync(join(work, 'context-'));
  writeFileSync(join(context, 'Dockerfile'), 'ARG BASE_IMAGE=busybox\n');
  const base = await ensureBaseImageFor(join(context, 'Dockerfile'));
  writeFileSync(join(context, 'Dockerfile'), `FROM ${base}\nCMD ["sleep", "300"]\n`);
  const local = `${new URL(cloud.endpointUrl).host}/sleeper:v1`;
  await docker(['build', '--quiet', '--tag', local, context]);
  await docker(['push', local]);
  return '000000000000.dkr.ecr.us-east-1.amazonaws.com/sleeper:v1';
}

async function containersOf(cloudPid: number): Promise<string[]> {
  const out = await docker(['ps', '--all', '--quiet', '--filter', `label=${PID_LABEL}=${cloudPid}`]);
  return out.split('\n').filter(Boolean);
}

async function networksOf(cloudPid: number): Promise<string[]> {
  const out = await docker(['network', 'ls', '--quiet', '--filter', `label=${PID_LABEL}=${cloudPid}`]);
  return out.split('\n').filter(Boolean);
}

afterAll(async () => {
  for (const cloud of clouds) {
    if (cloud.alive()) await cloud.stop();
    const left = await containersOf(cloud.pid).catch(() => []);
    if (left.length > 0) await docker(['rm', '--force', ...left]).catch(() => undefined);
    for (const network of await networksOf(cloud.pid).catch(() => []))
      await docker(['network', 'rm', network]).catch(() => undefined);
  }
  rmSync(work, { recursive: true, force: true });
});

(skipReason ? describe.skip : describe)(
  `containers of a local cloud${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    it('are removed, with its network, within seconds of the cloud being killed with SIGKILL', async () => {
      const { cloud, ecs, ecr } = await dockerCloud(join(work, 'killed'));
      await runService(ecs, 'sleepers', { image: await sleeperImage(cloud, ecr) });
      expect(await containersOf(cloud.pid)).toHaveLength(2);
      expect(await networksOf(cloud.pid)).toHaveLength(1);
      ecs.destroy();
      ecr.destroy();
      await kill9(cloud.pid, cloud.process.exited);
      await eventually(
        'no container and no network left',
        async () =>
          (await containersOf(cloud.pid)).length === 0 && (await networksOf(cloud.pid)).length === 0
            ? true
            : undefined,
        15_000,
      );
    }, 300_000);

    it('left by a cloud whose reaper died too, are removed when a local cloud next starts', async () => {
      const { cloud, ecs, ecr } = await dockerCloud(join(work, 'orphaned'));
      await runService(ecs, 'orphans', { image: await sleeperImage(cloud, ecr) }, 1);
      ecs.destroy();
      ecr.destroy();
      const reaper = reaperOf(cloud.pid);
      expect(reaper).toBeDefined();
      await kill9(reaper as number);
      await kill9(cloud.pid, cloud.process.exited);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(await containersOf(cloud.pid)).toHaveLength(1);
      const next = await dockerCloud(join(work, 'elsewhere'));
      next.ecs.destroy();
      next.ecr.destroy();
      expect(await containersOf(cloud.pid)).toHaveLength(0);
      expect(await networksOf(cloud.pid)).toHaveLength(0);
    }, 300_000);
  },
);

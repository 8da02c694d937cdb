import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { type CloudChild, startCloudChild } from '../helpers/cloud-child.js';
import { eventually } from '../helpers/eventually.js';
import { pushProcessImage } from '../helpers/process-image.js';
import { kill9, processesMatching, reaperOf, runService } from './cloud-processes.js';

/**
 * However a local cloud dies, its tasks die with it: a Node task watches its
 * parent (the preload), anything else is ended by the cloud's reaper, and
 * what a cloud whose reaper died too left is ended when the next cloud of the
 * same state directory starts.
 */
const stateDirs: string[] = [];
const clouds: CloudChild[] = [];
let markers: string[] = [];

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepship-lifetime-'));
  stateDirs.push(dir);
  return dir;
}

async function cloudAt(dir: string): Promise<{ cloud: CloudChild; ecs: ECSClient; ecr: ECRClient }> {
  const cloud = await startCloudChild({ stateDir: dir });
  clouds.push(cloud);
  const config = { endpoint: cloud.endpointUrl, region: cloud.region, credentials: cloud.credentials };
  return { cloud, ecs: new ECSClient(config), ecr: new ECRClient(config) };
}

function marker(): string {
  const value = `stepship-lifetime-${randomBytes(6).toString('hex')}`;
  markers.push(value);
  return value;
}

/** A Node server as the public Node image's command: run by the local cloud with its preload. */
const nodeServer = (mark: string) => [
  'node',
  '-e',
  `/* ${mark} */ require('node:http').createServer((q, s) => s.end('ok')).listen(3000)`,
];

/** A task that is not Node (so no preload watches for it): a shell that sleeps, from a process image. */
async function shellImage(cloud: CloudChild, ecr: ECRClient, repository: string): Promise<string> {
  await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
  const digest = await pushProcessImage({
    endpointUrl: cloud.endpointUrl,
    repository,
    tag: 'v1',
    files: { 'README.txt': 'a shell task' },
    entrypoint: ['/bin/sh'],
  });
  return `000000000000.dkr.ecr.us-east-1.amazonaws.com/${repository}@${digest}`;
}

const shellCommand = (mark: string) => ({ entryPoint: ['/bin/sh', '-c', `sleep 300 # ${mark}`] });

afterEach(() => {
  // Whatever a failing test left running goes, so no test leaves processes behind.
  for (const mark of markers) for (const pid of processesMatching(mark)) process.kill(pid, 'SIGKILL');
  markers = [];
});

afterAll(async () => {
  for (const cloud of clouds) if (cloud.alive()) await cloud.stop();
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});

describe('when a local cloud is killed with SIGKILL', () => {
  it('its Node task processes end within seconds', async () => {
    const { cloud, ecs } = await cloudAt(stateDir());
    const mark = marker();
    await runService(ecs, 'node-tasks', {
      image: 'public.ecr.aws/docker/library/node:22',
      command: nodeServer(mark),
      portMappings: [{ containerPort: 3000 }],
    });
    expect(processesMatching(mark)).toHaveLength(2);
    ecs.destroy();
    await kill9(cloud.pid, cloud.process.exited);
    await eventually(
      'no task process',
      async () => (processesMatching(mark).length === 0 ? true : undefined),
      8000,
    );
  }, 120_000);

  it('its other task processes end within seconds too (the reaper ends them)', async () => {
    const { cloud, ecs, ecr } = await cloudAt(stateDir());
    const mark = marker();
    const image = await shellImage(cloud, ecr, 'shell');
    await runService(ecs, 'shell-tasks', { image, ...shellCommand(mark) });
    expect(processesMatching(mark)).toHaveLength(2);
    ecs.destroy();
    ecr.destroy();
    await kill9(cloud.pid, cloud.process.exited);
    await eventually(
      'no task process',
      async () => (processesMatching(mark).length === 0 ? true : undefined),
      8000,
    );
    await eventually(
      'the reaper done',
      async () => (reaperOf(cloud.pid) === undefined ? true : undefined),
      8000,
    );
  }, 120_000);

  it('a clean stop stands the reaper down, and ends its tasks itself', async () => {
    const { cloud, ecs, ecr } = await cloudAt(stateDir());
    const mark = marker();
    const image = await shellImage(cloud, ecr, 'shell');
    await runService(ecs, 'clean-stop', { image, ...shellCommand(mark) }, 1);
    expect(reaperOf(cloud.pid)).toBeDefined();
    ecs.destroy();
    ecr.destroy();
    await cloud.stop();
    expect(processesMatching(mark)).toHaveLength(0);
    await eventually(
      'the reaper gone',
      async () => (reaperOf(cloud.pid) === undefined ? true : undefined),
      8000,
    );
  }, 120_000);
});

describe('when a local cloud and its reaper were both killed', () => {
  it('the next local cloud of the same state directory ends what they left', async () => {
    const dir = stateDir();
    const { cloud, ecs, ecr } = await cloudAt(dir);
    const mark = marker();
    const image = await shellImage(cloud, ecr, 'shell');
    await runService(ecs, 'leftovers', { image, ...shellCommand(mark) });
    ecs.destroy();
    ecr.destroy();
    const reaper = reaperOf(cloud.pid);
    expect(reaper).toBeDefined();
    await kill9(reaper as number);
    await kill9(cloud.pid, cloud.process.exited);
    // Nothing watches them now: they run on.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(processesMatching(mark)).toHaveLength(2);
    const next = await cloudAt(dir);
    next.ecs.destroy();
    next.ecr.destroy();
    expect(processesMatching(mark)).toHaveLength(0);
  }, 120_000);
});

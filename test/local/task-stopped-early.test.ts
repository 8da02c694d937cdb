import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { eventually } from '../helpers/eventually.js';
import { processesMatching } from '../lifetime/cloud-processes.js';
import { pushTestImage, serviceScript } from './test-images.js';

let cloud: LocalCloud;
let ecs: ECSClient;

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-stopped-early-')),
  });
  ecs = new ECSClient({ endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS });
  cloud.ecr.createRepository(cloud.scope, { repositoryName: 'early' });
  await ecs.send(new CreateClusterCommand({ clusterName: 'early' }));
  const image = pushTestImage(cloud, 'early', 'v1', serviceScript('v1'));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'early',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'app', image, entryPoint: ['node'], portMappings: [{ containerPort: 3000 }], stopTimeout: 2 },
      ],
    }),
  );
}, 30_000);
afterAll(async () => {
  ecs.destroy();
  await cloud.stop();
});

describe('a task stopped before its process started', () => {
  it('stays STOPPED and never starts a process', async () => {
    // The marker rides on the command line, so the task's process (if any) can be found in /proc.
    const marker = `stopped-early-${randomUUID()}`;
    // Run and stop in one tick, in process: over HTTP the stop may come after the process started.
    const { tasks } = cloud.ecs.runTask(cloud.scope, {
      cluster: 'early',
      taskDefinition: 'early',
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-local'] } },
      overrides: { containerOverrides: [{ name: 'app', command: ['app/server.mjs', marker] }] },
    });
    const [started] = tasks;
    if (!started) throw new Error('RunTask placed no task');
    expect(started.lastStatus).toBe('PROVISIONING');
    cloud.ecs.scheduler.stopByUser(started, 'stopped at once');
    const taskArn = started.taskArn;

    await eventually('the task to stop', async () => {
      const task = (await ecs.send(new DescribeTasksCommand({ cluster: 'early', tasks: [taskArn] })))
        .tasks?.[0];
      return task?.lastStatus === 'STOPPED' ? task : undefined;
    });
    // Long enough for a start that ignored the stop to have spawned its process and moved the task on.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const task = (await ecs.send(new DescribeTasksCommand({ cluster: 'early', tasks: [taskArn] })))
      .tasks?.[0];
    expect(task).toMatchObject({
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppedReason: 'stopped at once',
    });
    expect(processesMatching(marker)).toEqual([]);
  }, 30_000);
});

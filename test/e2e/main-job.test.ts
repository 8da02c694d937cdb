import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { follow, startFromSource } from '../../cli/deploy.js';
import type { Running } from '../../cli/start.js';
import { LOCAL_CREDENTIALS } from '../../local/cloud.js';
import { buildServiceApp } from '../../local/images/local-builder.js';
import { awsCli, awsCliUnavailableReason } from '../helpers/aws-cli.js';
import { browserUnavailableReason, launchBrowser } from '../helpers/browser.js';
import { eventually } from '../helpers/eventually.js';
import { steadyLoad as loadThrough } from '../helpers/load.js';
import { demoApp, PROJECT_ROOT as ROOT, startTestDeployment } from '../helpers/local-deployment.js';

const STATE_MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:stepship-web-deploy';
const work = mkdtempSync(join(tmpdir(), 'stepship-e2e-'));
let env: Running;

/** A copy of service/ with one change, as a developer would make it. */
function serviceVariant(name: string, change: (dir: string) => void): string {
  const dir = join(work, name);
  cpSync(join(ROOT, 'service'), dir, {
    recursive: true,
    filter: (src) => !src.includes('node_modules') && !src.includes('/dist'),
  });
  change(dir);
  return dir;
}
const withMarker = (marker: string) => (dir: string) => {
  const page = join(dir, 'public', 'index.html');
  writeFileSync(page, readFileSync(page, 'utf8').replace('</main>', `<p id="release">${marker}</p></main>`));
};

/** Steady load on a path through the app's load balancer. */
const steadyLoad = (path = '/') => loadThrough(`${env.cloud.loadBalancerUrl}${path}`);

async function record(deploymentId: string) {
  const out = await env.cloud.dynamodb.send(
    new GetItemCommand({
      TableName: 'stepship-web-deployments',
      Key: { pk: { S: `DEPLOYMENT#${deploymentId}` }, sk: { S: 'RECORD' } },
    }),
  );
  return out.Item ? unmarshall(out.Item) : undefined;
}

async function deploy(serviceDir: string) {
  const started = await startFromSource(env.clients, env.target, serviceDir, 'e2e-test');
  return follow(env.clients, started.executionArn);
}

beforeAll(async () => {
  // No grace period, so the broken service's tasks are replaced as soon as they fail.
  env = await startTestDeployment(work, { app: demoApp({ gracePeriodSeconds: 0 }) });
  // About a minute alone; synthesis with bundling, provisioning and the first deployment took over two with the whole suite on a loaded machine.
}, 240_000);
afterAll(async () => {
  await env?.cloud.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('npm start: the main job on a fresh local cloud', () => {
  it('deploys service/ through the state machine and verifies it', async () => {
    expect(env.outcome).toMatchObject({ status: 'SUCCEEDED' });
    expect(env.outcome.steps.map((s) => s.step)).toEqual(
      expect.arrayContaining([
        'Prepare',
        'Build',
        'ResolveImage',
        'RegisterTaskDefinition',
        'UpdateService',
        'AwaitRollout',
        'VerifyTargets',
        'VerifyChecks',
        'Finalize',
      ]),
    );
    expect(await record(env.outcome.deploymentId)).toMatchObject({
      status: 'SUCCEEDED',
      trigger: 'cli',
      requester: 'stepship-cli',
    });
  });

  it('spreads /status over at least two tasks, which are the healthy targets, and lists the table at /db', async () => {
    const ips = new Set<string>();
    for (let i = 0; i < 8; i++)
      ips.add(
        ((await (await fetch(`${env.cloud.loadBalancerUrl}/status`)).json()) as { taskIP: string }).taskIP,
      );
    expect(ips.size).toBeGreaterThanOrEqual(2);
    const elb = new ElasticLoadBalancingV2Client({
      endpoint: env.cloud.endpointUrl,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    const [group] = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group?.TargetGroupArn }));
    const healthy = (health.TargetHealthDescriptions ?? [])
      .filter((d) => d.TargetHealth?.State === 'healthy')
      .map((d) => d.Target?.Id);
    expect([...ips].sort()).toEqual(healthy.sort());
    const db = (await (await fetch(`${env.cloud.loadBalancerUrl}/db`)).json()) as {
      db: string;
      tables: string[];
    };
    expect(db).toMatchObject({ db: 'connected', tables: expect.arrayContaining(['web-app-table']) });
  });

  (awsCliUnavailableReason() ? it.skip : it)(
    'can be inspected with the AWS CLI, as the README shows',
    async () => {
      const aws = awsCli(env.cloud.endpointUrl);
      // Independent reads, run side by side: each call is a Python start-up of a second or more.
      const [services, groups, history, tables] = await Promise.all([
        aws('ecs', 'describe-services', '--cluster', 'stepship-web', '--services', 'web'),
        aws('elbv2', 'describe-target-groups'),
        aws('stepfunctions', 'get-execution-history', '--execution-arn', env.outcome.executionArn),
        aws('dynamodb', 'list-tables'),
      ]);
      expect(services).toMatchObject({
        services: [
          {
            serviceName: 'web',
            desiredCount: 2,
            deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED' }],
          },
        ],
      });
      const health = await aws(
        'elbv2',
        'describe-target-health',
        '--target-group-arn',
        (groups as { TargetGroups: { TargetGroupArn: string }[] }).TargetGroups[0]?.TargetGroupArn ?? '',
      );
      expect(
        (
          health as { TargetHealthDescriptions: { TargetHealth: { State: string } }[] }
        ).TargetHealthDescriptions.map((d) => d.TargetHealth.State),
      ).toEqual(['healthy', 'healthy']);
      expect((history as { events: { type: string }[] }).events.at(-1)?.type).toBe('ExecutionSucceeded');
      expect(tables).toEqual({
        TableNames: ['stepship-web-deployments', 'web-app-table'],
      });
    },
  );

  it('replaces the tasks with a changed service and no failed request under steady load', async () => {
    const stop = steadyLoad('/status');
    const outcome = await deploy(serviceVariant('v2', withMarker('release-2')));
    const load = await stop();
    expect(outcome.status).toBe('SUCCEEDED');
    expect(load.requests).toBeGreaterThan(100);
    expect(load.failures).toEqual([]);
    expect(await (await fetch(`${env.cloud.loadBalancerUrl}/`)).text()).toContain('release-2');
  }, 120_000);

  it('rolls back a service that fails its health check: FAILED with the cause, ROLLED_BACK, old version serving throughout', async () => {
    const stop = steadyLoad('/');
    const outcome = await deploy(
      serviceVariant('broken', (dir) => rmSync(join(dir, 'public', 'index.html'))),
    );
    const load = await stop();
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('RolloutFailedError');
    expect(outcome.cause).toContain('circuit breaker');
    expect(outcome.cause).toContain('failed ELB health checks');
    expect(await record(outcome.deploymentId)).toMatchObject({
      status: 'ROLLED_BACK',
      error: 'RolloutFailedError',
    });
    expect(load.failures).toEqual([]);
    expect(await (await fetch(`${env.cloud.loadBalancerUrl}/`)).text()).toContain('release-2');
  }, 180_000);

  it('auto-deploys a push to the repository, and a duplicate push starts nothing new', async () => {
    const app = await buildServiceApp(serviceVariant('pushed', withMarker('release-3')));
    const manifest = env.cloud.images.createImage(app.files, {
      entrypoint: app.entrypoint,
      env: {},
      exposedPorts: app.exposedPorts,
    });
    const ecr = new ECRClient({
      endpoint: env.cloud.endpointUrl,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    const pushed = await ecr.send(
      new PutImageCommand({ repositoryName: 'web/web', imageManifest: manifest, imageTag: 'release-3' }),
    );
    const digest = pushed.image?.imageId?.imageDigest ?? '';
    const name = `push-web-${digest.slice(7, 47)}`;
    const executionArn = `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;
    const waitForExecution = async () => {
      for (let i = 0; i < 100; i++) {
        if (env.cloud.sfn.findExecution(executionArn)) return;
        await sleep(100);
      }
      throw new Error(`no execution ${name}`);
    };
    await waitForExecution();
    const outcome = await follow(env.clients, executionArn);
    expect(outcome.status).toBe('SUCCEEDED');
    expect(await (await fetch(`${env.cloud.loadBalancerUrl}/`)).text()).toContain('release-3');

    const before = (await env.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE })))
      .executions?.length;
    await ecr.send(
      new PutImageCommand({
        repositoryName: 'web/web',
        imageManifest: manifest,
        imageTag: 'release-3-again',
      }),
    );
    // A delivery is done when its target, start-deployment, has returned: then any execution it started exists.
    const deliveries = await eventually('both pushes delivered to start-deployment', async () => {
      const ofDigest = env.cloud.events.delivered.filter(
        (d) => (d.event.detail as Record<string, unknown>)['image-digest'] === digest,
      );
      return ofDigest.length === 2 && ofDigest.every((d) => d.status !== 'pending') ? ofDigest : undefined;
    });
    expect(deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered']);
    const after = (await env.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE })))
      .executions?.length;
    expect(after).toBe(before);
  }, 120_000);

  it('refuses a second deployment at once while the first runs (409, nothing started), and completes the first', async () => {
    const dir = serviceVariant('v4', withMarker('release-4'));
    const first = await startFromSource(env.clients, env.target, dir, 'e2e-first');
    const before = (await env.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE })))
      .executions?.length;
    await expect(startFromSource(env.clients, env.target, dir, 'e2e-second')).rejects.toThrow(
      new RegExp(`already in progress: ${first.deploymentId}.*"queue": true`),
    );
    const after = (await env.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE })))
      .executions?.length;
    expect(after).toBe(before);
    expect((await follow(env.clients, first.executionArn)).status).toBe('SUCCEEDED');
  }, 120_000);
});

const skipBrowser = browserUnavailableReason();
(skipBrowser ? describe.skip : describe)(
  `the page through the load balancer, in a real browser${skipBrowser ? ` (skipped: ${skipBrowser})` : ''}`,
  () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(() => browser?.close());

    it('shows the task IP changing between tasks and the DynamoDB tables', async () => {
      const page = await browser.newPage();
      await page.goto(`${env.cloud.loadBalancerUrl}/`);
      expect(await page.title()).toBe('Fargate Status Dashboard');
      const result = page.locator('#result');
      const ips = new Set<string>();
      for (let i = 0; i < 6 && ips.size < 2; i++) {
        await page.getByRole('button', { name: 'Check Server Status' }).click();
        await page.locator('#result', { hasText: `"timestamp"` }).waitFor();
        const shown = JSON.parse((await result.textContent()) ?? '{}') as {
          taskIP: string;
          timestamp: string;
        };
        ips.add(shown.taskIP);
        await page.evaluate('document.getElementById("result").textContent = ""');
      }
      expect(ips.size).toBeGreaterThanOrEqual(2);
      await page.getByRole('button', { name: 'Check DynamoDB' }).click();
      await page.locator('#result', { hasText: 'web-app-table' }).waitFor();
      expect(JSON.parse((await result.textContent()) ?? '{}')).toMatchObject({ db: 'connected' });
      await page.close();
    });
  },
);

import { createHash, X509Certificate } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { follow } from '../../cli/deploy.js';
import type { Running } from '../../cli/start.js';
import { LOCAL_CREDENTIALS } from '../../local/cloud.js';
import { buildServiceApp } from '../../local/images/local-builder.js';
import { loadManifest } from '../../manifest/index.js';
import { browserUnavailableReason, launchBrowser } from '../helpers/browser.js';
import { eventually } from '../helpers/eventually.js';
import { steadyLoad } from '../helpers/load.js';
import { PROJECT_ROOT, quickApp, startTestDeployment } from '../helpers/local-deployment.js';

const skipBrowser = browserUnavailableReason();
const inBrowser = skipBrowser ? it.skip : it;

/** An example and the examples it builds from (`build: ../microservices/api`), copied out of the repository. */
function copyExamples(work: string, name: string, ...sources: string[]): string {
  for (const example of [name, ...sources])
    cpSync(join(PROJECT_ROOT, 'examples', example), join(work, example), {
      recursive: true,
      filter: (path) => !/node_modules|\/dist|\.stepship/.test(path),
    });
  return join(work, name);
}

/** Deploys an example on a fresh local cloud; the test stops it. */
async function deployExample(name: string, ...sources: string[]): Promise<{ env: Running; work: string }> {
  const work = mkdtempSync(join(tmpdir(), `stepship-${name}-`));
  const dir = copyExamples(work, name, ...sources);
  return { env: await startTestDeployment(work, { app: quickApp(loadManifest(dir)) }), work };
}

/** What chromium's --ignore-certificate-errors-spki-list names: a certificate's SubjectPublicKeyInfo, SHA-256, base64. */
function spkiHash(pem: string): string {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

describe.each([['api-low-cost', 'network: public']])('examples/%s (%s) deploys locally', (name) => {
  let deployed: { env: Running; work: string } | undefined;
  beforeAll(async () => {
    deployed = await deployExample(name, 'microservices');
  }, 300_000);
  afterAll(async () => {
    await deployed?.env.cloud.stop();
    if (deployed) rmSync(deployed.work, { recursive: true, force: true });
  });

  it('through the state machine, verified by its checks and identity route', async () => {
    expect(deployed?.env.outcomes.map((o) => [o.service, o.outcome.status])).toEqual([['api', 'SUCCEEDED']]);
    const res = await fetch(`${deployed?.env.cloud.loadBalancerUrl}/api/hello`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ message: 'hello' });
  });
});

describe('examples/api-on-ec2: EC2 capacity, bridge networking, locally', () => {
  let deployed: { env: Running; work: string } | undefined;
  let ecs: ECSClient;
  let elbv2: ElasticLoadBalancingV2Client;
  beforeAll(async () => {
    deployed = await deployExample('api-on-ec2', 'microservices');
    const config = {
      endpoint: deployed.env.cloud.endpointUrl,
      region: deployed.env.cloud.region,
      credentials: LOCAL_CREDENTIALS,
    };
    ecs = new ECSClient(config);
    elbv2 = new ElasticLoadBalancingV2Client(config);
  }, 300_000);
  afterAll(async () => {
    ecs?.destroy();
    elbv2?.destroy();
    await deployed?.env.cloud.stop();
    if (deployed) rmSync(deployed.work, { recursive: true, force: true });
  });

  /** The service's running tasks, with the EC2 instance id of each one's container instance. */
  async function tasksOnInstances() {
    const { cluster } = (deployed as { env: Running }).env.names;
    const arns = (await ecs.send(new ListTasksCommand({ cluster, serviceName: 'api' }))).taskArns ?? [];
    const tasks = ((await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? []).filter(
      (t) => t.lastStatus === 'RUNNING',
    );
    const instances =
      (
        await ecs.send(
          new DescribeContainerInstancesCommand({
            cluster,
            containerInstances: [...new Set(tasks.map((t) => t.containerInstanceArn ?? ''))],
          }),
        )
      ).containerInstances ?? [];
    const ids = new Map(instances.map((i) => [i.containerInstanceArn, i.ec2InstanceId]));
    return tasks.map((t) => ({ task: t, instanceId: ids.get(t.containerInstanceArn) }));
  }

  it('through the state machine, verified by its checks and identity route', async () => {
    expect(deployed?.env.outcomes.map((o) => [o.service, o.outcome.status])).toEqual([['api', 'SUCCEEDED']]);
    const res = await fetch(`${deployed?.env.cloud.loadBalancerUrl}/api/hello`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ message: 'hello' });
  });

  it("runs its tasks on the Auto Scaling group's instances, each on a dynamic host port, registered as instance:port", async () => {
    const env = (deployed as { env: Running }).env;
    const { cluster } = env.names;
    const listed =
      (await ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? [];
    // The group's MinSize (no DesiredCapacity): one t3.small.
    expect(listed).toHaveLength(1);
    const onInstances = await tasksOnInstances();
    expect(onInstances).toHaveLength(2);
    for (const { task, instanceId } of onInstances) {
      expect(task).toMatchObject({ launchType: 'EC2', containerInstanceArn: listed[0], attachments: [] });
      expect(instanceId).toMatch(/^i-[0-9a-f]{17}$/);
      expect(task.containers?.[0]?.networkBindings?.[0]).toMatchObject({
        containerPort: 8080,
        protocol: 'tcp',
      });
    }
    const hostPorts = onInstances.map(
      ({ task }) => task.containers?.[0]?.networkBindings?.[0]?.hostPort ?? 0,
    );
    expect(new Set(hostPorts).size).toBe(2);
    for (const port of hostPorts) expect(port).toBeGreaterThanOrEqual(32768);
    const service = (await ecs.send(new DescribeServicesCommand({ cluster, services: ['api'] })))
      .services?.[0];
    const health = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: service?.loadBalancers?.[0]?.targetGroupArn }),
    );
    expect(
      (health.TargetHealthDescriptions ?? [])
        .map((d) => [d.Target?.Id, d.Target?.Port, d.TargetHealth?.State])
        .sort(),
    ).toEqual(onInstances.map(({ instanceId }, i) => [instanceId, hostPorts[i], 'healthy']).sort());
    expect(service?.launchType).toBeUndefined();
  });

  it('rolls out a new image through the state machine under load through the load balancer, with no failed request', async () => {
    const env = (deployed as { env: Running; work: string }).env;
    const work = (deployed as { work: string }).work;
    const api = join(work, 'microservices', 'api');
    writeFileSync(
      join(api, 'server.js'),
      readFileSync(join(api, 'server.js'), 'utf8').replace(
        "message: 'hello'",
        "message: 'hello', release: 2",
      ),
    );
    const built = await buildServiceApp(api);
    const manifest = env.cloud.images.createImage(built.files, {
      entrypoint: built.entrypoint,
      env: built.env,
      exposedPorts: built.exposedPorts,
    });
    const before = new Set((await tasksOnInstances()).map(({ task }) => task.taskArn));
    const stop = steadyLoad(`${env.cloud.loadBalancerUrl}/api/hello`);
    env.cloud.ecr.putImage(env.cloud.scope, `${env.app.name}/api`, {
      imageManifest: manifest,
      imageTag: 'release-2',
    });
    const execution = await eventually('the push to start a deployment of api', async () => {
      const { executions = [] } = await env.clients.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: env.names.stateMachineArn }),
      );
      return executions.find((e) => e.name?.startsWith('push-api-'));
    });
    const outcome = await follow(env.clients, execution.executionArn ?? '');
    const load = await stop();
    expect(outcome.status).toBe('SUCCEEDED');
    expect(load.requests).toBeGreaterThan(20);
    expect(load.failures).toEqual([]);
    const after = await tasksOnInstances();
    expect(after).toHaveLength(2);
    for (const { task } of after) expect(before.has(task.taskArn ?? '')).toBe(false);
    const res = await fetch(`${env.cloud.loadBalancerUrl}/api/hello`);
    expect(await res.json()).toMatchObject({ message: 'hello', release: 2 });
    // One t3.small (1996 MiB) holds three 512 MiB tasks, not four: the rollout went one task at a time, as ECS says.
    const { cluster } = env.names;
    const events = (await ecs.send(new DescribeServicesCommand({ cluster, services: ['api'] }))).services?.[0]
      ?.events;
    expect(events?.map((e) => e.message)).toContainEqual(
      expect.stringMatching(
        /was unable to place a task because no container instance met all of its requirements/,
      ),
    );
  }, 240_000);
});

describe('examples/notes-scaled-https: HTTPS on the domain, locally', () => {
  const DOMAIN = 'notes.example.com';
  let deployed: { env: Running; work: string } | undefined;
  let browser: Browser | undefined;
  let lb: URL;
  beforeAll(async () => {
    deployed = await deployExample('notes-scaled-https', 'frontend-backend');
    lb = new URL(deployed.env.cloud.loadBalancerUrl);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await deployed?.env.cloud.stop();
    if (deployed) rmSync(deployed.work, { recursive: true, force: true });
  });

  it('deploys both services, each verified over HTTPS by the domain name through the load balancer', () => {
    expect(deployed?.env.outcomes.map((o) => [o.service, o.outcome.status])).toEqual([
      ['api', 'SUCCEEDED'],
      ['web', 'SUCCEEDED'],
    ]);
  });

  it("runs the template's scaling and capacity: each service at its scalable minimum, its tasks on the strategy's providers", async () => {
    const env = deployed as { env: Running };
    const { cluster, services } = env.env.names;
    const config = {
      endpoint: env.env.cloud.endpointUrl,
      region: env.env.cloud.region,
      credentials: LOCAL_CREDENTIALS,
    };
    const scaling = new ApplicationAutoScalingClient(config);
    const ecs = new ECSClient(config);
    try {
      const targets = (await scaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs' })))
        .ScalableTargets;
      expect(targets?.map((t) => [t.ResourceId, t.MinCapacity, t.MaxCapacity]).sort()).toEqual([
        [`service/${cluster}/api`, 2, 10],
        [`service/${cluster}/web`, 2, 6],
      ]);
      const policies = (await scaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs' })))
        .ScalingPolicies;
      expect(
        policies
          ?.map(
            (p) =>
              p.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType,
          )
          .sort(),
      ).toEqual([
        'ALBRequestCountPerTarget',
        'ALBRequestCountPerTarget',
        'ECSServiceAverageCPUUtilization',
        'ECSServiceAverageMemoryUtilization',
      ]);
      const described = await ecs.send(new DescribeServicesCommand({ cluster, services }));
      expect(described.services?.map((s) => s.desiredCount)).toEqual([2, 2]);
      const arns = (await ecs.send(new ListTasksCommand({ cluster, serviceName: 'api' }))).taskArns ?? [];
      const tasks = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [];
      // FARGATE has base 1: the first task is on demand, the next by weight (3 : 1) on Spot.
      expect(tasks.map((t) => t.capacityProviderName).sort()).toEqual(['FARGATE', 'FARGATE_SPOT']);
    } finally {
      scaling.destroy();
      ecs.destroy();
    }
  });

  it('redirects HTTP permanently to HTTPS on the same host, path and query (the listener says HTTP_301)', async () => {
    // fetch won't send a Host header of its own choosing: node:http does, as a browser resolving the domain would.
    const res = await new Promise<IncomingMessage>((resolve, reject) =>
      httpGet(
        { host: lb.hostname, port: lb.port, path: '/api/items?x=1', headers: { host: DOMAIN } },
        resolve,
      ).on('error', reject),
    );
    res.resume();
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe(`https://${DOMAIN}:${lb.port}/api/items?x=1`);
  });

  inBrowser(
    'a browser that trusts the local CA follows the redirect and loads the app over HTTPS by its domain',
    async () => {
      const caPem = readFileSync(deployed?.env.cloud.caCertPath ?? '', 'utf8');
      browser = await launchBrowser([
        // Chromium has no flag to add a root; it takes the CA's key, which the served chain carries.
        `--ignore-certificate-errors-spki-list=${spkiHash(caPem)}`,
        // No DNS: the domain resolves to the load balancer's loopback address, as the alias record would.
        `--host-resolver-rules=MAP ${DOMAIN} ${lb.hostname}`,
      ]);
      const context = await browser.newContext({ ignoreHTTPSErrors: false });
      const page = await context.newPage();
      const response = await page.goto(`http://${DOMAIN}:${lb.port}/`);
      expect(page.url()).toBe(`https://${DOMAIN}:${lb.port}/`);
      expect(response?.status()).toBe(200);
      expect(await response?.securityDetails()).toMatchObject({ issuer: 'stepship local cloud CA' });
      await expect(page.locator('h1').textContent()).resolves.toBe('Notes');
      await context.close();
    },
    60_000,
  );

  inBrowser(
    'a browser that does not trust the local CA refuses the page',
    async () => {
      const untrusting = await launchBrowser([`--host-resolver-rules=MAP ${DOMAIN} ${lb.hostname}`]);
      try {
        const page = await untrusting.newPage({ ignoreHTTPSErrors: false });
        await expect(page.goto(`https://${DOMAIN}:${lb.port}/`)).rejects.toThrow(
          /ERR_CERT_AUTHORITY_INVALID/,
        );
      } finally {
        await untrusting.close();
      }
    },
    60_000,
  );
});

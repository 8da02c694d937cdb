import { createHash, X509Certificate } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import type { Running } from '../../cli/start.js';
import { LOCAL_CREDENTIALS } from '../../local/cloud.js';
import { loadManifest } from '../../manifest/index.js';
import { browserUnavailableReason, launchBrowser } from '../helpers/browser.js';
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

describe.each([
  ['api-low-cost', 'network: public'],
  ['api-on-ec2', 'EC2 capacity: locally its tasks get their own addresses, as on Fargate'],
])('examples/%s (%s) deploys locally', (name) => {
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

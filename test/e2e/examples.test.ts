import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { follow } from '../../cli/deploy.js';
import type { Running } from '../../cli/start.js';
import { buildServiceApp } from '../../local/images/local-builder.js';
import { loadManifest } from '../../manifest/index.js';
import { browserUnavailableReason, launchBrowser } from '../helpers/browser.js';
import { eventually } from '../helpers/eventually.js';
import { steadyLoad } from '../helpers/load.js';
import { PROJECT_ROOT, quickApp, startTestDeployment } from '../helpers/local-deployment.js';

const skipBrowser = browserUnavailableReason();
const inBrowser = skipBrowser ? it.skip : it;

/** An example app, copied out of the repository (its builds write into their folders). */
function copyExample(name: string, work: string): string {
  const dir = join(work, name);
  cpSync(join(PROJECT_ROOT, 'examples', name), dir, {
    recursive: true,
    filter: (path) => !/node_modules|\/dist|\.stepship/.test(path),
  });
  return dir;
}

async function text(url: string, init?: RequestInit): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.text() };
}

describe('examples/frontend-backend: a server-rendered frontend and an /api backend on one load balancer', () => {
  const work = mkdtempSync(join(tmpdir(), 'stepship-notes-'));
  let env: Running;
  let browser: Browser | undefined;
  let appDir: string;
  beforeAll(async () => {
    appDir = copyExample('frontend-backend', work);
    env = await startTestDeployment(work, { app: quickApp(loadManifest(appDir)) });
    if (!skipBrowser) browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await env?.cloud.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('deploys the backend, then the frontend that depends on it, each verified by its own checks', () => {
    expect(env.outcomes.map((o) => [o.service, o.outcome.status])).toEqual([
      ['api', 'SUCCEEDED'],
      ['web', 'SUCCEEDED'],
    ]);
  });

  it('routes /api/* to the backend and everything else to the frontend', async () => {
    const lb = env.cloud.loadBalancerUrl;
    expect(await text(`${lb}/api/health`)).toEqual({ status: 200, body: '{"status":"ok"}' });
    const page = await text(`${lb}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Notes</h1>');
    // A path no rule names goes to the default service (the frontend), which answers its own 404.
    expect(await text(`${lb}/nowhere`)).toEqual({ status: 404, body: 'not found' });
  });

  it('renders on the server what the backend keeps in DynamoDB, through the same load balancer', async () => {
    const lb = env.cloud.loadBalancerUrl;
    const created = await fetch(`${lb}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'written through the load balancer' }),
    });
    expect(created.status).toBe(201);
    expect((await text(`${lb}/`)).body).toContain('written through the load balancer');
  });

  inBrowser(
    'adds and deletes a note in a real browser',
    async () => {
      const page = await (browser as Browser).newPage();
      await page.goto(`${env.cloud.loadBalancerUrl}/`);
      await page.getByLabel('New note').fill('typed in the browser');
      await page.getByRole('button', { name: 'Add' }).click();
      await page.getByText('typed in the browser').waitFor();
      const note = page.locator('li', { hasText: 'typed in the browser' });
      await note.getByRole('button', { name: 'Delete' }).click();
      await note.waitFor({ state: 'detached' });
      expect(await page.locator('li', { hasText: 'typed in the browser' }).count()).toBe(0);
      await page.close();
    },
    60_000,
  );

  it('deploys a push to the backend repository alone, the frontend serving throughout with no failed request', async () => {
    const lb = env.cloud.loadBalancerUrl;
    const { cluster } = env.names;
    const webBefore = (
      await env.clients.ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }))
    ).services?.[0]?.taskDefinition;
    const backend = join(appDir, 'backend');
    writeFileSync(
      join(backend, 'server.js'),
      readFileSync(join(backend, 'server.js'), 'utf8').replace(
        "{ status: 'ok' }",
        "{ status: 'ok', release: 2 }",
      ),
    );
    const built = await buildServiceApp(backend);
    const manifest = env.cloud.images.createImage(built.files, {
      entrypoint: built.entrypoint,
      env: built.env,
      exposedPorts: built.exposedPorts,
    });
    const stopFrontendLoad = steadyLoad(`${lb}/`);
    const stopBackendLoad = steadyLoad(`${lb}/api/health`);
    env.cloud.ecr.putImage(env.cloud.scope, 'notes/api', { imageManifest: manifest, imageTag: 'release-2' });
    const execution = await eventually('the push to start a deployment of api', async () => {
      const { executions = [] } = await env.clients.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: env.names.stateMachineArn }),
      );
      return executions.find((e) => e.name?.startsWith('push-api-'));
    });
    const outcome = await follow(env.clients, execution.executionArn ?? '');
    const frontend = await stopFrontendLoad();
    const backendLoad = await stopBackendLoad();
    expect(outcome.status).toBe('SUCCEEDED');
    expect(frontend.failures).toEqual([]);
    expect(frontend.requests).toBeGreaterThan(20);
    expect(backendLoad.failures).toEqual([]);
    expect(JSON.parse((await text(`${lb}/api/health`)).body)).toEqual({ status: 'ok', release: 2 });
    const { executions = [] } = await env.clients.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: env.names.stateMachineArn }),
    );
    expect(executions.filter((e) => e.name?.startsWith('push-'))).toHaveLength(1);
    const webAfter = (await env.clients.ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] })))
      .services?.[0]?.taskDefinition;
    expect(webAfter).toBe(webBefore);
  }, 180_000);
});

describe('examples/microservices: site, api and save, each with its own repository and target group', () => {
  const work = mkdtempSync(join(tmpdir(), 'stepship-micro-'));
  let env: Running;
  let browser: Browser | undefined;
  beforeAll(async () => {
    env = await startTestDeployment(work, {
      app: quickApp(loadManifest(copyExample('microservices', work))),
    });
    if (!skipBrowser) browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await env?.cloud.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('deploys the site after the services it depends on', () => {
    expect(env.outcomes.map((o) => [o.service, o.outcome.status])).toEqual([
      ['api', 'SUCCEEDED'],
      ['save', 'SUCCEEDED'],
      ['site', 'SUCCEEDED'],
    ]);
  });

  it("builds the site with the load balancer's DNS name as a build argument", async () => {
    const host = new URL(env.cloud.loadBalancerUrl).host;
    expect((await text(`${env.cloud.loadBalancerUrl}/`)).body).toContain(`<code id="host">${host}</code>`);
  });

  it('routes each path to its own service, and the save service writes to DynamoDB', async () => {
    const lb = env.cloud.loadBalancerUrl;
    expect(JSON.parse((await text(`${lb}/api/hello`)).body)).toMatchObject({ message: 'hello' });
    const saved = await fetch(`${lb}/save/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'kept by the save service' }),
    });
    expect(saved.status).toBe(201);
    const { id } = (await saved.json()) as { id: string };
    const table = env.app.tables.find((t) => t.name === 'messages')?.physicalName;
    const { Items = [] } = await env.cloud.dynamodb.send(new ScanCommand({ TableName: table }));
    expect(Items.map((i) => [i.id?.S, i.text?.S])).toContainEqual([id, 'kept by the save service']);
  });

  inBrowser(
    'says hello and saves a message from the page in a real browser',
    async () => {
      const page = await (browser as Browser).newPage();
      await page.goto(`${env.cloud.loadBalancerUrl}/`);
      await page.getByRole('button', { name: 'Say hello' }).click();
      await page.locator('#out', { hasText: '"message": "hello"' }).waitFor();
      await page.getByLabel('Message').fill('from the browser');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('#out', { hasText: '"id"' }).waitFor();
      await page.close();
    },
    60_000,
  );
});

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Running } from '../../cli/start.js';
import { loadManifest } from '../../manifest/index.js';
import { quickApp, startTestDeployment } from '../helpers/local-deployment.js';

/** The exercise's app as written for Fargate: Express 4, the SDK v2 with a hard-coded region, no endpoint. */
const FIXTURE = new URL('../fixtures/sdk-v2-app/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'stepship-e2e-sdk-v2-'));
let env: Running;

beforeAll(async () => {
  const serviceDir = join(work, 'app');
  cpSync(FIXTURE, serviceDir, { recursive: true, filter: (path) => !path.includes('node_modules') });
  env = await startTestDeployment(work, { app: quickApp(loadManifest(serviceDir)) });
}, 300_000);
afterAll(async () => {
  await env?.cloud.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('npm start with an app that was not written for the local cloud', () => {
  it('builds it from the npm registry, deploys two tasks through the state machine and verifies them', () => {
    expect(env.outcome).toMatchObject({ status: 'SUCCEEDED' });
    expect(env.outcome.steps.map((s) => s.step)).toEqual(
      expect.arrayContaining(['Build', 'VerifyTargets', 'VerifyChecks', 'Finalize']),
    );
  });

  it('lists the table at /db through the load balancer, its SDK v2 calling AWS’s own host name', async () => {
    const res = await fetch(`${env.cloud.loadBalancerUrl}/db`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      db: 'connected',
      tables: expect.arrayContaining(['web-app-table']),
      endpoint: 'https://dynamodb.ap-northeast-2.amazonaws.com/',
    });
  });

  it('serves /status from two tasks, each listening on its own address', async () => {
    const seen = new Map<string, string>();
    for (let i = 0; i < 10 && seen.size < 2; i++) {
      const status = (await (await fetch(`${env.cloud.loadBalancerUrl}/status`)).json()) as {
        taskIP: string;
        boundTo: string;
      };
      seen.set(status.taskIP, status.boundTo);
    }
    expect(seen.size).toBe(2);
    for (const [taskIp, boundTo] of seen) expect(boundTo).toBe(taskIp);
  });
});

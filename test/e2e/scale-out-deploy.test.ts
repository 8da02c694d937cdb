import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { paginateGetExecutionHistory } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { follow, startFromSource } from '../../cli/deploy.js';
import type { Running } from '../../cli/start.js';
import type { Verification } from '../../functions/contract/shapes.js';
import { eventually } from '../helpers/eventually.js';
import { steadyLoad } from '../helpers/load.js';
import { demoApp, PROJECT_ROOT, startTestDeployment } from '../helpers/local-deployment.js';

/**
 * The demo scaled on requests per target: 200 a minute is 3⅓ a second, so the
 * steady load (up to ~35 a second through the load balancer) holds the
 * service at its maximum of 4 as long as it sends more than 10 a second, which
 * a busy machine building the new revision still does. Cooldowns of a second,
 * and (below) a one-second period, one period to scale out and two to scale
 * in: the semantics in seconds.
 */
const SCALING = {
  min: 2,
  max: 4,
  requestsPerTarget: 200,
  scaleInCooldownSeconds: 1,
  scaleOutCooldownSeconds: 1,
};

const work = mkdtempSync(join(tmpdir(), 'stepship-scale-out-deploy-'));
let env: Running;

async function service() {
  const out = await env.clients.ecs.send(
    new DescribeServicesCommand({ cluster: env.names.cluster, services: ['web'] }),
  );
  return out.services?.[0];
}

/** The demo with a page of its own, so the deployment is of a new revision. */
function changedDemo(): string {
  const dir = join(work, 'web-v2');
  cpSync(join(PROJECT_ROOT, 'service'), dir, {
    recursive: true,
    filter: (src) => !/node_modules|\/dist|\/\.stepship/.test(src.slice(PROJECT_ROOT.length)),
  });
  const page = join(dir, 'public', 'index.html');
  writeFileSync(page, readFileSync(page, 'utf8').replace('</main>', '<p id="release">v2</p></main>'));
  return dir;
}

/** What VerifyTargets handed on: the desired count it checked against and the tasks it found. */
async function verificationOf(executionArn: string): Promise<Verification | undefined> {
  for await (const page of paginateGetExecutionHistory({ client: env.clients.sfn }, { executionArn })) {
    for (const event of page.events ?? []) {
      const exited = event.stateExitedEventDetails;
      if (exited?.name === 'VerifyTargets')
        return (JSON.parse(exited.output ?? '{}') as { verification?: Verification }).verification;
    }
  }
  return undefined;
}

beforeAll(async () => {
  env = await startTestDeployment(work, {
    app: demoApp({ scaling: SCALING }),
    scaling: { periodSeconds: 1, scaleOutPeriods: 1, scaleInPeriods: 2 },
  });
}, 300_000);
afterAll(async () => {
  await env?.cloud.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('a stepship deployment while autoscaling has scaled the service out', () => {
  it('succeeds without a failed request, keeps the scaled count, verifies the tasks the service has, and the service scales back in when idle', async () => {
    expect(env.outcome.status).toBe('SUCCEEDED');
    expect((await service())?.desiredCount).toBe(SCALING.min);

    const stopLoad = steadyLoad(`${env.cloud.loadBalancerUrl}/status`);
    let load: Awaited<ReturnType<typeof stopLoad>> | undefined;
    try {
      const scaledOut = await eventually(
        'a scale-out above the minimum',
        async () => {
          const s = await service();
          return (s?.desiredCount ?? 0) > SCALING.min ? s : undefined;
        },
        60_000,
      );
      const scaledTo = scaledOut.desiredCount ?? 0;

      // The path `stepship deploy` takes: the source zipped to the bucket, start-deployment invoked.
      const started = await startFromSource(env.clients, env.target, changedDemo(), 'e2e-scale-out');
      const outcome = await follow(env.clients, started.executionArn);
      expect([outcome.status, outcome.error, outcome.cause]).toEqual(['SUCCEEDED', undefined, undefined]);

      const after = await service();
      // Still scaled: the deployment sent no desiredCount, and scale-in waited for it to complete.
      expect(after?.desiredCount).toBeGreaterThanOrEqual(scaledTo);
      const verification = await verificationOf(started.executionArn);
      // Verification counted the tasks the service had, not the template's number (the minimum).
      expect(verification?.desiredCount).toBeGreaterThanOrEqual(scaledTo);
      expect(verification?.newTasks.length).toBe(verification?.desiredCount);
      expect(verification?.healthyTargets.length).toBe(verification?.desiredCount);
    } finally {
      load = await stopLoad();
    }
    expect(load.requests).toBeGreaterThan(100);
    expect(load.failures).toEqual([]);

    const idle = await eventually(
      'a scale-in to the minimum once the load stopped',
      async () => {
        const s = await service();
        return s?.desiredCount === SCALING.min ? s : undefined;
      },
      60_000,
    );
    expect(idle.desiredCount).toBe(SCALING.min);
  }, 300_000);
});

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Running } from '../../cli/start.js';
import { checkRuntime, RuntimeMismatchError } from '../../cli/start.js';
import { dockerUnavailableReason } from '../../local/docker/docker-cli.js';
import { loadManifest } from '../../manifest/index.js';
import { PROJECT_ROOT, quickApp, startTestDeployment } from '../helpers/local-deployment.js';

const skipReason = await dockerUnavailableReason();
if (skipReason && process.env.STEPSHIP_REQUIRE_DOCKER === '1') {
  throw new Error(`Docker tests are required here (STEPSHIP_REQUIRE_DOCKER=1), but ${skipReason}`);
}

describe('a service that is not Node (examples/static-status: busybox httpd and a shell CGI)', () => {
  const example = join(PROJECT_ROOT, 'examples', 'static-status');

  it('is refused by the Docker-free runtime before anything starts, naming --runtime docker', () => {
    expect(() => checkRuntime(loadManifest(example), 'process')).toThrow(RuntimeMismatchError);
    expect(() => checkRuntime(loadManifest(example), 'process')).toThrow(/--runtime docker/);
  });

  (skipReason ? describe.skip : describe)(
    `with the docker runtime${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      const work = mkdtempSync(join(tmpdir(), 'stepship-static-'));
      let env: Running;
      beforeAll(async () => {
        const app = join(work, 'static-status');
        cpSync(example, app, { recursive: true });
        env = await startTestDeployment(work, { app: quickApp(loadManifest(app)), runtime: 'docker' });
      }, 600_000);
      afterAll(async () => {
        await env?.cloud.stop();
        rmSync(work, { recursive: true, force: true });
      });

      it('builds its own Dockerfile on a locally made base, deploys it and verifies each task directly', () => {
        expect(env.outcome.status).toBe('SUCCEEDED');
        expect(env.outcome.steps.map((s) => s.step)).toEqual(
          expect.arrayContaining(['Build', 'VerifyChecks']),
        );
      });

      it('serves the page and the CGI through the load balancer', async () => {
        const lb = env.cloud.loadBalancerUrl;
        expect(await (await fetch(`${lb}/`)).text()).toContain('Served by busybox httpd');
        expect(await (await fetch(`${lb}/cgi-bin/status`)).json()).toMatchObject({ status: 'ok' });
      });
    },
  );
});

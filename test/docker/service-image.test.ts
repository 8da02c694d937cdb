import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  DOCKER,
  docker,
  dockerUnavailableReason,
  extraCaCertificates,
} from '../../local/docker/docker-cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BASE = 'stepship-test/node-base:24';
const IMAGE = 'stepship-test/service:latest';

const skipReason = await dockerUnavailableReason();
if (skipReason && process.env.STEPSHIP_REQUIRE_DOCKER === '1') {
  throw new Error(`Docker tests are required here (STEPSHIP_REQUIRE_DOCKER=1), but ${skipReason}`);
}
if (skipReason) console.warn(`Skipping Docker image tests: ${skipReason}`);
const describeWithDocker = skipReason ? describe.skip : describe;

describeWithDocker(`the service image${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const containers: string[] = [];
  afterAll(async () => {
    for (const id of containers) await docker(['rm', '-f', id]).catch(() => undefined);
    await docker(['rmi', '-f', IMAGE, BASE]).catch(() => undefined);
  });

  it('builds from service/ alone on a locally made base, runs as non-root, and answers / with 200', async () => {
    execFileSync(`${root}local/docker/make-base-image.sh`, [BASE], { env: { ...process.env, DOCKER } });
    await docker(
      [
        'build',
        '--quiet',
        '--build-arg',
        `BASE_IMAGE=${BASE}`,
        '--build-arg',
        `EXTRA_CA_CERTS=${extraCaCertificates()}`,
        '--tag',
        IMAGE,
        `${root}service`,
      ],
      { timeoutMs: 600_000 },
    );
    expect(await docker(['image', 'inspect', IMAGE, '--format', '{{.Config.User}}'])).toBe('1000:1000');
    expect(await docker(['image', 'inspect', IMAGE, '--format', '{{json .Config.ExposedPorts}}'])).toContain(
      '3000/tcp',
    );
    // The build-stage CA never reaches the runtime image's history.
    expect(await docker(['history', '--no-trunc', IMAGE])).not.toContain('EXTRA_CA_CERTS');

    const id = await docker(['run', '--detach', '--publish', '127.0.0.1::3000', IMAGE]);
    containers.push(id);
    const hostPort = (await docker(['port', id, '3000/tcp'])).split('\n')[0]?.split(':').pop();
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = await fetch(`http://127.0.0.1:${hostPort}/`)
        .then((r) => r.status)
        .catch(() => 0);
      if (status !== 200) await sleep(200);
    }
    expect(status).toBe(200);

    // SIGTERM (docker stop) is handled: a clean exit 0, not a kill after the timeout.
    await docker(['stop', '--time', '20', id]);
    expect(await docker(['inspect', id, '--format', '{{.State.ExitCode}}'])).toBe('0');
  }, 600_000);
});

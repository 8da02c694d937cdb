import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeServicesCommand, ListTaskDefinitionsCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeDiscovery } from '../../cli/connection/discovery.js';
import { follow } from '../../cli/deploy.js';
import type { ServiceStatus } from '../../cli/operations/service-status.js';
import { runCli } from '../../cli/program.js';
import type { Running } from '../../cli/start.js';
import type { DeploymentRecord } from '../../functions/commons/records.js';
import { loadManifest } from '../../manifest/index.js';
import { eventually } from '../helpers/eventually.js';
import { steadyLoad } from '../helpers/load.js';
import { copyDemoService, PROJECT_ROOT, quickApp, startTestDeployment } from '../helpers/local-deployment.js';
import { suiteCachesEnv } from '../helpers/suite-caches-env.js';

/**
 * Every stepship command end to end against a running local cloud, over real
 * sockets, run in this process (`runCli`) and, for exit codes, as the
 * installed command (`bin/stepship.js`). The app is a copy of the demo, so
 * the tests can change its files as a developer would.
 */
const work = mkdtempSync(join(tmpdir(), 'stepship-cli-e2e-'));
const appDir = join(work, 'app');
copyDemoService(appDir);
// The suite's short draining, written in the manifest too, so what runs is what the manifest says.
const MANIFEST = readFileSync(join(appDir, 'stepship.yml'), 'utf8').replace(
  '    desiredCount: 2\n',
  '    desiredCount: 2\n    deregistrationDelay: 2\n',
);
writeFileSync(join(appDir, 'stepship.yml'), MANIFEST);

let env: Running;
const ids: Record<string, string> = {};

beforeAll(async () => {
  env = await startTestDeployment(work, { app: quickApp(loadManifest(appDir)) });
  expect(env.outcome.status).toBe('SUCCEEDED');
  ids.first = env.outcome.deploymentId;
}, 240_000);

afterAll(async () => {
  await env?.cloud.stop();
  rmSync(work, { recursive: true, force: true });
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** `stepship --app <copy> <command> --endpoint <the local cloud> …`, in this process. */
async function stepship(
  argv: string[],
  signal?: AbortSignal,
  onLine?: (line: string) => void,
): Promise<Result> {
  const out: string[] = [];
  const err: string[] = [];
  const [command = '', ...rest] = argv;
  const code = await runCli(['--app', appDir, command, '--endpoint', env.cloud.endpointUrl, ...rest], {
    io: {
      out: (l) => {
        out.push(l);
        onLine?.(l);
      },
      err: (l) => err.push(l),
    },
    ...(signal ? { signal } : {}),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const json = <T>(result: Result): T => {
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as T;
};

/** The installed command in a process of its own, for its real exit code. */
function installed(argv: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/stepship.js'), '--app', appDir, ...argv], {
      env: { PATH: process.env.PATH, HOME: tmpdir(), ...suiteCachesEnv() },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const page = join(appDir, 'public', 'index.html');
function mark(marker: string): void {
  const html = readFileSync(page, 'utf8').replace(/<p id="release">[^<]*<\/p>/, '');
  writeFileSync(page, html.replace('</main>', `<p id="release">${marker}</p></main>`));
}
const served = async () => (await fetch(`${env.cloud.loadBalancerUrl}/`)).text();

async function history(): Promise<DeploymentRecord[]> {
  return json<{ deployments: DeploymentRecord[] }>(
    await stepship(['history', 'web', '--json', '--limit', '100']),
  ).deployments;
}

async function status(): Promise<ServiceStatus> {
  const answer = json<{ services: ServiceStatus[] }>(await stepship(['status', '--json']));
  return answer.services[0] as ServiceStatus;
}

async function revisions(): Promise<string[]> {
  const out = await env.clients.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web-web' }));
  return out.taskDefinitionArns ?? [];
}

describe('stepship against the local cloud', () => {
  it('status: the running revision and digest, running/desired tasks, target health, the last deployment', async () => {
    const s = await status();
    expect(s).toMatchObject({
      service: 'web',
      cluster: 'stepship-web',
      taskDefinitionArn: expect.stringMatching(/:task-definition\/web-web:\d+$/),
      imageDigest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/),
      runningCount: 2,
      desiredCount: 2,
      targets: [expect.objectContaining({ state: 'healthy' }), expect.objectContaining({ state: 'healthy' })],
      lastDeployment: expect.objectContaining({ deploymentId: ids.first, status: 'SUCCEEDED' }),
    });
    const text = await stepship(['status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('2 running / 2 desired');
    expect(text.stdout).toContain('targets     2/2 healthy');
    expect(text.stdout).toContain(`last deploy SUCCEEDED  ${ids.first}`);
  }, 30_000);

  it('deploy: follows each step to the end; an image that is not there fails, with the cause and exit 1', async () => {
    const missing = await stepship(['deploy', '--image', 'no-such-tag']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('✗ ResolveImage (ImageNotFoundError)');
    expect(missing.stdout).toMatch(
      /✗ web: deployment \S+ FAILED: ImageNotFoundError: Image web\/web:no-such-tag not found/,
    );
    ids.failed = /deployment (\S+)/.exec(missing.stdout)?.[1] ?? '';

    mark('second');
    const built = await stepship(['deploy']);
    expect(built.code).toBe(0);
    for (const step of [
      'Prepare',
      'Build',
      'RegisterTaskDefinition',
      'UpdateService',
      'VerifyChecks',
      'Deployed',
    ])
      expect(built.stdout).toMatch(new RegExp(`✓ ${step.replace('?', '\\?')} +\\d+\\.\\ds`));
    expect(built.stdout).toMatch(/✓ web: deployment \S+ SUCCEEDED in \d+\.\ds/);
    ids.second = /deployment (\S+) SUCCEEDED/.exec(built.stdout)?.[1] ?? '';
    expect(await served()).toContain('<p id="release">second</p>');
  }, 120_000);

  it('deploy --no-wait: starts the deployment and prints its id at once', async () => {
    const firstImage = (await history()).find((r) => r.deploymentId === ids.first)?.imageDigest ?? '';
    const started = json<{ deployments: { deploymentId: string; executionArn: string }[] }>(
      await stepship(['deploy', '--no-wait', '--json', '--image', firstImage]),
    ).deployments[0];
    expect(started?.deploymentId).toMatch(/^cli-web-/);
    const outcome = await follow(env.clients, started?.executionArn ?? '');
    expect(outcome.status).toBe('SUCCEEDED');
    ids.third = started?.deploymentId ?? '';
    expect(await served()).not.toContain('<p id="release">second</p>');
  }, 120_000);

  it('history: every deployment newest first, who and how it started, its image, outcome, cause and phase timings', async () => {
    const records = await history();
    expect(records.map((r) => r.deploymentId)).toEqual([ids.third, ids.second, ids.failed, ids.first]);
    expect(records.find((r) => r.deploymentId === ids.failed)).toMatchObject({
      status: 'FAILED',
      trigger: 'cli',
      requester: expect.stringMatching(/^cli:/),
      imageTag: 'no-such-tag',
      error: 'ImageNotFoundError',
      cause: expect.stringContaining('no-such-tag not found'),
    });
    expect(records.find((r) => r.deploymentId === ids.second)).toMatchObject({
      status: 'SUCCEEDED',
      imageDigest: expect.stringMatching(/^sha256:/),
      timings: expect.objectContaining({
        build: expect.any(Number),
        rollout: expect.any(Number),
        total: expect.any(Number),
      }),
    });

    const text = await stepship(['history']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(
      /^STARTED +SERVICE +DEPLOYMENT +BY +IMAGE +OUTCOME +TOTAL +PHASES$/,
    );
    expect(text.stdout).toMatch(/FAILED/);
    expect(text.stdout).toContain('    ImageNotFoundError: Image web/web:no-such-tag not found');
    expect(text.stdout).toMatch(/build \d+\.\ds · register \d+\.\ds · rollout \d+\.\ds · verify \d+\.\ds/);
  }, 30_000);

  it('history: pages of --limit, continued with the token it prints; a token from elsewhere is refused', async () => {
    const first = json<{ deployments: DeploymentRecord[]; nextToken?: string }>(
      await stepship(['history', 'web', '--limit', '3', '--json']),
    );
    expect(first.deployments.map((r) => r.deploymentId)).toEqual([ids.third, ids.second, ids.failed]);
    expect(first.nextToken).toBeDefined();
    const rest = json<{ deployments: DeploymentRecord[]; nextToken?: string }>(
      await stepship(['history', 'web', '--limit', '3', '--json', '--next-token', first.nextToken ?? '']),
    );
    expect(rest.deployments.map((r) => r.deploymentId)).toEqual([ids.first]);
    expect(rest.nextToken).toBeUndefined();
    const forged = await stepship(['history', 'web', '--next-token', 'eyJmb28iOjF9']);
    expect(forged.code).toBe(2);
    expect(forged.stderr).toContain('--next-token is not one that `stepship history web` printed');
  }, 30_000);

  it('rollback --to a chosen earlier deployment: through the state machine, nothing registered, 0 failed requests under load', async () => {
    const before = await revisions();
    const target = (await history()).find((r) => r.deploymentId === ids.second)?.taskDefinitionArn;
    const stop = steadyLoad(`${env.cloud.loadBalancerUrl}/`);
    const result = await stepship(['rollback', 'web', '--to', ids.second ?? '']);
    const load = await stop();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`to web-web:${target?.split(':').pop()} (deployment ${ids.second}`);
    expect(result.stdout).toContain('✓ UseGivenRevision');
    expect(result.stdout).not.toContain('RegisterTaskDefinition');
    expect(load.failures).toEqual([]);
    expect(load.requests).toBeGreaterThan(50);
    expect((await status()).taskDefinitionArn).toBe(target);
    expect(await revisions()).toEqual(before);
    expect(await served()).toContain('<p id="release">second</p>');
    ids.rollback = /: deployment (\S+)\n/.exec(result.stdout)?.[1] ?? '';
    expect((await history())[0]).toMatchObject({
      deploymentId: ids.rollback,
      status: 'SUCCEEDED',
      taskDefinitionArn: target,
    });
  }, 120_000);

  it('rollback: by default to the last verified revision other than the running one', async () => {
    const third = (await history()).find((r) => r.deploymentId === ids.third)?.taskDefinitionArn;
    const result = await stepship(['rollback']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`(deployment ${ids.third}`);
    expect((await status()).taskDefinitionArn).toBe(third);
  }, 120_000);

  it.each<[string, () => string[], string]>([
    [
      'a deployment that failed',
      () => ['rollback', '--to', ids.failed ?? ''],
      'FAILED: its revision was never verified',
    ],
    [
      'a name that is neither a deployment nor a revision',
      () => ['rollback', '--to', 'yesterday'],
      '--to names no deployment of web nor a revision',
    ],
    ['what already runs', () => ['rollback', '--to', ids.third ?? ''], 'web already runs web-web:'],
  ])(
    'rollback refuses %s with exit 2, starting nothing',
    async (_case, argv, message) => {
      const before = (await history()).length;
      const result = await stepship(argv());
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(await history()).toHaveLength(before);
    },
    30_000,
  );

  it('diff and deploy --dry-run: what a deployment would change and the pre-flight checks, changing nothing', async () => {
    const snapshot = async () => ({
      revisions: await revisions(),
      deployments: (
        await env.clients.ecs.send(
          new DescribeServicesCommand({ cluster: 'stepship-web', services: ['web'] }),
        )
      ).services?.[0]?.deployments?.map((d) => d.id),
      executions: (
        await env.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: env.names.stateMachineArn }))
      ).executions?.length,
      records: (await history()).length,
    });
    const before = await snapshot();
    const running = (await status()).image;
    interface Diff {
      deploy: { field: string; from: string; to: string }[];
      drift: { field: string; from: string; to: string }[];
      checks: { check: string; ok: boolean; detail: string }[];
    }

    const build = json<{ services: Diff[] }>(await stepship(['diff', '--json'])).services[0];
    expect(build?.deploy).toEqual([
      { field: 'image', from: running, to: `(a new image built from ${appDir})` },
    ]);
    expect(build?.drift).toEqual([]);
    expect(build?.checks.map((c) => [c.check, c.ok])).toEqual([
      ['build context', true],
      ['execution role', true],
      ['task role', true],
      ['target group', true],
      ['no deployment in progress', true],
    ]);

    const secondImage = (await history()).find((r) => r.deploymentId === ids.second)?.imageDigest ?? '';
    const byImage = json<{ services: Diff[] }>(await stepship(['diff', '--image', secondImage, '--json']))
      .services[0];
    expect(byImage?.deploy).toEqual([
      { field: 'image', from: running, to: expect.stringContaining(`@${secondImage}`) },
    ]);

    const dryRun = await stepship(['deploy', '--dry-run', '--image', 'no-such-tag']);
    expect(dryRun.code).toBe(1);
    expect(dryRun.stdout).toContain('✗ image');
    expect(dryRun.stdout).toContain('web/web:no-such-tag is not in the repository');
    expect(dryRun.stdout).toContain('Dry run: nothing was started.');

    writeFileSync(
      join(appDir, 'stepship.yml'),
      MANIFEST.replace(
        '    port: 3000\n',
        '    port: 3000\n    cpu: 512\n    memory: 1024\n    environment: { GREETING: hello }\n',
      ),
    );
    try {
      const drift = await stepship(['diff']);
      expect(drift.code).toBe(0);
      expect(drift.stdout).toContain('the manifest differs from what runs');
      expect(drift.stdout).toMatch(/environment\.GREETING +\(unset\) → hello/);
      expect(drift.stdout).toMatch(/cpu +256 → 512/);
    } finally {
      writeFileSync(join(appDir, 'stepship.yml'), MANIFEST);
    }
    expect(await snapshot()).toEqual(before);
  }, 60_000);

  it("logs -f: the service's tasks' lines as they are written, until stopped", async () => {
    const probe = `/cli-logs-probe-${Date.now()}`;
    const stop = new AbortController();
    const lines: string[] = [];
    const following = stepship(['logs', 'web', '-f', '--since', '1m'], stop.signal, (l) => lines.push(l));
    await fetch(`${env.cloud.loadBalancerUrl}${probe}`);
    const line = await eventually('the probe request in the logs', async () =>
      lines.find((l) => l.includes(probe)),
    );
    expect(line).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z \[[a-f0-9]{8}\] \{.*"path":"\/cli-logs-probe-\d+","status":404/,
    );
    stop.abort();
    expect((await following).code).toBe(0);

    const once = await stepship(['logs', 'web', '--since', '1m', '--json']);
    expect(once.code).toBe(0);
    const events = once.stdout.split('\n').map((l) => JSON.parse(l) as { task: string; message: string });
    expect(events.find((e) => e.message.includes(probe))?.task).toMatch(/^[a-f0-9]{32}$/);
  }, 60_000);

  it('run: a one-off task from the current task definition, its output streamed, its exit code returned', async () => {
    const failing = await stepship([
      'run',
      'web',
      '--env',
      'STEP=7',
      '--',
      'node',
      '-e',
      "console.log('migrating to', process.env.STEP); process.exit(3)",
    ]);
    expect(failing.stdout).toContain('migrating to 7');
    expect(failing.stderr).toContain('· exit code 3');
    expect(failing.code).toBe(3);

    const succeeding = await stepship(['run', 'web', '--', 'node', '-e', "console.log('migrated')"]);
    expect(succeeding.stdout).toBe('migrated');
    expect(succeeding.code).toBe(0);

    const { taskArns = [] } = await env.clients.ecs.send(
      new ListTasksCommand({ cluster: 'stepship-web', startedBy: 'stepship-run', desiredStatus: 'STOPPED' }),
    );
    expect(taskArns).toHaveLength(2);
    expect((await status()).runningCount).toBe(2);
  }, 60_000);

  it('watch: redeploys after a file changes, showing the rollout, with 0 failed requests', async () => {
    const stop = new AbortController();
    const lines: string[] = [];
    const watching = stepship(['watch', 'web', '--debounce', '300'], stop.signal, (l) => lines.push(l));
    await eventually('watch to start', async () => lines.find((l) => l.startsWith('watching web: ')));
    const load = steadyLoad(`${env.cloud.loadBalancerUrl}/`);
    mark('watched');
    const done = await eventually(
      'the redeploy to finish',
      async () => lines.find((l) => / web: deployment \S+ (SUCCEEDED|FAILED)/.test(l)),
      120_000,
    );
    const { failures } = await load();
    stop.abort();
    const result = await watching;
    expect(done).toContain('SUCCEEDED');
    expect(result.code).toBe(0);
    expect(lines).toContain('· web: public/index.html changed');
    expect(
      lines.some((l) => /^ {2}↻ new web-web:\d+ \d\/2 running.* · old web-web:\d+ \d running$/.test(l)),
    ).toBe(true);
    expect(lines.at(-1)).toBe('Stopped watching.');
    expect(failures).toEqual([]);
    expect(await served()).toContain('<p id="release">watched</p>');
  }, 150_000);

  it('finds the running local cloud through the discovery file of `stepship start`, without --endpoint', async () => {
    const stateDir = join(appDir, '.stepship');
    mkdirSync(stateDir, { recursive: true });
    writeDiscovery(stateDir, {
      pid: process.pid,
      endpoint: env.cloud.endpointUrl,
      loadBalancerUrl: env.cloud.loadBalancerUrl,
      consoleUrl: env.cloud.consoleUrl,
      region: env.cloud.region,
      accountId: env.cloud.accountId,
      startedAt: new Date().toISOString(),
    });
    try {
      const out: string[] = [];
      const code = await runCli(['--app', appDir, 'status'], {
        io: { out: (l) => out.push(l), err: (l) => out.push(l) },
      });
      expect(code).toBe(0);
      expect(out.join('\n')).toContain('2 running / 2 desired');
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('says which endpoint does not answer and how to fix it, with exit 1', async () => {
    const closed = createServer();
    const port = await new Promise<number>((resolve) =>
      closed.listen(0, '127.0.0.1', () => resolve((closed.address() as { port: number }).port)),
    );
    await new Promise((resolve) => closed.close(resolve));
    const out: string[] = [];
    const code = await runCli(['--app', appDir, 'status', '--endpoint', `http://127.0.0.1:${port}`], {
      io: { out: (l) => out.push(l), err: (l) => out.push(l) },
    });
    expect(code).toBe(1);
    expect(out.join('\n')).toContain(`Can't reach http://127.0.0.1:${port} (ECONNREFUSED)`);
  }, 30_000);

  it('as the installed command: exits with the codes it documents, and run with its task’s', async () => {
    const ok = await installed(['status', '--endpoint', env.cloud.endpointUrl]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('web  (cluster stepship-web)');
    const ran = await installed([
      'run',
      'web',
      '--endpoint',
      env.cloud.endpointUrl,
      '--',
      'node',
      '-e',
      'process.exit(4)',
    ]);
    expect(ran.code).toBe(4);
    const unknown = await installed(['status', 'billing', '--endpoint', env.cloud.endpointUrl]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('stepship: Unknown service "billing"');
  }, 60_000);
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from 'commander';
import { resolveConnection } from '../../cli/connection/connection.js';
import {
  type CloudDiscovery,
  discoveryPath,
  liveDiscovery,
  readDiscovery,
  removeDiscovery,
  writeDiscovery,
} from '../../cli/connection/discovery.js';
import { outputName } from '../../cli/connection/resources.js';
import { UsageError } from '../../cli/errors.js';
import { planDeploys } from '../../cli/operations/deploy-plan.js';
import { manifestDrift } from '../../cli/operations/manifest-drift.js';
import { ignored } from '../../cli/operations/watch-services.js';
import { envOption, sinceOption } from '../../cli/options.js';
import { pascal } from '../../orchestration/app-stack.js';
import { appModel, frontendBackend, serviceModel } from '../orchestration/app-models.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'stepship-cli-parts-'));

/** The pid of a process that has exited: no process answers to it (until the system reuses it). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

const cloud = (pid: number, endpoint = 'http://127.0.0.1:4566'): CloudDiscovery => ({
  pid,
  endpoint,
  loadBalancerUrl: 'http://127.0.0.1:8080',
  consoleUrl: `${endpoint}/_stepship/console/`,
  region: 'eu-west-3',
  accountId: '000000000000',
  startedAt: '2026-11-23T10:00:00.000Z',
});

describe('the discovery file of a running `stepship start`', () => {
  it('is found while its process lives, and not once it is gone', () => {
    const dir = scratch();
    writeDiscovery(dir, cloud(process.pid));
    expect(liveDiscovery(dir)).toEqual(cloud(process.pid));
    writeDiscovery(dir, cloud(deadPid()));
    expect(liveDiscovery(dir)).toBeUndefined();
  });

  it('counts a file that is not what start writes as no file', () => {
    const dir = scratch();
    writeFileSync(discoveryPath(dir), '{"pid":"12","endpoint":3}');
    expect(liveDiscovery(dir)).toBeUndefined();
    writeFileSync(discoveryPath(dir), 'not json');
    expect(liveDiscovery(dir)).toBeUndefined();
  });

  it("is removed only by the process that wrote it (a newer start's file stays)", () => {
    const dir = scratch();
    writeDiscovery(dir, cloud(process.pid + 1));
    removeDiscovery(dir, process.pid);
    expect(readDiscovery(dir)?.pid).toBe(process.pid + 1);
    removeDiscovery(dir, process.pid + 1);
    expect(readDiscovery(dir)).toBeUndefined();
  });
});

describe('where a command goes', () => {
  const app = appModel({ region: 'ap-south-1' });

  it('goes to the running local cloud, with its region and the local credentials', async () => {
    const dir = scratch();
    writeDiscovery(dir, cloud(process.pid));
    await expect(resolveConnection(app, dir, {})).resolves.toMatchObject({
      target: 'local',
      endpoint: 'http://127.0.0.1:4566',
      region: 'eu-west-3',
      credentials: { accessKeyId: 'stepship-local' },
    });
  });

  it('goes to AWS with --aws, or when the local cloud is gone, in the region the SDK resolves', async () => {
    const dir = scratch();
    writeDiscovery(dir, cloud(process.pid));
    const saved = process.env.AWS_REGION;
    process.env.AWS_REGION = 'sa-east-1';
    try {
      await expect(resolveConnection(app, dir, { aws: true })).resolves.toEqual({
        target: 'aws',
        region: 'sa-east-1',
        via: 'AWS',
      });
      writeDiscovery(dir, cloud(deadPid()));
      await expect(resolveConnection(app, dir, {})).resolves.toMatchObject({ target: 'aws' });
    } finally {
      if (saved === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved;
    }
  });

  it('goes to --endpoint, normalized to its origin', async () => {
    await expect(
      resolveConnection(app, scratch(), { endpoint: 'http://127.0.0.1:4599/' }, {}),
    ).resolves.toMatchObject({ target: 'local', endpoint: 'http://127.0.0.1:4599', region: 'us-east-1' });
  });

  it.each<[string, { endpoint?: string; aws?: boolean }, string]>([
    ['both --endpoint and --aws', { endpoint: 'http://127.0.0.1:4566', aws: true }, 'not both'],
    ['an endpoint that is no URL', { endpoint: '127.0.0.1:4566' }, 'must be a URL'],
    ['an endpoint that is not http', { endpoint: 'ftp://127.0.0.1' }, 'must be an http(s) URL'],
  ])('refuses %s as a usage error', async (_case, flags, message) => {
    const answer = resolveConnection(app, scratch(), flags);
    await expect(answer).rejects.toBeInstanceOf(UsageError);
    await expect(answer).rejects.toThrow(message);
  });
});

describe('what deploy plans', () => {
  const app = frontendBackend();

  it('every service in dependsOn order, each built from its folder, when none is named', () => {
    const plans = planDeploys(app, [], {});
    expect(plans.map((p) => [p.service.name, p.source])).toEqual([
      ['api', { kind: 'source', dir: '/apps/shop/api' }],
      ['frontend', { kind: 'source', dir: '/apps/shop/frontend' }],
    ]);
  });

  it('an image by tag or digest for the services named, in dependsOn order', () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    expect(planDeploys(app, ['frontend', 'api'], { image: 'v2' }).map((p) => p.service.name)).toEqual([
      'api',
      'frontend',
    ]);
    expect(planDeploys(app, ['api'], { image: digest })[0]?.source).toEqual({
      kind: 'image',
      imageDigest: digest,
    });
  });

  it('nothing to build for a service that runs an existing image', () => {
    const existing = appModel({
      services: [serviceModel('proxy', { image: { kind: 'image', reference: 'nginx:1.27' } })],
    });
    expect(planDeploys(existing, [], {})[0]?.source).toMatchObject({ kind: 'skip' });
  });

  it.each<[string, string[], { image?: string; source?: string }, string]>([
    ['an image and a source', [], { image: 'v2', source: '.' }, 'Give --image or --source, not both'],
    ['a source for two services', [], { source: '.' }, '--source builds one folder'],
    ['a source that is no folder', ['api'], { source: '/no/such/folder' }, 'is not one'],
    ['a malformed image', ['api'], { image: 'v2;rm' }, '--image must be a tag'],
    ['an unknown service', ['billing'], {}, 'Unknown service "billing": the app shop has api, frontend'],
  ])('refuses %s', (_case, names, choice, message) => {
    expect(() => planDeploys(app, names, choice)).toThrow(UsageError);
    expect(() => planDeploys(app, names, choice)).toThrow(message);
  });
});

describe('the command line options', () => {
  const now = () => Date.parse('2026-11-23T10:00:00Z');

  it.each([
    ['30s', '2026-11-23T09:59:30.000Z'],
    ['10m', '2026-11-23T09:50:00.000Z'],
    ['2h', '2026-11-23T08:00:00.000Z'],
    ['1d', '2026-11-22T10:00:00.000Z'],
    ['2026-11-23T09:00:00Z', '2026-11-23T09:00:00.000Z'],
  ])('--since %s is %s', (value, iso) => {
    expect(new Date(sinceOption('--since', now)(value)).toISOString()).toBe(iso);
  });

  it.each(['yesterday', '10', '5w', '-1m'])('--since %s is refused with what it takes', (value) => {
    expect(() => sinceOption('--since', now)(value)).toThrow(InvalidArgumentError);
    expect(() => sinceOption('--since', now)(value)).toThrow('a duration such as 30s, 10m, 2h or 1d');
  });

  it('--env collects NAME=value pairs, values with = and spaces kept whole', () => {
    expect(envOption('B=x = y', envOption('A=1'))).toEqual({ A: '1', B: 'x = y' });
    expect(() => envOption('1A=2')).toThrow('--env must be NAME=value');
  });
});

describe('the stacks’ output names', () => {
  it.each(['web', 'orders-api', 'a_b-c9'])('for %s match the app stack’s', (service) => {
    expect(outputName(service, 'ServiceName')).toBe(`${pascal(service)}ServiceName`);
  });
});

describe('what watch ignores', () => {
  it.each([
    ['src/app.ts', false],
    ['public/index.html', false],
    ['node_modules/express/index.js', true],
    ['dist/server.js', true],
    ['.stepship/cloud.json', true],
    ['src/dist-helpers.ts', false],
  ])('%s → ignored %s', (file, expected) => {
    expect(ignored(file)).toBe(expected);
  });
});

describe('where the manifest differs from what runs', () => {
  const model = serviceModel('web', {
    environment: { API_URL: '${loadBalancer.url}/api', MODE: 'fast' },
    secrets: [{ name: 'TOKEN', source: 'ssm', reference: '/shop/token' }],
  });
  const running = (environment: Record<string, string>, secrets: string[] = ['TOKEN']) => ({
    service: { desiredCount: 2, healthCheckGracePeriodSeconds: 15 },
    definition: { cpu: '256', memory: '512', runtimePlatform: { cpuArchitecture: 'X86_64' as const } },
    container: {
      name: 'web',
      portMappings: [{ containerPort: 3000 }],
      stopTimeout: 15,
      environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
      secrets: secrets.map((name) => ({ name, valueFrom: name })),
    },
  });

  it('is nothing when they agree, the load balancer reference resolved and the stack’s own variables aside', () => {
    const env = { API_URL: 'http://lb.example/api', MODE: 'fast', PORT: '3000', TABLE_ITEMS: 'shop-items' };
    expect(manifestDrift(model, running(env), 'lb.example')).toEqual([]);
  });

  it('names each variable, secret and setting that differs, with both values', () => {
    const drift = manifestDrift(
      { ...model, cpu: 512, memory: 1024 },
      running({ API_URL: 'http://lb.example/api', MODE: 'slow', DEBUG: '1' }, ['OLD_TOKEN']),
      'lb.example',
    );
    expect(drift).toEqual(
      expect.arrayContaining([
        { field: 'cpu', from: '256', to: '512' },
        { field: 'memory', from: '512', to: '1024' },
        { field: 'environment.MODE', from: 'slow', to: 'fast' },
        { field: 'environment.DEBUG', from: '1', to: '(unset)' },
        { field: 'secrets.TOKEN', from: '(none)', to: 'from the manifest' },
        { field: 'secrets.OLD_TOKEN', from: 'set', to: '(none)' },
      ]),
    );
    expect(drift).toHaveLength(6);
  });
});

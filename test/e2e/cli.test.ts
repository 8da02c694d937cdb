import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { suiteCachesEnv } from '../helpers/suite-caches-env.js';

const ROOT = new URL('../../', import.meta.url).pathname;

function stepship(
  args: string[],
  cwd = ROOT,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/stepship.js'), ...args], {
      cwd,
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
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the stepship command', () => {
  it('says which port is taken and how to choose another, and starts nothing', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', () => resolve()));
    const { port } = squatter.address() as AddressInfo;
    try {
      const result = await stepship([
        '--app',
        'service',
        'start',
        '--endpoint-port',
        String(port),
        '--lb-port',
        '0',
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `Port ${port} (the local cloud endpoint) is already in use on 127.0.0.1. Choose another with --endpoint-port N`,
      );
      expect(result.stdout).not.toContain('synthesized');
    } finally {
      squatter.close();
    }
  }, 30_000);

  it('rejects a bad option value and an unknown command with the usage', async () => {
    const badPort = await stepship(['--app', 'service', 'start', '--lb-port', 'http']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--lb-port must be a port number from 0 to 65535, got "http"');
    const unknown = await stepship(['deploy-everything']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'deploy-everything'");
    expect(unknown.stderr).toContain('stepship --help lists the commands');
  }, 30_000);

  it('names the manifest, line and key of a bad stepship.yml, and starts nothing', async () => {
    const app = mkdtempSync(join(tmpdir(), 'stepship-bad-app-'));
    writeFileSync(join(app, 'stepship.yml'), 'app: shop\nservices:\n  web:\n    build: .\n    port: http\n');
    const result = await stepship(['--app', app, 'start', '--endpoint-port', '0', '--lb-port', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${join(app, 'stepship.yml')}:5:5: services.web.port: must be an integer from 1 to 65535 (got "http")`,
    );
    expect(result.stdout).not.toContain('local cloud listening');
  }, 30_000);

  it('serves an app from a folder outside this repository until Ctrl-C, with hints naming what it synthesized, then stops everything it started and exits 0', async () => {
    // The demo, copied out of the repository under other names, so hints that hard-code the demo's would show.
    const app = mkdtempSync(join(tmpdir(), 'stepship-start-'));
    cpSync(join(ROOT, 'service'), join(app, 'shop'), {
      recursive: true,
      filter: (path) => !/node_modules|\/dist|\.stepship|stepship\.yml/.test(path),
    });
    writeFileSync(
      join(app, 'stepship.yml'),
      [
        'app: shop',
        'services:',
        '  storefront:',
        '    build: ./shop',
        '    port: 3000',
        '    deregistrationDelay: 2',
        '    tables: { app: [list] }',
        '    verify:',
        '      checks: [{ path: / }]',
        '      identity: { path: /status, field: taskIP }',
        'tables:',
        '  app: { name: shop-table, partitionKey: pk }',
        '',
      ].join('\n'),
    );
    const child = spawn(
      process.execPath,
      [join(ROOT, 'bin/stepship.js'), 'start', '--endpoint-port', '0', '--lb-port', '0'],
      { cwd: app, env: { PATH: process.env.PATH, HOME: tmpdir(), ...suiteCachesEnv() } },
    );
    let stdout = '';
    const serving = new Promise<void>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes('Serving until Ctrl-C.')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await Promise.race([serving, exited]);
    const url = /The app: +(http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)?.[1];
    expect(url).toBeDefined();
    expect((await fetch(`${url}/status`)).status).toBe(200);
    expect(stdout).toContain('awsl ecs describe-services --cluster stepship-shop --services storefront');
    expect(stdout).toContain(`Local state: ${join(app, '.stepship')}`);
    expect(stdout).toMatch(
      /list-executions --state-machine-arn arn:aws:states:us-east-1:\d{12}:stateMachine:stepship-shop-deploy\n/,
    );
    expect(stdout).not.toMatch(/stepship-web|--services web\b/);
    // What the local cloud only records, in one line: each type with why only under --verbose.
    expect(stdout).toMatch(
      /\n {2}· \d+ resources of \d+ types recorded, not run \(networking, [^)]+\): `stepship start --verbose` lists them\n/,
    );
    expect(stdout).not.toContain('not emulated locally');
    // While it serves, the other commands find it through its discovery file, with no --endpoint.
    const discovery = JSON.parse(readFileSync(join(app, '.stepship', 'cloud.json'), 'utf8')) as {
      pid: number;
      loadBalancerUrl: string;
    };
    expect(discovery).toMatchObject({ pid: child.pid, loadBalancerUrl: url });
    const status = await stepship(['status'], app);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('storefront  (cluster stepship-shop)');
    expect(status.stdout).toContain('2 running / 2 desired');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toContain('Stopped.');
    expect(existsSync(join(app, '.stepship', 'cloud.json'))).toBe(false);
    await expect(fetch(`${url}/status`)).rejects.toThrow();
    // The first build on a machine installs the demo's dependencies from the npm registry.
  }, 240_000);

  it('prints its help', async () => {
    const help = await stepship(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/start \[options\]\s+Start the local cloud/);
    const start = await stepship(['start', '--help']);
    expect(start.code).toBe(0);
    expect(start.stdout).toContain('--once');
  }, 30_000);
});

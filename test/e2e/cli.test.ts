import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const ROOT = new URL('../../', import.meta.url).pathname;

function stepship(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: tmpdir() },
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
      const result = await stepship(['start', '--endpoint-port', String(port), '--lb-port', '0']);
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
    const badPort = await stepship(['start', '--lb-port', 'http']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--lb-port must be a port number from 0 to 65535, got "http"');
    const unknown = await stepship(['deploy-everything']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "deploy-everything"');
    expect(unknown.stderr).toContain('Usage: stepship <command>');
  }, 30_000);

  it('serves until Ctrl-C, with hints naming what it synthesized, then stops everything it started and exits 0', async () => {
    const work = mkdtempSync(join(tmpdir(), 'stepship-start-'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'cli/main.ts'), 'start', '--endpoint-port', '0', '--lb-port', '0'],
      {
        cwd: ROOT,
        // Not the default name, so hints that hard-code it would show.
        env: {
          PATH: process.env.PATH,
          HOME: tmpdir(),
          STEPSHIP_STATE_DIR: work,
          STEPSHIP_SERVICE_NAME: 'shop',
        },
      },
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
    const app = /The app: +(http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)?.[1];
    expect(app).toBeDefined();
    expect((await fetch(`${app}/status`)).status).toBe(200);
    expect(stdout).toContain('awsl ecs describe-services --cluster stepship-shop --services shop');
    expect(stdout).toMatch(
      /list-executions --state-machine-arn arn:aws:states:us-east-1:\d{12}:stateMachine:stepship-shop-deploy\n/,
    );
    expect(stdout).not.toMatch(/stepship-web|--services web/);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toContain('Stopped.');
    await expect(fetch(`${app}/status`)).rejects.toThrow();
    // The first build on a machine installs the demo's dependencies from the npm registry.
  }, 240_000);

  it('prints its help', async () => {
    const help = await stepship(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--once');
  }, 30_000);
});

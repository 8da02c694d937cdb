import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const ROOT = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);

/**
 * What a user's shell has: no npm_* variables from the npm that runs jest (npm reads them as its
 * configuration) and nothing of this checkout on the PATH, so only the installed package can answer.
 */
const USER_ENV: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_'))),
  PATH: (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.startsWith(ROOT))
    .join(delimiter),
};

interface PackedFile {
  path: string;
}

/** A user's repository: stepship as a dev dependency at the top, one Node service in web/. */
function writeProject(dir: string): void {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'hello', private: true }));
  writeFileSync(
    join(dir, 'stepship.yml'),
    ['app: hello', 'services:', '  web:', '    build: ./web', '    port: 3000', ''].join('\n'),
  );
  const web = join(dir, 'web');
  mkdirSync(web);
  writeFileSync(
    join(web, 'package.json'),
    JSON.stringify({ name: 'web', private: true, type: 'module', main: 'server.js' }),
  );
  writeFileSync(
    join(web, 'server.js'),
    "import { createServer } from 'node:http';\ncreateServer((req, res) => res.end('hello from a packed stepship')).listen(3000);\n",
  );
  writeFileSync(
    join(web, 'Dockerfile'),
    'FROM node:24-alpine\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n',
  );
}

describe('stepship packed by npm pack and installed from the tarball into a project outside the repository', () => {
  const work = mkdtempSync(join(tmpdir(), 'stepship-pack-'));
  const project = join(work, 'project');
  let packed: PackedFile[] = [];
  let started: ChildProcess | undefined;

  beforeAll(async () => {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: ROOT,
      env: USER_ENV,
      maxBuffer: 16 * 1024 * 1024,
    });
    const [result] = JSON.parse(stdout) as { filename: string; files: PackedFile[] }[];
    if (!result) throw new Error(`npm pack reported nothing:\n${stdout}`);
    packed = result.files;
    mkdirSync(project);
    writeProject(project);
    // The registry stays reachable; what this repository's `npm ci` already cached is not fetched again.
    await run(
      'npm',
      ['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', join(work, result.filename)],
      // npm hung once in eight installs here (after a cache hit): fail with its output rather than at the hook timeout.
      { cwd: project, env: USER_ENV, maxBuffer: 16 * 1024 * 1024, timeout: 240_000, killSignal: 'SIGKILL' },
    );
  }, 300_000);

  afterAll(() => {
    // A test that failed or timed out may have left its `stepship start` running: end it and all it started.
    if (started?.pid && started.exitCode === null && started.signalCode === null)
      process.kill(-started.pid, 'SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('carries the code and the files it reads at run time, and none of the tests, benchmark, demo or state', () => {
    const paths = packed.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'bin/stepship.js',
        'cli/main.ts',
        'functions/prepare/handler.ts',
        'orchestration/synthesize.ts',
        'cdk.json',
        'buildspec/buildspec.yml',
        'manifest/stepship.schema.json',
        'local/cloud.ts',
        'local/console/assets/console.css',
        'local/docker/make-base-image.sh',
        'local/runtime/reaper.mjs',
        'local/runtime/task-preload.mjs',
        'local/services/lambda/worker.mjs',
      ]),
    );
    expect(
      paths.filter((p) => /^(test|bench|service|examples|\.ci|node_modules)\/|\.stepship|cdk\.out/.test(p)),
    ).toEqual([]);
  });

  it('answers --help through npx', async () => {
    const { stdout } = await run('npx', ['stepship', '--help'], { cwd: project, env: USER_ENV });
    expect(stdout).toMatch(/start \[options\]\s+Start the local cloud/);
  }, 60_000);

  it('synthesizes the app into the folder given', async () => {
    const { stdout } = await run('npx', ['stepship', 'synth', '-o', 'out'], { cwd: project, env: USER_ENV });
    expect(stdout).toContain('synthesized Stepship-hello-App and Stepship-hello-Pipeline');
    expect(readdirSync(join(project, 'out'))).toEqual(
      expect.arrayContaining(['Stepship-hello-App.template.json', 'Stepship-hello-Pipeline.template.json']),
    );
  }, 180_000);

  it('starts the local cloud, deploys the app through the state machine, serves it through the load balancer, and stops on Ctrl-C', async () => {
    // Without --once, so the app can be asked through the load balancer before the cloud stops.
    const child = spawn('npx', ['stepship', 'start', '--endpoint-port', '0', '--lb-port', '0'], {
      cwd: project,
      env: USER_ENV,
      // Its own process group, as in a terminal: Ctrl-C reaches npx and stepship alike.
      detached: true,
    });
    started = child;
    let output = '';
    const serving = new Promise<void>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        output += c.toString();
        if (output.includes('Serving until Ctrl-C.')) resolve();
      });
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    // 'close', not 'exit': npx dies of the Ctrl-C itself, and stepship, which shares its output, finishes after it.
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    await Promise.race([serving, closed]);
    expect(output).toMatch(/web: deployment \S+ SUCCEEDED/);
    const url = /The app: +(http:\/\/127\.0\.0\.1:\d+)\//.exec(output)?.[1];
    expect(url).toBeDefined();
    const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(10_000) });
    expect(await res.text()).toBe('hello from a packed stepship');
    if (child.pid) process.kill(-child.pid, 'SIGINT');
    await closed;
    expect(output).toContain('Stopped.');
    await expect(fetch(`${url}/`)).rejects.toThrow();
    expect(existsSync(join(project, '.stepship', 'cloud.json'))).toBe(false);
  }, 300_000);
});

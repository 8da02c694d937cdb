import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { ImageStore, sha256 } from '../../local/images/image-store.js';
import { type BuiltApp, buildServiceApp, UnsupportedAppError } from '../../local/images/local-builder.js';

/** Writes an app's files into a fresh folder (no dependencies to install: these tests stay offline). */
function app(files: Record<string, string | object>): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepship-builder-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const build = (dir: string) => buildServiceApp(dir, { cacheDir: join(dir, '..', 'stepship-builder-cache') });

/** Unpacks a built app and runs its entrypoint with the project's Node; returns its standard output. */
async function run(built: BuiltApp): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'stepship-built-'));
  for (const [path, data] of Object.entries(built.files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), data);
  }
  const [, ...args] = built.entrypoint;
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: root, env: { PATH: '' } });
  return stdout.trim();
}

/** A CommonJS package in node_modules, as npm would have installed it. */
const cjsPackage = (name: string, code: string) => ({
  [`node_modules/${name}/package.json`]: { name, version: '1.0.0', main: 'index.js' },
  [`node_modules/${name}/index.js`]: code,
});

describe('the embedded builder refuses what it cannot run, naming --runtime docker', () => {
  it.each([
    ['no package.json', { 'server.py': 'print(1)' }, /no package\.json/],
    [
      'a Dockerfile on a Python base',
      {
        'package.json': { scripts: { start: 'node index.js' } },
        'index.js': '',
        Dockerfile: 'FROM python:3.12\n',
      },
      /builds from python:3\.12, which is not a Node image/,
    ],
    [
      'a Dockerfile whose build stage is Go',
      {
        'package.json': { main: 'index.js' },
        'index.js': '',
        Dockerfile: 'FROM golang:1.22 AS build\nRUN go build\nFROM node:22\nCOPY --from=build /out .\n',
      },
      /golang:1\.22, which is not a Node image/,
    ],
    [
      'a start script that runs another program',
      { 'package.json': { scripts: { start: 'python app.py' } }, 'app.py': '' },
      /"python app\.py" runs another program/,
    ],
    [
      'a start script that is a shell list',
      { 'package.json': { scripts: { start: 'node migrate.js && node index.js' } }, 'index.js': '' },
      /is a shell pipeline or list/,
    ],
    [
      'a start script run by tsx',
      { 'package.json': { scripts: { start: 'tsx src/server.ts' } }, 'src/server.ts': '' },
      /runs another program/,
    ],
    [
      'a start script that names a missing file',
      { 'package.json': { scripts: { start: 'node dist/server.js' } } },
      /runs dist\/server\.js, which does not exist/,
    ],
    ['nothing to start', { 'package.json': { name: 'x' } }, /no start script, and there is no server\.js/],
  ])('%s', async (_case, files, reason) => {
    const failure = await build(app(files)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(UnsupportedAppError);
    expect((failure as Error).message).toMatch(reason);
    expect((failure as Error).message).toContain('--runtime docker');
  });
});

describe('the embedded builder runs Node apps', () => {
  it('starts what the start script says, with its options, arguments and variables', async () => {
    const built = await build(
      app({
        'package.json': { scripts: { start: 'GREETING=hello node --no-warnings ./bin/www --port 3000' } },
        'bin/www': '#!/usr/bin/env node\nconsole.log(process.argv.slice(2).join(" "));\n',
      }),
    );
    expect(built.entrypoint).toEqual(['node', '--no-warnings', 'bin/www', '--port', '3000']);
    expect(built.env).toEqual({ GREETING: 'hello' });
    expect(await run(built)).toBe('--port 3000');
  });

  it('accepts a Dockerfile on a Node base named by a build argument, and reads its exposed ports', async () => {
    const built = await build(
      app({
        'package.json': { main: 'main.js' },
        'main.js': 'console.log("main")',
        Dockerfile:
          'ARG BASE=public.ecr.aws/docker/library/node:24-slim\nFROM ${BASE} AS build\nFROM build\nEXPOSE 8080/tcp 9090\n',
      }),
    );
    expect(built.entrypoint).toEqual(['node', 'main.js']);
    expect(built.exposedPorts).toEqual([8080, 9090]);
  });

  it('runs the build script, then bundles the built entry (an ES module with CommonJS dependencies) in place', async () => {
    const dir = app({
      'package.json': {
        type: 'module',
        scripts: { build: 'node build.mjs', start: 'node dist/server.js' },
        dependencies: { 'cjs-dep': '1.0.0' },
      },
      'build.mjs':
        "import { mkdirSync, copyFileSync } from 'node:fs'; mkdirSync('dist'); copyFileSync('src/server.js', 'dist/server.js');",
      'src/server.js':
        "import { createRequire } from 'node:module';\nimport dep from 'cjs-dep';\nconst require = createRequire(import.meta.url);\nconsole.log(dep.hello(), typeof require('node:os').cpus, await Promise.resolve('top-level await'));\n",
      // As Express's index.js: a package that requires its own files.
      ...cjsPackage('cjs-dep', "module.exports = require('./lib/hello');"),
      'node_modules/cjs-dep/lib/hello.js':
        "const path = require('node:path'); exports.hello = () => 'hello from ' + path.basename(__dirname);",
    });
    const built = await build(dir);
    expect(built.entrypoint).toEqual(['node', 'dist/server.js']);
    expect(Object.keys(built.files).some((f) => f.startsWith('node_modules/'))).toBe(false);
    expect(await run(built)).toBe('hello from dist function top-level await');
  });

  it('makes the same image from the same source', async () => {
    const files = {
      'package.json': { scripts: { start: 'node index.js' }, dependencies: { 'cjs-dep': '1.0.0' } },
      'index.js': "console.log(require('cjs-dep').value)",
      ...cjsPackage('cjs-dep', 'exports.value = 42;'),
    };
    const [first, second] = await Promise.all([build(app(files)), build(app(files))]);
    const images = new ImageStore(mkdtempSync(join(tmpdir(), 'stepship-images-')));
    const manifest = (built: BuiltApp) =>
      images.createImage(built.files, { entrypoint: built.entrypoint, env: {}, exposedPorts: [] });
    expect(sha256(manifest(first))).toBe(sha256(manifest(second)));
    expect(await run(first)).toBe('42');
  });

  it.each([
    [
      'a native addon',
      {
        'index.js': "console.log(require('native-dep').value)",
        ...cjsPackage('native-dep', 'exports.value = "native";'),
        'node_modules/native-dep/binding.gyp': '{}',
      },
      { 'native-dep': '1.0.0' },
      /native-dep is a native addon/,
      'native',
    ],
    [
      'a module loaded by a computed name',
      {
        'index.js': "const name = ['plugin', 'a'].join('-'); console.log(require(name).value)",
        ...cjsPackage('plugin-a', 'exports.value = "plugin";'),
      },
      { 'plugin-a': '1.0.0' },
      /loads modules by computed names/,
      'plugin',
    ],
    [
      'a dependency only a dependency loads, by a name it is given (as Express loads view engines)',
      {
        'index.js': "console.log(require('engine-host').render('view-engine'))",
        ...cjsPackage('engine-host', 'exports.render = (name) => require(name).value;'),
        ...cjsPackage('view-engine', 'exports.value = "rendered";'),
      },
      { 'engine-host': '1.0.0', 'view-engine': '1.0.0' },
      /never imports view-engine by name/,
      'rendered',
    ],
  ])(
    'ships the app unbundled with its node_modules when it has %s',
    async (_case, files, dependencies, reason, output) => {
      const lines: string[] = [];
      const dir = app({ 'package.json': { scripts: { start: 'node index.js' }, dependencies }, ...files });
      const built = await buildServiceApp(dir, {
        cacheDir: join(dir, '..', 'cache'),
        log: (l) => lines.push(l),
      });
      expect(lines.join('\n')).toMatch(reason);
      expect(built.files['index.js']).toBeDefined();
      expect(Object.keys(built.files).some((f) => f.startsWith('node_modules/'))).toBe(true);
      expect(await run(built)).toBe(output);
    },
  );
});

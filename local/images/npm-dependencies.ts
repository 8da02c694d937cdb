import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { PackageJson } from './node-app.js';

const NPM_TIMEOUT_MS = 10 * 60_000;
/** What `npm ci`/`npm install` reads besides the registry. */
const INSTALL_INPUTS = ['package.json', 'package-lock.json', 'npm-shrinkwrap.json', '.npmrc'];
const LIFECYCLE = ['preinstall', 'install', 'postinstall', 'prepare'];

export type Log = (line: string) => void;

/** Where the app's dependencies came from: the source's own node_modules, a cached install, or none needed. */
export type Dependencies = { kind: 'existing' } | { kind: 'installed'; cacheKey: string } | { kind: 'none' };

/**
 * Gives the app a node_modules, as `npm ci` (with a lockfile) or `npm install`
 * would: the source's own when it has one; otherwise installed once per
 * distinct package.json and lockfile into `cacheDir` (from the npm registry,
 * through npm's own cache) and linked in, so later builds of the same
 * dependencies are offline and instant. Apps whose install runs their own
 * scripts or links local packages install in place instead.
 */
export async function installDependencies(
  dir: string,
  pkg: PackageJson,
  cacheDir: string,
  log: Log,
): Promise<Dependencies> {
  if (existsSync(join(dir, 'node_modules'))) {
    log('Using the node_modules the source has');
    return { kind: 'existing' };
  }
  if (!hasDependencies(pkg)) return { kind: 'none' };
  if (!cacheable(pkg)) {
    await npm(installCommand(dir, false), dir, log);
    return { kind: 'existing' };
  }
  const cacheKey = installKey(dir);
  symlinkSync(await cachedInstall(dir, cacheDir, cacheKey, false, log), join(dir, 'node_modules'), 'dir');
  return { kind: 'installed', cacheKey };
}

/** A node_modules with the production dependencies only, for shipping the app unbundled. */
export async function productionModules(
  dir: string,
  dependencies: Dependencies,
  cacheDir: string,
  log: Log,
): Promise<string | undefined> {
  if (dependencies.kind === 'none') return undefined;
  if (dependencies.kind === 'existing') return join(dir, 'node_modules');
  return cachedInstall(dir, cacheDir, dependencies.cacheKey, true, log);
}

/** Runs npm on the local cloud's own Node (npm's `#!/usr/bin/env node` finds it first on the PATH). */
export function npm(args: string[], cwd: string, log: Log, env: Record<string, string> = {}): Promise<void> {
  log(`npm ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, {
      cwd,
      env: { ...process.env, ...env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: NPM_TIMEOUT_MS,
    });
    let tail = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-2000);
      for (const line of text.split('\n')) if (line.trim()) log(line);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => reject(new Error(`npm could not start: ${err.message}`)));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `npm ${args[0]} ${signal ? `was stopped (${signal})` : `exited with status ${code}`}: ${lastLines(tail)}`,
          ),
        );
    });
  });
}

async function cachedInstall(
  dir: string,
  cacheDir: string,
  key: string,
  production: boolean,
  log: Log,
): Promise<string> {
  const target = join(cacheDir, `${key}${production ? '-production' : ''}`);
  const modules = join(target, 'node_modules');
  if (existsSync(modules)) {
    log(`Reusing the ${production ? 'production ' : ''}dependencies installed for this lockfile`);
    return modules;
  }
  mkdirSync(cacheDir, { recursive: true });
  const staging = mkdtempSync(join(cacheDir, '.install-'));
  try {
    for (const name of INSTALL_INPUTS)
      if (existsSync(join(dir, name))) copyFileSync(join(dir, name), join(staging, name));
    await npm(installCommand(staging, production), staging, log);
    mkdirSync(join(staging, 'node_modules'), { recursive: true });
    if (!existsSync(modules)) renameSync(staging, target);
  } catch (err) {
    if (!existsSync(modules)) throw err;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return modules;
}

function installCommand(dir: string, production: boolean): string[] {
  const locked = existsSync(join(dir, 'package-lock.json')) || existsSync(join(dir, 'npm-shrinkwrap.json'));
  // --prefer-offline: what npm's cache holds is used without asking the registry again, so a warm cache works offline.
  const flags = ['--prefer-offline', '--no-audit', '--no-fund'];
  return [locked ? 'ci' : 'install', ...(production ? ['--omit=dev'] : []), ...flags];
}

/** The install depends on these files alone (and the registry, which a lockfile pins). */
function installKey(dir: string): string {
  const hash = createHash('sha256');
  for (const name of INSTALL_INPUTS) {
    const path = join(dir, name);
    hash.update(`${name}\0${existsSync(path) ? readFileSync(path, 'utf8') : ''}\0`);
  }
  return hash.digest('hex').slice(0, 32);
}

function hasDependencies(pkg: PackageJson): boolean {
  return [pkg.dependencies, pkg.devDependencies, pkg.optionalDependencies].some(
    (deps) => deps && Object.keys(deps).length > 0,
  );
}

/** An install that needs more of the source than its manifests can't be cached by them. */
function cacheable(pkg: PackageJson): boolean {
  if (pkg.workspaces) return false;
  if (LIFECYCLE.some((name) => pkg.scripts?.[name])) return false;
  const specs = Object.values({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies });
  return !specs.some((spec) => /^(file|link|workspace):/.test(spec));
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-5).join(' | ');
}

import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { bundleApp } from './bundle.js';
import { readNodeApp, startCommand } from './node-app.js';
import { installDependencies, type Log, npm, productionModules } from './npm-dependencies.js';

export { UnsupportedAppError } from './node-app.js';

export interface BuiltApp {
  files: Record<string, Uint8Array>;
  entrypoint: string[];
  exposedPorts: number[];
  /** Variables the start script sets (`NODE_ENV=production node server.js`). */
  env: Record<string, string>;
}

export interface LocalBuildOptions {
  /** Where installed dependencies are kept between builds, by package.json and lockfile (default: dependencyCacheDir()). */
  cacheDir?: string;
  log?: Log;
  /** Build arguments: the build script sees them in its environment, as a Dockerfile's RUN sees its ARGs. */
  buildArgs?: Record<string, string>;
}

/**
 * Installed dependencies are kept per user, as npm keeps its cache: keyed by
 * the lockfile, they are the same for every local cloud and state directory,
 * so a reset or a new test run does not install them again.
 * STEPSHIP_DEPENDENCY_CACHE overrides the place.
 */
export function dependencyCacheDir(): string {
  if (process.env.STEPSHIP_DEPENDENCY_CACHE) return process.env.STEPSHIP_DEPENDENCY_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'stepship', 'dependencies');
}

/** Never part of an image: installed anew (node_modules) or not the app's (.git). */
const SKIPPED = new Set(['node_modules', '.git']);

/**
 * Builds a Node app without Docker, as its Dockerfile would on a Node image:
 * installs its dependencies (npm ci with a lockfile, else npm install),
 * runs its build script if it has one, and packages what its start script
 * (or main) runs: bundled with esbuild into one file where a bundle runs as
 * the app does, otherwise the app as it is with its production node_modules.
 * The app's other files (public/, views/, package.json…) ship as they are.
 * What it cannot run (no package.json, a Dockerfile on another base, a start
 * command that isn't Node) fails with an UnsupportedAppError saying why.
 */
export async function buildServiceApp(dir: string, options: LocalBuildOptions = {}): Promise<BuiltApp> {
  const log = options.log ?? (() => undefined);
  const cacheDir = options.cacheDir ?? dependencyCacheDir();
  const app = readNodeApp(dir);
  const dependencies = await installDependencies(dir, app.pkg, cacheDir, log);
  if (app.pkg.scripts?.build) await npm(['run', 'build'], dir, log, options.buildArgs);
  const start = startCommand(dir, app.pkg);
  const files = collect(dir, '');
  const bundle = await bundleApp(dir, start, app.pkg);
  let entry = start.entry;
  if (bundle.kind === 'bundled') {
    log(`Bundled ${start.entry} and its dependencies with esbuild into ${bundle.entry}`);
    Object.assign(files, bundle.files);
    entry = bundle.entry;
  } else {
    log(`Shipping the app with its production node_modules, unbundled: ${bundle.reason}`);
    const modules = await productionModules(dir, dependencies, cacheDir, log);
    if (modules) Object.assign(files, collect(modules, 'node_modules/', true));
  }
  return {
    files,
    entrypoint: ['node', ...start.nodeArgs, entry, ...start.args],
    exposedPorts: app.exposedPorts,
    env: start.env,
  };
}

/** Every file under `dir`, by its path in the image; symbolic links followed once, `.bin` links left out. */
function collect(dir: string, prefix: string, modules = false): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const seen = new Set<string>();
  const walk = (current: string) => {
    const real = realpathSync(current);
    if (seen.has(real)) return;
    seen.add(real);
    for (const name of readdirSync(current).sort()) {
      if (modules ? name === '.bin' : SKIPPED.has(name)) continue;
      const path = join(current, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat?.isDirectory()) walk(path);
      else if (stat?.isFile()) files[`${prefix}${relative(dir, path)}`] = readFileSync(path);
    }
  };
  walk(dir);
  return files;
}

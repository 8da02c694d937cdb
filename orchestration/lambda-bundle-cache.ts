import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where synthesis keeps the Lambda bundles between runs when set (the test
 * suite sets it: every local cloud it starts would otherwise run esbuild
 * fifteen times, ~10 s). Unset, every synth bundles afresh.
 */
export const LAMBDA_BUNDLE_CACHE_ENV = 'STEPSHIP_LAMBDA_BUNDLE_CACHE';

/**
 * The cache `stepship start` and the test suite use unless
 * STEPSHIP_LAMBDA_BUNDLE_CACHE says otherwise (set empty: none): the user's
 * cache folder, shared by every app, since the bundles are stepship's own.
 */
export function defaultLambdaBundleCache(): string | undefined {
  const configured = process.env[LAMBDA_BUNDLE_CACHE_ENV];
  if (configured !== undefined) return configured || undefined;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'stepship', 'lambda-bundles');
}

/** The context key NodeFunction reads: with it, each bundle's asset hash is this key and its step, known before bundling. */
export const LAMBDA_BUNDLE_KEY_CONTEXT = 'stepship:lambdaBundleKey';

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Everything esbuild reads to bundle a step, or that says how: the
 * functions' sources (they import nothing else of the project but types),
 * the locked dependency versions (esbuild's own among them), the project's
 * package.json and tsconfig, and the construct that holds the bundling
 * options (CDK also hashes those options into each asset's name).
 */
const INPUTS = [
  'functions',
  'package-lock.json',
  'package.json',
  'tsconfig.json',
  'orchestration/constructs/node-function.ts',
];

/** Entries kept: enough for a few branches or edits in turn, without growing without end. */
const KEPT_ENTRIES = 6;

/** A digest of the inputs' paths and contents: the same key means esbuild would write the same bundles. */
export function lambdaBundleKey(root = PROJECT_ROOT): string {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of filesUnder(join(root, input))) {
      hash.update(`${relative(root, file)}\0`);
      hash.update(readFileSync(file));
      hash.update('\0');
    }
  }
  return hash.digest('hex').slice(0, 32);
}

function filesUnder(path: string): string[] {
  // An installed package has no package-lock.json (npm never packs one): its absence is part of the key.
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.name !== 'node_modules')
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => filesUnder(join(path, entry.name)));
}

/**
 * Runs a synth into `outdir` with the bundles of `key` put there first, so
 * CDK, finding each asset's directory already present, skips esbuild; after
 * a synth that had to bundle, keeps what it wrote. Asset directories are
 * named by content (CDK's hash of the key and the bundling options), so a
 * directory from the cache is what bundling would have written. Parallel
 * synths (Jest's workers) each publish with one rename: the first wins, the
 * others' copies are dropped.
 */
export function withLambdaBundleCache<T>(cacheDir: string, key: string, outdir: string, synth: () => T): T {
  const entry = join(cacheDir, key);
  const hit = existsSync(entry);
  if (hit) {
    mkdirSync(outdir, { recursive: true });
    for (const asset of readdirSync(entry))
      cpSync(join(entry, asset), join(outdir, asset), { recursive: true });
    const now = new Date();
    utimesSync(entry, now, now);
  }
  const result = synth();
  if (!hit) publish(cacheDir, entry, outdir);
  return result;
}

function publish(cacheDir: string, entry: string, outdir: string): void {
  mkdirSync(cacheDir, { recursive: true });
  const staging = `${entry}.${process.pid}-${Date.now()}.partial`;
  mkdirSync(staging);
  for (const asset of readdirSync(outdir).filter((name) => name.startsWith('asset.'))) {
    cpSync(join(outdir, asset), join(staging, asset), { recursive: true });
  }
  try {
    renameSync(staging, entry);
  } catch {
    rmSync(staging, { recursive: true, force: true });
    return;
  }
  prune(cacheDir);
}

/** Keeps the most recently used entries, and drops copies a synth that died left half-made. */
function prune(cacheDir: string): void {
  const entries = readdirSync(cacheDir).map((name) => ({
    name,
    used: statSync(join(cacheDir, name)).mtimeMs,
  }));
  const abandoned = entries.filter((e) => e.name.endsWith('.partial') && Date.now() - e.used > 3_600_000);
  const kept = entries.filter((e) => !e.name.endsWith('.partial')).sort((a, b) => b.used - a.used);
  for (const stale of [...abandoned, ...kept.slice(KEPT_ENTRIES)]) {
    rmSync(join(cacheDir, stale.name), { recursive: true, force: true });
  }
}

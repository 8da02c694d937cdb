import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  defaultLambdaBundleCache,
  lambdaBundleKey,
  withLambdaBundleCache,
} from '../../orchestration/lambda-bundle-cache.js';

const scratch = (prefix: string) => mkdtempSync(join(tmpdir(), `stepship-${prefix}-`));

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

/** A project with every input the key reads. */
function project(): string {
  const root = scratch('key');
  write(root, 'functions/prepare/handler.ts', 'export const handler = () => 1;');
  write(root, 'functions/commons/log.ts', 'export const log = 1;');
  write(root, 'package-lock.json', '{"lockfileVersion":3}');
  write(root, 'package.json', '{"type":"module"}');
  write(root, 'tsconfig.json', '{}');
  write(root, 'orchestration/constructs/node-function.ts', 'minify: true');
  return root;
}

describe('the Lambda bundle key', () => {
  it('is the same for the same inputs, wherever the project is', () => {
    expect(lambdaBundleKey(project())).toBe(lambdaBundleKey(project()));
  });

  it.each([
    ['a function source', 'functions/commons/log.ts'],
    ['the lockfile', 'package-lock.json'],
    ['package.json', 'package.json'],
    ['tsconfig.json', 'tsconfig.json'],
    ['the construct holding the bundling options', 'orchestration/constructs/node-function.ts'],
  ])('changes when %s changes', (_what, path) => {
    const root = project();
    const before = lambdaBundleKey(root);
    write(root, path, `${readFileSync(join(root, path), 'utf8')} `);
    expect(lambdaBundleKey(root)).not.toBe(before);
  });

  it('changes when a function file is added, and ignores installed node_modules', () => {
    const root = project();
    const before = lambdaBundleKey(root);
    write(root, 'functions/node_modules/x/index.js', 'module.exports = 1;');
    expect(lambdaBundleKey(root)).toBe(before);
    write(root, 'functions/prepare/extra.ts', 'export {};');
    expect(lambdaBundleKey(root)).not.toBe(before);
  });

  it('is computed for an installed package, which has no lockfile, and differs from the checkout’s', () => {
    const root = project();
    const withLock = lambdaBundleKey(root);
    rmSync(join(root, 'package-lock.json'));
    const installed = lambdaBundleKey(root);
    expect(installed).toMatch(/^[0-9a-f]{32}$/);
    expect(installed).not.toBe(withLock);
  });
});

describe('where stepship start keeps the bundles', () => {
  const saved = { cache: process.env.STEPSHIP_LAMBDA_BUNDLE_CACHE, xdg: process.env.XDG_CACHE_HOME };
  afterEach(() => {
    for (const [name, value] of [
      ['STEPSHIP_LAMBDA_BUNDLE_CACHE', saved.cache],
      ['XDG_CACHE_HOME', saved.xdg],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  });

  it('is the user’s cache folder by default, the variable when set, and nowhere when it is set empty', () => {
    delete process.env.STEPSHIP_LAMBDA_BUNDLE_CACHE;
    process.env.XDG_CACHE_HOME = '/home/u/.cache-x';
    expect(defaultLambdaBundleCache()).toBe('/home/u/.cache-x/stepship/lambda-bundles');
    process.env.STEPSHIP_LAMBDA_BUNDLE_CACHE = '/tmp/bundles';
    expect(defaultLambdaBundleCache()).toBe('/tmp/bundles');
    process.env.STEPSHIP_LAMBDA_BUNDLE_CACHE = '';
    expect(defaultLambdaBundleCache()).toBeUndefined();
  });
});

describe('a synth with the bundle cache', () => {
  /** Stands for CDK: it bundles only the assets it doesn't find in the output directory. */
  function fakeSynth(outdir: string, bundled: string[]) {
    return () => {
      for (const asset of ['asset.aaa', 'asset.bbb']) {
        if (existsSync(join(outdir, asset))) continue;
        bundled.push(asset);
        write(outdir, `${asset}/index.mjs`, `// ${asset}`);
      }
      write(outdir, 'App.template.json', '{}');
      return 'synthesized';
    };
  }

  it('keeps what the first synth bundled, and gives it to the next one before it runs', () => {
    const cache = scratch('bundle-cache');
    const first: string[] = [];
    const firstOut = scratch('out');
    expect(withLambdaBundleCache(cache, 'key1', firstOut, fakeSynth(firstOut, first))).toBe('synthesized');
    expect(first).toEqual(['asset.aaa', 'asset.bbb']);
    expect(readdirSync(join(cache, 'key1')).sort()).toEqual(['asset.aaa', 'asset.bbb']);

    const second: string[] = [];
    const secondOut = scratch('out');
    withLambdaBundleCache(cache, 'key1', secondOut, fakeSynth(secondOut, second));
    expect(second).toEqual([]);
    expect(readFileSync(join(secondOut, 'asset.bbb/index.mjs'), 'utf8')).toBe('// asset.bbb');
  });

  it('bundles afresh for another key', () => {
    const cache = scratch('bundle-cache');
    const out1 = scratch('out');
    withLambdaBundleCache(cache, 'key1', out1, fakeSynth(out1, []));
    const bundled: string[] = [];
    const out2 = scratch('out');
    withLambdaBundleCache(cache, 'key2', out2, fakeSynth(out2, bundled));
    expect(bundled).toEqual(['asset.aaa', 'asset.bbb']);
    expect(readdirSync(cache).sort()).toEqual(['key1', 'key2']);
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type Synthesized, synth } from './synth.js';

/**
 * The one test that surely runs esbuild, with an empty bundle cache of its
 * own: every other CDK test skips bundling, and the local clouds' synths use
 * the suite's cache (jest.config.js).
 */
let built: Synthesized;
let fromCache: Synthesized;
/** What CDK said on stderr during the second synth: it announces each bundling it does. */
let secondSynthSaid = '';
const lambdaBundleCache = mkdtempSync(join(tmpdir(), 'stepship-bundles-'));
beforeAll(() => {
  built = synth({ bundle: true, lambdaBundleCache });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    secondSynthSaid += String(chunk);
    return true;
  });
  try {
    fromCache = synth({ bundle: true, lambdaBundleCache });
  } finally {
    stderr.mockRestore();
  }
}, 180_000);
afterAll(() => {
  // Each holds fifteen bundles with their source maps (~35 MB).
  for (const dir of [lambdaBundleCache, built?.outdir, fromCache?.outdir])
    if (dir) rmSync(dir, { recursive: true, force: true });
});

function bundleOf(functionIdPart: string, from = built): string {
  const functions = from.pipelineTemplate.findResources('AWS::Lambda::Function');
  const entry = Object.entries(functions).find(([id]) => id.includes(functionIdPart));
  if (!entry) throw new Error(`no function like ${functionIdPart}`);
  const key = (entry[1].Properties.Code as { S3Key: string }).S3Key;
  return join(from.outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

function importBundle(dir: string, env: Record<string, string> = {}) {
  return spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(join(dir, 'index.mjs'))}); console.log(typeof m.handler);`,
    ],
    { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } },
  );
}

describe('Lambda bundles', () => {
  it('are ESM built locally by esbuild, with source maps, for every step', () => {
    const functions = Object.keys(built.pipelineTemplate.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(15);
    for (const part of ['Prepare', 'VerifyChecks', 'StartDeployment']) {
      const dir = bundleOf(part);
      expect(existsSync(join(dir, 'index.mjs'))).toBe(true);
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
      expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).toMatch(/export\s*\{/);
    }
  });

  it('load as ES modules and export the handler', () => {
    const result = importBundle(bundleOf('VerifyChecks'));
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('function');
  });

  it('fail at load, naming the variable, when their configuration is missing', () => {
    const result = importBundle(bundleOf('Prepare'));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Missing environment variable');
  });

  it('come from the cache on the next synth as esbuild wrote them, under the same asset names', () => {
    expect(secondSynthSaid).not.toContain('Bundling asset');
    const code = (from: Synthesized) =>
      Object.values(from.pipelineTemplate.findResources('AWS::Lambda::Function')).map(
        (f) => f.Properties.Code,
      );
    expect(code(fromCache)).toEqual(code(built));
    for (const part of ['Prepare', 'VerifyChecks', 'StartDeployment']) {
      for (const file of ['index.mjs', 'index.mjs.map']) {
        expect(readFileSync(join(bundleOf(part, fromCache), file))).toEqual(
          readFileSync(join(bundleOf(part), file)),
        );
      }
    }
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { type Synthesized, synth } from './synth.js';

/** The one test that bundles: every other CDK test skips esbuild to stay fast. */
let built: Synthesized;
beforeAll(() => {
  built = synth({ bundle: true });
}, 120_000);

function bundleOf(functionIdPart: string): string {
  const functions = built.pipelineTemplate.findResources('AWS::Lambda::Function');
  const entry = Object.entries(functions).find(([id]) => id.includes(functionIdPart));
  if (!entry) throw new Error(`no function like ${functionIdPart}`);
  const key = (entry[1].Properties.Code as { S3Key: string }).S3Key;
  return join(built.outdir, `asset.${key.replace(/\.zip$/, '')}`);
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
});

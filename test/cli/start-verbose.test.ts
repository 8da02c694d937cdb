import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import type { StartOptions } from '../../cli/start.js';

// The main job itself (a local cloud, a synthesis, deployments) is the e2e tests' business: here it
// is replaced, to see what `stepship start` asks of it.
const started: StartOptions[] = [];
jest.unstable_mockModule('../../cli/start.js', () => ({
  startLocal: async (options: StartOptions) => {
    started.push(options);
    return { cloud: { stop: async () => undefined } };
  },
  allSucceeded: () => true,
  describeEndpoints: () => [],
  RuntimeMismatchError: class extends Error {},
}));
const { runCli } = await import('../../cli/program.js');

function app(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepship-start-verbose-'));
  writeFileSync(join(dir, 'stepship.yml'), 'app: shop\nservices:\n  web:\n    build: .\n    port: 3000\n');
  writeFileSync(join(dir, 'Dockerfile'), 'FROM node:24-alpine\n');
  return dir;
}

describe('stepship start --verbose', () => {
  it.each([
    [['start', '--once'], false],
    [['start', '--once', '--verbose'], true],
  ])('%j asks the main job for verbose: %s', async (argv, verbose) => {
    started.length = 0;
    const code = await runCli(['--app', app(), ...argv, '--endpoint-port', '0', '--lb-port', '0'], {
      io: { out: () => undefined, err: () => undefined },
    });
    expect(code).toBe(0);
    expect(started.map((o) => o.verbose)).toEqual([verbose]);
  });
});

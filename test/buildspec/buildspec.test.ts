import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

interface Buildspec {
  version: number;
  env: { shell: string; variables: Record<string, string>; 'exported-variables': string[] };
  phases: Record<'pre_build' | 'build' | 'post_build', { commands: string[] }>;
}

const buildspec = parse(
  readFileSync(new URL('../../buildspec/buildspec.yml', import.meta.url), 'utf8'),
) as Buildspec;

/** Runs buildspec commands in bash, one shell for all as CodeBuild does with version 0.2. */
function runCommands(commands: string[], env: Record<string, string>) {
  return spawnSync('bash', ['-e', '-c', commands.join('\n')], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
}

describe('buildspec/buildspec.yml', () => {
  it('is a version 0.2 buildspec in bash with the three phases the pipeline relies on', () => {
    expect(buildspec.version).toBe(0.2);
    expect(buildspec.env.shell).toBe('bash');
    expect(Object.keys(buildspec.phases)).toEqual(['pre_build', 'build', 'post_build']);
  });

  it('builds for amd64 and arm64 by default and exports the pushed digest', () => {
    expect(buildspec.env.variables.PLATFORMS).toBe('linux/amd64,linux/arm64');
    expect(buildspec.env['exported-variables']).toEqual(
      expect.arrayContaining(['IMAGE_DIGEST', 'IMAGE_URI']),
    );
  });

  it('logs in to ECR, then builds with buildx for $PLATFORMS, with an ECR registry cache, and pushes', () => {
    const pre = buildspec.phases.pre_build.commands.join('\n');
    expect(pre).toMatch(/aws ecr get-login-password .*\| docker login --username AWS --password-stdin/);
    const build = buildspec.phases.build.commands.join('\n');
    expect(build).toContain('docker buildx build');
    expect(build).toContain('--platform "$PLATFORMS"');
    expect(build).toMatch(/--cache-from "type=registry,ref=\$\{REPOSITORY_URI\}:\$\{CACHE_TAG\}"/);
    expect(build).toMatch(/--cache-to "type=registry,.*image-manifest=true,oci-mediatypes=true"/);
    expect(build).toContain('--tag "${REPOSITORY_URI}:${IMAGE_TAG}"');
    expect(build).toContain('--push');
    // Tags starting "stepship-" never trigger auto-deploy, so the cache must carry that prefix.
    expect(buildspec.env.variables.CACHE_TAG).toMatch(/^stepship-/);
  });

  it.each([
    [['REPOSITORY_URI'], { IMAGE_TAG: 'v2', PLATFORMS: 'linux/amd64', AWS_DEFAULT_REGION: 'us-east-1' }],
    [['IMAGE_TAG'], { REPOSITORY_URI: 'r/web', PLATFORMS: 'linux/amd64', AWS_DEFAULT_REGION: 'us-east-1' }],
    [['REPOSITORY_URI', 'IMAGE_TAG', 'AWS_DEFAULT_REGION'], { PLATFORMS: 'linux/amd64' }],
  ])('fails before building, naming the missing variables %j', (missing, env) => {
    const check = buildspec.phases.pre_build.commands[0] ?? '';
    const result = runCommands([check], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`required environment variable(s) not set: ${missing.join(' ')}`);
  });

  it('reads the digest from buildx metadata and rejects a build that reported none', () => {
    const find = (prefix: string) =>
      buildspec.phases.build.commands.find((c) => c.trimStart().startsWith(prefix));
    const [extract, validate, uri] = [find('IMAGE_DIGEST='), find('if [[ !'), find('IMAGE_URI=')];
    const dir = mkdtempSync(join(tmpdir(), 'buildspec-'));
    const digest = `sha256:${'0f'.repeat(32)}`;
    const commands = [extract, validate, uri, 'echo "$IMAGE_URI"'].map((c) =>
      (c ?? '').replaceAll('/tmp/stepship-build.json', join(dir, 'meta.json')),
    );

    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ 'containerimage.digest': digest }));
    const ok = runCommands(commands, { REPOSITORY_URI: '1.dkr.ecr.us-east-1.amazonaws.com/web' });
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim()).toBe(`1.dkr.ecr.us-east-1.amazonaws.com/web@${digest}`);

    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ 'containerimage.digest': 'oops' }));
    const bad = runCommands(commands, { REPOSITORY_URI: 'r/web' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('buildx did not report a pushed digest');
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { runCli } from '../../cli/program.js';
import { PROJECT_ROOT } from '../helpers/local-deployment.js';

/**
 * The command line's own answers: usage errors (exit 2, one message saying
 * what is wrong and what is allowed) come before anything is asked of AWS or
 * the local cloud, so none of these touch the network.
 */
async function stepship(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--app', join(PROJECT_ROOT, 'service'), ...argv], {
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('the stepship command line', () => {
  it.each<[string, string[], string]>([
    ['an unknown service', ['status', 'billing'], 'Unknown service "billing": the app web has web'],
    [
      'an image and a source',
      ['deploy', '--image', 'v2', '--source', '.'],
      'Give --image or --source, not both',
    ],
    ['a malformed image', ['diff', '--image', 'v 2'], "--image must be a tag of the service's repository"],
    ['a limit of 0', ['history', '--limit', '0'], '--limit must be a whole number from 1 to 1000, got "0"'],
    [
      'a next token without its service',
      ['history', '--next-token', 'abc'],
      "--next-token continues one service's history",
    ],
    [
      'a --since that is no duration',
      ['logs', 'web', '--since', 'yesterday'],
      '--since must be a duration such as 30s',
    ],
    ['logs of no service', ['logs'], "missing required argument 'service'"],
    ['run without a command', ['run', 'web'], "missing required argument 'command'"],
    ['a malformed --env', ['run', 'web', '--env', 'x', '--', 'true'], '--env must be NAME=value, got "x"'],
    ['an endpoint that is no URL', ['status', '--endpoint', '127.0.0.1:4566'], '--endpoint must be a URL'],
    ['--endpoint with --aws', ['status', '--endpoint', 'http://127.0.0.1:4566', '--aws'], 'not both'],
    ['watch against AWS', ['watch', '--aws'], 'runs against the local cloud only'],
    [
      'rollback --to with nothing',
      ['rollback', '--to'],
      "option '--to <deployment|revision>' argument missing",
    ],
    ['an unknown option', ['deploy', '--bogus'], "unknown option '--bogus'"],
  ])('refuses %s with exit code 2 and says why', async (_case, argv, message) => {
    const result = await stepship(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('names the missing stepship.yml of an app folder', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'stepship-no-app-'));
    const out: string[] = [];
    const code = await runCli(['--app', empty, 'status'], {
      io: { out: (l) => out.push(l), err: (l) => out.push(l) },
    });
    expect(code).toBe(2);
    expect(out.join('\n')).toContain('no stepship.yml or stepship.yaml here');
  });

  it('lists every command in its help, with the exit codes', async () => {
    const help = await stepship('--help');
    expect(help.code).toBe(0);
    for (const command of [
      'start',
      'synth',
      'reset',
      'deploy',
      'status',
      'history',
      'rollback',
      'diff',
      'logs',
      'run',
      'watch',
    ])
      expect(help.stdout).toMatch(new RegExp(`\\n  ${command} `));
    expect(help.stdout).toContain(
      'Exit codes: 0 success, 1 the deployment or command failed, 2 a usage or input error',
    );
  });

  it.each<[string, string[]]>([
    [
      'deploy',
      [
        '--image <tag|digest>',
        '--source <dir>',
        '--no-wait',
        '--dry-run',
        '--endpoint <url>',
        '--aws',
        '--json',
      ],
    ],
    ['start', ['--once', '--reset', '--verbose', 'list each resource type the local cloud records without']],
    ['status', ['--endpoint <url>', '--json']],
    ['history', ['--limit <n>', '--next-token <token>', '--json']],
    ['rollback', ['--to <deployment|revision>', '--no-wait', '--json']],
    ['diff', ['--image <tag|digest>', '--source <dir>', '--json']],
    ['logs', ['-f, --follow', '--since <duration|time>', '--json']],
    ['run', ['--env <NAME=value>', 'stepship run web -- node dist/migrate.js']],
    ['watch', ['--debounce <ms>', 'Local cloud only']],
  ])('explains %s in its --help', async (command, expected) => {
    const help = await stepship(command, '--help');
    expect(help.code).toBe(0);
    for (const text of expected) expect(help.stdout).toContain(text);
  });
});

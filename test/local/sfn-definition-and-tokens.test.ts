import { describe, expect, it } from '@jest/globals';
import { MAX_TASK_SECONDS } from '../../local/services/sfn/callbacks.js';
import { referencePath, runnableDefinition } from '../../local/services/sfn/runnable-definition.js';
import { TaskTokenMint } from '../../local/services/sfn/task-tokens.js';

const task = (extra: object = {}) => ({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', ...extra });

describe('the definition the local runner runs', () => {
  it("gives every Task Step Functions' own timeout bound instead of the library's 60 s, nested ones too", () => {
    const definition = JSON.stringify({
      StartAt: 'A',
      States: {
        A: task({ Next: 'P' }),
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'B', States: { B: task({ End: true }) } }],
          Next: 'M',
        },
        M: { Type: 'Map', ItemProcessor: { StartAt: 'C', States: { C: task({ End: true }) } }, End: true },
      },
    });
    const runnable = JSON.stringify(runnableDefinition(definition));
    expect(runnable.match(/"TimeoutSeconds":(\d+)/g)).toEqual(
      Array.from({ length: 3 }, () => `"TimeoutSeconds":${MAX_TASK_SECONDS}`),
    );
  });

  it.each([
    ['kept when given', { TimeoutSeconds: 5 }, { TimeoutSeconds: 5 }],
    [
      'held to what a timer can wait (a longer one would fire at once)',
      { TimeoutSeconds: 99_999_999 },
      { TimeoutSeconds: MAX_TASK_SECONDS },
    ],
    ['left to its path when it has one', { TimeoutSecondsPath: '$.t' }, { TimeoutSecondsPath: '$.t' }],
  ])('a Task timeout is %s', (_, given, expected) => {
    const runnable = runnableDefinition(
      JSON.stringify({ StartAt: 'A', States: { A: task({ ...given, End: true }) } }),
    );
    expect(runnable.States.A).toEqual(task({ ...expected, End: true }));
  });
});

describe('reference paths (TimeoutSecondsPath, HeartbeatSecondsPath)', () => {
  const input = { limits: { heartbeat: 5 }, 'odd key': [7, 8] };
  it.each<[string, unknown]>([
    ['$.limits.heartbeat', 5],
    ["$['odd key'][1]", 8],
    ['$', input],
    ['$.missing.deeper', undefined],
    ['$$.Execution.Id', undefined],
    ['limits.heartbeat', undefined],
  ])('%s finds %p', (path, expected) => {
    expect(referencePath(input, path)).toEqual(expected);
  });
});

describe('task tokens', () => {
  const scope = { accountId: '123456789012', region: 'eu-west-1' };

  it('read back as the scope and id they were minted for', () => {
    const mint = new TaskTokenMint();
    const { token, claims } = mint.mint(scope);
    expect(claims).toMatchObject(scope);
    expect(mint.read(token)).toEqual(claims);
    expect(token.length).toBeLessThanOrEqual(2048);
  });

  it('are refused when forged, altered, or minted by another local cloud', () => {
    const mint = new TaskTokenMint();
    const { token } = mint.mint(scope);
    const [body = '', signature = ''] = token.split('.');
    const otherBody = Buffer.from(JSON.stringify(['123456789012', 'eu-west-1', 'another-id'])).toString(
      'base64url',
    );
    expect(mint.read(`${otherBody}.${signature}`)).toBeUndefined();
    expect(mint.read(`${body}.${signature.slice(1)}x`)).toBeUndefined();
    expect(mint.read(`${body}.${signature}.extra`)).toBeUndefined();
    expect(mint.read('garbage')).toBeUndefined();
    expect(new TaskTokenMint().read(token)).toBeUndefined();
  });
});

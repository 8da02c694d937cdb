import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';

const PRELOAD = fileURLToPath(new URL('../../local/runtime/task-preload.mjs', import.meta.url));
/** Outside the range the local cloud hands out (127.0.2.2 to 127.0.241.251). */
const TASK_IP = '127.0.250.7';

/** Each way an app may call listen, with where it must end up. */
const FORMS: [string, string, string][] = [
  ['listen(port)', 's.listen(41001, done)', `${TASK_IP}:41001`],
  ["listen(port, '0.0.0.0')", "s.listen(41002, '0.0.0.0', done)", `${TASK_IP}:41002`],
  ["listen(port, '::')", "s.listen(41003, '::', done)", `${TASK_IP}:41003`],
  ['listen({ port })', 's.listen({ port: 41004 }, done)', `${TASK_IP}:41004`],
  [
    "listen({ port, host: '::', ipv6Only })",
    "s.listen({ port: 41005, host: '::', ipv6Only: true }, done)",
    `${TASK_IP}:41005`,
  ],
  ['listen(port, backlog, callback)', 's.listen(41006, 511, done)', `${TASK_IP}:41006`],
  ["listen('port')", "s.listen('41007', done)", `${TASK_IP}:41007`],
  ['listen() (a random port)', 's.listen(done)', `${TASK_IP}:random`],
  [
    "listen(port, '127.0.0.1') (a chosen address stays)",
    "s.listen(0, '127.0.0.1', done)",
    '127.0.0.1:random',
  ],
  [
    'listen(pipe path)',
    "s.listen(require('node:path').join(require('node:os').tmpdir(), 'stepship-preload-' + process.pid + '.sock'), done)",
    'pipe',
  ],
];

const SCRIPT = `
const http = require('node:http');
const forms = ${JSON.stringify(FORMS.map(([, code]) => code))};
(async () => {
  for (const code of forms) {
    const s = http.createServer();
    const bound = await new Promise((resolve) => {
      const done = () => resolve(s.address());
      s.once('error', (err) => resolve(err.code));
      new Function('s', 'done', 'require', code)(s, done, require);
    });
    console.log(JSON.stringify(bound));
    await new Promise((resolve) => s.close(resolve));
  }
})();
`;

let bound: unknown[];

beforeAll(async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', PRELOAD, '-e', SCRIPT], {
    env: { PATH: process.env.PATH, STEPSHIP_TASK_IP: TASK_IP },
  });
  bound = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
});

describe('the task preload: a listen on every interface binds the task’s address', () => {
  it.each(FORMS.map(([name, , expected], index) => [name, expected, index] as const))(
    '%s → %s',
    (_name, expected, index) => {
      const address = bound[index];
      if (expected === 'pipe') {
        expect(address).toEqual(expect.stringContaining('stepship-preload-'));
        return;
      }
      const [host, port] = expected.split(':');
      expect(address).toMatchObject({ address: host, family: 'IPv4' });
      if (port !== 'random') expect(address).toMatchObject({ port: Number(port) });
    },
  );

  it('lets the app reach itself on localhost at the port it listens on', async () => {
    const script = `
const http = require('node:http');
const server = http.createServer((req, res) => res.end('self')).listen(41010, () => {
  http.get('http://localhost:41010/', (res) => { res.on('data', (d) => console.log(String(d))); res.on('end', () => server.close()); })
    .on('error', (err) => { console.log(err.code); server.close(); });
});`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', PRELOAD, '-e', script], {
      env: { PATH: process.env.PATH, STEPSHIP_TASK_IP: TASK_IP },
    });
    expect(stdout.trim()).toBe('self');
  });

  it('changes nothing without a task address', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        PRELOAD,
        '-e',
        "const s=require('node:net').createServer().listen(0,()=>{console.log(s.address().address);s.close()})",
      ],
      { env: { PATH: process.env.PATH } },
    );
    expect(['::', '0.0.0.0']).toContain(stdout.trim());
  });
});

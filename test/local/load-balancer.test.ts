import { Agent, createServer, get, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ActivityLog } from '../../local/runtime/activity.js';
import { TaskProcess } from '../../local/runtime/task-process.js';
import { ListenerServer } from '../../local/services/elbv2/listener-server.js';
import { matcherAccepts, TargetGroup } from '../../local/services/elbv2/target-group.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A target on its own loopback address (127.0.250.x: outside the task IPs the local cloud hands out) whose health endpoint answers `healthStatus`. */
async function target(ip: string, healthStatus: number): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/health' ? healthStatus : 200).end(ip);
  });
  await new Promise<void>((resolve) => server.listen(3000, ip, () => resolve()));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(50);
  }
}

function groupWith(path = '/health', activity?: ActivityLog) {
  const group = new TargetGroup(
    'arn:tg',
    'tg',
    3000,
    {
      path,
      intervalSeconds: 1,
      timeoutSeconds: 1,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      matcher: '200',
    },
    1,
    activity,
  );
  cleanup.push(() => group.stop());
  return group;
}

async function listener(group: TargetGroup): Promise<string> {
  const server = new ListenerServer(() => ({ kind: 'forward', groups: [{ group, weight: 1 }] }));
  const port = await server.listen(0, '127.0.0.1');
  cleanup.push(() => server.close());
  return `http://127.0.0.1:${port}`;
}

describe('the local load balancer', () => {
  it('marks targets healthy after one passing check and unhealthy after the threshold, with AWS reason codes', async () => {
    await target('127.0.250.2', 200);
    await target('127.0.250.3', 503);
    const activity = new ActivityLog();
    const since = Date.now();
    const group = groupWith('/health', activity);
    group.register('127.0.250.2');
    group.register('127.0.250.3');
    expect(group.targets.get('127.0.250.2:3000')?.reason).toBe('Elb.RegistrationInProgress');
    await waitFor(() => group.targets.get('127.0.250.2:3000')?.state === 'healthy');
    await waitFor(() => group.targets.get('127.0.250.3:3000')?.state === 'unhealthy');
    // The initial health checking of the healthy target is on the local cloud's own clock (for the benchmark).
    expect(activity.busyWithin(since, Date.now(), ['health-check'])).toBeGreaterThan(0);
    expect(group.targets.get('127.0.250.3:3000')).toMatchObject({
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [503]',
    });
  });

  it('routes round robin over healthy targets only', async () => {
    await target('127.0.250.4', 200);
    await target('127.0.250.5', 200);
    await target('127.0.250.6', 500);
    const group = groupWith();
    for (const ip of ['127.0.250.4', '127.0.250.5', '127.0.250.6']) group.register(ip);
    await waitFor(
      () =>
        group.targets.get('127.0.250.6:3000')?.state === 'unhealthy' &&
        group.targets.get('127.0.250.5:3000')?.state === 'healthy',
    );
    const url = await listener(group);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(await (await fetch(url)).text());
    expect([...seen].sort()).toEqual(['127.0.250.4', '127.0.250.5']);
  });

  it('fails open: with every target unhealthy it still routes to all of them', async () => {
    await target('127.0.250.7', 500);
    await target('127.0.250.8', 500);
    const group = groupWith();
    group.register('127.0.250.7');
    group.register('127.0.250.8');
    await waitFor(() => [...group.targets.values()].every((t) => t.state === 'unhealthy'));
    const url = await listener(group);
    const answers = await Promise.all([1, 2, 3, 4].map(async () => (await fetch(url)).status));
    expect(answers).toEqual([200, 200, 200, 200]);
  });

  it('answers 503 with no registered target, and 502 when the target is gone', async () => {
    const group = groupWith();
    const url = await listener(group);
    expect((await fetch(url)).status).toBe(503);
    group.register('127.0.250.9');
    expect((await fetch(url)).status).toBe(502);
  });

  it('keeps an idle kept-alive connection open past Node’s 5 s (an ALB idles 60 s), and closing ends it at once', async () => {
    await target('127.0.250.10', 200);
    const group = groupWith();
    group.register('127.0.250.10');
    await waitFor(() => group.targets.get('127.0.250.10:3000')?.state === 'healthy');
    const server = new ListenerServer(() => ({ kind: 'forward', groups: [{ group, weight: 1 }] }));
    const port = await server.listen(0, '127.0.0.1');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanup.push(() => agent.destroy());
    const ask = () =>
      new Promise<{ body: string; reused: boolean; socket: Socket }>((resolve, reject) => {
        const req = get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ body, reused: req.reusedSocket, socket: req.socket as Socket }));
        });
        req.on('error', reject);
      });
    expect((await ask()).reused).toBe(false);
    // Past Node's keep-alive timeout and the second it allows beyond (keepAliveTimeoutBuffer).
    await sleep(7_000);
    const again = await ask();
    expect(again).toMatchObject({ body: '127.0.250.10', reused: true });
    const closed = new Promise<string>((resolve) => again.socket.once('close', () => resolve('closed')));
    await server.close();
    expect(await Promise.race([closed, sleep(1_000, 'still open')])).toBe('closed');
  }, 20_000);

  it('reads matchers as AWS does', () => {
    expect(matcherAccepts('200', 200)).toBe(true);
    expect(matcherAccepts('200-299', 204)).toBe(true);
    expect(matcherAccepts('200,302', 302)).toBe(true);
    expect(matcherAccepts('200', 404)).toBe(false);
  });
});

describe('the activity clock', () => {
  it('counts overlapping intervals once, clipped to the window', () => {
    const log = new ActivityLog();
    log.record('task-start', 1000, 3000);
    log.record('health-check', 2000, 4000);
    log.record('draining', 6000, 9000);
    expect(log.busyWithin(0, 10_000)).toBe(6000);
    expect(log.busyWithin(2500, 7000)).toBe(2500);
    expect(log.busyWithin(0, 10_000, ['draining'])).toBe(3000);
  });
});

describe('a task process', () => {
  it('gets SIGTERM, then SIGKILL once the stop timeout passes', async () => {
    const stubborn = new TaskProcess({
      argv: [
        process.execPath,
        '-e',
        "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); setInterval(() => {}, 1000); console.log('up')",
      ],
      cwd: process.cwd(),
      env: {},
      onOutput: () => undefined,
    });
    await sleep(300);
    const started = Date.now();
    const exit = await stubborn.stop(1);
    expect(exit.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});

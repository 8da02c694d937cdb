import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { TargetsNotReadyError, VerificationError } from '../../functions/commons/errors.js';
import type { HttpAnswer } from '../../functions/commons/http.js';
import type { ResolvedImage, Rollout, Verification } from '../../functions/contract/shapes.js';
import { problemsWith, valueAt } from '../../functions/verify-checks/expectations.js';
import { verifyChecks } from '../../functions/verify-checks/verify-checks.js';
import { verifyTargets } from '../../functions/verify-targets/verify-targets.js';
import type { VerifyModel } from '../../manifest/model.js';
import { preparedDeployment, WEB_TARGET } from '../helpers/targets.js';

const NEW = `sha256:${'1'.repeat(64)}`;
const OLD = `sha256:${'0'.repeat(64)}`;
const deployment = preparedDeployment();
const rollout = { deploymentId: 'ecs-svc/2', taskDefinitionArn: 'arn:td:2' } as Rollout;
const image: ResolvedImage = { imageDigest: NEW, imageUri: `repo@${NEW}`, resolvedAt: 0 };

const ecsMock = mockClient(ECSClient);
const elbMock = mockClient(ElasticLoadBalancingV2Client);
beforeEach(() => {
  ecsMock.reset();
  elbMock.reset();
});

const task = (ip: string, taskDefinitionArn: string, lastStatus = 'RUNNING'): Task => ({
  taskArn: `arn:task/${ip}`,
  taskDefinitionArn,
  lastStatus,
  attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: ip }] }],
});

describe('verify-targets', () => {
  const run = () =>
    verifyTargets(
      { deployment, rollout },
      {
        ecs: new ECSClient({ region: 'us-east-1' }),
        elb: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
      },
    );
  function world(tasks: Task[], health: [string, string, string?, number?][], desiredCount = 2) {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [{ serviceName: 'web', status: 'ACTIVE', desiredCount }],
    });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: tasks.map((t) => t.taskArn ?? '') });
    ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: tasks.filter((t) => input.tasks.includes(t.taskArn ?? '')),
    }));
    elbMock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: health.map(([Id, State, Reason, Port = 3000]) => ({
        Target: { Id, Port },
        TargetHealth: { State: State as 'healthy', Reason: Reason as undefined },
      })),
    });
  }

  it("passes when every new task's IP is a healthy target", async () => {
    world(
      [task('10.0.2.5', 'arn:td:2'), task('10.0.3.6', 'arn:td:2'), task('10.0.2.9', 'arn:td:1')],
      [
        ['10.0.2.5', 'healthy'],
        ['10.0.3.6', 'healthy'],
        ['10.0.2.9', 'draining'],
      ],
    );
    await expect(run()).resolves.toEqual({
      desiredCount: 2,
      newTasks: [
        { ip: '10.0.2.5', taskArn: 'arn:task/10.0.2.5' },
        { ip: '10.0.3.6', taskArn: 'arn:task/10.0.3.6' },
      ],
      healthyTargets: ['10.0.2.5', '10.0.3.6'],
    });
  });

  it('is not ready while a new task is still in initial health checks', async () => {
    world(
      [task('10.0.2.5', 'arn:td:2'), task('10.0.3.6', 'arn:td:2')],
      [
        ['10.0.2.5', 'healthy'],
        ['10.0.3.6', 'initial', 'Elb.InitialHealthChecking'],
      ],
    );
    const pending = run();
    await expect(pending).rejects.toBeInstanceOf(TargetsNotReadyError);
    await expect(pending).rejects.toThrow('10.0.3.6 initial (Elb.InitialHealthChecking)');
  });

  it('is not ready with fewer new tasks than desired', async () => {
    world([task('10.0.2.5', 'arn:td:2'), task('10.0.3.6', 'arn:td:2', 'PENDING')], [['10.0.2.5', 'healthy']]);
    await expect(run()).rejects.toThrow('1 of 2 tasks of arn:td:2 are running with an address');
  });

  it("counts the tasks the service wants at verification time, not the template's number", async () => {
    const ips = ['10.0.2.5', '10.0.2.6', '10.0.2.7'];
    world(
      ips.map((ip) => task(ip, 'arn:td:2')),
      ips.map((ip) => [ip, 'healthy']),
      4,
    );
    await expect(run()).rejects.toThrow('3 of 4 tasks of arn:td:2 are running with an address');
  });

  describe('on EC2 capacity (bridge mode: targets are instances and host ports)', () => {
    const bridgeTask = (
      id: string,
      instance: string,
      hostPort: number,
      taskDefinitionArn = 'arn:td:2',
    ): Task => ({
      taskArn: `arn:task/${id}`,
      taskDefinitionArn,
      lastStatus: 'RUNNING',
      containerInstanceArn: `arn:container-instance/${instance}`,
      attachments: [],
      containers: [
        { name: 'sidecar', networkBindings: [{ containerPort: 9000, hostPort: 40000 }] },
        { name: 'web', networkBindings: [{ containerPort: 3000, hostPort, bindIP: '0.0.0.0' }] },
      ],
    });
    const instances = () =>
      ecsMock.on(DescribeContainerInstancesCommand).callsFake((input: { containerInstances: string[] }) => ({
        containerInstances: input.containerInstances.map((arn) => ({
          containerInstanceArn: arn,
          ec2InstanceId: arn.replace('arn:container-instance/', 'i-'),
        })),
      }));

    it("passes when each new task's instance and host port is a healthy target", async () => {
      world(
        [
          bridgeTask('a', 'one', 32768),
          bridgeTask('b', 'one', 32769),
          bridgeTask('old', 'two', 32768, 'arn:td:1'),
        ],
        [
          ['i-one', 'healthy', undefined, 32768],
          ['i-one', 'healthy', undefined, 32769],
          ['i-two', 'draining', undefined, 32768],
        ],
      );
      instances();
      await expect(run()).resolves.toEqual({
        desiredCount: 2,
        newTasks: [{ taskArn: 'arn:task/a' }, { taskArn: 'arn:task/b' }],
        healthyTargets: ['i-one:32768', 'i-one:32769'],
      });
      // Both tasks share one instance: it is described once.
      expect(
        ecsMock
          .commandCalls(DescribeContainerInstancesCommand)
          .map((c) => c.args[0].input.containerInstances),
      ).toEqual([['arn:container-instance/one']]);
    });

    it('is not ready while a task on the same instance has another host port than the healthy one', async () => {
      world(
        [bridgeTask('a', 'one', 32768), bridgeTask('b', 'one', 32769)],
        [
          ['i-one', 'healthy', undefined, 32768],
          ['i-one', 'initial', 'Elb.RegistrationInProgress', 32769],
        ],
      );
      instances();
      await expect(run()).rejects.toThrow('i-one:32769 initial (Elb.RegistrationInProgress)');
    });

    it('is not ready while a task has no host port yet', async () => {
      const unbound = { ...bridgeTask('b', 'one', 0), containers: [{ name: 'web', networkBindings: [] }] };
      world([bridgeTask('a', 'one', 32768), unbound], [['i-one', 'healthy', undefined, 32768]]);
      instances();
      await expect(run()).rejects.toThrow('1 of 2 tasks of arn:td:2 are running with an address');
    });
  });

  it('reads every page of tasks and describes them at most 100 at a time', async () => {
    const many = Array.from({ length: 150 }, (_, i) =>
      task(`10.0.${Math.floor(i / 100)}.${i % 100}`, 'arn:td:2'),
    );
    world(
      many,
      many.map((t) => [t.attachments?.[0]?.details?.[0]?.value ?? '', 'healthy']),
      150,
    );
    ecsMock
      .on(ListTasksCommand)
      .resolvesOnce({ taskArns: many.slice(0, 100).map((t) => t.taskArn ?? ''), nextToken: 'more' })
      .resolves({ taskArns: many.slice(100).map((t) => t.taskArn ?? '') });
    const verified = await run();
    expect(verified.newTasks).toHaveLength(150);
    expect(ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length)).toEqual([
      100, 50,
    ]);
  });
});

/** A load balancer stand-in: each path answers in turn from its list; task addresses answer from theirs. */
function server(routes: Record<string, (HttpAnswer | (() => HttpAnswer))[]>) {
  const turns = new Map<string, number>();
  const requested: string[] = [];
  const get = async (url: string): Promise<HttpAnswer> => {
    requested.push(url);
    const u = new URL(url);
    const key = u.host === 'alb.local' ? u.pathname : `${u.host}${u.pathname}`;
    const answers = routes[key];
    if (!answers) return { status: 404, json: { error: 'NotFound' }, text: '{"error":"NotFound"}' };
    const n = turns.get(key) ?? 0;
    turns.set(key, n + 1);
    const answer = answers[n % answers.length];
    return typeof answer === 'function' ? answer() : (answer as HttpAnswer);
  };
  return { get, requested };
}
const json = (body: unknown, status = 200): HttpAnswer => ({
  status,
  json: body,
  text: JSON.stringify(body),
});
const html: HttpAnswer = { status: 200, json: undefined, text: '<html>' };
const status = (taskIP: string, digest: string) => json({ status: 'ok', taskIP, imageDigest: digest });
const db = json({ db: 'connected', tables: ['web-app-table', 'other'] });

const verification: Verification = {
  desiredCount: 2,
  newTasks: [
    { ip: '10.0.2.5', taskArn: 'arn:task/a' },
    { ip: '10.0.3.6', taskArn: 'arn:task/b' },
  ],
  healthyTargets: ['10.0.2.5', '10.0.3.6'],
};
const withVerify = (verify: VerifyModel) => preparedDeployment({}, { ...WEB_TARGET, verify });

describe('verify-checks with an identity route (the demo)', () => {
  const verify = (get: (url: string) => Promise<HttpAnswer>, maxRequests?: number) =>
    verifyChecks({ deployment, image, verification }, { get, maxRequests, now: () => 7 });

  it('passes the declared checks and reaches two distinct new tasks on the new image', async () => {
    const alb = server({
      '/': [html],
      '/db': [db],
      '/status': [status('10.0.2.5', NEW), status('10.0.3.6', NEW)],
    });
    await expect(verify(alb.get)).resolves.toEqual({
      ...verification,
      checks: [
        { path: '/', status: 200 },
        { path: '/db', status: 200 },
      ],
      identity: { path: '/status', requests: 2, distinctTasks: ['10.0.2.5', '10.0.3.6'] },
      verifiedAt: 7,
    });
    expect(alb.requested).toEqual([
      'http://alb.local/',
      'http://alb.local/db',
      'http://alb.local/status',
      'http://alb.local/status',
    ]);
  });

  it('fails when a task still runs the old image', async () => {
    const alb = server({
      '/': [html],
      '/db': [db],
      '/status': [status('10.0.2.5', NEW), status('10.0.3.6', OLD)],
    });
    await expect(verify(alb.get)).rejects.toThrow(
      /Task 10.0.3.6 runs image sha256:0+, expected repo@sha256:1+/,
    );
  });

  it('fails when an old task answers', async () => {
    const alb = server({ '/': [html], '/db': [db], '/status': [status('10.0.9.9', NEW)] });
    await expect(verify(alb.get)).rejects.toThrow(
      /answered by task 10.0.9.9, which is not one of the new tasks/,
    );
  });

  it('fails when every request reaches the same task', async () => {
    const alb = server({ '/': [html], '/db': [db], '/status': [status('10.0.2.5', NEW)] });
    const failure = verify(alb.get, 6);
    await expect(failure).rejects.toBeInstanceOf(VerificationError);
    await expect(failure).rejects.toThrow(
      '6 requests through the load balancer reached 1 distinct task(s) (10.0.2.5); expected at least 2',
    );
  });

  it('fails with the service message when a declared check answers an error', async () => {
    const denied = json(
      { db: 'error', message: 'AccessDeniedException: not authorized to perform dynamodb:ListTables' },
      500,
    );
    const alb = server({ '/': [html], '/db': [denied] });
    await expect(verify(alb.get)).rejects.toThrow(
      'GET http://alb.local/db answered 500, expected 200: {"db":"error","message":"AccessDeniedException: not authorized to perform dynamodb:ListTables"}',
    );
  });

  it("fails when the declared table isn't listed, naming the physical table", async () => {
    const alb = server({ '/': [html], '/db': [json({ db: 'connected', tables: ['x'] })] });
    await expect(verify(alb.get)).rejects.toThrow(
      'GET http://alb.local/db tables (["x"]) does not contain "web-app-table"',
    );
  });

  it('fails when the load balancer is unreachable', async () => {
    const refused = async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
    };
    await expect(verify(refused)).rejects.toThrow(
      'GET http://alb.local/ failed: TypeError: fetch failed (connect ECONNREFUSED)',
    );
  });

  it('identifies tasks by ARN when the route reports task ARNs', async () => {
    const byArn = withVerify({ checks: [], identity: { path: '/whoami', field: 'task.arn', kind: 'arn' } });
    const alb = server({
      '/whoami': [json({ task: { arn: 'arn:task/a' } }), json({ task: { arn: 'arn:task/b' } })],
    });
    await expect(
      verifyChecks({ deployment: byArn, image, verification }, { get: alb.get }),
    ).resolves.toMatchObject({
      identity: { distinctTasks: ['arn:task/a', 'arn:task/b'] },
    });
  });
});

describe('verify-checks for an app on its domain', () => {
  const onDomain = preparedDeployment(
    {},
    { ...WEB_TARGET, loadBalancerUrl: 'https://alb.local', serverName: 'shop.example.com' },
  );

  it('asks the load balancer, by its own name, for the domain in every request through it', async () => {
    const asked: [string, string | undefined][] = [];
    const alb = server({
      '/': [html],
      '/db': [db],
      '/status': [status('10.0.2.5', NEW), status('10.0.3.6', NEW)],
    });
    const get = (url: string, serverName?: string) => {
      asked.push([url, serverName]);
      return alb.get(url);
    };
    await verifyChecks({ deployment: onDomain, image, verification }, { get });
    expect(asked).toEqual([
      ['https://alb.local/', 'shop.example.com'],
      ['https://alb.local/db', 'shop.example.com'],
      ['https://alb.local/status', 'shop.example.com'],
      ['https://alb.local/status', 'shop.example.com'],
    ]);
  });

  it('names the domain it asked for when the load balancer refuses it', async () => {
    const refused = async () => {
      throw new Error("Hostname/IP does not match certificate's altnames", {
        cause: new Error('ERR_TLS_CERT_ALTNAME_INVALID'),
      });
    };
    await expect(
      verifyChecks({ deployment: onDomain, image, verification }, { get: refused }),
    ).rejects.toThrow('GET https://alb.local/ (asking for shop.example.com) failed: Error: Hostname/IP');
  });
});

describe('verify-checks without an identity route (an app answering only / and /healthz)', () => {
  const plain = withVerify({ checks: [{ path: '/healthz', status: 200, json: { ok: true } }] });
  const run = (get: (url: string) => Promise<HttpAnswer>) =>
    verifyChecks({ deployment: plain, image, verification }, { get });

  it('runs the declared check through the load balancer, then at each new task directly, and nothing else', async () => {
    const ok = json({ ok: true });
    const app = server({ '/healthz': [ok], '10.0.2.5:3000/healthz': [ok], '10.0.3.6:3000/healthz': [ok] });
    await expect(run(app.get)).resolves.toMatchObject({
      checks: [{ path: '/healthz', status: 200 }],
      directlyChecked: ['10.0.2.5', '10.0.3.6'],
    });
    expect(app.requested).toEqual([
      'http://alb.local/healthz',
      'http://10.0.2.5:3000/healthz',
      'http://10.0.3.6:3000/healthz',
    ]);
  });

  it('fails naming the task that answers the check wrongly', async () => {
    const app = server({
      '/healthz': [json({ ok: true })],
      '10.0.2.5:3000/healthz': [json({ ok: true })],
      '10.0.3.6:3000/healthz': [json({ ok: false })],
    });
    await expect(run(app.get)).rejects.toThrow(
      'Task 10.0.3.6, asked directly for /healthz, ok is false, expected true',
    );
  });

  it('fails for a task in bridge mode, which has no IP of its own to be asked at', async () => {
    const app = server({ '/healthz': [json({ ok: true })] });
    const bridged = { ...verification, newTasks: [{ taskArn: 'arn:task/a' }] };
    await expect(
      verifyChecks({ deployment: plain, image, verification: bridged }, { get: app.get }),
    ).rejects.toThrow('Task arn:task/a has no IP of its own (bridge networking) to be checked at');
  });
});

describe('declared JSON expectations', () => {
  const tables = { app: 'web-app-table' };
  const check = (expect: Record<string, unknown>) => ({ path: '/x', status: 200, json: expect as never });

  it.each<[string, Record<string, unknown>, unknown, string[]]>([
    ['an equal literal', { db: 'connected' }, { db: 'connected' }, []],
    ['a different literal', { db: 'connected' }, { db: 'error' }, ['db is "error", expected "connected"']],
    ['a missing field', { 'a.b': 1 }, { a: {} }, ['a.b is missing, expected 1']],
    ['a nested field', { 'a.b': null }, { a: { b: null } }, []],
    ['a table in a list', { t: { contains: '${table:app}' } }, { t: ['web-app-table'] }, []],
    [
      'a table not in the list',
      { t: { contains: '${table:app}' } },
      { t: [] },
      ['t ([]) does not contain "web-app-table"'],
    ],
    ['contains on a non-list', { t: { contains: 3 } }, { t: 3 }, ['t is 3, expected a list containing 3']],
    ['a table name in a literal', { name: 'table ${table:app}' }, { name: 'table web-app-table' }, []],
  ])('%s', (_case, expectations, body, problems) => {
    expect(problemsWith(json(body), check(expectations), tables)).toEqual(problems);
  });

  it('says when a check wanting JSON gets none', () => {
    expect(problemsWith(html, check({ ok: true }), tables)).toEqual([
      'answered 200 without a JSON body: <html>',
    ]);
  });

  it('refuses a table the service cannot reach', () => {
    expect(() =>
      problemsWith(json({ t: [] }), check({ t: { contains: '${table:billing}' } }), tables),
    ).toThrow('A check refers to ${table:billing}, but the service has no such table (it has: app)');
  });

  it('reads dotted paths without following inherited properties', () => {
    expect(valueAt({ a: [{ b: 2 }] }, 'a.0.b')).toBe(2);
    expect(valueAt({}, 'constructor')).toBeUndefined();
  });
});

import { DescribeTasksCommand, ECSClient, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { TargetsNotReadyError, VerificationError } from '../../functions/commons/errors.js';
import type { HttpAnswer } from '../../functions/commons/http.js';
import type { PreparedDeployment, ResolvedImage, Rollout } from '../../functions/commons/types.js';
import { verifyDynamoDb } from '../../functions/verify-dynamodb/verify-dynamodb.js';
import { verifyEndpoint } from '../../functions/verify-endpoint/verify-endpoint.js';
import { verifyTargets } from '../../functions/verify-targets/verify-targets.js';

const NEW = `sha256:${'1'.repeat(64)}`;
const OLD = `sha256:${'0'.repeat(64)}`;
const deployment = {
  cluster: 'stepship-web',
  service: 'web',
  desiredCount: 2,
  loadBalancerUrl: 'http://alb.example',
  targetGroupArn: 'arn:tg',
  appTableName: 'web-app-table',
} as PreparedDeployment;
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
  function world(tasks: Task[], health: [string, string, string?][]) {
    ecsMock.on(ListTasksCommand).resolves({ taskArns: tasks.map((t) => t.taskArn ?? '') });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks });
    elbMock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: health.map(([Id, State, Reason]) => ({
        Target: { Id, Port: 3000 },
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
      newTaskIps: ['10.0.2.5', '10.0.3.6'],
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
    await expect(run()).rejects.toThrow('1 of 2 tasks of arn:td:2 are running with an IP');
  });
});

describe('verify-endpoint', () => {
  const verification = { newTaskIps: ['10.0.2.5', '10.0.3.6'], healthyTargets: ['10.0.2.5', '10.0.3.6'] };
  /** A load balancer stand-in: `/` gives rootStatus; each `/status` gives the next answer, round robin. */
  function alb(answers: Record<string, unknown>[], rootStatus = 200) {
    let next = 0;
    return async (url: string): Promise<HttpAnswer> => {
      if (url.endsWith('/')) return { status: rootStatus, json: undefined, text: '<html>' };
      const json = answers[next++ % answers.length];
      return { status: 200, json, text: JSON.stringify(json) };
    };
  }
  const status = (taskIP: string, digest: string) => ({
    status: 'ok',
    taskIP,
    image: `repo@${digest}`,
    imageDigest: digest,
  });

  it('passes when requests reach two distinct new tasks on the new image', async () => {
    const get = alb([status('10.0.2.5', NEW), status('10.0.3.6', NEW)]);
    await expect(verifyEndpoint({ deployment, image, verification }, { get })).resolves.toMatchObject({
      endpoint: { requests: 2, distinctTaskIps: ['10.0.2.5', '10.0.3.6'] },
    });
  });

  it('fails when a task still runs the old image', async () => {
    const get = alb([status('10.0.2.5', NEW), status('10.0.3.6', OLD)]);
    await expect(verifyEndpoint({ deployment, image, verification }, { get })).rejects.toThrow(
      /Task 10.0.3.6 runs image repo@sha256:0+, expected repo@sha256:1+/,
    );
  });

  it('fails when an old task answers', async () => {
    const get = alb([status('10.0.9.9', NEW)]);
    await expect(verifyEndpoint({ deployment, image, verification }, { get })).rejects.toThrow(
      /answered by task 10.0.9.9, which is not one of the new tasks/,
    );
  });

  it('fails when every request reaches the same task', async () => {
    const get = alb([status('10.0.2.5', NEW)]);
    const failure = verifyEndpoint({ deployment, image, verification }, { get, maxRequests: 6 });
    await expect(failure).rejects.toBeInstanceOf(VerificationError);
    await expect(failure).rejects.toThrow(
      '6 requests through the load balancer reached 1 distinct task(s) (10.0.2.5); expected at least 2',
    );
  });

  it('fails when / is not 200 or the load balancer is unreachable', async () => {
    await expect(verifyEndpoint({ deployment, image, verification }, { get: alb([], 503) })).rejects.toThrow(
      'GET http://alb.example/ answered 503, expected 200',
    );
    const refused = async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
    };
    await expect(verifyEndpoint({ deployment, image, verification }, { get: refused })).rejects.toThrow(
      'GET http://alb.example/ failed: TypeError: fetch failed (connect ECONNREFUSED)',
    );
  });
});

describe('verify-dynamodb', () => {
  const verification = { newTaskIps: [], healthyTargets: [] };
  const answer = (status: number, json: unknown) => async (): Promise<HttpAnswer> => ({
    status,
    json,
    text: JSON.stringify(json),
  });

  it('passes when /db is connected and lists the table', async () => {
    const get = answer(200, { db: 'connected', tables: ['web-app-table', 'other'] });
    await expect(verifyDynamoDb({ deployment, verification }, { get, now: () => 5 })).resolves.toMatchObject({
      tables: ['web-app-table', 'other'],
      verifiedAt: 5,
    });
  });

  it('fails with the service message when the task role cannot list tables', async () => {
    const get = answer(500, {
      db: 'error',
      message: 'AccessDeniedException: not authorized to perform dynamodb:ListTables',
    });
    await expect(verifyDynamoDb({ deployment, verification }, { get })).rejects.toThrow(
      /GET \/db answered 500 \(db: error\): AccessDeniedException/,
    );
  });

  it('fails when the table is not listed', async () => {
    await expect(
      verifyDynamoDb(
        { deployment, verification },
        { get: answer(200, { db: 'no-tables', message: 'none' }) },
      ),
    ).rejects.toThrow(VerificationError);
    await expect(
      verifyDynamoDb({ deployment, verification }, { get: answer(200, { db: 'connected', tables: ['x'] }) }),
    ).rejects.toThrow('GET /db lists 1 table(s) but not web-app-table');
  });
});

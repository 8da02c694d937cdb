import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, ListExecutionsCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { follow } from '../../cli/deploy.js';
import type { Running } from '../../cli/start.js';
import { LOCAL_CREDENTIALS } from '../../local/cloud.js';
import { type BuiltApp, buildServiceApp } from '../../local/images/local-builder.js';
import { eventually } from '../helpers/eventually.js';
import { copyDemoService, demoApp, startTestDeployment } from '../helpers/local-deployment.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'stepship-flow-'));
const REPOSITORY = 'web/web';
const TABLE = 'stepship-web-deployments';
const AUDIT_GROUP = '/aws/events/stepship-flow-audit';
let env: Running;
let bus: EventBridgeClient;
let logs: CloudWatchLogsClient;
let built: BuiltApp;

interface DeploymentRecord {
  deploymentId: string;
  status: string;
  trigger: string;
  requester: string;
  imageDigest?: string;
  imageTag?: string;
  executionArn?: string;
  supersededBy?: string;
  queuedAt?: string;
}

/** Every deployment record of the app, by id. */
async function records(): Promise<Map<string, DeploymentRecord>> {
  const out = await env.cloud.dynamodb.send(new ScanCommand({ TableName: TABLE }));
  const all = (out.Items ?? []).map((item) => unmarshall(item)) as (DeploymentRecord & { sk: string })[];
  return new Map(all.filter((r) => r.sk === 'RECORD').map((r) => [r.deploymentId, r]));
}

async function lockHeld(): Promise<boolean> {
  const out = await env.cloud.dynamodb.send(new ScanCommand({ TableName: TABLE }));
  return (out.Items ?? []).some((item) => unmarshall(item).pk === 'LOCK#web');
}

/**
 * Pushes the demo app as a new image: the same files, a release marker in
 * its environment, so each push has a digest of its own. A `stepship-` tag
 * deploys nothing by itself (the push rule ignores it), as a request event's
 * image must not.
 */
function push(tag: string, files = built.files): string {
  const manifest = env.cloud.images.createImage(files, {
    entrypoint: built.entrypoint,
    env: { ...built.env, RELEASE: tag },
    exposedPorts: built.exposedPorts,
  });
  return env.cloud.ecr.putImage(env.cloud.scope, REPOSITORY, { imageManifest: manifest, imageTag: tag })
    .digest;
}

async function executions() {
  const { executions: listed = [] } = await env.clients.sfn.send(
    new ListExecutionsCommand({ stateMachineArn: env.names.stateMachineArn }),
  );
  return listed;
}

/** The record a deployment request or push made for an image, once there. */
const recordOf = (what: string, match: (r: DeploymentRecord) => boolean) =>
  eventually(what, async () => [...(await records()).values()].find(match));

/** A record's execution, once Step Functions has it. */
const executionOf = (record: DeploymentRecord) =>
  eventually(`the execution of ${record.deploymentId}`, async () => {
    const executionArn = record.executionArn ?? '';
    return (await executions()).some((e) => e.executionArn === executionArn) ? executionArn : undefined;
  });

function requestEvent(detail: Record<string, unknown>) {
  return {
    Source: 'acme.release',
    DetailType: 'Stepship Deployment Request',
    Detail: JSON.stringify(detail),
  };
}

/** The AWS CLI v1 (pip's `aws`) against the local cloud. */
async function awsCliV1(...args: string[]): Promise<unknown> {
  const { stdout } = await run(
    'aws',
    ['--endpoint-url', env.cloud.endpointUrl, '--output', 'json', ...args],
    {
      env: {
        PATH: process.env.PATH,
        HOME: tmpdir(),
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
    },
  );
  return JSON.parse(stdout);
}

/** stepship's own events the audit rule wrote to its log group, for one deployment, in order. */
async function auditTrail(deploymentId: string): Promise<string[]> {
  const out = await logs.send(new FilterLogEventsCommand({ logGroupName: AUDIT_GROUP }));
  return (out.events ?? [])
    .map((e) => JSON.parse(e.message ?? '{}') as { 'detail-type': string; detail: { deploymentId: string } })
    .filter((e) => e.detail.deploymentId === deploymentId)
    .map((e) => e['detail-type']);
}

beforeAll(async () => {
  // No grace period, so a broken release's tasks are replaced, and rolled back, as soon as they fail.
  env = await startTestDeployment(work, { app: demoApp({ gracePeriodSeconds: 0 }) });
  const config = { endpoint: env.cloud.endpointUrl, region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
  bus = new EventBridgeClient(config);
  logs = new CloudWatchLogsClient(config);
  // A user's rule on stepship's own events, writing them to a log group.
  await logs.send(new CreateLogGroupCommand({ logGroupName: AUDIT_GROUP }));
  await bus.send(new PutRuleCommand({ Name: 'stepship-audit', EventPattern: '{"source":["stepship"]}' }));
  await bus.send(
    new PutTargetsCommand({
      Rule: 'stepship-audit',
      Targets: [{ Id: 'log', Arn: `arn:aws:logs:us-east-1:${env.cloud.accountId}:log-group:${AUDIT_GROUP}` }],
    }),
  );
  // From a copy: the builder links node_modules into the folder it builds.
  const copy = join(work, 'service');
  copyDemoService(copy);
  built = await buildServiceApp(copy);
}, 300_000);
afterAll(async () => {
  await env?.cloud.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('how deployments start, queue and end, on the local cloud', () => {
  it('deploys a Stepship Deployment Request sent with the SDK, and emits Started then Succeeded', async () => {
    const digest = push('stepship-by-sdk');
    const put = await bus.send(
      new PutEventsCommand({ Entries: [requestEvent({ service: 'web', image: digest })] }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const record = await recordOf('the request event to start a deployment', (r) => r.imageDigest === digest);
    expect(record).toMatchObject({
      trigger: 'event',
      requester: `event:${env.cloud.accountId}/acme.release`,
    });
    const outcome = await follow(env.clients, await executionOf(record));
    expect(outcome.status).toBe('SUCCEEDED');
    expect(
      await eventually('Started and Succeeded in the audit log', async () => {
        const trail = await auditTrail(record.deploymentId);
        return trail.length >= 2 ? trail : undefined;
      }),
    ).toEqual(['Stepship Deployment Started', 'Stepship Deployment Succeeded']);
  }, 180_000);

  it('emits Started, Failed and Rolled Back for a release that fails its health check', async () => {
    // Without its page, the release answers 404 on the health check path.
    const broken = Object.fromEntries(
      Object.entries(built.files).filter(([path]) => !path.endsWith('public/index.html')),
    );
    expect(Object.keys(broken).length).toBe(Object.keys(built.files).length - 1);
    const digest = push('broken', broken);
    const record = await recordOf('the broken push to start a deployment', (r) => r.imageDigest === digest);
    expect((await follow(env.clients, await executionOf(record))).status).toBe('FAILED');
    expect((await records()).get(record.deploymentId)?.status).toBe('ROLLED_BACK');
    expect(
      await eventually('Started, Failed and Rolled Back in the audit log', async () => {
        const trail = await auditTrail(record.deploymentId);
        return trail.length >= 3 ? trail : undefined;
      }),
    ).toEqual([
      'Stepship Deployment Started',
      'Stepship Deployment Failed',
      'Stepship Deployment Rolled Back',
    ]);
  }, 240_000);

  it('deploys a Stepship Deployment Request sent with the AWS CLI v1 (aws events put-events), by tag', async () => {
    push('stepship-by-cli');
    const answer = (await awsCliV1(
      'events',
      'put-events',
      '--entries',
      JSON.stringify([requestEvent({ service: 'web', image: 'stepship-by-cli', reason: 'from the CLI' })]),
    )) as { FailedEntryCount: number };
    expect(answer.FailedEntryCount).toBe(0);
    const record = await recordOf(
      'the CLI event to start a deployment',
      (r) => r.imageTag === 'stepship-by-cli',
    );
    expect((await follow(env.clients, await executionOf(record))).status).toBe('SUCCEEDED');
  }, 180_000);

  it('drops a request event whose detail is bad, starting nothing, and logs why', async () => {
    const before = (await executions()).length;
    const recordsBefore = (await records()).size;
    await bus.send(new PutEventsCommand({ Entries: [requestEvent({ service: 'web', imag: 'typo' })] }));
    const { LoggingConfig } = await env.clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: env.target.startFunction }),
    );
    const group = LoggingConfig?.LogGroup ?? `/aws/lambda/${env.target.startFunction}`;
    const dropped = await eventually('start-deployment to log why it dropped the event', async () => {
      const out = await logs.send(
        new FilterLogEventsCommand({ logGroupName: group, filterPattern: '"event dropped"' }),
      );
      return out.events?.map((e) => e.message ?? '').find((m) => m.includes('imag\\"'));
    });
    expect(JSON.parse(dropped)).toMatchObject({
      message: 'event dropped',
      error: 'ValidationError',
      reason: expect.stringMatching(/Unknown field\(s\) "imag"/),
    });
    expect((await executions()).length).toBe(before);
    expect((await records()).size).toBe(recordsBefore);
  }, 60_000);

  it('records an execution stopped with StopExecution as ABORTED and frees the service at once', async () => {
    const digest = push('to-abort');
    const record = await recordOf('the push to start a deployment', (r) => r.imageDigest === digest);
    const executionArn = await executionOf(record);
    await env.clients.sfn.send(new StopExecutionCommand({ executionArn, cause: 'stopped by the test' }));
    expect((await env.clients.sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe(
      'ABORTED',
    );
    const aborted = await eventually('record-outcome to record the abort', async () => {
      const r = (await records()).get(record.deploymentId);
      return r?.status === 'ABORTED' ? r : undefined;
    });
    expect(aborted.status).toBe('ABORTED');
    expect(await lockHeld()).toBe(false);
    // An API-style request that would fail fast on a held lock starts at once.
    const next = push('stepship-after-abort');
    await bus.send(new PutEventsCommand({ Entries: [requestEvent({ service: 'web', image: next })] }));
    const started = await recordOf('a new deployment after the abort', (r) => r.imageDigest === next);
    expect(started.status).not.toBe('QUEUED');
    expect((await follow(env.clients, await executionOf(started))).status).toBe('SUCCEEDED');
  }, 240_000);

  it('queues three pushes made during a running deployment: the last deploys after it, the two before are SUPERSEDED', async () => {
    const first = push('running');
    const running = await recordOf('the first push to start', (r) => r.imageDigest === first);
    await executionOf(running);
    const waiting = [push('queued-1'), push('queued-2'), push('queued-3')];
    const queued: DeploymentRecord[] = [];
    for (const digest of waiting)
      queued.push(await recordOf(`the push of ${digest} recorded`, (r) => r.imageDigest === digest));
    expect((await records()).get(running.deploymentId)?.status).toBe('STARTED');
    expect((await follow(env.clients, await executionOf(running))).status).toBe('SUCCEEDED');
    const last = await recordOf('the last push to start', (r) => r.imageDigest === waiting[2]);
    expect((await follow(env.clients, await executionOf(last))).status).toBe('SUCCEEDED');
    const after = await records();
    // Each waiting push is superseded by a later one: by the next if it was already waiting when
    // the next arrived, else (pushes are delivered asynchronously) by the one that displaced it.
    expect(after.get(queued[1]?.deploymentId ?? '')).toMatchObject({
      status: 'SUPERSEDED',
      supersededBy: last.deploymentId,
    });
    expect(after.get(queued[0]?.deploymentId ?? '')?.status).toBe('SUPERSEDED');
    expect([queued[1]?.deploymentId, last.deploymentId]).toContain(
      after.get(queued[0]?.deploymentId ?? '')?.supersededBy,
    );
    expect(after.get(last.deploymentId)?.status).toBe('SUCCEEDED');
    // Only the first and the last of the four pushes ran.
    const ran = (await executions()).filter((e) =>
      [running.executionArn, ...queued.map((q) => q.executionArn)].includes(e.executionArn),
    );
    expect(ran.map((e) => e.executionArn).sort()).toEqual([running.executionArn, last.executionArn].sort());
  }, 300_000);
});

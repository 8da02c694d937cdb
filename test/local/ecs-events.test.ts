import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import type { TargetGroup } from '../../local/services/elbv2/target-group.js';
import { eventually } from '../helpers/eventually.js';
import { createFunction } from './local-functions.js';
import { pushTestImage, serviceScript } from './test-images.js';

/** An event as the rule's Lambda target received it. */
interface Delivered {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown> & {
    eventName?: string;
    deploymentId?: string;
    taskArn?: string;
    lastStatus?: string;
    version?: number;
  };
}

let cloud: LocalCloud;
let ecs: ECSClient;
let group: TargetGroup;
let recordings: string;
/** Function bundles written inside the project (so they find its packages), removed afterwards. */
const bundles: string[] = [];

const LIFECYCLE = [
  'PROVISIONING',
  'PENDING',
  'ACTIVATING',
  'RUNNING',
  'DEACTIVATING',
  'STOPPING',
  'DEPROVISIONING',
  'STOPPED',
];

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-ecs-events-')),
  });
  const config = { endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS };
  ecs = new ECSClient(config);
  recordings = mkdtempSync(join(tmpdir(), 'stepship-ecs-events-recorded-'));
  // One rule per detail type, each delivering to a function that writes down what it is given.
  const events = new EventBridgeClient(config);
  for (const [name, detailType] of [
    ['deployments', 'ECS Deployment State Change'],
    ['tasks', 'ECS Task State Change'],
  ] as const) {
    createFunction(cloud, `record-${name}`, 'records', {
      variables: { RECORD_TO: join(recordings, `${name}.jsonl`) },
    });
    await events.send(
      new PutRuleCommand({
        Name: `ecs-${name}`,
        EventPattern: JSON.stringify({ source: ['aws.ecs'], 'detail-type': [detailType] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: `ecs-${name}`,
        Targets: [
          { Id: 'recorder', Arn: `arn:aws:lambda:us-east-1:${cloud.accountId}:function:record-${name}` },
        ],
      }),
    );
  }
  events.destroy();

  cloud.ecr.createRepository(cloud.scope, { repositoryName: 'svc' });
  group = cloud.elbv2.createTargetGroup(cloud.scope, {
    Name: 'svc',
    Port: 3000,
    TargetType: 'ip',
    HealthCheckPath: '/',
    HealthCheckIntervalSeconds: 1,
    HealthCheckTimeoutSeconds: 1,
    HealthyThresholdCount: 2,
    UnhealthyThresholdCount: 2,
    DeregistrationDelaySeconds: 1,
  }).group;
  await ecs.send(new CreateClusterCommand({ clusterName: 'events' }));
}, 30_000);
afterAll(async () => {
  ecs.destroy();
  await cloud.stop();
  for (const dir of bundles) rmSync(dir, { recursive: true, force: true });
});

function delivered(name: 'deployments' | 'tasks'): Delivered[] {
  const file = join(recordings, `${name}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Delivered);
}

async function register(version: string, environment: Record<string, string> = {}): Promise<string> {
  const image = pushTestImage(cloud, 'svc', version, serviceScript(version));
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'svc',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'svc',
          image,
          portMappings: [{ containerPort: 3000 }],
          stopTimeout: 2,
          environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
        },
      ],
    }),
  );
  return out.taskDefinition?.taskDefinitionArn ?? '';
}

async function service() {
  const out = await ecs.send(new DescribeServicesCommand({ cluster: 'events', services: ['svc'] }));
  const found = out.services?.[0];
  if (!found) throw new Error('no service');
  return found;
}

/** The deployment events for `deploymentId`, as [eventName, eventType] pairs, in the order delivered. */
const deploymentTrail = (deploymentId: string | undefined) =>
  delivered('deployments')
    .filter((e) => e.detail.deploymentId === deploymentId)
    .map((e) => [e.detail.eventName, e.detail.eventType]);

describe('ECS events on EventBridge', () => {
  let firstDeployment: string | undefined;
  let serviceArn: string | undefined;

  it('a new service’s deployment is IN_PROGRESS, then COMPLETED when it reaches a steady state', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'events',
        serviceName: 'svc',
        taskDefinition: await register('v1'),
        desiredCount: 2,
        launchType: 'FARGATE',
        healthCheckGracePeriodSeconds: 0,
        deploymentConfiguration: {
          minimumHealthyPercent: 100,
          maximumPercent: 200,
          deploymentCircuitBreaker: { enable: true, rollback: true },
        },
        loadBalancers: [{ targetGroupArn: group.arn, containerName: 'svc', containerPort: 3000 }],
      }),
    );
    const described = await service();
    serviceArn = described.serviceArn;
    firstDeployment = described.deployments?.[0]?.id;
    expect(firstDeployment).toMatch(/^ecs-svc\/\d+$/);

    const trail = await eventually('the COMPLETED event', async () => {
      const t = deploymentTrail(firstDeployment);
      return t.length === 2 ? t : undefined;
    });
    expect(trail).toEqual([
      ['SERVICE_DEPLOYMENT_IN_PROGRESS', 'INFO'],
      ['SERVICE_DEPLOYMENT_COMPLETED', 'INFO'],
    ]);
    // By the time COMPLETED is delivered, DescribeServices says so too.
    const completed = (await service()).deployments?.find((d) => d.id === firstDeployment);
    expect(completed?.rolloutState).toBe('COMPLETED');

    const [inProgress, done] = delivered('deployments');
    expect(inProgress).toEqual({
      version: '0',
      id: expect.any(String),
      'detail-type': 'ECS Deployment State Change',
      source: 'aws.ecs',
      account: cloud.accountId,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: cloud.region,
      resources: [serviceArn],
      detail: {
        eventType: 'INFO',
        eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS',
        deploymentId: firstDeployment,
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        reason: `ECS deployment ${firstDeployment} in progress.`,
      },
    });
    expect(done?.detail.reason).toBe(`ECS deployment ${firstDeployment} completed.`);
    expect(Date.parse(String(done?.detail.updatedAt))).toBe(completed?.updatedAt?.getTime());
  }, 60_000);

  it('each task’s state changes arrive in order, each shaped as DescribeTasks shapes the task', async () => {
    const byTask = new Map<string, Delivered[]>();
    for (const e of delivered('tasks')) {
      const arn = e.resources[0] ?? '';
      byTask.set(arn, [...(byTask.get(arn) ?? []), e]);
    }
    expect(byTask.size).toBe(2);
    for (const [taskArn, trail] of byTask) {
      expect(trail.map((e) => e.detail.lastStatus)).toEqual([
        'PROVISIONING',
        'PENDING',
        'ACTIVATING',
        'RUNNING',
      ]);
      expect(trail.map((e) => e.detail.version)).toEqual([1, 2, 3, 4]);
      const running = trail.at(-1);
      expect(running).toMatchObject({
        source: 'aws.ecs',
        'detail-type': 'ECS Task State Change',
        resources: [taskArn],
        detail: {
          taskArn,
          clusterArn: expect.stringMatching(/:cluster\/events$/),
          group: 'service:svc',
          startedBy: firstDeployment,
          desiredStatus: 'RUNNING',
          launchType: 'FARGATE',
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
          startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
          updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
          containers: [expect.objectContaining({ name: 'svc', lastStatus: 'RUNNING', taskArn })],
        },
      });
      // Health is DescribeTasks' to tell, not the event's.
      expect(running?.detail).not.toHaveProperty('healthStatus');
      const [described] =
        (await ecs.send(new DescribeTasksCommand({ cluster: 'events', tasks: [taskArn] }))).tasks ?? [];
      expect(described?.version).toBe(running?.detail.version);
      expect(described?.lastStatus).toBe('RUNNING');
      expect(Object.keys(running?.detail ?? {}).sort()).toEqual(
        [...Object.keys(described ?? {}).filter((k) => k !== 'healthStatus'), 'updatedAt'].sort(),
      );
    }
  });

  it('a deployment the circuit breaker stops is FAILED (ERROR), then the rollback deployment is IN_PROGRESS and COMPLETED', async () => {
    const bad = await register('v2-bad', { ROOT_STATUS: '500' });
    await ecs.send(new UpdateServiceCommand({ cluster: 'events', service: 'svc', taskDefinition: bad }));
    const badDeployment = (await service()).deployments?.find((d) => d.taskDefinition === bad)?.id;
    expect(badDeployment).toBeDefined();
    const rollback = await eventually(
      'the rollback to complete',
      async () => {
        const events = delivered('deployments');
        const started = events.find(
          (e) =>
            e.detail.eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS' &&
            String(e.detail.reason).includes('rolling back'),
        );
        const id = started?.detail.deploymentId;
        return id && deploymentTrail(id).length === 2 ? { id, started } : undefined;
      },
      120_000,
    );
    expect(deploymentTrail(badDeployment)).toEqual([
      ['SERVICE_DEPLOYMENT_IN_PROGRESS', 'INFO'],
      ['SERVICE_DEPLOYMENT_FAILED', 'ERROR'],
    ]);
    expect(deploymentTrail(rollback.id)).toEqual([
      ['SERVICE_DEPLOYMENT_IN_PROGRESS', 'INFO'],
      ['SERVICE_DEPLOYMENT_COMPLETED', 'INFO'],
    ]);
    expect(rollback.started?.detail.reason).toBe(
      `ECS deployment circuit breaker: rolling back to deploymentId ${firstDeployment}.`,
    );
    const order = delivered('deployments').map((e) => `${e.detail.deploymentId} ${e.detail.eventName}`);
    expect(order.indexOf(`${badDeployment} SERVICE_DEPLOYMENT_FAILED`)).toBeLessThan(
      order.indexOf(`${rollback.id} SERVICE_DEPLOYMENT_IN_PROGRESS`),
    );
    const failed = delivered('deployments').find((e) => e.detail.eventName === 'SERVICE_DEPLOYMENT_FAILED');
    expect(failed?.detail.reason).toMatch(/^ECS deployment circuit breaker: /);
    expect((await service()).deployments?.find((d) => d.id === rollback.id)?.rolloutState).toBe('COMPLETED');

    // The bad tasks went the whole way to STOPPED, in order, with why.
    const stopped = await eventually('every bad task’s STOPPED event', async () => {
      const bad = delivered('tasks').filter((e) => e.detail.startedBy === badDeployment);
      const arns = new Set(bad.map((e) => e.resources[0]));
      const last = bad.filter((e) => e.detail.lastStatus === 'STOPPED');
      return last.length === arns.size ? last : undefined;
    });
    // The breaker trips at 3 failed tasks (half of 2, at least 3).
    expect(stopped.length).toBeGreaterThanOrEqual(3);
    for (const last of stopped) {
      const trail = delivered('tasks').filter((e) => e.resources[0] === last.resources[0]);
      const statuses = trail.map((e) => LIFECYCLE.indexOf(String(e.detail.lastStatus)));
      expect(statuses).toEqual([...statuses].sort((a, b) => a - b));
      expect(trail.map((e) => e.detail.version)).toEqual(trail.map((_, i) => i + 1));
      expect(last.detail).toMatchObject({
        desiredStatus: 'STOPPED',
        stopCode: expect.any(String),
        stoppedReason: expect.any(String),
        stoppingAt: expect.any(String),
        stoppedAt: expect.any(String),
      });
    }
  }, 150_000);

  it('a rollout’s COMPLETED event resumes the execution waiting on its token, through a rule and a function', async () => {
    const tokens = mkdtempSync(join(tmpdir(), 'stepship-ecs-events-tokens-'));
    deployFunction('remember-token', REMEMBER_TOKEN, { TOKENS: tokens });
    deployFunction('resume-rollout', RESUME_ROLLOUT, {
      TOKENS: tokens,
      AWS_ENDPOINT_URL: cloud.endpointUrl,
      AWS_REGION: cloud.region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    });
    const config = { endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS };
    const events = new EventBridgeClient(config);
    await events.send(
      new PutRuleCommand({
        Name: 'rollout-ended',
        EventPattern: JSON.stringify({
          source: ['aws.ecs'],
          'detail-type': ['ECS Deployment State Change'],
          detail: { eventName: ['SERVICE_DEPLOYMENT_COMPLETED', 'SERVICE_DEPLOYMENT_FAILED'] },
        }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'rollout-ended',
        Targets: [
          { Id: 'resume', Arn: `arn:aws:lambda:us-east-1:${cloud.accountId}:function:resume-rollout` },
        ],
      }),
    );
    events.destroy();
    const sfn = new SFNClient(config);
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'wait-for-rollout',
        roleArn: 'arn:aws:iam::000000000000:role/sfn',
        definition: JSON.stringify({
          StartAt: 'WaitForRollout',
          States: {
            WaitForRollout: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
              Parameters: {
                FunctionName: 'remember-token',
                Payload: { 'token.$': '$$.Task.Token', 'deploymentId.$': '$.deploymentId' },
              },
              TimeoutSeconds: 60,
              End: true,
            },
          },
        }),
      }),
    );

    await ecs.send(
      new UpdateServiceCommand({ cluster: 'events', service: 'svc', taskDefinition: await register('v3') }),
    );
    const deploymentId = (await service()).deployments?.find((d) => d.status === 'PRIMARY')?.id;
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ deploymentId }) }),
    );
    const done = await eventually(
      'the execution to be resumed',
      async () => {
        const e = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return e.status === 'RUNNING' ? undefined : e;
      },
      60_000,
    );
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}')).toMatchObject({
      eventName: 'SERVICE_DEPLOYMENT_COMPLETED',
      deploymentId,
    });
    const completed = (await service()).deployments?.find((d) => d.id === deploymentId);
    expect(completed?.rolloutState).toBe('COMPLETED');
    // Resumed by the event, not by a poll: no later than a few seconds after ECS marked the rollout complete.
    expect((done.stopDate?.getTime() ?? 0) - (completed?.updatedAt?.getTime() ?? 0)).toBeLessThan(5000);
    const { events: history = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(history.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    sfn.destroy();
  }, 90_000);
});

/** Hands the waiting task's token to whoever resumes the rollout: a file named by the deployment. */
const REMEMBER_TOKEN = `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
export const handler = async (event) => {
  writeFileSync(join(process.env.TOKENS, encodeURIComponent(event.deploymentId)), event.token);
  return 'remembered';
};
`;

/** On a deployment's end, sends the token of whoever waits on it back to Step Functions, as a resume function would. */
const RESUME_ROLLOUT = `import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
const sfn = new SFNClient({});
export const handler = async (event) => {
  const file = join(process.env.TOKENS, encodeURIComponent(event.detail.deploymentId));
  if (!existsSync(file)) return 'nobody waits';
  const taskToken = readFileSync(file, 'utf8');
  if (event.detail.eventName === 'SERVICE_DEPLOYMENT_COMPLETED')
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(event.detail) }));
  else await sfn.send(new SendTaskFailureCommand({ taskToken, error: 'RolloutFailedError', cause: event.detail.reason }));
  return 'resumed';
};
`;

/**
 * A function from source, bundled where Node finds the project's packages
 * (the resume function imports the SDK), its environment as given.
 */
function deployFunction(name: string, source: string, variables: Record<string, string>): void {
  const cache = fileURLToPath(new URL('../../node_modules/.cache/', import.meta.url));
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, `stepship-fn-${name}-`));
  bundles.push(dir);
  writeFileSync(join(dir, 'index.mjs'), source);
  cloud.lambda.create(cloud.scope, {
    name,
    bundle: join(dir, 'index.mjs'),
    handlerName: 'handler',
    environment: variables,
    variables,
    timeoutSeconds: 10,
    logGroup: `/aws/lambda/${name}`,
  });
}

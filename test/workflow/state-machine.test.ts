import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Template } from 'aws-cdk-lib/assertions';
import { StateMachine } from 'aws-local-stepfunctions';
import { mockClient } from 'aws-sdk-client-mock';
import { awaitRollout } from '../../functions/await-rollout/await-rollout.js';
import type { EventSink } from '../../functions/commons/deployment-events.js';
import { DeploymentQueue } from '../../functions/commons/deployment-queue.js';
import { QueueSlot } from '../../functions/commons/queue-slot.js';
import type { RecordStore } from '../../functions/commons/records.js';
import { checkRollout } from '../../functions/commons/rollout-check.js';
import { RolloutWaiters } from '../../functions/commons/rollout-waiters.js';
import { TaskCallbacks } from '../../functions/commons/task-callbacks.js';
import type { DeploymentRequest } from '../../functions/contract/request.js';
import { finalize } from '../../functions/finalize/finalize.js';
import { prepare } from '../../functions/prepare/prepare.js';
import { recordFailure } from '../../functions/record-failure/record-failure.js';
import { registerNewRevision } from '../../functions/register-task-definition/register-task-definition.js';
import { resolveImage } from '../../functions/resolve-image/resolve-image.js';
import { rollback } from '../../functions/rollback/rollback.js';
import { type EventOutcome, onEcsEvent } from '../../functions/rollout-events/rollout-events.js';
import { executionArn } from '../../functions/start-deployment/execution-name.js';
import { startDeployment } from '../../functions/start-deployment/start-deployment.js';
import { updateService } from '../../functions/update-service/update-service.js';
import { verifyChecks } from '../../functions/verify-checks/verify-checks.js';
import { verifyTargets } from '../../functions/verify-targets/verify-targets.js';
import { synthesize } from '../../orchestration/synthesize.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../helpers/fake-credentials.js';
import { recordingEvents } from '../helpers/fake-sfn.js';
import { demoApp } from '../helpers/local-deployment.js';
import { createRecordsTable } from '../helpers/records-table.js';
import { type Running, startDynalite } from '../helpers/servers.js';
import { type StateMachineDefinition, stepOf, synthesizedDefinition } from './asl.js';
import { type CallbackState, CallbackTasks } from './callback-tasks.js';
import { type AppRoutes, type Behaviour, digest, type EcsEvent, FakeWorld, ipOf } from './fake-world.js';
import { twoServiceDefinition } from './two-services.js';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:stepship-web-deploy';
const REPOSITORY_URI = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web/web';

let definition: StateMachineDefinition;
let dynamo: Running;
let ddb: DynamoDBClient;
let tables = 0;

/** The rollout wait's HeartbeatSeconds in these definitions: a lost event costs the tests a second. */
const HEARTBEAT_SECONDS = 1;

beforeAll(async () => {
  const built = synthesize({
    outdir: mkdtempSync(join(tmpdir(), 'stepship-workflow-')),
    app: demoApp(),
    bundle: false,
    rolloutHeartbeatSeconds: HEARTBEAT_SECONDS,
  });
  definition = synthesizedDefinition(Template.fromStack(built.pipeline), Template.fromStack(built.appStack));
  dynamo = await startDynalite();
  ddb = new DynamoDBClient({ endpoint: dynamo.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
}, 60_000);
afterAll(async () => {
  jest.restoreAllMocks();
  ddb.destroy();
  await dynamo.close();
});

/** A fresh records table, and its name (the waiters keep their tokens in it too). */
const tableNames = new Map<RecordStore, string>();
async function newRecords(name = `records-${++tables}`): Promise<RecordStore> {
  const store = await createRecordsTable(ddb, name);
  tableNames.set(store, name);
  return store;
}

let world: FakeWorld;
let callbacks: CallbackTasks;
afterEach(() => {
  world?.reset();
  callbacks?.close();
});

/** How EventBridge treats the world's events on their way to rollout-events. */
type Delivery = 'once' | 'twice' | 'lost';

interface Scenario {
  build?: (input: Record<string, unknown>) => Promise<unknown>;
  rolloutTimeoutSeconds?: number;
  records?: RecordStore;
  /** Whoever starts the deployment waiting for the service when one ends (Finalize, RecordFailure). */
  queue?: DeploymentQueue;
  events?: EventSink;
  /** Runs before each rollout wait stores its token: a test holds a deployment mid-rollout with it. */
  beforeRolloutCheck?: () => Promise<void>;
  /** Another synthesized state machine than the demo's. */
  definition?: StateMachineDefinition;
  delivery?: Delivery;
}

/** The real step logic behind each Task state, chosen by the function the state's Resource names. */
function stepLogic(
  records: RecordStore,
  scenario: Scenario,
): Record<string, (input: never) => Promise<unknown>> {
  const ecs = new ECSClient({ region: LOCAL_REGION });
  const ecr = new ECRClient({ region: LOCAL_REGION });
  const elb = new ElasticLoadBalancingV2Client({ region: LOCAL_REGION });
  const timeoutSeconds = scenario.rolloutTimeoutSeconds ?? 600;
  return {
    Prepare: (i) => prepare(i, { ecs, records, lockTtlSeconds: 900, events: scenario.events }),
    ResolveImage: (i) => resolveImage(i, { ecr }),
    RegisterTaskDefinition: (i) => registerNewRevision(i, { ecs }),
    UpdateService: (i) => updateService(i, { ecs }),
    AwaitRollout: async (i) => {
      await scenario.beforeRolloutCheck?.();
      return awaitRollout(i, { ...waitingDeps(records), ecs, timeoutSeconds });
    },
    CheckRollout: (i) => checkRollout(i, { ecs, timeoutSeconds }),
    VerifyTargets: (i) => verifyTargets(i, { ecs, elb }),
    VerifyChecks: (i) => verifyChecks(i, { get: world.get }),
    Rollback: (i) => rollback(i, { ecs, records }),
    Finalize: (i) => finalize(i, { records, queue: scenario.queue, events: scenario.events }),
    RecordFailure: (i) => recordFailure(i, { records, queue: scenario.queue, events: scenario.events }),
  };
}

/** Both sides of the rollout wait keep tokens in the records table and answer Step Functions through the emulator. */
const waitingDeps = (records: RecordStore) => ({
  waiters: new RolloutWaiters(ddb, tableNames.get(records) ?? ''),
  callbacks: new TaskCallbacks(callbacks.sfn),
});

/** The world's ECS events, delivered (or not) to the real rollout-events logic, as EventBridge would. */
function deliverEvents(records: RecordStore, scenario: Scenario): EventOutcome[] {
  const outcomes: EventOutcome[] = [];
  const deps = {
    ...waitingDeps(records),
    ecs: new ECSClient({ region: LOCAL_REGION }),
    timeoutSeconds: scenario.rolloutTimeoutSeconds ?? 600,
  };
  const copies = { once: 1, twice: 2, lost: 0 }[scenario.delivery ?? 'once'];
  world.onEvent((event: EcsEvent) => {
    for (let i = 0; i < copies; i++)
      setImmediate(() => void onEcsEvent(event, deps).then((outcome) => outcomes.push(outcome)));
  });
  return outcomes;
}

async function run(request: DeploymentRequest, scenario: Scenario = {}, name = `exec-${++tables}`) {
  const records = scenario.records ?? (await newRecords());
  const logic = stepLogic(records, scenario);
  const outcomes = deliverEvents(records, scenario);
  const handlers: Record<string, (input: never) => Promise<unknown>> = {};
  const machineDefinition = scenario.definition ?? definition;
  for (const [state, def] of Object.entries(machineDefinition.States)) {
    if (def.Type !== 'Task' || !def.Resource) continue;
    if (def.Resource.endsWith(':states:::lambda:invoke.waitForTaskToken')) {
      const fn = logic[stepOf(String((def.Parameters as { FunctionName: string }).FunctionName))];
      if (fn) handlers[state] = callbacks.handler(def as CallbackState, fn) as never;
      continue;
    }
    const step = stepOf(def.Resource);
    const fn = step.includes('codebuild:startBuild') ? scenario.build : logic[step];
    if (fn) handlers[state] = fn as (input: never) => Promise<unknown>;
  }
  const machine = new StateMachine(machineDefinition as never);
  const execution = machine.run({ request } as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      retryIntervalOverrides: { VerifyTargets: 0 },
    },
    context: {
      Execution: {
        Id: executionArn(STATE_MACHINE_ARN, name),
        Name: name,
        StartTime: new Date().toISOString(),
        Input: { request } as never,
      },
      Task: callbacks.context as never,
    },
  });
  const states: string[] = [];
  const events = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') states.push(event.state.name);
    }
  })();
  let output: unknown;
  let failure: { name: string; message: string } | undefined;
  try {
    output = await execution.result;
  } catch (err) {
    const cause = (err as Error).cause as Error | undefined;
    failure = { name: cause?.name ?? (err as Error).name, message: cause?.message ?? (err as Error).message };
  }
  await events;
  return {
    output,
    failure,
    states,
    record: await records.getRecord(name),
    lock: await records.currentLock(request.service),
    records,
    /** What each ECS event did to the waits (delivered so far). */
    outcomes,
  };
}

type Outcome = Awaited<ReturnType<typeof run>>;
let sfnMock: { restore(): void } | undefined;
afterEach(() => {
  sfnMock?.restore();
  sfnMock = undefined;
});

/**
 * start-deployment, the queue and the workflow together: StartExecution
 * answers as Step Functions documents (a repeat of a running execution is
 * answered with it; a closed one is ExecutionAlreadyExists) and runs the
 * synthesized state machine, whose Finalize and RecordFailure give the
 * waiting deployment its turn.
 */
async function pipeline(scenario: Omit<Scenario, 'records' | 'queue' | 'events'> = {}) {
  const tableName = `records-${++tables}`;
  const records = await newRecords(tableName);
  const events = recordingEvents();
  const sfn = new SFNClient({ region: LOCAL_REGION });
  const queue = new DeploymentQueue({
    records,
    slot: new QueueSlot(ddb, tableName),
    sfn,
    stateMachineArn: STATE_MACHINE_ARN,
    events: events.sink,
    lockTtlSeconds: 900,
  });
  const runs = new Map<string, { input: string; status: string; startDate: Date; done: Promise<Outcome> }>();
  const mock = mockClient(SFNClient);
  sfnMock = mock;
  mock.on(StartExecutionCommand).callsFake((input: { name: string; input: string }) => {
    const arn = executionArn(STATE_MACHINE_ARN, input.name);
    const existing = runs.get(input.name);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input.input)
        return { executionArn: arn, startDate: existing.startDate };
      throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${arn}'`, $metadata: {} });
    }
    const request = (JSON.parse(input.input) as { request: DeploymentRequest }).request;
    const started = { input: input.input, status: 'RUNNING', startDate: new Date() };
    const done = run(request, { ...scenario, records, queue, events: events.sink }, input.name).then(
      (outcome) => {
        started.status = outcome.failure ? 'FAILED' : 'SUCCEEDED';
        return outcome;
      },
    );
    runs.set(input.name, {
      ...started,
      done,
      get status() {
        return started.status;
      },
    });
    return { executionArn: arn, startDate: started.startDate };
  });
  mock.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
    const found = runs.get(input.executionArn.split(':').pop() ?? '');
    if (!found) throw new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} });
    return {
      executionArn: input.executionArn,
      status: found.status,
      input: found.input,
      startDate: found.startDate,
    };
  });
  const deps = {
    sfn,
    stateMachineArn: STATE_MACHINE_ARN,
    services: { repositories: { web: 'web' } },
    records,
    queue,
    events: events.sink,
  };
  return {
    deps,
    records,
    events,
    runs,
    /** The outcome of a deployment's execution, once it has ended. */
    done: async (deploymentId: string): Promise<Outcome> => {
      const found = runs.get(deploymentId);
      if (!found) throw new Error(`no execution ${deploymentId} was started`);
      return found.done;
    },
  };
}

/** A gate a test opens when it is ready: until then, whatever awaits it waits. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait: () => opened, open: () => open() };
}

/** How ECS events resumed the waits (heartbeats, and events too late to settle anything, left out). */
const settlements = (outcomes: EventOutcome[]) =>
  outcomes
    .flatMap((o) => o.waiters)
    .filter((w) => w.action === 'COMPLETED' || w.action === 'FAILED')
    .map(({ action, error }) => (error ? { action, error } : { action }));
const heartbeats = (outcomes: EventOutcome[]) =>
  outcomes.flatMap((o) => o.waiters).filter((w) => w.action === 'heartbeat').length;

const push = (digestOf: string, tag = 'v2'): DeploymentRequest => ({
  service: 'web',
  trigger: 'push',
  requester: 'ecr-push:123456789012',
  imageDigest: digestOf,
  imageTag: tag,
});
function newWorld(
  image: string,
  behaviour: Behaviour = 'healthy',
  routes: AppRoutes = 'demo',
  desiredCount = 2,
) {
  callbacks = new CallbackTasks();
  world = new FakeWorld(desiredCount, routes);
  world.images.set('v2', image);
  world.behaviour.set(image, behaviour);
  // ECS finishes a deployment only once an execution waits on it, so the ending reaches the wait as an event.
  world.gate = (id) => callbacks.waitingOn(id);
  return world;
}

describe('the synthesized state machine, run with the real step logic', () => {
  it('deploys, verifies and records a push: the happy path', async () => {
    newWorld(digest(2));
    const result = await run(push(digest(2)));
    expect(result.failure).toBeUndefined();
    expect(result.states).toEqual(
      expect.arrayContaining([
        'Prepare',
        'SkipBuild',
        'ResolveImage',
        'RegisterTaskDefinition',
        'UpdateService',
        'AwaitRollout',
        'VerifyTargets',
        'VerifyChecks',
        'Finalize',
        'Deployed',
      ]),
    );
    expect(result.states).not.toContain('Build');
    expect(result.output).toMatchObject({
      status: 'SUCCEEDED',
      imageUri: `${REPOSITORY_URI}@${digest(2)}`,
      verifiedTasks: [expect.any(String), expect.any(String)],
    });
    // The demo's declared checks and identity route, and nothing else.
    expect(new Set(world.requested)).toEqual(
      new Set(['http://alb.local/', 'http://alb.local/db', 'http://alb.local/status']),
    );
    expect(result.record).toMatchObject({
      status: 'SUCCEEDED',
      trigger: 'push',
      imageDigest: digest(2),
      timings: expect.objectContaining({
        register: expect.any(Number),
        rollout: expect.any(Number),
        verify: expect.any(Number),
        total: expect.any(Number),
      }),
    });
    expect(world.imageOf(world.primary?.taskDefinition ?? '')).toBe(`${REPOSITORY_URI}@${digest(2)}`);
    expect(result.lock).toBeUndefined();
  });

  it('builds from source when asked, and deploys the digest the build exported', async () => {
    newWorld(digest(3));
    world.images.set('built', digest(3));
    const build = jest.fn(async (input: Record<string, unknown>) => ({
      Build: {
        Id: 'stepship-web-build:7',
        ExportedEnvironmentVariables: [{ Name: 'IMAGE_DIGEST', Value: digest(3) }],
        input,
      },
    }));
    const result = await run(
      { service: 'web', trigger: 'api', requester: 'me', source: 's3://stepship-sources/sources/web.zip' },
      { build },
    );
    expect(result.failure).toBeUndefined();
    expect(build.mock.calls[0]?.[0]).toMatchObject({
      ProjectName: expect.any(String),
      SourceLocationOverride: 'stepship-sources/sources/web.zip',
      EnvironmentVariablesOverride: [
        { Name: 'IMAGE_TAG', Type: 'PLAINTEXT', Value: expect.stringMatching(/^stepship-/) },
        { Name: 'REPOSITORY_URI', Type: 'PLAINTEXT', Value: REPOSITORY_URI },
        { Name: 'DOCKERFILE', Type: 'PLAINTEXT', Value: 'Dockerfile' },
        { Name: 'BUILD_ARGS', Type: 'PLAINTEXT', Value: '' },
      ],
    });
    expect(result.record).toMatchObject({ status: 'SUCCEEDED', imageDigest: digest(3) });
  });

  it('fails a build with BuildFailedError and the failed phase, recording FAILED and releasing the lock', async () => {
    newWorld(digest(3));
    const build = async () => {
      const cause = JSON.stringify({
        Build: {
          Id: 'stepship-web-build:8',
          BuildStatus: 'FAILED',
          Phases: [
            {
              PhaseType: 'BUILD',
              PhaseStatus: 'FAILED',
              Contexts: [{ Message: 'COMMAND_EXECUTION_ERROR: npm ci exited 1' }],
            },
          ],
        },
      });
      throw Object.assign(new Error(cause), { name: 'States.TaskFailed' });
    };
    const result = await run(
      { service: 'web', trigger: 'cli', requester: 'cli', source: 's3://stepship-sources/sources/web.zip' },
      { build },
    );
    expect(result.failure).toEqual({
      name: 'BuildFailedError',
      message:
        'CodeBuild build stepship-web-build:8 FAILED in phase BUILD: COMMAND_EXECUTION_ERROR: npm ci exited 1',
    });
    expect(result.states).not.toContain('UpdateService');
    expect(result.record).toMatchObject({ status: 'FAILED', error: 'BuildFailedError' });
    expect(result.lock).toBeUndefined();
  });

  it('fails with ImageNotFoundError when the tag is not in the repository, changing nothing', async () => {
    newWorld(digest(2));
    const before = world.primary?.taskDefinition;
    const result = await run({ service: 'web', trigger: 'api', requester: 'me', imageTag: 'v9' });
    expect(result.failure).toEqual({
      name: 'ImageNotFoundError',
      message: 'Image web/web:v9 not found in ECR repository web/web',
    });
    expect(result.record).toMatchObject({ status: 'FAILED', error: 'ImageNotFoundError' });
    expect(world.primary?.taskDefinition).toBe(before);
    expect(world.taskDefinitions.size).toBe(1);
  });

  it('counts a circuit-breaker rollback as a failure: RolloutFailedError, ROLLED_BACK, with ECS reasons', async () => {
    newWorld(digest(4), 'crashes');
    const before = world.primary?.taskDefinition;
    const result = await run(push(digest(4)));
    expect(result.failure?.name).toBe('RolloutFailedError');
    expect(result.failure?.message).toContain(
      'FAILED: ECS deployment circuit breaker: tasks failed to start.',
    );
    expect(result.failure?.message).toContain('Task failed ELB health checks');
    expect(result.states).toEqual(
      expect.arrayContaining(['Rollback', 'AwaitRollbackRollout', 'RecordRolledBack', 'DeploymentFailed']),
    );
    expect(result.states).not.toContain('VerifyTargets');
    expect(result.record).toMatchObject({
      status: 'ROLLED_BACK',
      error: 'RolloutFailedError',
      rolledBackTo: before,
    });
    expect(world.primary).toMatchObject({ taskDefinition: before, rolloutState: 'COMPLETED' });
    expect(result.lock).toBeUndefined();
  });

  it('times out a rollout that never settles with RolloutTimeoutError — though its tasks keep ECS busy — then rolls back', async () => {
    newWorld(digest(5), 'never-settles');
    const result = await run(push(digest(5)), { rolloutTimeoutSeconds: 1 });
    expect(result.failure?.name).toBe('RolloutTimeoutError');
    expect(result.failure?.message).toMatch(/did not complete within 1 s/);
    // The task events that kept the wait alive judged it once it was overdue.
    expect(settlements(result.outcomes)).toContainEqual({ action: 'FAILED', error: 'RolloutTimeoutError' });
    expect(result.states).not.toContain('CheckRollout');
    expect(result.record).toMatchObject({ status: 'ROLLED_BACK', error: 'RolloutTimeoutError' });
  });

  it('rolls back to the last verified revision when verification fails, and fails with the cause', async () => {
    newWorld(digest(6));
    const records = await newRecords();
    const good = await run(push(digest(6)), { records });
    expect(good.record?.status).toBe('SUCCEEDED');
    const verified = world.primary?.taskDefinition;

    world.images.set('v3', digest(7));
    world.behaviour.set(digest(7), 'no-dynamodb');
    const bad = await run(push(digest(7), 'v3'), { records });
    expect(bad.failure?.name).toBe('VerificationError');
    expect(bad.failure?.message).toContain(`Rolled back to ${verified}.`);
    expect(bad.failure?.message).toContain(
      'GET http://alb.local/db answered 500, expected 200: {"db":"error","message":"AccessDeniedException',
    );
    expect(bad.states).toEqual(expect.arrayContaining(['VerifyChecks', 'Rollback', 'RecordRolledBack']));
    expect(bad.record).toMatchObject({ status: 'ROLLED_BACK', rolledBackTo: verified });
    expect(world.primary?.taskDefinition).toBe(verified);
  });

  it('deploys a named earlier revision as it is (a rollback): no build, no registration, verified as any deployment', async () => {
    newWorld(digest(2));
    const records = await newRecords();
    const first = world.primary?.taskDefinition ?? '';
    const second = await run(push(digest(2)), { records });
    expect(second.record?.status).toBe('SUCCEEDED');
    const revisions = world.taskDefinitions.size;

    const back = await run(
      { service: 'web', trigger: 'cli', requester: 'cli', taskDefinition: first },
      { records },
    );
    expect(back.failure).toBeUndefined();
    expect(back.states).toEqual(
      expect.arrayContaining([
        'Prepare',
        'ResolveImage',
        'UseGivenRevision',
        'UpdateService',
        'VerifyChecks',
      ]),
    );
    expect(back.states).not.toContain('RegisterTaskDefinition');
    expect(back.states).not.toContain('Build');
    expect(world.taskDefinitions.size).toBe(revisions);
    expect(world.primary).toMatchObject({ taskDefinition: first, rolloutState: 'COMPLETED' });
    expect(back.record).toMatchObject({
      status: 'SUCCEEDED',
      taskDefinitionArn: first,
      previousTaskDefinitionArn: second.record?.taskDefinitionArn,
      imageDigest: digest(1),
      timings: expect.objectContaining({ register: 0, rollout: expect.any(Number) }),
    });
  });

  it('refuses a named revision that does not exist before locking anything, and changes nothing', async () => {
    newWorld(digest(2));
    const before = world.primary?.taskDefinition;
    const result = await run({
      service: 'web',
      trigger: 'cli',
      requester: 'cli',
      taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
    });
    expect(result.failure?.name).toBe('ValidationError');
    expect(result.failure?.message).toContain(
      'Task definition arn:aws:ecs:us-east-1:123456789012:task-definition/web:7 not found',
    );
    expect(result.states).toEqual(['Prepare', 'RecordFailed', 'DeploymentFailed']);
    expect(world.primary?.taskDefinition).toBe(before);
  });

  it('fails fast with DeploymentInProgressError while another deployment holds the lock, leaving its lock alone', async () => {
    newWorld(digest(8));
    const records = await newRecords();
    await records.acquireLock('web', 'arn:other-execution', 900, new Date());
    const result = await run(push(digest(8)), { records });
    expect(result.failure?.name).toBe('DeploymentInProgressError');
    expect(result.failure?.message).toContain('arn:other-execution');
    expect(result.states).toEqual(['Prepare', 'RecordFailed', 'DeploymentFailed']);
    expect(result.lock?.owner).toBe('arn:other-execution');
    expect(world.taskDefinitions.size).toBe(1);
  });

  it('starts one execution for a duplicated push, while it runs and after', async () => {
    newWorld(digest(9));
    const p = await pipeline();
    const first = await startDeployment(push(digest(9)), p.deps);
    const whileRunning = await startDeployment(push(digest(9), 'v9-again'), p.deps);
    expect(whileRunning).toMatchObject({
      duplicate: true,
      executionArn: first.executionArn,
      status: 'RUNNING',
    });
    const outcome = await p.done(first.deploymentId);
    expect(outcome.failure).toBeUndefined();
    expect(outcome.record?.status).toBe('SUCCEEDED');
    const after = await startDeployment(push(digest(9)), p.deps);
    expect(after).toMatchObject({ duplicate: true, deploymentId: first.deploymentId, status: 'SUCCEEDED' });
    expect(p.runs.size).toBe(1);
  });

  it('deploys a Node app that answers only / and /healthz, verifying exactly what it declares', async () => {
    newWorld(digest(5), 'healthy', 'healthz-only');
    const result = await run(
      { service: 'hello', trigger: 'api', requester: 'me', imageTag: 'v2' },
      { definition: twoServiceDefinition() },
    );
    expect(result.failure).toBeUndefined();
    expect(result.record).toMatchObject({ status: 'SUCCEEDED', service: 'hello' });
    const tasks = world.running().map((t) => `http://${ipOf(t)}:3000/healthz`);
    expect(world.requested).toEqual(['http://alb.local/healthz', ...tasks]);
    expect(result.output).toMatchObject({ verifiedTasks: world.running().map(ipOf).sort() });
  });

  it("rejects a service the app doesn't have, naming the ones it has, and changes nothing", async () => {
    newWorld(digest(2));
    const result = await run(
      { service: 'billing', trigger: 'api', requester: 'me', imageTag: 'v2' },
      { definition: twoServiceDefinition() },
    );
    expect(result.failure).toEqual({
      name: 'ValidationError',
      message: 'Unknown service "billing": this pipeline deploys "web", "hello"',
    });
    expect(result.states).toEqual(['Prepare', 'RecordFailed', 'DeploymentFailed']);
    expect(world.taskDefinitions.size).toBe(1);
  });
});

describe('pushes that arrive while a deployment runs', () => {
  it('of three, the last deploys after it; the two before it are SUPERSEDED, and each change is announced', async () => {
    newWorld(digest(2));
    for (const n of [3, 4, 5]) world.images.set(`v${n}`, digest(n));
    const held = gate();
    let checks = 0;
    const p = await pipeline({
      // The first deployment's first rollout check waits until the three pushes are in.
      beforeRolloutCheck: () => (checks++ === 0 ? held.wait() : Promise.resolve()),
    });
    const running = await startDeployment(push(digest(2)), p.deps);
    expect(running.status).toBe('RUNNING');
    const [third, fourth, fifth] = [
      await startDeployment(push(digest(3), 'v3'), p.deps),
      await startDeployment(push(digest(4), 'v4'), p.deps),
      await startDeployment(push(digest(5), 'v5'), p.deps),
    ];
    expect([third?.status, fourth?.status, fifth?.status]).toEqual(['QUEUED', 'QUEUED', 'QUEUED']);
    expect(p.runs.size).toBe(1);
    held.open();

    expect((await p.done(running.deploymentId)).record?.status).toBe('SUCCEEDED');
    const last = await p.done(fifth?.deploymentId ?? '');
    expect(last.failure).toBeUndefined();
    expect(last.record).toMatchObject({ status: 'SUCCEEDED', imageDigest: digest(5), trigger: 'push' });
    expect(world.imageOf(world.primary?.taskDefinition ?? '')).toBe(`${REPOSITORY_URI}@${digest(5)}`);
    expect(await p.records.getRecord(third?.deploymentId ?? '')).toMatchObject({
      status: 'SUPERSEDED',
      supersededBy: fourth?.deploymentId,
    });
    expect(await p.records.getRecord(fourth?.deploymentId ?? '')).toMatchObject({
      status: 'SUPERSEDED',
      supersededBy: fifth?.deploymentId,
    });
    expect([...p.runs.keys()]).toEqual([running.deploymentId, fifth?.deploymentId]);
    expect(await p.records.currentLock('web')).toBeUndefined();
    expect(p.events.types(running.deploymentId)).toEqual([
      'Stepship Deployment Started',
      'Stepship Deployment Succeeded',
    ]);
    expect(p.events.types(third?.deploymentId ?? '')).toEqual([
      'Stepship Deployment Queued',
      'Stepship Deployment Superseded',
    ]);
    expect(p.events.types(fifth?.deploymentId ?? '')).toEqual([
      'Stepship Deployment Queued',
      'Stepship Deployment Started',
      'Stepship Deployment Succeeded',
    ]);
  });

  it('waiting behind a deployment that rolls back, deploys once the rollback is recorded', async () => {
    newWorld(digest(4), 'crashes');
    world.images.set('v6', digest(6));
    const held = gate();
    let checks = 0;
    const p = await pipeline({
      beforeRolloutCheck: () => (checks++ === 0 ? held.wait() : Promise.resolve()),
    });
    const failing = await startDeployment(push(digest(4)), p.deps);
    const waiting = await startDeployment(push(digest(6), 'v6'), p.deps);
    expect(waiting.status).toBe('QUEUED');
    held.open();
    expect((await p.done(failing.deploymentId)).record?.status).toBe('ROLLED_BACK');
    expect((await p.done(waiting.deploymentId)).record).toMatchObject({
      status: 'SUCCEEDED',
      imageDigest: digest(6),
    });
    expect(p.events.types(failing.deploymentId)).toEqual([
      'Stepship Deployment Started',
      'Stepship Deployment Failed',
      'Stepship Deployment Rolled Back',
    ]);
  });

  it('an API request while the service is busy is refused at once, leaving the running deployment alone', async () => {
    newWorld(digest(2));
    world.images.set('v7', digest(7));
    const held = gate();
    let checks = 0;
    const p = await pipeline({
      beforeRolloutCheck: () => (checks++ === 0 ? held.wait() : Promise.resolve()),
    });
    const running = await startDeployment(push(digest(2)), p.deps);
    try {
      await expect(
        startDeployment({ service: 'web', trigger: 'api', requester: 'me', imageTag: 'v7' }, p.deps),
      ).rejects.toMatchObject({
        name: 'DeploymentInProgressError',
        details: { runningDeploymentId: running.deploymentId },
      });
    } finally {
      held.open();
    }
    expect((await p.done(running.deploymentId)).record?.status).toBe('SUCCEEDED');
    expect(p.runs.size).toBe(1);
  });
});

describe("the rollout wait, resumed by ECS's events", () => {
  const FORWARD = [
    'Prepare',
    'NeedsBuild?',
    'SkipBuild',
    'ResolveImage',
    'RevisionGiven?',
    'RegisterTaskDefinition',
    'UpdateService',
    'AwaitRollout',
    'VerifyTargets',
    'VerifyChecks',
    'Finalize',
    'Deployed',
  ];

  it('goes on at the deployment’s COMPLETED event, through the same states however long the rollout and however many tasks', async () => {
    const states: string[][] = [];
    for (const [tasks, ticks] of [
      [2, 1],
      [16, 40],
    ] as const) {
      newWorld(digest(2), 'healthy', 'demo', tasks);
      world.rolloutTicks = ticks;
      const result = await run(push(digest(2)));
      expect(result.failure).toBeUndefined();
      expect(settlements(result.outcomes)).toEqual([{ action: 'COMPLETED' }]);
      expect(callbacks.submitted).toEqual([{ deploymentId: expect.any(String), state: 'WAITING' }]);
      states.push(result.states);
      if (ticks > 1) expect(heartbeats(result.outcomes)).toBeGreaterThanOrEqual(ticks - 1);
    }
    expect(states[0]).toEqual(FORWARD);
    expect(states[1]).toEqual(FORWARD);
  });

  it('goes on at once when the rollout was over before the token was stored, with no event to tell it', async () => {
    newWorld(digest(2));
    world.gate = async () => undefined;
    world.rolloutTicks = 0;
    const started = Date.now();
    const result = await run(push(digest(2)), { delivery: 'lost' });
    expect(result.failure).toBeUndefined();
    expect(callbacks.submitted).toEqual([
      { deploymentId: expect.any(String), state: 'COMPLETED', resumedBy: 'this-check' },
    ]);
    expect(result.states).toEqual(FORWARD);
    expect(Date.now() - started).toBeLessThan(HEARTBEAT_SECONDS * 1000);
  });

  it('falls back to one check when the events are lost, and goes on', async () => {
    newWorld(digest(2));
    const result = await run(push(digest(2)), { delivery: 'lost' });
    expect(result.failure).toBeUndefined();
    expect(result.outcomes).toEqual([]);
    expect(result.states).toEqual([
      ...FORWARD.slice(0, FORWARD.indexOf('AwaitRollout') + 1),
      'CheckRollout',
      'RolloutDone?',
      ...FORWARD.slice(FORWARD.indexOf('VerifyTargets')),
    ]);
    expect(result.record).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('waits again when the fallback check finds the rollout still in progress', async () => {
    newWorld(digest(2));
    // About three heartbeat periods of rollout, every event lost.
    world.tickMs = 50;
    world.rolloutTicks = (HEARTBEAT_SECONDS * 2500) / world.tickMs;
    const result = await run(push(digest(2)), { delivery: 'lost' });
    expect(result.failure).toBeUndefined();
    expect(result.states.filter((s) => s === 'AwaitRollout').length).toBeGreaterThanOrEqual(2);
    expect(result.states.filter((s) => s === 'CheckRollout').length).toBeGreaterThanOrEqual(1);
    expect(result.states.at(-1)).toBe('Deployed');
  }, 20_000);

  it('resumes exactly once when EventBridge delivers every event twice', async () => {
    newWorld(digest(2));
    const result = await run(push(digest(2)), { delivery: 'twice' });
    expect(result.failure).toBeUndefined();
    expect(result.states).toEqual(FORWARD);
    await new Promise((r) => setTimeout(r, 100)); // the duplicates' handling ends after the execution's
    expect(settlements(result.outcomes)).toEqual([{ action: 'COMPLETED' }]);
    expect(callbacks.calls.filter((c) => c.command === 'success')).toHaveLength(1);
  });

  it('fails the wait with RolloutFailedError at the circuit breaker’s FAILED event, and the rollback’s wait ends on its COMPLETED', async () => {
    newWorld(digest(4), 'crashes');
    const result = await run(push(digest(4)));
    expect(result.failure?.name).toBe('RolloutFailedError');
    expect(result.failure?.message).toContain('Task failed ELB health checks');
    expect(settlements(result.outcomes)).toEqual([
      { action: 'FAILED', error: 'RolloutFailedError' },
      { action: 'COMPLETED' },
    ]);
    expect(callbacks.calls.filter((c) => c.command !== 'heartbeat').map((c) => c.error ?? c.command)).toEqual(
      ['RolloutFailedError', 'success'],
    );
    expect(result.states).toEqual([
      ...FORWARD.slice(0, FORWARD.indexOf('AwaitRollout') + 1),
      'Rollback',
      'AwaitRollbackRollout',
      'RecordRolledBack',
      'DeploymentFailed',
    ]);
  });

  it('fails the wait as soon as another deployment supersedes ours, then rolls back', async () => {
    newWorld(digest(2));
    let superseded = false;
    world.gate = async (id) => {
      await callbacks.waitingOn(id);
      if (superseded) return;
      superseded = true;
      world.supersede();
      await new Promise(() => undefined); // ECS never finishes the deployment it replaced
    };
    const result = await run(push(digest(2)));
    expect(result.failure?.name).toBe('RolloutFailedError');
    expect(result.failure?.message).toMatch(/was superseded \(status ACTIVE\)/);
    expect(result.states).not.toContain('CheckRollout');
    expect(result.states).toEqual(
      expect.arrayContaining(['Rollback', 'AwaitRollbackRollout', 'RecordRolledBack']),
    );
    expect(result.record).toMatchObject({ status: 'ROLLED_BACK', error: 'RolloutFailedError' });
  });
});

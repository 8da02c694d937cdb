import { StartExecutionCommand, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DeploymentInProgressError, IdempotencyConflictError } from '../../functions/commons/errors.js';
import type { RecordStore } from '../../functions/commons/records.js';
import type { DeploymentRequest } from '../../functions/contract/request.js';
import { executionArn, executionName } from '../../functions/start-deployment/execution-name.js';
import { startDeployment } from '../../functions/start-deployment/start-deployment.js';
import { fakeStepFunctions } from '../helpers/fake-sfn.js';
import { useQueueWorld } from '../helpers/queue-world.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:stepship-web-deploy';
const DIGEST = `sha256:${'b'.repeat(64)}`;
const digest = (c: string) => `sha256:${c.repeat(64)}`;

const queueWorld = useQueueWorld(ARN);
// A test may replace the fake Step Functions (a retry against a fresh one): restore whichever is current.
let sfn: ReturnType<typeof fakeStepFunctions>;
afterEach(() => sfn?.mock.restore());

/** start-deployment against a fresh records table (dynalite) and a Step Functions that behaves as AWS documents. */
async function world() {
  let clock = Date.parse('2026-11-23T10:00:00.000Z');
  const now = () => new Date(clock++);
  const turns = await queueWorld({ now });
  sfn = turns.sfn;
  const { records, slot, events, queue } = turns;
  const deps = {
    sfn: sfn.client,
    stateMachineArn: ARN,
    services: { repositories: { web: 'web' } },
    records,
    queue,
    events: events.sink,
    now,
  };
  return { deps, records, events, queue, slot, sfn };
}

const api: DeploymentRequest = {
  service: 'web',
  trigger: 'api',
  requester: 'me',
  imageTag: 'v2',
  idempotencyKey: 'k',
};
const push = (d: string, tag = 'v2'): DeploymentRequest => ({
  service: 'web',
  trigger: 'push',
  requester: 'ecr-push:123456789012',
  imageDigest: d,
  imageTag: tag,
});
/** The lock, as a running deployment of web holds it. */
const holdLock = (records: RecordStore, owner = `${ARN}:running`) =>
  records.acquireLock('web', owner.replace(':stateMachine:', ':execution:'), 900, new Date());

describe('execution names', () => {
  it('derive from service and digest for a push, so the same image deploys once', () => {
    expect(executionName(push(DIGEST))).toBe(`push-web-${'b'.repeat(40)}`);
    expect(executionName(push(DIGEST, 'latest'))).toBe(executionName(push(DIGEST)));
  });

  it('derive from the idempotency key for API calls, and are random without one', () => {
    expect(executionName(api)).toBe(executionName({ ...api }));
    expect(executionName(api)).not.toBe(executionName({ ...api, idempotencyKey: 'k2' }));
    expect(executionName({ ...api, idempotencyKey: undefined })).not.toBe(
      executionName({ ...api, idempotencyKey: undefined }),
    );
    expect(executionName(api)).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});

describe('a repeated request', () => {
  it('is answered with the same deployment while the first one runs, though Step Functions answers it 200 too', async () => {
    const { deps } = await world();
    const first = await startDeployment(api, deps);
    const again = await startDeployment(api, deps);
    expect(first).toMatchObject({ duplicate: false, status: 'RUNNING' });
    expect(again).toMatchObject({
      duplicate: true,
      deploymentId: first.deploymentId,
      executionArn: first.executionArn,
      status: 'RUNNING',
      startedAt: first.startedAt,
    });
    expect(sfn.starts).toBe(1);
  });

  it('is answered with the same deployment after it finished, with its outcome', async () => {
    const { deps } = await world();
    const first = await startDeployment(api, deps);
    sfn.finish(first.deploymentId, 'SUCCEEDED');
    await expect(startDeployment(api, deps)).resolves.toMatchObject({
      duplicate: true,
      deploymentId: first.deploymentId,
      status: 'SUCCEEDED',
    });
    expect(sfn.starts).toBe(1);
  });

  it('arriving together with the first starts one execution, and exactly one of them is the first', async () => {
    const { deps } = await world();
    const answers = await Promise.all([1, 2, 3, 4].map(() => startDeployment(api, deps)));
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.executionArn)).size).toBe(1);
    expect(sfn.starts).toBe(1);
  });

  it('of a push (same digest, another tag) starts nothing new', async () => {
    const { deps } = await world();
    const first = await startDeployment(push(DIGEST), deps);
    const second = await startDeployment(push(DIGEST, 'also-this-tag'), deps);
    expect(first.duplicate).toBe(false);
    expect(second).toMatchObject({ duplicate: true, deploymentId: first.deploymentId });
    expect(sfn.starts).toBe(1);
  });

  it('with the key of a different request is refused', async () => {
    const { deps } = await world();
    await startDeployment(api, deps);
    await expect(startDeployment({ ...api, imageTag: 'v3' }, deps)).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
  });

  it('after a start that failed (a transient error) starts it, once', async () => {
    const { deps, records } = await world();
    sfn.mock
      .on(StartExecutionCommand)
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(startDeployment(api, deps)).rejects.toThrow('slow down');
    expect((await records.getRecord(executionName(api)))?.status).toBe('STARTED');
    sfn.mock.restore();
    sfn = fakeStepFunctions(ARN);
    const retried = await startDeployment(api, { ...deps, sfn: sfn.client });
    expect(retried).toMatchObject({ duplicate: true, status: 'RUNNING' });
    expect(sfn.starts).toBe(1);
  });
});

describe('starting a deployment', () => {
  it('passes the request, and only the request, as the execution input, and records it STARTED', async () => {
    const { deps, records } = await world();
    const request: DeploymentRequest = { service: 'web', trigger: 'cli', requester: 'cli', imageTag: 'v2' };
    const started = await startDeployment(request, deps);
    const sent = sfn.mock.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(sent?.stateMachineArn).toBe(ARN);
    expect(JSON.parse(sent?.input ?? '')).toEqual({ request });
    expect(await records.getRecord(started.deploymentId)).toMatchObject({
      status: 'STARTED',
      executionArn: executionArn(ARN, started.deploymentId),
      request,
    });
  });

  it('closes the record of a request nobody can retry (no key) when its execution cannot start', async () => {
    const { deps, records } = await world();
    sfn.mock
      .on(StartExecutionCommand)
      .rejects(new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: {} }));
    const request: DeploymentRequest = { service: 'web', trigger: 'cli', requester: 'cli', imageTag: 'v2' };
    await expect(startDeployment(request, { ...deps, randomId: () => 'once' })).rejects.toBeInstanceOf(
      StateMachineDoesNotExist,
    );
    expect(await records.getRecord(executionName(request, () => 'once'))).toMatchObject({
      status: 'FAILED',
      error: 'StateMachineDoesNotExist',
      cause: 'The execution could not be started: State Machine Does Not Exist',
    });
  });
});

describe('a request that does not queue, while the service is being deployed', () => {
  it('is refused at once with the running deployment, and nothing is claimed or started', async () => {
    const { deps, records } = await world();
    await holdLock(records);
    const refused = startDeployment(api, deps);
    await expect(refused).rejects.toBeInstanceOf(DeploymentInProgressError);
    await expect(refused).rejects.toMatchObject({
      message: expect.stringContaining('"queue": true'),
      details: { runningDeploymentId: 'running' },
    });
    expect(await records.getRecord(executionName(api))).toBeUndefined();
    expect(sfn.starts).toBe(0);
  });

  it('starts once the lock has expired (a crashed run)', async () => {
    const { deps, records } = await world();
    // An hour before the world's clock (10:00), for one second.
    await records.acquireLock('web', `${ARN}:crashed`, 1, new Date('2026-11-23T09:00:00.000Z'));
    await expect(startDeployment(api, deps)).resolves.toMatchObject({ status: 'RUNNING', duplicate: false });
  });

  it('repeated while its own deployment holds the lock is answered with that deployment', async () => {
    const { deps, records } = await world();
    const first = await startDeployment(api, deps);
    await records.acquireLock('web', first.executionArn, 900, new Date());
    await expect(startDeployment(api, deps)).resolves.toMatchObject({
      duplicate: true,
      deploymentId: first.deploymentId,
    });
  });

  it('repeated after it finished, while another deployment runs, is answered with its outcome', async () => {
    const { deps, records } = await world();
    const first = await startDeployment(api, deps);
    sfn.finish(first.deploymentId, 'SUCCEEDED');
    await holdLock(records);
    await expect(startDeployment(api, deps)).resolves.toMatchObject({ duplicate: true, status: 'SUCCEEDED' });
  });

  it('that slips past the check (the lock taken just after it) still starts: Prepare, holding the lock, refuses it', async () => {
    const { deps, records } = await world();
    // A records view that read the lock a moment before another deployment took it.
    const stale = Object.create(records) as RecordStore;
    stale.currentLock = async () => undefined;
    await holdLock(records);
    await expect(startDeployment(api, { ...deps, records: stale })).resolves.toMatchObject({
      status: 'RUNNING',
      duplicate: false,
    });
    expect(sfn.starts).toBe(1);
  });
});

describe('a push while the service is being deployed', () => {
  it('waits: recorded QUEUED, announced, and nothing started', async () => {
    const { deps, records, events } = await world();
    await holdLock(records);
    const queued = await startDeployment(push(digest('1')), deps);
    expect(queued).toMatchObject({ status: 'QUEUED', duplicate: false });
    expect(sfn.starts).toBe(0);
    expect(await records.getRecord(queued.deploymentId)).toMatchObject({
      status: 'QUEUED',
      imageDigest: digest('1'),
      queuedAt: expect.any(String),
    });
    expect(events.types(queued.deploymentId)).toEqual(['Stepship Deployment Queued']);
  });

  it('of three, leaves the newest waiting and the two before it SUPERSEDED by their successor', async () => {
    const { deps, records, events, slot } = await world();
    await holdLock(records);
    const first = await startDeployment(push(digest('1')), deps);
    const second = await startDeployment(push(digest('2')), deps);
    const third = await startDeployment(push(digest('3')), deps);
    expect(await records.getRecord(first.deploymentId)).toMatchObject({
      status: 'SUPERSEDED',
      supersededBy: second.deploymentId,
    });
    expect(await records.getRecord(second.deploymentId)).toMatchObject({
      status: 'SUPERSEDED',
      supersededBy: third.deploymentId,
    });
    expect((await records.getRecord(third.deploymentId))?.status).toBe('QUEUED');
    expect((await slot.peek('web'))?.deploymentId).toBe(third.deploymentId);
    expect(events.types(first.deploymentId)).toEqual([
      'Stepship Deployment Queued',
      'Stepship Deployment Superseded',
    ]);
    expect(sfn.starts).toBe(0);
  });

  it('repeated while it waits is answered QUEUED, and waits once', async () => {
    const { deps, records, events } = await world();
    await holdLock(records);
    const queued = await startDeployment(push(digest('1')), deps);
    await expect(startDeployment(push(digest('1')), deps)).resolves.toMatchObject({
      status: 'QUEUED',
      duplicate: true,
      deploymentId: queued.deploymentId,
    });
    expect(events.types(queued.deploymentId)).toEqual(['Stepship Deployment Queued']);
  });

  it('starts at once, taking the lock itself, when the service is free', async () => {
    const { deps, records } = await world();
    const started = await startDeployment(push(digest('1')), deps);
    expect(started).toMatchObject({ status: 'RUNNING' });
    expect((await records.currentLock('web'))?.owner).toBe(started.executionArn);
  });

  it('of an API request with queue: true waits too', async () => {
    const { deps, records } = await world();
    await holdLock(records);
    await expect(startDeployment({ ...api, queue: true }, deps)).resolves.toMatchObject({ status: 'QUEUED' });
    expect(sfn.starts).toBe(0);
  });
});

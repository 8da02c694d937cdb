import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '../../functions/commons/errors.js';
import type { DeploymentRecord } from '../../functions/commons/records.js';
import { recordOutcome } from '../../functions/record-outcome/record-outcome.js';
import type { fakeStepFunctions } from '../helpers/fake-sfn.js';
import { useQueueWorld } from '../helpers/queue-world.js';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:stepship-web-deploy';
const executionArn = (name: string) => `${MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;
const REQUEST = { service: 'web', trigger: 'api', requester: 'me', imageTag: 'v2' } as const;

const queueWorld = useQueueWorld(MACHINE);
let sfn: ReturnType<typeof fakeStepFunctions>;

async function world() {
  const turns = await queueWorld();
  sfn = turns.sfn;
  const { records, events, queue, slot } = turns;
  const deps = { records, sfn: sfn.client, stateMachineArn: MACHINE, events: events.sink, queue };
  /** A deployment as Prepare leaves it: STARTED, holding the lock. */
  const running = async (name: string) => {
    await records.putRecord({
      deploymentId: name,
      service: 'web',
      executionArn: executionArn(name),
      startedAt: '2026-11-23T10:00:00.000Z',
      status: 'STARTED',
      trigger: 'api',
      requester: 'me',
      imageTag: 'v2',
    });
    await records.acquireLock('web', executionArn(name), 900, new Date());
    sfn.executions.set(name, {
      name,
      input: JSON.stringify({ request: REQUEST }),
      status: 'RUNNING',
      startDate: new Date('2026-11-23T10:00:00.000Z'),
    });
  };
  return { records, events, slot, queue, deps, running };
}

/** The event Step Functions publishes when an execution's status changes, as documented. */
function statusChange(name: string, status: string, fields: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: 'a1b2c3',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2026-11-23T10:05:00Z',
    region: 'us-east-1',
    resources: [executionArn(name)],
    detail: {
      executionArn: executionArn(name),
      stateMachineArn: MACHINE,
      name,
      status,
      startDate: Date.parse('2026-11-23T10:00:00.000Z'),
      stopDate: Date.parse('2026-11-23T10:05:00.000Z'),
      input: JSON.stringify({ request: REQUEST }),
      inputDetails: { included: true },
      output: null,
      outputDetails: null,
      error: null,
      cause: null,
      ...fields,
    },
  };
}

describe('an execution that ended where no Catch could record it', () => {
  it.each([
    ['ABORTED', { error: 'Stopped', cause: 'stopped by the operator' }, 'Stopped', 'stopped by the operator'],
    ['ABORTED', {}, 'ExecutionAborted', 'The execution was stopped (StopExecution) before it finished.'],
    ['TIMED_OUT', {}, 'States.Timeout', "The execution ran past the state machine's TimeoutSeconds."],
    [
      'FAILED',
      { error: 'States.Runtime', cause: JSON.stringify({ errorMessage: 'the record step crashed' }) },
      'States.Runtime',
      'the record step crashed',
    ],
  ])('%s %j: recorded with the cause, the lock released, announced', async (status, fields, error, cause) => {
    const { records, events, deps, running } = await world();
    await running('d1');
    await expect(recordOutcome(statusChange('d1', status, fields), deps)).resolves.toMatchObject({
      recorded: true,
      service: 'web',
    });
    expect(await records.getRecord('d1')).toMatchObject({
      status,
      error,
      cause,
      finishedAt: '2026-11-23T10:05:00.000Z',
      requester: 'me',
    });
    expect(await records.currentLock('web')).toBeUndefined();
    expect(events.emitted.map((e) => [e.type, e.record.status])).toEqual([
      ['Stepship Deployment Failed', status],
    ]);
  });

  it('that a Catch already recorded keeps its outcome, and is announced once (by the Catch)', async () => {
    const { records, events, deps, running } = await world();
    await running('d1');
    await records.updateRecord('d1', { status: 'ROLLED_BACK', error: 'VerificationError', cause: 'no /db' });
    await records.releaseLock('web', executionArn('d1'));
    await expect(
      recordOutcome(statusChange('d1', 'FAILED', { error: 'VerificationError', cause: 'other' }), deps),
    ).resolves.toMatchObject({ recorded: false });
    expect(await records.getRecord('d1')).toMatchObject({ status: 'ROLLED_BACK', cause: 'no /db' });
    expect(events.emitted).toEqual([]);
  });

  it('leaves a lock another execution holds alone', async () => {
    const { records, deps, running } = await world();
    await running('d1');
    await records.releaseLock('web', executionArn('d1'));
    await records.acquireLock('web', executionArn('d2'), 900, new Date());
    await recordOutcome(statusChange('d1', 'ABORTED'), deps);
    expect((await records.currentLock('web'))?.owner).toBe(executionArn('d2'));
  });

  it('before any record was written is recorded from the execution input', async () => {
    const { records, deps } = await world();
    await recordOutcome(statusChange('d9', 'ABORTED'), deps);
    expect(await records.getRecord('d9')).toMatchObject({
      status: 'ABORTED',
      service: 'web',
      trigger: 'api',
      requester: 'me',
      imageTag: 'v2',
      startedAt: '2026-11-23T10:00:00.000Z',
    });
  });

  it('whose input the event left out (too large) is read from DescribeExecution', async () => {
    const { records, deps } = await world();
    sfn.executions.set('d8', {
      name: 'd8',
      input: JSON.stringify({ request: REQUEST }),
      status: 'ABORTED',
      startDate: new Date('2026-11-23T10:00:00.000Z'),
    });
    await recordOutcome(
      statusChange('d8', 'ABORTED', {
        input: null,
        inputDetails: { included: false },
        error: 'E',
        cause: 'c',
      }),
      deps,
    );
    expect(await records.getRecord('d8')).toMatchObject({ status: 'ABORTED', service: 'web' });
  });

  it('gives the deployment waiting for the service its turn', async () => {
    const { records, deps, queue, running } = await world();
    await running('d1');
    const waiting: DeploymentRecord = {
      deploymentId: 'push-2',
      service: 'web',
      executionArn: executionArn('push-2'),
      startedAt: '2026-11-23T10:01:00.000Z',
      queuedAt: '2026-11-23T10:01:00.000Z',
      status: 'QUEUED',
      trigger: 'push',
      requester: 'ecr-push:123456789012',
      request: {
        service: 'web',
        trigger: 'push',
        requester: 'ecr-push:123456789012',
        imageDigest: `sha256:${'2'.repeat(64)}`,
      },
    };
    await records.claimRecord(waiting);
    await queue.place(waiting);
    await recordOutcome(statusChange('d1', 'ABORTED'), deps);
    expect(sfn.started()).toEqual(['d1', 'push-2']);
    expect((await records.currentLock('web'))?.owner).toBe(executionArn('push-2'));
  });
});

describe('a succeeded execution', () => {
  it('changes no record, and starts the waiting deployment if Finalize could not', async () => {
    const { records, events, deps, queue } = await world();
    await records.putRecord({
      deploymentId: 'd1',
      service: 'web',
      executionArn: executionArn('d1'),
      startedAt: '2026-11-23T10:00:00.000Z',
      status: 'SUCCEEDED',
      trigger: 'api',
      requester: 'me',
    });
    const waiting: DeploymentRecord = {
      deploymentId: 'push-2',
      service: 'web',
      executionArn: executionArn('push-2'),
      startedAt: '2026-11-23T10:01:00.000Z',
      queuedAt: '2026-11-23T10:01:00.000Z',
      status: 'QUEUED',
      trigger: 'push',
      requester: 'ecr-push:123456789012',
      request: {
        service: 'web',
        trigger: 'push',
        requester: 'ecr-push:123456789012',
        imageDigest: `sha256:${'2'.repeat(64)}`,
      },
    };
    await records.claimRecord(waiting);
    await records.acquireLock('web', executionArn('d1'), 900, new Date());
    await queue.place(waiting);
    await records.releaseLock('web', executionArn('d1'));
    await expect(recordOutcome(statusChange('d1', 'SUCCEEDED'), deps)).resolves.toMatchObject({
      recorded: false,
    });
    expect((await records.getRecord('d1'))?.status).toBe('SUCCEEDED');
    expect(sfn.started()).toEqual(['push-2']);
    expect(events.emitted.filter((e) => e.record.deploymentId === 'd1')).toEqual([]);
  });
});

describe('an event that is not an end of this state machine', () => {
  it.each([
    ['another state machine', { stateMachineArn: `${MACHINE}-other` }],
    ['a running execution', { status: 'RUNNING' }],
    ['no executionArn', { executionArn: undefined }],
  ])('is refused: %s', async (_, fields) => {
    const { deps } = await world();
    await expect(recordOutcome(statusChange('d1', 'ABORTED', fields), deps)).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('is refused when it is not a Step Functions event at all', async () => {
    const { deps } = await world();
    await expect(
      recordOutcome({ source: 'aws.ecr', 'detail-type': 'ECR Image Action', detail: {} }, deps),
    ).rejects.toThrow(/Expected an aws.states "Step Functions Execution Status Change" event/);
  });
});

import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from '@jest/globals';
import { graphOf, stateNodeId } from '../../local/console/model/asl-graph.js';
import { summarize } from '../../local/console/model/execution-summary.js';
import { pathOnGraph } from '../../local/console/model/path-on-graph.js';
import { recorded, recordedDefinition } from './recorded.js';

const graph = graphOf(recordedDefinition());
const edgeId = (from: string, to: string, kind: string) =>
  graph.edges.find((e) => e.from === from && e.to === to && e.kind === kind)?.id ?? `no ${from}→${to}`;

describe('a deployment that succeeded (recorded history)', () => {
  const { events } = recorded('succeeded');
  const summary = summarize(events);

  it('is one visit per state along the build path, all succeeded, in order', () => {
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.visits.map((v) => v.name)).toEqual([
      'Prepare',
      'NeedsBuild?',
      'Build',
      'ResolveImage',
      'RegisterTaskDefinition',
      'UpdateService',
      'WaitForRollout',
      'CheckRollout',
      'RolloutDone?',
      'VerifyTargets',
      'VerifyEndpoint',
      'VerifyDynamoDB',
      'Finalize',
      'Deployed',
    ]);
    expect(new Set(summary.visits.map((v) => v.status))).toEqual(new Set(['succeeded']));
    expect(summary.firstState).toBe('Prepare');
    expect(summary.lastState).toBe('Deployed');
  });

  it("times each step from its Entered to its Exited event, and keeps the step's input and output", () => {
    const prepare = summary.visits[0];
    const entered = events.find((e) => e.stateEnteredEventDetails?.name === 'Prepare');
    const exited = events.find((e) => e.stateExitedEventDetails?.name === 'Prepare');
    expect(prepare).toMatchObject({
      type: 'Task',
      enteredEventId: entered?.id,
      exitedEventId: exited?.id,
      enteredAt: entered?.timestamp,
      exitedAt: exited?.timestamp,
      input: entered?.stateEnteredEventDetails?.input,
      output: exited?.stateExitedEventDetails?.output,
      attempts: 1,
      resource: expect.stringMatching(/^arn:aws:lambda:us-east-1:000000000000:function:.*Prepare/),
    });
    const wait = summary.visits.find((v) => v.name === 'WaitForRollout');
    expect((wait?.exitedAt?.getTime() ?? 0) - (wait?.enteredAt.getTime() ?? 0)).toBeGreaterThanOrEqual(900);
    expect(wait?.attempts).toBe(0);
  });

  it("finds the build's log stream in the CodeBuild result", () => {
    expect(summary.visits.find((v) => v.name === 'Build')?.buildLogs).toEqual({
      group: expect.stringContaining('BuildLogs'),
      stream: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('marks the path: start, each transition taken, end; the build-skipping branch untouched', () => {
    const path = pathOnGraph(graph.edges, summary);
    expect(path.takenEdges).toContain(edgeId('start', stateNodeId('Prepare'), 'start'));
    expect(path.takenEdges).toContain(edgeId(stateNodeId('NeedsBuild?'), stateNodeId('Build'), 'choice'));
    expect(path.takenEdges).toContain(edgeId(stateNodeId('Deployed'), 'end', 'end'));
    expect(path.takenEdges).not.toContain(
      edgeId(stateNodeId('NeedsBuild?'), stateNodeId('SkipBuild'), 'default'),
    );
    expect(path.takenEdges).not.toContain(
      edgeId(stateNodeId('Prepare'), stateNodeId('RecordFailed'), 'catch'),
    );
    expect(path.takenEdges.size).toBe(summary.transitions.length + 2);
    expect(path.nodeStatus.get(stateNodeId('SkipBuild'))).toBeUndefined();
    expect(path.nodeStatus.get('end')).toEqual({ status: 'succeeded', visits: 1 });
  });
});

describe('a deployment rolled back by the circuit breaker (recorded history)', () => {
  const { events, execution } = recorded('rolled-back');
  const summary = summarize(events);
  const path = pathOnGraph(graph.edges, summary);

  it('counts the rollout loop, and shows CheckRollout failed on its last visit', () => {
    const checks = summary.visits.filter((v) => v.name === 'CheckRollout');
    expect(checks.length).toBeGreaterThan(1);
    expect(checks.slice(0, -1).every((v) => v.status === 'succeeded')).toBe(true);
    expect(checks.at(-1)).toMatchObject({ status: 'failed', error: 'RolloutFailedError' });
    expect(checks.at(-1)?.cause).toContain('circuit breaker');
    expect(summary.states.get('CheckRollout')).toEqual({ status: 'failed', visits: checks.length });
    expect(summary.states.get('WaitForRollout')?.visits).toBe(checks.length);
  });

  it('leaves through the Catch into the rollback chain, and ends failed in the Fail state', () => {
    expect(summary.transitions.filter((t) => t.afterFailure)).toEqual([
      { from: 'CheckRollout', to: 'Rollback', afterFailure: true },
    ]);
    expect(summary.visits.slice(-6).map((v) => `${v.name}:${v.status}`)).toEqual([
      'Rollback:succeeded',
      'WaitForRollback:succeeded',
      'CheckRollbackRollout:succeeded',
      'RollbackDone?:succeeded',
      'RecordRolledBack:succeeded',
      'DeploymentFailed:failed',
    ]);
    expect(summary).toMatchObject({ status: 'FAILED', error: execution.error, cause: execution.cause });
    expect(summary.visits.at(-1)).toMatchObject({ type: 'Fail', error: 'RolloutFailedError' });
  });

  it('draws the Catch edge it took, and both the loop and the way on from the Choice it left', () => {
    expect(path.takenEdges).toContain(edgeId(stateNodeId('CheckRollout'), stateNodeId('Rollback'), 'catch'));
    expect(path.takenEdges).toContain(
      edgeId(stateNodeId('RolloutDone?'), stateNodeId('WaitForRollout'), 'default'),
    );
    expect(path.takenEdges).not.toContain(
      edgeId(stateNodeId('RolloutDone?'), stateNodeId('VerifyTargets'), 'choice'),
    );
    expect(path.takenEdges).toContain(edgeId(stateNodeId('DeploymentFailed'), 'end', 'end'));
    expect(path.nodeStatus.get(stateNodeId('VerifyTargets'))).toBeUndefined();
    expect(path.nodeStatus.get(stateNodeId('DeploymentFailed'))?.status).toBe('failed');
    expect(path.nodeStatus.get('end')?.status).toBe('failed');
  });
});

describe('a deployment refused because another held the lock (recorded history)', () => {
  const summary = summarize(recorded('lock-held').events);

  it('fails in Prepare, records the failure, and ends in DeploymentFailed', () => {
    expect(summary.visits.map((v) => `${v.name}:${v.status}`)).toEqual([
      'Prepare:failed',
      'RecordFailed:succeeded',
      'DeploymentFailed:failed',
    ]);
    expect(summary.visits[0]).toMatchObject({ error: 'DeploymentInProgressError' });
    expect(summary.transitions).toEqual([
      { from: 'Prepare', to: 'RecordFailed', afterFailure: true },
      { from: 'RecordFailed', to: 'DeploymentFailed', afterFailure: false },
    ]);
    const path = pathOnGraph(graph.edges, summary);
    expect(path.takenEdges).toContain(edgeId(stateNodeId('Prepare'), stateNodeId('RecordFailed'), 'catch'));
    expect(path.takenEdges).not.toContain(edgeId(stateNodeId('Prepare'), stateNodeId('NeedsBuild?'), 'next'));
  });
});

describe('a deployment still running (the recorded history cut short)', () => {
  const { events } = recorded('succeeded');
  const cut = events.findIndex((e) => e.type === 'LambdaFunctionStarted' && (e.id ?? 0) > 30);
  const summary = summarize(events.slice(0, cut + 1));

  it('is RUNNING, with the state it is in current and everything before it succeeded', () => {
    expect(summary.status).toBe('RUNNING');
    expect(summary.endedAt).toBeUndefined();
    const current = summary.visits.at(-1);
    expect(current).toMatchObject({ name: 'CheckRollout', status: 'running' });
    expect(current?.exitedAt).toBeUndefined();
    expect(summary.states.get('CheckRollout')).toEqual({ status: 'current', visits: 1 });
    expect(summary.visits.slice(0, -1).every((v) => v.status === 'succeeded')).toBe(true);
  });

  it('takes no edge to End yet', () => {
    const path = pathOnGraph(graph.edges, summary);
    expect([...path.takenEdges].some((id) => graph.edges.find((e) => e.id === id)?.kind === 'end')).toBe(
      false,
    );
    expect(path.nodeStatus.has('end')).toBe(false);
  });
});

/** A history in AWS's shapes, numbered, a second apart. */
function history(...events: Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp'>[]): HistoryEvent[] {
  return events.map((e, i) => ({
    ...e,
    id: i + 1,
    previousEventId: i,
    timestamp: new Date(1_000_000 + i * 1000),
  }));
}
const entered = (
  name: string,
  type = 'Task',
): Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp'> => ({
  type: `${type}StateEntered` as HistoryEvent['type'],
  stateEnteredEventDetails: { name, input: '{}' },
});
const exited = (name: string, type = 'Task'): Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp'> => ({
  type: `${type}StateExited` as HistoryEvent['type'],
  stateExitedEventDetails: { name, output: '{}' },
});
const scheduled = {
  type: 'LambdaFunctionScheduled',
  lambdaFunctionScheduledEventDetails: { resource: 'arn:fn' },
} as const;
const failed = (error: string) =>
  ({
    type: 'LambdaFunctionFailed',
    lambdaFunctionFailedEventDetails: { error, cause: `${error} happened` },
  }) as const;

describe('histories the recorded runs do not cover', () => {
  it('counts a retried step once, with its attempts, succeeded when the last attempt did', () => {
    const summary = summarize(
      history(
        { type: 'ExecutionStarted' },
        entered('VerifyTargets'),
        scheduled,
        failed('TargetsNotReadyError'),
        scheduled,
        { type: 'LambdaFunctionSucceeded', lambdaFunctionSucceededEventDetails: { output: '{}' } },
        exited('VerifyTargets'),
      ),
    );
    expect(summary.visits).toHaveLength(1);
    expect(summary.visits[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(summary.visits[0]?.error).toBeUndefined();
  });

  it('fails the step an uncaught error ended the execution in, with the error', () => {
    const summary = summarize(
      history({ type: 'ExecutionStarted' }, entered('Finalize'), scheduled, failed('Boom'), {
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: 'Boom', cause: 'Boom happened' },
      }),
    );
    expect(summary.visits[0]).toMatchObject({ status: 'failed', error: 'Boom', cause: 'Boom happened' });
    expect(summary.lastState).toBe('Finalize');
    expect(summary.states.get('Finalize')?.status).toBe('failed');
  });

  it('shows a step an abort interrupted as entered, with no outcome', () => {
    const summary = summarize(
      history({ type: 'ExecutionStarted' }, entered('WaitForRollout', 'Wait'), { type: 'ExecutionAborted' }),
    );
    expect(summary.status).toBe('ABORTED');
    expect(summary.visits[0]?.status).toBe('aborted');
    expect(summary.states.get('WaitForRollout')?.status).toBe('entered');
  });

  it('times a step out when the execution timed out in it', () => {
    const summary = summarize(
      history({ type: 'ExecutionStarted' }, entered('Build'), {
        type: 'ExecutionTimedOut',
        executionTimedOutEventDetails: { error: 'States.Timeout', cause: 'The execution timed out' },
      }),
    );
    expect(summary.visits[0]).toMatchObject({ status: 'timed-out', error: 'States.Timeout' });
    expect(summary.states.get('Build')?.status).toBe('failed');
  });

  it("names a lambda:invoke step's function from its parameters", () => {
    const summary = summarize(
      history(entered('Step'), {
        type: 'TaskScheduled',
        taskScheduledEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          region: 'us-east-1',
          parameters: '{"FunctionName":"arn:aws:lambda:us-east-1:000000000000:function:step","Payload":{}}',
        },
      }),
    );
    expect(summary.visits[0]?.resource).toBe('arn:aws:lambda:us-east-1:000000000000:function:step');
  });

  it('keeps states inside a Parallel branch out of the outer path', () => {
    const summary = summarize(
      history(
        entered('Fan', 'Parallel'),
        entered('InBranch'),
        exited('InBranch'),
        exited('Fan', 'Parallel'),
        entered('After', 'Pass'),
      ),
      new Set(['Fan', 'After']),
    );
    expect(summary.visits.map((v) => v.name)).toEqual(['Fan', 'After']);
    expect(summary.transitions).toEqual([{ from: 'Fan', to: 'After', afterFailure: false }]);
  });

  it('reads events in id order whatever order they came in', () => {
    const events = history(
      { type: 'ExecutionStarted' },
      entered('A', 'Pass'),
      exited('A', 'Pass'),
      entered('B', 'Pass'),
    );
    expect(summarize([...events].reverse()).visits.map((v) => v.name)).toEqual(['A', 'B']);
  });
});

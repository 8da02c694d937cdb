import { describe, expect, it } from '@jest/globals';
import {
  DefinitionError,
  describeRule,
  END_ID,
  graphOf,
  START_ID,
  stateNodeId,
} from '../../local/console/model/asl-graph.js';
import { recordedDefinition } from './recorded.js';

const edgesFrom = (graph: ReturnType<typeof graphOf>, state: string) =>
  graph.edges
    .filter((e) => e.from === stateNodeId(state))
    .map((e) => ({ to: e.to, kind: e.kind, label: e.label }));

describe("the deployment state machine's graph, read from its ASL", () => {
  const graph = graphOf(recordedDefinition());

  it('has a node for every state, between Start and End', () => {
    const states = Object.keys((JSON.parse(recordedDefinition()) as { States: object }).States);
    expect(graph.nodes.map((n) => n.id)).toEqual([START_ID, ...states.map(stateNodeId), END_ID]);
    expect(graph.nodes.find((n) => n.id === stateNodeId('NeedsBuild?'))).toMatchObject({
      label: 'NeedsBuild?',
      kind: 'state',
      type: 'Choice',
    });
  });

  it('starts at StartAt', () => {
    expect(graph.edges.filter((e) => e.from === START_ID)).toEqual([
      { id: 'e0', from: START_ID, to: stateNodeId('Prepare'), kind: 'start' },
    ]);
  });

  it('draws a Task with its Next and its Catch path', () => {
    expect(edgesFrom(graph, 'CheckRollout')).toEqual([
      { to: stateNodeId('RolloutDone?'), kind: 'next', label: undefined },
      { to: stateNodeId('Rollback'), kind: 'catch', label: 'catch' },
    ]);
  });

  it('draws each Choice rule with its condition, and the Default', () => {
    expect(edgesFrom(graph, 'NeedsBuild?')).toEqual([
      { to: stateNodeId('Build'), kind: 'choice', label: '$.deployment.needsBuild = true' },
      { to: stateNodeId('SkipBuild'), kind: 'default', label: 'Default' },
    ]);
    expect(edgesFrom(graph, 'RolloutDone?')).toEqual([
      { to: stateNodeId('VerifyTargets'), kind: 'choice', label: '$.rollout.state = "COMPLETED"' },
      { to: stateNodeId('WaitForRollout'), kind: 'default', label: 'Default' },
    ]);
  });

  it('ends at End from Succeed and Fail states only (every Task here has a Next)', () => {
    expect(
      graph.edges
        .filter((e) => e.to === END_ID)
        .map((e) => e.from)
        .sort(),
    ).toEqual([
      stateNodeId('Deployed'),
      stateNodeId('DeploymentFailed'),
      stateNodeId('DeploymentFailedUnrecorded'),
    ]);
  });

  it('gives every edge a unique id', () => {
    expect(new Set(graph.edges.map((e) => e.id)).size).toBe(graph.edges.length);
  });
});

describe('graphs of other definitions', () => {
  it('names the errors a specific Catch takes, and marks End: true', () => {
    const graph = graphOf(
      JSON.stringify({
        StartAt: 'A',
        States: {
          A: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:000000000000:function:a',
            Catch: [{ ErrorEquals: ['Timeout', 'Lambda.Unknown'], Next: 'B' }],
            End: true,
          },
          B: { Type: 'Pass', End: true },
        },
      }),
    );
    expect(edgesFrom(graph, 'A')).toEqual([
      { to: stateNodeId('B'), kind: 'catch', label: 'catch Timeout, Lambda.Unknown' },
      { to: END_ID, kind: 'end', label: undefined },
    ]);
  });

  it('keeps a state named "Start" or "End" apart from the Start and End nodes', () => {
    const graph = graphOf(
      JSON.stringify({
        StartAt: 'Start',
        States: { Start: { Type: 'Pass', Next: 'End' }, End: { Type: 'Succeed' } },
      }),
    );
    expect(graph.nodes.map((n) => n.id)).toEqual([START_ID, 'state:Start', 'state:End', END_ID]);
    expect(graph.edges.map((e) => `${e.from}→${e.to}`)).toEqual([
      'start→state:Start',
      'state:Start→state:End',
      'state:End→end',
    ]);
  });

  it('leaves out an edge to a state that does not exist rather than drawing it to nowhere', () => {
    const graph = graphOf(JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Missing' } } }));
    expect(edgesFrom(graph, 'A')).toEqual([]);
  });

  it.each([
    ['not JSON', '{'],
    ['no StartAt', JSON.stringify({ States: {} })],
    ['States not an object', JSON.stringify({ StartAt: 'A', States: [] })],
    ['null', 'null'],
  ])('refuses a definition that is %s', (_what, definition) => {
    expect(() => graphOf(definition)).toThrow(DefinitionError);
  });
});

describe('Choice rules as short conditions', () => {
  it.each([
    [{ Variable: '$.n', NumericGreaterThanEquals: 3 }, '$.n ≥ 3'],
    [{ Variable: '$.n', NumericLessThan: 3 }, '$.n < 3'],
    [{ Variable: '$.a', StringEqualsPath: '$.b' }, '$.a = $.b'],
    [{ Variable: '$.a', IsPresent: false }, '$.a is not Present'],
    [{ Variable: '$.s', StringMatches: 'v*' }, '$.s matches "v*"'],
    [{ Not: { Variable: '$.ok', BooleanEquals: true } }, 'not ($.ok = true)'],
    [
      {
        And: [
          { Variable: '$.a', BooleanEquals: true },
          { Variable: '$.b', NumericEquals: 1 },
        ],
      },
      '$.a = true and $.b = 1',
    ],
    [{ Condition: '{% $states.input.ok %}' }, '{% $states.input.ok %}'],
  ])('%j reads "%s"', (rule, text) => {
    expect(describeRule(rule)).toBe(text);
  });

  it('shortens a long condition with an ellipsis', () => {
    const text = describeRule({ Variable: `$.${'x'.repeat(80)}`, BooleanEquals: true });
    expect(text).toHaveLength(48);
    expect(text.endsWith('…')).toBe(true);
  });
});

import { MAX_TASK_SECONDS } from './callbacks.js';

/** The parts of an ASL state the local runner reads. */
export interface AslState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number;
  HeartbeatSecondsPath?: string;
  Iterator?: AslMachine;
  ItemProcessor?: AslMachine;
  Branches?: AslMachine[];
}

export interface AslMachine {
  States: Record<string, AslState>;
}

/** Every Task state, nested ones (Map iterators, Parallel branches) included. */
export function taskStates(states: Record<string, AslState>): [string, AslState][] {
  return Object.entries(states).flatMap(([name, state]): [string, AslState][] => [
    ...(state.Type === 'Task' && state.Resource ? [[name, state] as [string, AslState]] : []),
    ...taskStates(state.Iterator?.States ?? {}),
    ...taskStates(state.ItemProcessor?.States ?? {}),
    ...(state.Branches ?? []).flatMap((branch) => taskStates(branch.States)),
  ]);
}

/**
 * The definition as aws-local-stepfunctions should run it. Step Functions
 * gives a Task without TimeoutSeconds 99999999 seconds; the library gives it
 * 60, and a delay past setTimeout's range would fire at once, so every
 * Task's timeout is made explicit and kept within the range. The caller's
 * definition is left as it was (DescribeStateMachine answers it verbatim).
 */
export function runnableDefinition(definition: string): AslMachine {
  // Parsed afresh rather than structuredClone'd: a clone's objects may come from another realm (jest's
  // VM contexts), which the library's plain-object check then rejects, leaving nested templates unresolved.
  const copy = JSON.parse(definition) as AslMachine;
  for (const [, state] of taskStates(copy.States)) {
    if (state.TimeoutSecondsPath !== undefined) continue;
    state.TimeoutSeconds = Math.min(state.TimeoutSeconds ?? MAX_TASK_SECONDS, MAX_TASK_SECONDS);
  }
  return copy;
}

/**
 * A reference path's value in `input` (`$`, `$.a.b`, `$['a b']`, `$.list[0]`),
 * as TimeoutSecondsPath and HeartbeatSecondsPath name a number in the
 * task's input; undefined when the path is not such a path or finds nothing.
 */
export function referencePath(input: unknown, path: string): unknown {
  const steps = [...path.matchAll(/\.([^.[\]]+)|\['([^']*)'\]|\[(\d+)\]/g)];
  if (!path.startsWith('$') || path.startsWith('$$') || steps.map((m) => m[0]).join('') !== path.slice(1))
    return undefined;
  let value: unknown = input;
  for (const [, member, quoted, index] of steps) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[member ?? quoted ?? index ?? ''];
  }
  return value;
}

import { END_ID, type GraphEdge, START_ID, stateNodeId } from './asl-graph.js';
import { type ExecutionSummary, type StateStatus, transitionKey } from './execution-summary.js';

/**
 * The path an execution took, on its state machine's graph: which edges it
 * crossed and each node's status. A Catch edge counts only when the state
 * failed, a Next or Choice edge only when it did not, so a state whose Next
 * and Catch lead to the same place still shows the way actually taken.
 */
export interface GraphPath {
  takenEdges: Set<string>;
  nodeStatus: Map<string, { status: StateStatus; visits: number }>;
}

export function pathOnGraph(edges: readonly GraphEdge[], summary: ExecutionSummary): GraphPath {
  const normal = new Set<string>();
  const caught = new Set<string>();
  for (const t of summary.transitions) (t.afterFailure ? caught : normal).add(transitionKey(t.from, t.to));

  const takenEdges = new Set<string>();
  const ended = summary.status !== 'RUNNING';
  for (const edge of edges) {
    const from = stateName(edge.from);
    const to = stateName(edge.to);
    const taken =
      edge.kind === 'start'
        ? summary.firstState !== undefined && edge.to === stateNodeId(summary.firstState)
        : edge.kind === 'end'
          ? ended && summary.lastState !== undefined && edge.from === stateNodeId(summary.lastState)
          : from !== undefined &&
            to !== undefined &&
            (edge.kind === 'catch' ? caught : normal).has(transitionKey(from, to));
    if (taken) takenEdges.add(edge.id);
  }

  const nodeStatus = new Map<string, { status: StateStatus; visits: number }>();
  for (const [name, state] of summary.states) nodeStatus.set(stateNodeId(name), state);
  if (summary.firstState !== undefined) nodeStatus.set(START_ID, { status: 'succeeded', visits: 1 });
  if (ended)
    nodeStatus.set(END_ID, { status: summary.status === 'SUCCEEDED' ? 'succeeded' : 'failed', visits: 1 });
  return { takenEdges, nodeStatus };
}

function stateName(nodeId: string): string | undefined {
  return nodeId.startsWith('state:') ? nodeId.slice('state:'.length) : undefined;
}

import { DefinitionError, graphOf, type StateGraph } from './model/asl-graph.js';
import { type ExecutionSummary, summarize } from './model/execution-summary.js';
import { type GraphLayout, layOut } from './model/layout.js';
import { type GraphPath, pathOnGraph } from './model/path-on-graph.js';
import type { DeploymentRecordView } from './read/deployments.js';
import type { ExecutionRecord } from './read/executions.js';

/** Everything the execution page shows, derived once per request. */
export interface ExecutionModel {
  record: ExecutionRecord;
  summary: ExecutionSummary;
  /** Absent when the definition cannot be drawn; the page says why and shows the rest. */
  graph?: { graph: StateGraph; layout: GraphLayout; path: GraphPath };
  graphError?: string;
  deployment?: DeploymentRecordView;
  /** Function name or ARN → its log group. */
  functionLogGroups: Map<string, string>;
  now: Date;
  /** The index of a state's latest visit, for links to it. */
  latestVisit(stateName: string): number | undefined;
  /** Over: polling can stop. */
  done: boolean;
}

export interface ExecutionModelInput {
  record: ExecutionRecord;
  deployment?: DeploymentRecordView;
  functionLogGroups: Map<string, string>;
  now?: Date;
  layouts?: LayoutCache;
}

export function executionModel(input: ExecutionModelInput): ExecutionModel {
  const { record } = input;
  let drawing: { graph: StateGraph; layout: GraphLayout } | undefined;
  let graphError: string | undefined;
  try {
    drawing = (input.layouts ?? new LayoutCache()).get(record.definition);
  } catch (err) {
    if (!(err instanceof DefinitionError)) throw err;
    graphError = err.message;
  }
  const topLevel =
    drawing && new Set(drawing.graph.nodes.filter((n) => n.kind === 'state').map((n) => n.label));
  const summary = summarize(record.events, topLevel);
  const drawn = drawing && { ...drawing, path: pathOnGraph(drawing.graph.edges, summary) };
  const latest = new Map<string, number>();
  for (const visit of summary.visits) latest.set(visit.name, visit.index);
  return {
    record,
    summary,
    ...(drawn ? { graph: drawn } : {}),
    ...(graphError ? { graphError } : {}),
    ...(input.deployment ? { deployment: input.deployment } : {}),
    functionLogGroups: input.functionLogGroups,
    now: input.now ?? new Date(),
    latestVisit: (name) => latest.get(name),
    done: record.execution.status !== 'RUNNING',
  };
}

/** Layouts by definition: a definition's layout never changes, and polling asks for it every second. */
export class LayoutCache {
  private readonly layouts = new Map<string, { graph: StateGraph; layout: GraphLayout }>();
  constructor(private readonly limit = 20) {}

  get(definition: string): { graph: StateGraph; layout: GraphLayout } {
    const known = this.layouts.get(definition);
    if (known) return known;
    const graph = graphOf(definition);
    const entry = { graph, layout: layOut(graph) };
    if (this.layouts.size >= this.limit) this.layouts.delete(this.layouts.keys().next().value as string);
    this.layouts.set(definition, entry);
    return entry;
  }
}

import dagre, { type EdgeLabel, type GraphLabel, type NodeLabel } from '@dagrejs/dagre';
import type { EdgeKind, GraphEdge, GraphNode, StateGraph } from './asl-graph.js';

export interface Point {
  x: number;
  y: number;
}

/** A node's box, from its top-left corner. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedNode extends GraphNode {
  box: Box;
}

export interface PlacedEdge extends GraphEdge {
  /** From the source's border to the target's, in drawing order. */
  points: Point[];
  /** Where the label's centre goes, for edges that have one. */
  labelAt?: Point;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

/** Sizes in SVG user units, matched to console.css's font sizes (13px states, 11px labels). */
const STATE_HEIGHT = 36;
const TERMINAL_SIZE = 28;
const STATE_CHAR_WIDTH = 7.6;
const LABEL_CHAR_WIDTH = 6.2;
const LABEL_HEIGHT = 14;
const MARGIN = 16;

/**
 * Main-path edges pull harder than the ways out on failure, so the layered
 * layout keeps the happy path straight and hangs the recovery chains to its side.
 */
const WEIGHT: Record<EdgeKind, number> = { start: 4, next: 4, choice: 3, default: 2, catch: 1, end: 2 };

/**
 * Lays the graph out top to bottom with dagre (a Sugiyama-style layered
 * layout: loops such as Wait → Check → Choice are turned back, layers are
 * ordered to cut crossings, edges routed around nodes).
 */
export function layOut(graph: StateGraph): GraphLayout {
  const g = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 24, edgesep: 14, ranksep: 34, marginx: MARGIN, marginy: MARGIN });
  for (const node of graph.nodes) g.setNode(node.id, sizeOf(node));
  for (const edge of graph.edges) {
    const label = edge.label ? { width: edge.label.length * LABEL_CHAR_WIDTH + 8, height: LABEL_HEIGHT } : {};
    g.setEdge(edge.from, edge.to, { weight: WEIGHT[edge.kind], minlen: 1, labelpos: 'c', ...label }, edge.id);
  }
  dagre.layout(g);

  const nodes = graph.nodes.map((node): PlacedNode => {
    const placed = g.node(node.id);
    const { width, height } = sizeOf(node);
    return {
      ...node,
      box: { x: (placed.x ?? 0) - width / 2, y: (placed.y ?? 0) - height / 2, width, height },
    };
  });
  const edges = graph.edges.map((edge): PlacedEdge => {
    const placed = g.edge({ v: edge.from, w: edge.to, name: edge.id });
    const points = (placed?.points ?? []).map(({ x, y }: Point) => ({ x, y }));
    return {
      ...edge,
      points,
      ...(edge.label && placed?.x !== undefined && placed.y !== undefined
        ? { labelAt: { x: placed.x, y: placed.y } }
        : {}),
    };
  });
  const { width = 0, height = 0 } = g.graph();
  return { width: Math.ceil(width), height: Math.ceil(height), nodes, edges };
}

function sizeOf(node: GraphNode): { width: number; height: number } {
  if (node.kind !== 'state') return { width: TERMINAL_SIZE, height: TERMINAL_SIZE };
  // Room for the status mark before the name and the visit count (×12) after it.
  return { width: Math.max(96, node.label.length * STATE_CHAR_WIDTH + 66), height: STATE_HEIGHT };
}

import type { GraphNode } from '../model/asl-graph.js';
import type { StateStatus } from '../model/execution-summary.js';
import type { GraphLayout, PlacedEdge, PlacedNode, Point } from '../model/layout.js';
import type { GraphPath } from '../model/path-on-graph.js';
import { type Html, html } from './html.js';

/**
 * The state machine's graph as inline SVG, the execution's path on it:
 * crossed edges drawn solid and heavy, the rest thin; every visited state
 * carries a mark (✓ ✗ ▶ •) and its visit count besides its colour, and is a
 * link to its latest visit in the timeline, so it can be reached by keyboard.
 */
export interface NodeFacts {
  id: string;
  status: StateStatus | 'not-visited';
  mark: string;
  /** `×11` for a state visited more than once. */
  count: string;
  /** What a screen reader says, and the tooltip. */
  description: string;
  /** The timeline row of the latest visit; none for a state never entered. */
  href?: string;
}

const STATUS_MARKS: Record<NodeFacts['status'], string> = {
  succeeded: '✓',
  failed: '✗',
  current: '▶',
  entered: '•',
  'not-visited': '',
};
const STATUS_WORDS: Record<NodeFacts['status'], string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  current: 'running now',
  entered: 'entered, no outcome',
  'not-visited': 'not visited',
};

export function nodeFacts(
  node: GraphNode,
  path: GraphPath,
  latestVisit: (name: string) => number | undefined,
): NodeFacts {
  const state = path.nodeStatus.get(node.id);
  const status = state?.status ?? 'not-visited';
  const visits = state?.visits ?? 0;
  const kind = node.kind === 'state' ? `${node.type} state` : node.kind === 'start' ? 'start' : 'end';
  const visited = visits > 1 ? `, ${visits} visits` : '';
  const visit = node.kind === 'state' ? latestVisit(node.label) : undefined;
  return {
    id: node.id,
    status,
    mark: STATUS_MARKS[status],
    count: visits > 1 ? `×${visits}` : '',
    description: `${node.label}: ${kind}, ${STATUS_WORDS[status]}${visited}`,
    ...(visit !== undefined ? { href: `#visit-${visit}` } : {}),
  };
}

export function graphSvg(
  layout: GraphLayout,
  path: GraphPath,
  latestVisit: (name: string) => number | undefined,
): Html {
  const edges = layout.edges.map((edge) => edgeSvg(edge, path.takenEdges.has(edge.id)));
  const labels = layout.edges.map(edgeLabelSvg);
  // Reading (and tabbing) order follows the drawing, top to bottom, not the definition's order.
  const nodes = [...layout.nodes]
    .sort((a, b) => a.box.y - b.box.y || a.box.x - b.box.x)
    .map((node) => nodeSvg(node, nodeFacts(node, path, latestVisit)));
  return html`<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" role="group" aria-label="The state machine's graph, with the path this execution took">
<defs>
<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker>
<marker id="arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead taken"/></marker>
</defs>
<g class="edges">${edges}</g>
<g class="edge-labels">${labels}</g>
<g class="nodes">${nodes}</g>
</svg>`;
}

function edgeSvg(edge: PlacedEdge, taken: boolean): Html {
  return html`<path id="edge-${edge.id}" class="edge kind-${edge.kind}${taken ? ' taken' : ''}" data-edge="${edge.id}" d="${pathData(edge.points)}"/>`;
}

function edgeLabelSvg(edge: PlacedEdge): Html | string {
  if (!edge.label || !edge.labelAt) return '';
  return html`<text class="edge-label kind-${edge.kind}" x="${round(edge.labelAt.x)}" y="${round(edge.labelAt.y)}" text-anchor="middle" dominant-baseline="middle">${edge.label}</text>`;
}

function nodeSvg(node: PlacedNode, facts: NodeFacts): Html {
  const { x, y, width, height } = node.box;
  const cx = round(x + width / 2);
  const cy = round(y + height / 2);
  const shape =
    node.kind !== 'state'
      ? html`<circle class="shape" cx="${cx}" cy="${cy}" r="${round(width / 2)}"/>`
      : node.type === 'Choice'
        ? html`<polygon class="shape" points="${hexagon(node)}"/>`
        : html`<rect class="shape" x="${round(x)}" y="${round(y)}" width="${round(width)}" height="${round(height)}" rx="${node.type === 'Succeed' || node.type === 'Fail' ? 18 : 6}"/>`;
  const label =
    node.kind === 'state'
      ? html`<text class="label" x="${round(x + 26)}" y="${cy}" dominant-baseline="central">${node.label}</text>
<text class="status-mark" data-role="mark" x="${round(x + 14)}" y="${cy}" text-anchor="middle" dominant-baseline="central" aria-hidden="true">${facts.mark}</text>
<text class="visit-count" data-role="count" x="${round(x + width - 8)}" y="${cy}" text-anchor="end" dominant-baseline="central" aria-hidden="true">${facts.count}</text>`
      : html`<text class="terminal-label" x="${cx}" y="${cy}" text-anchor="middle" dominant-baseline="central" aria-hidden="true">${node.kind === 'start' ? '▷' : '■'}</text>`;
  const body = html`<title>${facts.description}</title>${shape}${label}`;
  const attributes = html`class="node node-${node.kind} type-${node.type ?? node.kind} status-${facts.status}" data-node="${node.id}" aria-label="${facts.description}"`;
  // States are links to their latest visit: focusable once visited (an SVG link without href is not),
  // and console.js gives one its href when the state is entered during a running execution.
  return node.kind === 'state'
    ? html`<a ${attributes}${facts.href ? html` href="${facts.href}"` : ''}>${body}</a>`
    : html`<g ${attributes} role="img">${body}</g>`;
}

function hexagon(node: PlacedNode): string {
  const { x, y, width, height } = node.box;
  const inset = height / 2;
  const points: [number, number][] = [
    [x + inset, y],
    [x + width - inset, y],
    [x + width, y + height / 2],
    [x + width - inset, y + height],
    [x + inset, y + height],
    [x, y + height / 2],
  ];
  return points.map(([px, py]) => `${round(px)},${round(py)}`).join(' ');
}

/** A smooth path through the layout's points: straight ends, rounded bends. */
export function pathData(points: readonly Point[]): string {
  const [first, ...rest] = points;
  if (!first) return '';
  let d = `M${round(first.x)},${round(first.y)}`;
  for (let i = 0; i < rest.length; i++) {
    const point = rest[i] as Point;
    const next = rest[i + 1];
    if (!next) d += ` L${round(point.x)},${round(point.y)}`;
    else
      d += ` Q${round(point.x)},${round(point.y)} ${round((point.x + next.x) / 2)},${round((point.y + next.y) / 2)}`;
  }
  return d;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

import { describe, expect, it } from '@jest/globals';
import { graphOf, stateNodeId } from '../../local/console/model/asl-graph.js';
import { type Box, layOut, type PlacedNode, type Point } from '../../local/console/model/layout.js';
import { pathData } from '../../local/console/views/graph-svg.js';
import { recordedDefinition } from './recorded.js';

const layout = layOut(graphOf(recordedDefinition()));
const node = (id: string): PlacedNode => {
  const found = layout.nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
};
const state = (name: string) => node(stateNodeId(name));
const centreY = (box: Box) => box.y + box.height / 2;
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
/** How far a point is from a box's border (0 on it). */
function distanceToBorder(p: Point, box: Box): number {
  const dx = Math.max(box.x - p.x, 0, p.x - (box.x + box.width));
  const dy = Math.max(box.y - p.y, 0, p.y - (box.y + box.height));
  if (dx > 0 || dy > 0) return Math.hypot(dx, dy);
  return Math.min(p.x - box.x, box.x + box.width - p.x, p.y - box.y, box.y + box.height - p.y);
}

describe("the layout of the deployment state machine's graph", () => {
  it('places every node inside the drawing, with no two overlapping', () => {
    for (const n of layout.nodes) {
      expect(n.box.x).toBeGreaterThanOrEqual(0);
      expect(n.box.y).toBeGreaterThanOrEqual(0);
      expect(n.box.x + n.box.width).toBeLessThanOrEqual(layout.width);
      expect(n.box.y + n.box.height).toBeLessThanOrEqual(layout.height);
    }
    for (const [i, a] of layout.nodes.entries())
      for (const b of layout.nodes.slice(i + 1))
        expect({ pair: [a.id, b.id], overlap: overlaps(a.box, b.box) }).toEqual({
          pair: [a.id, b.id],
          overlap: false,
        });
  });

  it('reads top to bottom along the path a deployment takes', () => {
    const forward = [
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
    ];
    const ys = forward.map((name) => centreY(state(name).box));
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
    expect(new Set(ys).size).toBe(ys.length);
    expect(centreY(node('start').box)).toBeLessThan(ys[0] ?? 0);
    expect(centreY(node('end').box)).toBeGreaterThan(Math.max(...ys));
  });

  it('puts the rollback chain below the step whose Catch leads to it', () => {
    expect(state('Rollback').box.y).toBeGreaterThan(state('CheckRollout').box.y);
    expect(state('RecordRolledBack').box.y).toBeGreaterThan(state('Rollback').box.y);
  });

  it('routes every edge from its source border to its target border, loops included', () => {
    for (const edge of layout.edges) {
      const first = edge.points[0];
      const last = edge.points.at(-1);
      expect(edge.points.length).toBeGreaterThanOrEqual(2);
      if (!first || !last) continue;
      // dagre ends edges on the node's border; a pixel of rounding either way is still on it.
      expect({ edge: edge.id, start: distanceToBorder(first, node(edge.from).box) < 1.5 }).toEqual({
        edge: edge.id,
        start: true,
      });
      expect({ edge: edge.id, end: distanceToBorder(last, node(edge.to).box) < 1.5 }).toEqual({
        edge: edge.id,
        end: true,
      });
    }
    const loop = layout.edges.find((e) => e.from === stateNodeId('RolloutDone?') && e.kind === 'default');
    expect(loop?.to).toBe(stateNodeId('WaitForRollout'));
  });

  it('places a label on each Choice rule, Default and Catch edge, and none on plain ones', () => {
    for (const edge of layout.edges) {
      if (edge.kind === 'choice' || edge.kind === 'default' || edge.kind === 'catch')
        expect(edge.labelAt).toEqual({ x: expect.any(Number), y: expect.any(Number) });
      else expect(edge.labelAt).toBeUndefined();
    }
  });

  it('sizes a state to its name, so long names fit', () => {
    expect(state('DeploymentFailedUnrecorded').box.width).toBeGreaterThan(state('Build').box.width);
    expect(state('Build').box.height).toBe(state('DeploymentFailedUnrecorded').box.height);
  });

  it('lays the same definition out the same way every time', () => {
    expect(layOut(graphOf(recordedDefinition()))).toEqual(layout);
  });
});

describe('edge paths', () => {
  it('go straight through two points and bend smoothly through more', () => {
    expect(
      pathData([
        { x: 0, y: 0 },
        { x: 0, y: 10 },
      ]),
    ).toBe('M0,0 L0,10');
    expect(
      pathData([
        { x: 0, y: 0 },
        { x: 10, y: 10 },
        { x: 20, y: 10 },
      ]),
    ).toBe('M0,0 Q10,10 15,10 L20,10');
    expect(pathData([])).toBe('');
  });
});

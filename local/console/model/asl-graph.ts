/**
 * A state machine's graph, read from its Amazon States Language definition:
 * one node per top-level state plus Start and End, and one edge per way
 * control can move — `Next`, each Choice rule and its `Default`, each
 * `Catch`, and `End` (or a Succeed/Fail state) into End.
 */
export type EdgeKind = 'start' | 'next' | 'choice' | 'default' | 'catch' | 'end';

export interface GraphNode {
  /** Unique, and never equal to a state's name, so a state named "Start" cannot collide with Start. */
  id: string;
  label: string;
  kind: 'start' | 'end' | 'state';
  /** The state's ASL type (Task, Choice, Pass, Wait, Succeed, Fail, Parallel, Map). */
  type?: string;
}

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  kind: EdgeKind;
  /** What a reader needs to tell this edge from its siblings: the Choice rule, the errors caught. */
  label?: string;
}

export interface StateGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export const START_ID = 'start';
export const END_ID = 'end';
export const stateNodeId = (stateName: string) => `state:${stateName}`;

/** The definition is not an ASL document the console can draw. */
export class DefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DefinitionError';
  }
}

interface AslState {
  Type?: unknown;
  Next?: unknown;
  End?: unknown;
  Default?: unknown;
  Choices?: unknown;
  Catch?: unknown;
}

export function graphOf(definition: string): StateGraph {
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch {
    throw new DefinitionError('The state machine definition is not JSON');
  }
  const asl = parsed as { StartAt?: unknown; States?: unknown } | null;
  if (!asl || typeof asl.StartAt !== 'string' || !isRecord(asl.States))
    throw new DefinitionError('The state machine definition has no StartAt and States');
  const states = asl.States as Record<string, AslState>;

  const nodes: GraphNode[] = [{ id: START_ID, label: 'Start', kind: 'start' }];
  const edges: GraphEdge[] = [];
  const names = new Set(Object.keys(states));
  const connect = (from: string, toState: unknown, kind: EdgeKind, label?: string) => {
    // A target that is not a state is a broken definition; drawing an edge to nowhere would hide that.
    if (typeof toState !== 'string' || !names.has(toState)) return;
    edges.push({ id: `e${edges.length}`, from, to: stateNodeId(toState), kind, ...(label ? { label } : {}) });
  };
  connect(START_ID, asl.StartAt, 'start');
  for (const [name, state] of Object.entries(states)) {
    const id = stateNodeId(name);
    const type = typeof state?.Type === 'string' ? state.Type : 'Unknown';
    nodes.push({ id, label: name, kind: 'state', type });
    if (type === 'Choice') {
      for (const rule of Array.isArray(state.Choices) ? state.Choices : [])
        connect(id, (rule as { Next?: unknown }).Next, 'choice', describeRule(rule));
      connect(id, state.Default, 'default', 'Default');
    } else {
      connect(id, state.Next, 'next');
    }
    for (const catcher of Array.isArray(state.Catch) ? state.Catch : []) {
      const errors = (catcher as { ErrorEquals?: unknown }).ErrorEquals;
      connect(id, (catcher as { Next?: unknown }).Next, 'catch', catchLabel(errors));
    }
    if (state.End === true || type === 'Succeed' || type === 'Fail')
      edges.push({ id: `e${edges.length}`, from: id, to: END_ID, kind: 'end' });
  }
  nodes.push({ id: END_ID, label: 'End', kind: 'end' });
  return { nodes, edges };
}

const OPERATORS: [suffix: string, symbol: string][] = [
  ['GreaterThanEquals', '≥'],
  ['LessThanEquals', '≤'],
  ['GreaterThan', '>'],
  ['LessThan', '<'],
  ['Equals', '='],
  ['Matches', 'matches'],
];
const MAX_LABEL = 48;

/** A Choice rule as a short condition: `$.rollout.state = "COMPLETED"`, `not (…)`, `… and …`. */
export function describeRule(rule: unknown): string {
  const text = ruleText(rule);
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
}

function ruleText(rule: unknown): string {
  if (!isRecord(rule)) return '?';
  if (typeof rule.Condition === 'string') return rule.Condition;
  if (Array.isArray(rule.And)) return rule.And.map(ruleText).join(' and ');
  if (Array.isArray(rule.Or)) return rule.Or.map(ruleText).join(' or ');
  if (rule.Not !== undefined) return `not (${ruleText(rule.Not)})`;
  const variable = typeof rule.Variable === 'string' ? rule.Variable : '?';
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'Variable' || key === 'Next') continue;
    const byPath = key.endsWith('Path') && !key.startsWith('Is');
    const test = byPath ? key.slice(0, -4) : key;
    if (test.startsWith('Is')) return `${variable} ${value === false ? 'is not' : 'is'} ${test.slice(2)}`;
    const operator = OPERATORS.find(([suffix]) => test.endsWith(suffix));
    const shown = byPath ? String(value) : JSON.stringify(value);
    if (operator) return `${variable} ${operator[1]} ${shown}`;
  }
  return variable;
}

/** `catch` for a catch-all (the common case, and the one that needs no words), else the errors caught. */
function catchLabel(errors: unknown): string {
  const names = Array.isArray(errors) ? errors.map(String) : [];
  if (names.length === 0 || names.includes('States.ALL')) return 'catch';
  const text = `catch ${names.join(', ')}`;
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

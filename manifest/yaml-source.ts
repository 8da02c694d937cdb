import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  type YAMLError,
} from 'yaml';
import type { KeyPath } from './errors.js';

export interface Position {
  line: number;
  column: number;
}

/** A manifest's YAML text: its value, its syntax problems, and where each key path is written. */
export interface YamlSource {
  value: unknown;
  syntaxProblems: (Position & { message: string })[];
  /** Where the key (for a map entry) or the item (for a list item) at path is written; for a missing key, its nearest written parent. */
  locate(path: KeyPath): Position;
}

/** yaml's own wording names its API; these say what to change in the file. */
const CLEARER: Record<string, string> = {
  DUPLICATE_KEY:
    'this key appears twice in the same map; keys (service names, table names, …) must be unique',
  MULTIPLE_DOCS: 'the manifest is one YAML document: remove the `---` separator',
};

export function readYaml(text: string): YamlSource {
  const lineCounter = new LineCounter();
  // `<<` merge keys let a manifest share settings between services (`<<: *defaults`).
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  const positionOf = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const describe = (error: YAMLError) => ({
    ...positionOf(error.pos[0]),
    message: CLEARER[error.code] ?? error.message,
  });
  const syntaxProblems = [...doc.errors.map(describe), ...doc.warnings.map(describe)];
  let value: unknown = null;
  if (syntaxProblems.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // Only an alias explosion (a "billion laughs" document) throws here.
      syntaxProblems.push({ line: 1, column: 1, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { value, syntaxProblems, locate: (path) => positionOf(offsetOf(doc, path)) };
}

function offsetOf(doc: Document, path: KeyPath): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = findPair(doc, node.items as Pair[], String(segment));
      if (!pair) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item?.range) break;
      offset = item.range[0];
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

/** The pair with this key, written in the map or brought in by a `<<` merge. */
function findPair(doc: Document, pairs: Pair[], key: string): Pair | undefined {
  const own = pairs.find((pair) => keyText(pair.key) === key);
  if (own) return own;
  for (const pair of pairs) {
    if (keyText(pair.key) !== '<<') continue;
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (let source of sources) {
      if (isAlias(source)) source = source.resolve(doc);
      if (!isMap(source)) continue;
      const merged = findPair(doc, source.items as Pair[], key);
      if (merged) return merged;
    }
  }
  return undefined;
}

/** A merge key's value is a symbol whose description is `<<`. */
function keyText(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  return typeof key.value === 'symbol' ? key.value.description : String(key.value);
}

/** The value at path in a parsed document, or undefined when the path is not there. */
export function valueAt(value: unknown, path: KeyPath): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

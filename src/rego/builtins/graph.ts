/** `graph.reachable`, `graph.reachable_paths` and the relation `walk`. */
import { RObject, RSet, type RArray, type Value } from '../value.ts';
import { anyOf, arg, arrayOf, fn, obj, objectOf, relation, setOf, typeError } from './args.ts';
import type { BuiltinDecl } from './types.ts';

function vertices(v: Value | undefined): readonly Value[] {
  if (Array.isArray(v)) return v as RArray;
  if (v instanceof RSet) return v.values();
  return [];
}

function initial(name: string, v: Value): readonly Value[] {
  if (Array.isArray(v) || v instanceof RSet) return vertices(v);
  throw typeError(name, 2, v, '{array, set}');
}

function reachable(args: readonly Value[]): Value {
  const graph = obj('graph.reachable', args, 0);
  const queue = [...initial('graph.reachable', arg(args, 1))];
  const reached = new RSet();
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] as Value;
    const edges = graph.get(node);
    if (edges === undefined) continue;
    for (const n of vertices(edges)) if (!reached.has(n)) queue.push(n);
    reached.add(node);
  }
  return reached;
}

function buildPaths(graph: RObject, root: Value, path: Value[], out: RSet, reached: RSet): void {
  const edges = graph.get(root);
  if (edges === undefined) {
    out.add(path);
    return;
  }
  const here = [...path, root];
  const next = vertices(edges);
  if (next.length === 0) {
    out.add(here);
    return;
  }
  const seen = RSet.of(reached.values());
  seen.add(root);
  for (const n of next) {
    if (seen.has(n)) out.add(here);
    else buildPaths(graph, n, here, out, seen);
  }
}

function reachablePaths(args: readonly Value[]): Value {
  const graph = obj('graph.reachable_paths', args, 0);
  const out = new RSet();
  for (const node of initial('graph.reachable_paths', arg(args, 1))) {
    const edges = graph.get(node);
    if (edges === undefined) continue;
    const next = vertices(edges);
    if (next.length === 0) out.add([node]);
    else for (const n of next) buildPaths(graph, n, [node], out, RSet.of([node]));
  }
  return out;
}

/** Every [path, value] pair of a document, pre-order, children in OPA's key order. */
export function* walkValue(v: Value, path: readonly Value[] = []): Generator<Value> {
  yield [path, v];
  if (Array.isArray(v)) {
    const a = v as RArray;
    for (let i = 0; i < a.length; i++) yield* walkValue(a[i] as Value, [...path, i]);
  } else if (v instanceof RObject) {
    for (const [k, x] of v.entries()) yield* walkValue(x, [...path, k]);
  } else if (v instanceof RSet) {
    for (const x of v.values()) yield* walkValue(x, [...path, x]);
  }
}

const GRAPH = objectOf('any', anyOf(arrayOf('any'), setOf('any')));
const NODES = anyOf(arrayOf('any'), setOf('any'));

export const GRAPH_BUILTINS: readonly BuiltinDecl[] = [
  fn('graph.reachable', [GRAPH, NODES], setOf('any'), reachable),
  fn('graph.reachable_paths', [GRAPH, NODES], setOf(arrayOf('any')), reachablePaths),
  relation('walk', ['any'], arrayOf('any'), (args) => walkValue(arg(args, 0))),
];

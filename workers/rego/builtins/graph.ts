/**
 * graph.reachable and graph.reachable_paths over a graph given as an object
 * from vertex to an array or set of neighbours. Vertices missing from the
 * graph are not reached; neighbour lists of any other type have no edges.
 */
import type { Value } from "../value/index.js";
import { type RObject, RSet, typeName } from "../value/index.js";
import type { BuiltinContext, BuiltinTable } from "./types.js";
import { object, typeError } from "./args.js";

function vertices(v: Value): Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof RSet) return v.values();
  return [];
}

function initialVertices(args: Value[]): Value[] {
  const v = args[1] as Value;
  if (!Array.isArray(v) && !(v instanceof RSet)) {
    throw typeError(`operand 2 must be {array, set} but got ${typeName(v)}`);
  }
  return vertices(v);
}

function reachable(args: Value[]): Value {
  const graph = object(args, 0);
  const queue = initialVertices(args).slice();
  const reached = new RSet();
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] as Value;
    // A vertex queued twice before it was reached adds nothing the second time.
    if (reached.has(node)) continue;
    const edges = graph.get(node);
    if (edges === undefined) continue;
    for (const n of vertices(edges)) if (!reached.has(n)) queue.push(n);
    reached.add(node);
  }
  return reached;
}

/**
 * OPA's pathBuilder, quirks included, since its results are what policies see:
 * `visited` is shared by the whole search below one first edge, and a vertex
 * joins it only when the search goes on from it to an unvisited neighbour, so
 * a vertex reached again by another branch ends that branch; and each further
 * already-visited neighbour of one vertex commits the path once more, the
 * copies concatenated (Go's `paths = append(paths, path...)`).
 */
function extend(graph: RObject, root: Value, path: Value[], visited: RSet, out: RSet, ctx: BuiltinContext): void {
  // The number of paths can grow exponentially with the graph: each step and each path copied (and hashed into the result) is charged.
  ctx.charge(16 * (1 + path.length));
  const edges = graph.get(root);
  if (edges === undefined) {
    // A vertex outside the graph ends the path without joining it.
    out.add(path.slice());
    return;
  }
  path.push(root);
  const next = vertices(edges);
  if (next.length === 0) out.add(path.slice());
  let committed: Value[] = [];
  for (const n of next) {
    if (visited.has(n)) {
      committed = committed.concat(path);
      out.add(committed);
    } else {
      visited.add(root);
      extend(graph, n, path, visited, out, ctx);
    }
  }
  path.pop();
}

function reachablePaths(args: Value[], ctx: BuiltinContext): Value {
  const graph = object(args, 0);
  const out = new RSet();
  for (const node of initialVertices(args)) {
    const edges = graph.get(node);
    if (edges === undefined) continue;
    const next = vertices(edges);
    if (next.length === 0) {
      out.add([node]);
      continue;
    }
    for (const n of next) extend(graph, n, [node], RSet.from([node]), out, ctx);
  }
  return out;
}

export const graphBuiltins: BuiltinTable = {
  "graph.reachable": reachable,
  "graph.reachable_paths": reachablePaths,
};

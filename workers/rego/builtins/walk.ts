/**
 * walk(x): every node of x as a [path, value] pair, in OPA's order — the node
 * itself first, then its children (array indices ascending, object keys and
 * set members in Rego's order; a set member's path segment is the member).
 * As in OPA's IR the whole list is returned and the plan scans it.
 *
 * Each pair holds its own path, so the result is as big as the sum of the
 * nodes' depths: quadratic in the depth of a deep value. That sum is charged
 * before any path is built, and both passes run from explicit stacks.
 */
import type { Value } from "../value/index.js";
import { RObject, RSet } from "../value/index.js";
import type { BuiltinContext, BuiltinTable } from "./types.js";

/** A node's children as (path segment, child) pairs, in walk's order. */
function children(node: Value): [Value, Value][] {
  if (Array.isArray(node)) return node.map((x, i) => [i, x]);
  if (node instanceof RObject) return node.keys().map((k) => [k, node.get(k) as Value]);
  if (node instanceof RSet) return node.values().map((m) => [m, m]);
  return [];
}

/** The sum of the nodes' depths: the path segments walk's result holds. */
function pathSegments(x: Value): number {
  let total = 0;
  const todo: [Value, number][] = [[x, 0]];
  while (todo.length > 0) {
    const [node, depth] = todo.pop() as [Value, number];
    total += depth;
    for (const [, child] of children(node)) todo.push([child, depth + 1]);
  }
  return total;
}

export function walk(x: Value, ctx: BuiltinContext): Value[] {
  ctx.charge(pathSegments(x));
  const out: Value[] = [];
  // Pending nodes with their paths, the next on top (children pushed in reverse).
  const todo: [Value[], Value][] = [[[], x]];
  while (todo.length > 0) {
    const [path, node] = todo.pop() as [Value[], Value];
    out.push([path, node]);
    const kids = children(node);
    for (let i = kids.length - 1; i >= 0; i--) {
      const [segment, child] = kids[i] as [Value, Value];
      todo.push([[...path, segment], child]);
    }
  }
  return out;
}

export const walkBuiltins: BuiltinTable = {
  walk: (args, ctx) => walk(args[0] as Value, ctx),
};

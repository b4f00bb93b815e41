/**
 * walk(x): every node of x as a [path, value] pair, in OPA's order — the node
 * itself first, then its children (array indices ascending, object keys and
 * set members in Rego's order; a set member's path segment is the member).
 * As in OPA's IR the whole list is returned and the plan scans it.
 */
import type { Value } from "../value/index.js";
import { RObject, RSet } from "../value/index.js";
import type { BuiltinTable } from "./types.js";

function visit(node: Value, path: Value[], out: Value[]): void {
  out.push([path.slice(), node]);
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      path.push(i);
      visit(node[i] as Value, path, out);
      path.pop();
    }
  } else if (node instanceof RObject) {
    for (const k of node.keys()) {
      path.push(k);
      visit(node.get(k) as Value, path, out);
      path.pop();
    }
  } else if (node instanceof RSet) {
    for (const m of node.values()) {
      path.push(m);
      visit(m, path, out);
      path.pop();
    }
  }
}

export function walk(x: Value): Value[] {
  const out: Value[] = [];
  visit(x, [], out);
  return out;
}

export const walkBuiltins: BuiltinTable = {
  walk: (args) => walk(args[0] as Value),
};

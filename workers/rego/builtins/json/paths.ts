/**
 * Paths into documents as json.filter, json.remove and json.patch take them:
 * "a/b/c" strings (JSON-pointer escaping, any number of leading slashes) or
 * arrays of path segments (any values). OPA's topdown/json.go semantics.
 */
import type { Value } from "../../value/index.js";
import { RObject, RSet, typeName } from "../../value/index.js";
import { typeError } from "../args.js";
import { checkNesting } from "../nesting.js";

/** OPA's parsePath. Throws OPA's operand-2 type error for other values. */
export function parsePath(p: Value): Value[] {
  if (typeof p === "string") {
    if (p === "") return [];
    // Every leading slash goes (Go's strings.TrimLeft), then "~1" and "~0" unescape in that order.
    return p
      .replace(/^\/+/, "")
      .split("/")
      .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"));
  }
  if (Array.isArray(p)) return p;
  throw typeError(`operand 2 must be one of {set, array} containing string paths or array of path segments but got ${typeName(p)}`);
}

/** OPA's getJSONPaths: the paths operand of json.filter / json.remove. */
export function parsePaths(v: Value): Value[][] {
  if (Array.isArray(v)) return v.map(parsePath);
  if (v instanceof RSet) return v.values().map(parsePath);
  // OPA lists the expected types in this order (not sorted).
  throw typeError(`operand 2 must be one of {set, array} but got ${typeName(v)}`);
}

/**
 * OPA's pathsToObject: a tree of objects whose leaves (null) mark the ends of
 * paths. A shorter path wins over a longer one through the same node.
 */
export function pathsToTree(paths: Value[][]): RObject {
  const root = new RObject();
  for (const path of paths) {
    if (path.length === 0) continue;
    let node = root;
    let done = false;
    for (let i = 0; i < path.length - 1; i++) {
      const k = path[i] as Value;
      const child = node.get(k);
      if (child === undefined) {
        const obj = new RObject();
        node.set(k, obj);
        node = obj;
        continue;
      }
      if (child === null) {
        done = true;
        break;
      }
      node = child as RObject;
    }
    if (!done) node.set(path[path.length - 1] as Value, null);
  }
  return root;
}

/** Array elements are selected by their index written as a string, as OPA does. */
function indexKey(i: number): string {
  return String(i);
}

/** OPA's Object.Filter: keeps what the tree selects (recursing as deep as the paths go, within the built-ins' nesting limit). */
export function filterByTree(v: Value, tree: Value, depth = 0): Value {
  if (tree === null) return v;
  checkNesting(depth, "path");
  if (!(tree instanceof RObject)) return v;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    v.forEach((e, i) => {
      const sub = tree.get(indexKey(i));
      if (sub !== undefined) out.push(filterByTree(e, sub, depth + 1));
    });
    return out;
  }
  if (v instanceof RSet) {
    const out = new RSet();
    for (const m of v.values()) {
      const sub = tree.get(m);
      if (sub !== undefined) out.add(filterByTree(m, sub, depth + 1));
    }
    return out;
  }
  if (v instanceof RObject) {
    const out = new RObject();
    for (const [k, val] of v.entries()) {
      const sub = tree.get(k);
      if (sub !== undefined) out.set(k, filterByTree(val, sub, depth + 1));
    }
    return out;
  }
  return v;
}

/** OPA's jsonRemove: drops what the tree's leaves select; undefined when `v` itself goes. */
export function removeByTree(v: Value, tree: Value | undefined, depth = 0): Value | undefined {
  if (tree === undefined) return v;
  if (tree === null) return undefined;
  checkNesting(depth, "path");
  if (!(tree instanceof RObject)) return v;
  if (Array.isArray(v)) {
    // Removed elements close up, as in JSON Patch.
    const out: Value[] = [];
    v.forEach((e, i) => {
      const kept = removeByTree(e, tree.get(indexKey(i)), depth + 1);
      if (kept !== undefined) out.push(kept);
    });
    return out;
  }
  if (v instanceof RSet) {
    const out = new RSet();
    for (const m of v.values()) {
      const kept = removeByTree(m, tree.get(m), depth + 1);
      if (kept !== undefined) out.add(kept);
    }
    return out;
  }
  if (v instanceof RObject) {
    const out = new RObject();
    for (const [k, val] of v.entries()) {
      const kept = removeByTree(val, tree.get(k), depth + 1);
      if (kept !== undefined) out.set(k, kept);
    }
    return out;
  }
  return v;
}

/**
 * object.get, object.keys, object.remove, object.filter, object.union,
 * object.union_n, object.subset.
 */
import type { Value } from "../value/index.js";
import { RObject, RSet, equals, typeName } from "../value/index.js";
import { mergeDeep } from "../value/deep.js";
import type { BuiltinTable } from "./types.js";
import { array, object, typeError } from "./args.js";

/** The value at `path[from..]` below `v`, as OPA's Value.Find walks it. */
function find(v: Value, path: Value[], from: number): Value | undefined {
  let cur: Value = v;
  for (let i = from; i < path.length; i++) {
    const key = path[i] as Value;
    if (cur instanceof RObject) {
      const next = cur.get(key);
      if (next === undefined) return undefined;
      cur = next;
    } else if (Array.isArray(cur)) {
      if (typeof key !== "number" || !Number.isInteger(key) || key < 0 || key >= cur.length) return undefined;
      cur = cur[key] as Value;
    } else if (cur instanceof RSet) {
      // A set "contains" its members under themselves.
      if (!cur.has(key)) return undefined;
      cur = key;
    } else {
      return undefined;
    }
  }
  return cur;
}

function get(args: Value[]): Value {
  const obj = object(args, 0);
  const key = args[1] as Value;
  const fallback = args[2] as Value;
  if (!Array.isArray(key)) return obj.get(key) ?? fallback;
  return find(obj, key, 0) ?? fallback;
}

/** Keys given as an array, a set, or an object's keys (OPA's getObjectKeysParam). */
function keySet(v: Value): RSet | RObject {
  if (v instanceof RSet || v instanceof RObject) return v;
  if (Array.isArray(v)) return RSet.from(v);
  throw typeError(`operand 2 must be one of {object, set, array} but got ${typeName(v)}`);
}

function remove(args: Value[]): Value {
  const obj = object(args, 0);
  const keys = keySet(args[1] as Value);
  const out = new RObject();
  let removed = false;
  obj.everyUnordered((k, v) => {
    if (keys.has(k)) removed = true;
    else out.set(k, v);
    return true;
  });
  return removed ? out : obj;
}

function filter(args: Value[]): Value {
  const obj = object(args, 0);
  const keys = keySet(args[1] as Value);
  const out = new RObject();
  obj.everyUnordered((k, v) => {
    if (keys.has(k)) out.set(k, v);
    return true;
  });
  return out;
}

/** Recursive merge: on a shared key two objects merge, otherwise `b` wins. */
function merge(a: RObject, b: RObject): RObject {
  return mergeDeep(a, b, (_, bv) => bv);
}

function union(args: Value[]): Value {
  const a = object(args, 0);
  const b = object(args, 1);
  if (b.size === 0 || equals(a, b)) return a;
  if (a.size === 0) return b;
  return merge(a, b);
}

/**
 * Copies nested objects so merging into them cannot touch the inputs. From
 * an explicit stack (objects of any depth): each copy is filled after it is
 * put into its parent, as mergeEarlier fills them.
 */
function deepCopyObjects(o: RObject): RObject {
  const root = new RObject();
  const todo: [RObject, RObject][] = [[o, root]];
  while (todo.length > 0) {
    const [src, dst] = todo.pop() as [RObject, RObject];
    src.everyUnordered((k, v) => {
      if (v instanceof RObject) {
        const copy = new RObject();
        dst.set(k, copy);
        todo.push([v, copy]);
      } else dst.set(k, v);
      return true;
    });
  }
  return root;
}

/**
 * Merges `other` into `target` where `target` holds the later objects' values:
 * existing values win, nested objects merge, and an object value that a later
 * non-object overrode is frozen so no earlier object merges into it. Nested
 * pairs are merged from an explicit stack; each touches objects of its own.
 */
function mergeEarlier(target: RObject, other: RObject, frozen: Set<RObject>): void {
  const todo: [RObject, RObject][] = [[target, other]];
  while (todo.length > 0) {
    const [t, o] = todo.pop() as [RObject, RObject];
    o.everyUnordered((k, v) => {
      const existing = t.get(k);
      if (existing === undefined) {
        t.set(k, v instanceof RObject ? deepCopyObjects(v) : v);
      } else if (existing instanceof RObject && v instanceof RObject) {
        if (!frozen.has(existing)) todo.push([existing, v]);
      } else if (existing instanceof RObject) {
        frozen.add(existing);
      }
      return true;
    });
  }
}

function unionN(args: Value[]): Value {
  const arr = array(args, 0);
  const result = new RObject();
  const frozen = new Set<RObject>();
  // Back to front, so the last assignment of a key wins, as OPA does it.
  for (let i = arr.length - 1; i >= 0; i--) {
    const o = arr[i] as Value;
    if (!(o instanceof RObject)) {
      throw typeError(`operand 1 must be array of objects but got array containing ${typeName(o)}`);
    }
    mergeEarlier(result, o, frozen);
  }
  return result;
}

// ---- object.subset ------------------------------------------------------

/** Nested objects are compared level by level from a stack of pairs: the depth of the values costs heap, not call stack. */
function objectSubset(sup: RObject, sub: RObject): boolean {
  const pairs: [RObject, RObject][] = [[sup, sub]];
  const holds = (outer: RObject) => (k: Value, subV: Value) => {
    const supV = outer.get(k);
    if (supV === undefined) return false;
    if (equals(subV, supV)) return true;
    if (supV instanceof RObject && subV instanceof RObject) {
      pairs.push([supV, subV]);
      return true;
    }
    if (supV instanceof RSet && subV instanceof RSet) return setSubset(supV, subV);
    if (Array.isArray(supV) && Array.isArray(subV)) return arraySubset(supV, subV);
    return false;
  };
  while (pairs.length > 0) {
    const [outer, inner] = pairs.pop() as [RObject, RObject];
    if (!inner.everyUnordered(holds(outer))) return false;
  }
  return true;
}

function setSubset(sup: RSet, sub: RSet): boolean {
  for (const v of sub.unorderedValues()) if (!sup.has(v)) return false;
  return true;
}

/** `sub` occurs in `sup` as a contiguous run. */
function arraySubset(sup: Value[], sub: Value[]): boolean {
  if (sub.length > sup.length) return false;
  outer: for (let start = 0; start + sub.length <= sup.length; start++) {
    for (let j = 0; j < sub.length; j++) {
      if (!equals(sup[start + j] as Value, sub[j] as Value)) continue outer;
    }
    return true;
  }
  return false;
}

/**
 * Every member of `sub` occurs in `sup`. Faithful to OPA, this counts matching
 * array elements (duplicates included) and so is false for an empty array.
 */
function arraySetSubset(sup: Value[], sub: RSet): boolean {
  let unmatched = sub.size;
  for (const v of sup) {
    if (sub.has(v)) unmatched--;
    if (unmatched <= 0) return true;
  }
  return false;
}

function subset(args: Value[]): Value {
  const sup = args[0] as Value;
  const sub = args[1] as Value;
  if (sup instanceof RObject && sub instanceof RObject) return objectSubset(sup, sub);
  if (sup instanceof RSet && sub instanceof RSet) return setSubset(sup, sub);
  if (Array.isArray(sup)) {
    if (Array.isArray(sub)) return arraySubset(sup, sub);
    if (sub instanceof RSet) return arraySetSubset(sup, sub);
  }
  throw typeError("both arguments object.subset must be of the same type or array and set");
}

export const objectsBuiltins: BuiltinTable = {
  "object.get": get,
  "object.keys": (args) => {
    const out = new RSet();
    object(args, 0).everyUnordered((k) => {
      out.add(k);
      return true;
    });
    return out;
  },
  "object.remove": remove,
  "object.filter": filter,
  "object.union": union,
  "object.union_n": unionN,
  "object.subset": subset,
};

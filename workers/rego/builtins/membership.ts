/**
 * The `in` operator: internal.member_2(x, coll) is `x in coll`,
 * internal.member_3(k, v, coll) is `k, v in coll`. Anything that is not a
 * collection simply has no members. These run in the innermost loops of
 * policies, so the array and set cases allocate nothing.
 */
import type { Value } from "../value/index.js";
import { RObject, RSet, equals, hashCode } from "../value/index.js";
import type { BuiltinTable } from "./types.js";

/**
 * Hash indexes of arrays asked about repeatedly (data documents live across
 * evaluations): membership then costs a lookup, not a scan. An index is
 * built on an array's second query and rebuilt if the array has grown
 * (arrays are only ever appended to while a plan builds them).
 */
interface ArrayIndex {
  length: number;
  queries: number;
  buckets?: Map<number, Value[]>;
}
const arrayIndexes = new WeakMap<Value[], ArrayIndex>();
const INDEX_MIN_LENGTH = 8;

function indexedMember(x: Value, coll: Value[]): boolean | undefined {
  let idx = arrayIndexes.get(coll);
  if (!idx || idx.length !== coll.length) arrayIndexes.set(coll, (idx = { length: coll.length, queries: 0 }));
  if (++idx.queries < 2) return undefined;
  if (!idx.buckets) {
    const buckets = new Map<number, Value[]>();
    for (const e of coll) {
      const h = hashCode(e);
      const b = buckets.get(h);
      if (b) b.push(e);
      else buckets.set(h, [e]);
    }
    idx.buckets = buckets;
  }
  const bucket = idx.buckets.get(hashCode(x));
  if (!bucket) return false;
  // The element first: its sorted keys are cached, the probe's may not be yet.
  for (let i = 0; i < bucket.length; i++) if (equals(bucket[i] as Value, x)) return true;
  return false;
}

export function isMember(x: Value, coll: Value): boolean {
  if (Array.isArray(coll)) {
    if (coll.length >= INDEX_MIN_LENGTH) {
      const found = indexedMember(x, coll);
      if (found !== undefined) return found;
    }
    if (typeof x === "string" || typeof x === "boolean" || x === null) {
      // Scalars other than numbers are equal exactly when identical.
      for (let i = 0; i < coll.length; i++) if (coll[i] === x) return true;
      return false;
    }
    if (typeof x === "number") {
      for (let i = 0; i < coll.length; i++) {
        const e = coll[i] as Value;
        // A bigint can equal a double only when the double is an integer beyond 2^53.
        if (e === x || (typeof e === "bigint" && equals(e, x))) return true;
      }
      return false;
    }
    for (let i = 0; i < coll.length; i++) if (equals(coll[i] as Value, x)) return true;
    return false;
  }
  if (coll instanceof RSet) return coll.has(x);
  if (coll instanceof RObject) {
    for (const v of coll.unorderedValues()) if (equals(x, v)) return true;
  }
  return false;
}

export function isMemberAt(key: Value, value: Value, coll: Value): boolean {
  if (Array.isArray(coll)) {
    // Only an integer index within bounds names an element.
    if (typeof key !== "number" || !Number.isInteger(key) || key < 0 || key >= coll.length) return false;
    return equals(value, coll[key] as Value);
  }
  if (coll instanceof RObject) {
    const v = typeof key === "string" ? coll.getString(key) : coll.get(key);
    return v !== undefined && equals(value, v);
  }
  if (coll instanceof RSet) return equals(key, value) && coll.has(key);
  return false;
}

export const membershipBuiltins: BuiltinTable = {
  "internal.member_2": (args) => isMember(args[0] as Value, args[1] as Value),
  "internal.member_3": (args) => isMemberAt(args[0] as Value, args[1] as Value, args[2] as Value),
};

/**
 * The `in` operator: internal.member_2(x, coll) is `x in coll`,
 * internal.member_3(k, v, coll) is `k, v in coll`. Anything that is not a
 * collection simply has no members. These run in the innermost loops of
 * policies, so the array and set cases allocate nothing.
 */
import type { Value } from "../value/index.js";
import { RObject, RSet, equals } from "../value/index.js";
import type { BuiltinTable } from "./types.js";

export function isMember(x: Value, coll: Value): boolean {
  if (Array.isArray(coll)) {
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
    for (let i = 0; i < coll.length; i++) if (equals(x, coll[i] as Value)) return true;
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

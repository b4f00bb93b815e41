/**
 * Result comparison shared by the conformance runners: rows are compared as
 * an unordered multiset, sets are compared as OPA's JSON shows them (arrays),
 * and with `sort_bindings` each binding's array value is sorted first.
 */
import { RObject, RSet, compare, equals, jsonKey, type Value } from "../../workers/rego/index.js";

/** Sets become sorted arrays, recursively, as OPA's JSON output shows them. */
export function jsonShape(v: Value): Value {
  if (Array.isArray(v)) return v.map(jsonShape);
  if (v instanceof RSet) return v.values().map(jsonShape);
  if (v instanceof RObject) {
    const o = new RObject();
    for (const [k, val] of v.entries()) o.set(typeof k === "string" ? k : jsonKey(k), jsonShape(val));
    return o;
  }
  return v;
}

function sortBindings(row: Value): Value {
  if (!(row instanceof RObject)) return row;
  const o = new RObject();
  for (const [k, v] of row.entries()) o.set(k, Array.isArray(v) ? [...v].sort(compare) : v);
  return o;
}

export function sameRows(got: Value[], want: Value[], sort: boolean): boolean {
  const g = got.map((r) => (sort ? sortBindings(jsonShape(r)) : jsonShape(r)));
  const w = want.map((r) => (sort ? sortBindings(r) : r));
  if (g.length !== w.length) return false;
  const used = new Array<boolean>(g.length).fill(false);
  for (const row of w) {
    const i = g.findIndex((x, j) => !used[j] && equals(x, row));
    if (i < 0) return false;
    used[i] = true;
  }
  return true;
}

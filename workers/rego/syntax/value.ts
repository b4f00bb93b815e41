/**
 * The value of a ground term (`{1, "a", [null]}` → a Rego set), for terms given
 * as data: OPA's `input_term`, `default` values, constants.
 */
import type { Loc, Term } from "./ast.js";
import { RObject, RSet, formatNumber, type Value } from "../value/index.js";

/** The term's value, or undefined when it is not ground data (vars, refs, calls, comprehensions). */
export function groundValue(t: Term): Value | undefined {
  switch (t.type) {
    case "null":
      return null;
    case "boolean":
    case "number":
    case "string":
      return t.value;
    case "array": {
      const out: Value[] = [];
      for (const x of t.value) {
        const v = groundValue(x);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    }
    case "set": {
      const out = new RSet();
      for (const x of t.value) {
        const v = groundValue(x);
        if (v === undefined) return undefined;
        out.add(v);
      }
      return out;
    }
    case "object": {
      const out = new RObject();
      for (const [k, x] of t.value) {
        const kv = groundValue(k);
        const v = groundValue(x);
        if (kv === undefined || v === undefined) return undefined;
        out.set(kv, v);
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** A constant term holding `v` (for values the compiler computes). */
export function termOf(v: Value, loc: Loc): Term {
  switch (typeof v) {
    case "boolean":
      return { type: "boolean", value: v, loc };
    case "number":
    case "bigint":
      return { type: "number", value: v, text: formatNumber(v), loc };
    case "string":
      return { type: "string", value: v, loc };
    default:
      if (v === null) return { type: "null", value: null, loc };
      if (Array.isArray(v)) return { type: "array", value: v.map((x) => termOf(x, loc)), loc };
      if (v instanceof RSet) return { type: "set", value: v.values().map((x) => termOf(x, loc)), loc };
      return { type: "object", value: [...v.entries()].map(([k, x]) => [termOf(k, loc), termOf(x, loc)] as [Term, Term]), loc };
  }
}

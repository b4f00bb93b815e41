/**
 * The value of a ground term (`{1, "a", [null]}` → a Rego set), for terms given
 * as data: OPA's `input_term`, `default` values, constants.
 */
import type { Term } from "./ast.js";
import { RObject, RSet, type Value } from "../value/index.js";

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

/**
 * Rego term syntax for values, as OPA's `String()` prints them: used in error
 * messages, `sprintf("%v")` and as JSON keys for non-string object keys.
 */
import type { Value } from "./types.js";
import { RObject } from "./types.js";
import { formatNumber } from "./number.js";
import { quote } from "../goruntime/strconv.js";
import { termStringDeep } from "./deep.js";

/** Beyond this depth termString continues with an explicit stack (deep.ts). */
const DIRECT_DEPTH = 200;

export function termString(v: Value): string {
  return termStringAt(v, 0);
}

function termStringAt(v: Value, depth: number): string {
  switch (typeof v) {
    case "string":
      return quote(v);
    case "number":
    case "bigint":
      return formatNumber(v);
    case "boolean":
      return v ? "true" : "false";
    default: {
      if (v === null) return "null";
      if (depth > DIRECT_DEPTH) return termStringDeep(v, termString);
      const d = depth + 1;
      if (Array.isArray(v)) return "[" + v.map((x) => termStringAt(x, d)).join(", ") + "]";
      if (v instanceof RObject) {
        const parts: string[] = [];
        for (const [k, val] of v.entries()) parts.push(termStringAt(k, d) + ": " + termStringAt(val, d));
        return "{" + parts.join(", ") + "}";
      }
      if (v.size === 0) return "set()";
      return (
        "{" +
        v
          .values()
          .map((x) => termStringAt(x, d))
          .join(", ") +
        "}"
      );
    }
  }
}

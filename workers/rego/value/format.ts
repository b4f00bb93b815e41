/**
 * Rego term syntax for values, as OPA's `String()` prints them: used in error
 * messages, `sprintf("%v")` and as JSON keys for non-string object keys.
 */
import type { Value } from "./types.js";
import { RObject } from "./types.js";
import { formatNumber } from "./number.js";
import { quote } from "../goruntime/strconv.js";

export function termString(v: Value): string {
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
      if (Array.isArray(v)) return "[" + v.map(termString).join(", ") + "]";
      if (v instanceof RObject) {
        const parts: string[] = [];
        for (const [k, val] of v.entries()) parts.push(termString(k) + ": " + termString(val));
        return "{" + parts.join(", ") + "}";
      }
      if (v.size === 0) return "set()";
      return "{" + v.values().map(termString).join(", ") + "}";
    }
  }
}

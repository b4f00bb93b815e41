/**
 * Hash keys: a JavaScript Map key that is equal for two Rego values exactly
 * when the values are equal. Scalars are their own key (Map compares them by
 * value and keeps types apart); composites get a canonical string that starts
 * with NUL, and a string that itself starts with NUL is escaped so the two
 * spaces cannot collide.
 */
import type { Value } from "./types.js";
import { RObject, RSet } from "./types.js";

export type HashKey = string | number | bigint | boolean | null;

export function hashKey(v: Value): HashKey {
  switch (typeof v) {
    case "string":
      return v.length > 0 && v.charCodeAt(0) === 0 ? "\0s" + v : v;
    case "number":
      return v === 0 ? 0 : v;
    case "bigint":
    case "boolean":
      return v;
    default:
      return v === null ? null : "\0c" + canonical(v);
  }
}

/** A string that is equal for two values exactly when the values are equal. */
export function canonical(v: Value): string {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "number":
      return v === 0 ? "0" : String(v);
    case "bigint":
      return v.toString();
    case "boolean":
      return v ? "t" : "f";
    default:
      if (v === null) return "n";
      if (Array.isArray(v)) {
        let s = "[";
        for (let i = 0; i < v.length; i++) s += (i ? "," : "") + canonical(v[i] as Value);
        return s + "]";
      }
      if (v instanceof RObject) {
        if (v.canon === undefined) {
          const parts: string[] = [];
          for (const [k, val] of v.entries()) parts.push(canonical(k) + ":" + canonical(val));
          parts.sort();
          v.canon = "{" + parts.join(",") + "}";
        }
        return v.canon;
      }
      if (v instanceof RSet) {
        if (v.canon === undefined) {
          const parts: string[] = [];
          for (const m of v.unorderedValues()) parts.push(canonical(m));
          parts.sort();
          v.canon = "<" + parts.join(",") + ">";
        }
        return v.canon;
      }
      throw new TypeError("not a Rego value");
  }
}

/**
 * Rego term syntax for values, as OPA's `String()` prints them: used in error
 * messages, `sprintf("%v")` and as JSON keys for non-string object keys.
 */
import type { Value } from "./types.js";
import { RObject } from "./types.js";
import { formatNumber } from "./number.js";

export function termString(v: Value): string {
  switch (typeof v) {
    case "string":
      return quoteGo(v);
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

/** Go's strconv.Quote: printable characters stay, others are escaped. */
export function quoteGo(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += "\\\\";
        continue;
      case 0x07:
        out += "\\a";
        continue;
      case 0x08:
        out += "\\b";
        continue;
      case 0x0c:
        out += "\\f";
        continue;
      case 0x0a:
        out += "\\n";
        continue;
      case 0x0d:
        out += "\\r";
        continue;
      case 0x09:
        out += "\\t";
        continue;
      case 0x0b:
        out += "\\v";
        continue;
    }
    if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else if (c >= 0x80 && c < 0xa0) out += "\\u" + c.toString(16).padStart(4, "0");
    else if (c >= 0xd800 && c <= 0xdfff) out += "\\ufffd";
    else out += ch;
  }
  return out + '"';
}

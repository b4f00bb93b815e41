/**
 * The JSON model the schema validator works on, built the way OPA hands
 * documents to gojsonschema: objects become maps with string keys (other keys
 * are written as their JSON text), sets become arrays, numbers keep their
 * exact value. Plus the exact rationals gojsonschema compares numbers with,
 * and its canonical JSON (used by enum, const and uniqueItems).
 */
import type { Value } from "../../value/index.js";
import { type RObject, RSet, compareStrings, formatNumber, parseJSON, toJSONText } from "../../value/index.js";
import { quoteJSON } from "../../goruntime/json.js";

export type JNode = null | boolean | number | bigint | string | JNode[] | JMap;
export type JMap = Map<string, JNode>;

export function isJMap(v: JNode): v is JMap {
  return v instanceof Map;
}

export function isJNumber(v: JNode): v is number | bigint {
  return typeof v === "number" || typeof v === "bigint";
}

/** A Rego value as gojsonschema sees it (OPA's ast.JSON). */
export function fromValue(v: Value): JNode {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(fromValue);
  if (v instanceof RSet) return v.values().map(fromValue);
  const m: JMap = new Map();
  for (const [k, val] of (v as RObject).entries()) m.set(typeof k === "string" ? k : toJSONText(k), fromValue(val));
  return m;
}

/** Parses JSON text; undefined when it is not valid JSON (OPA checks json.Valid first). */
export function parseJSONText(text: string): Value | undefined {
  try {
    return parseJSON(text);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Exact rationals (Go's big.Rat), enough for comparisons and multipleOf.

export interface Rat {
  /** numerator, sign included */
  n: bigint;
  /** denominator, > 0 */
  d: bigint;
}

/** The exact value of a number as written in decimal. */
export function toRat(x: number | bigint): Rat {
  if (typeof x === "bigint") return { n: x, d: 1n };
  if (Number.isSafeInteger(x)) return { n: BigInt(x), d: 1n };
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(x));
  if (!m) return { n: 0n, d: 1n };
  const [, sign, int, frac = "", expText = "0"] = m;
  let n = BigInt((int as string) + frac);
  let d = 1n;
  const exp = Number(expText) - frac.length;
  if (exp >= 0) n *= 10n ** BigInt(exp);
  else d = 10n ** BigInt(-exp);
  if (sign) n = -n;
  return { n, d };
}

export function compareRats(a: Rat, b: Rat): number {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
}

export function isInteger(x: number | bigint): boolean {
  return typeof x === "bigint" || Number.isInteger(x);
}

/** Whether a / b is an integer (b > 0). */
export function isMultiple(a: Rat, b: Rat): boolean {
  return (a.n * b.d) % (a.d * b.n) === 0n;
}

/**
 * A rational as gojsonschema's messages print it (a big.Float through fmt's
 * %v): the shortest digits, in exponent form when the exponent is below -4 or
 * at least 6 ("1e+06", "1.5e-05"). Our rationals come from decimal text, so
 * their digits are exact.
 */
export function formatRat(r: Rat): string {
  if (r.n === 0n) return "0";
  const neg = r.n < 0n;
  const abs = neg ? -r.n : r.n;
  // r.d is a power of ten: the digits of the numerator with the point moved.
  const scale = r.d.toString().length - 1;
  const all = abs.toString();
  const digits = all.replace(/0+$/, "");
  const dp = all.length - scale; // digits before the decimal point
  const exp = dp - 1;
  let out: string;
  if (exp < -4 || exp >= 6) {
    out = digits[0] + (digits.length > 1 ? "." + digits.slice(1) : "");
    out += "e" + (exp < 0 ? "-" : "+") + String(Math.abs(exp)).padStart(2, "0");
  } else if (dp <= 0) {
    out = "0." + "0".repeat(-dp) + digits;
  } else if (digits.length <= dp) {
    out = digits + "0".repeat(dp - digits.length);
  } else {
    out = digits.slice(0, dp) + "." + digits.slice(dp);
  }
  return neg ? "-" + out : out;
}

// ---------------------------------------------------------------------------

/**
 * gojsonschema's marshalWithoutNumber: JSON with sorted keys in which every
 * number has been through a float64 (so 1.0 and 1 are the same).
 */
export function canonicalJSON(v: JNode): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "number":
    case "bigint":
      return goFloat(Number(v));
    case "string":
      return quoteJSON(v);
  }
  if (Array.isArray(v)) return "[" + v.map(canonicalJSON).join(",") + "]";
  const keys = [...(v as JMap).keys()].sort(compareStrings);
  return "{" + keys.map((k) => quoteJSON(k) + ":" + canonicalJSON((v as JMap).get(k) as JNode)).join(",") + "}";
}

/** encoding/json's float64 text; it agrees with JavaScript's except for -0. */
function goFloat(x: number): string {
  return Object.is(x, -0) ? "-0" : formatNumber(x);
}

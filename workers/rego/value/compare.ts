/**
 * Rego's total order and equality:
 * null < boolean < number < string < array < object < set.
 */
import type { Value } from "./types.js";
import { RObject, RSet } from "./types.js";
import { hashCode } from "./hash.js";
import { compareDeep, equalsDeep } from "./deep.js";
import { hasSurrogate } from "../goruntime/utf8.js";

export function rank(v: Value): number {
  switch (typeof v) {
    case "boolean":
      return 1;
    case "number":
    case "bigint":
      return 2;
    case "string":
      return 3;
    default:
      if (v === null) return 0;
      if (Array.isArray(v)) return 4;
      return v instanceof RObject ? 5 : 6;
  }
}

/** Numeric comparison across `number` and `bigint` without losing precision. */
export function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  // Mixed: JavaScript's relational operators compare a bigint and a number exactly.
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Strings compare by code point, as Go compares UTF-8 bytes. UTF-16 code unit
 * order differs only where a surrogate meets a unit at U+E000 or above.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Beyond this depth compare and equals continue with an explicit stack (deep.ts). */
const DIRECT_DEPTH = 200;

export function compare(a: Value, b: Value): number {
  return compareAt(a, b, 0);
}

function compareAt(a: Value, b: Value, depth: number): number {
  if (a === b) return 0;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return a === b ? 0 : a ? 1 : -1;
    case 2:
      return compareNumbers(a as number | bigint, b as number | bigint);
    case 3:
      return compareStrings(a as string, b as string);
    case 4: {
      if (depth > DIRECT_DEPTH) return compareDeep(a, b);
      const x = a as Value[];
      const y = b as Value[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareAt(x[i] as Value, y[i] as Value, depth + 1);
        if (c !== 0) return c;
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
    }
    case 5: {
      if (depth > DIRECT_DEPTH) return compareDeep(a, b);
      const x = a as RObject;
      const y = b as RObject;
      const kx = x.keys();
      const ky = y.keys();
      const n = Math.min(kx.length, ky.length);
      for (let i = 0; i < n; i++) {
        let c = compareAt(kx[i] as Value, ky[i] as Value, depth + 1);
        if (c !== 0) return c;
        c = compareAt(x.get(kx[i] as Value) as Value, y.get(ky[i] as Value) as Value, depth + 1);
        if (c !== 0) return c;
      }
      return kx.length < ky.length ? -1 : kx.length > ky.length ? 1 : 0;
    }
    default: {
      if (depth > DIRECT_DEPTH) return compareDeep(a, b);
      const x = (a as RSet).values();
      const y = (b as RSet).values();
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareAt(x[i] as Value, y[i] as Value, depth + 1);
        if (c !== 0) return c;
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
    }
  }
}

export function equals(a: Value, b: Value): boolean {
  return equalsAt(a, b, 0);
}

function equalsAt(a: Value, b: Value, depth: number): boolean {
  if (a === b) return true;
  const ta = typeof a;
  if (ta === "string" || ta === "boolean" || typeof b === "string" || typeof b === "boolean") return false;
  if (ta === "number" || ta === "bigint") {
    const tb = typeof b;
    // biome-ignore lint/suspicious/noDoubleEquals: loose equality compares a number with a bigint by value
    return (tb === "number" || tb === "bigint") && (a as number) == (b as number);
  }
  if (a === null || b === null) return false;
  if (depth > DIRECT_DEPTH) return equalsDeep(a, b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalsAt(a[i] as Value, b[i] as Value, depth + 1)) return false;
    return true;
  }
  if (a instanceof RObject) {
    if (!(b instanceof RObject) || a.size !== b.size || hashCode(a) !== hashCode(b)) return false;
    // Keys and values in key order are cached per object: no allocation here.
    const keys = a.keys();
    const vals = a.valuesInKeyOrder();
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as Value;
      const bv = typeof k === "string" ? b.getString(k) : b.get(k);
      if (bv === undefined || !equalsAt(vals[i] as Value, bv, depth + 1)) return false;
    }
    return true;
  }
  if (a instanceof RSet) {
    if (!(b instanceof RSet) || a.size !== b.size || hashCode(a) !== hashCode(b)) return false;
    for (const m of a.unorderedValues()) if (!b.has(m)) return false;
    return true;
  }
  return false;
}

/**
 * Sorts `vs` in place in Rego's order. An array of strings without
 * surrogates (the common case: set members, object keys) sorts with the
 * engine's native string order, which is then code-point order.
 */
export function sortValues(vs: Value[]): Value[] {
  for (let i = 0; i < vs.length; i++) {
    const v = vs[i];
    if (typeof v !== "string" || hasSurrogate(v)) return vs.sort(compare);
  }
  return vs.sort();
}

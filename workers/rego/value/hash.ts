/**
 * Hash keys: a JavaScript Map key that is equal for two Rego values exactly
 * when the values are equal. Scalars are their own key (Map compares them by
 * value and keeps types apart); composites get a canonical string that starts
 * with NUL, and a string that itself starts with NUL is escaped so the two
 * spaces cannot collide.
 */
import type { Value } from "./types.js";
import { RObject, RSet } from "./types.js";
import { canonicalDeep, hashCodeDeep } from "./deep.js";
import { isFloatForm } from "./number.js";

/** Beyond this depth canonical and hashCode continue with an explicit stack (deep.ts). */
const DIRECT_DEPTH = 200;

export type HashKey = string | number | bigint | boolean | null;

/**
 * V8 hashes a string of more than this many characters by its length alone:
 * Map keys that long and of one length share one bucket, and a lookup
 * compares them in turn from their first character, so strings that differ
 * only at their end cost their whole length each (a set of 2,000 strings of
 * 150,000 characters took 23 s to build). Keys that long start with their
 * own content hash instead: a lookup still walks the bucket, but tells
 * different keys apart at their first characters.
 */
export const LONG_KEY = 16383;

export function hashKey(v: Value): HashKey {
  switch (typeof v) {
    case "string":
      return stringKey(v);
    case "number":
      return v === 0 ? 0 : v;
    case "bigint":
      // A float-form integer (number.ts) is the same key as the integer.
      return isFloatForm(v) ? Number(v) : v;
    case "boolean":
      return v;
    default: {
      if (v === null) return null;
      const c = canonical(v);
      return c.length > LONG_KEY ? longKey("\0C", c) : "\0c" + c;
    }
  }
}

/** hashKey of a string: the string itself unless it starts with NUL (escaped) or is long (see LONG_KEY). */
export function stringKey(s: string): string {
  if (s.length > LONG_KEY) return longKey("\0L", s);
  return s.length > 0 && s.charCodeAt(0) === 0 ? "\0s" + s : s;
}

/**
 * The content hash of long keys is seeded per isolate, so texts made to
 * collide (and be compared whole) cannot be prepared in advance. Drawn on
 * first use: Workers give the global scope no randomness.
 */
let longKeySeed: number | undefined;

/** The last long key made: a lookup and then an insertion (or a loop over one value) ask for the same key in turn. */
let lastLongText: string | undefined;
let lastLongKey = "";

/** `tag`, the text's content hash and the text: one key per text, as the text itself would be. */
function longKey(tag: string, text: string): string {
  // The same string object compares at once; another of the same length is compared, still far cheaper than hashing it.
  if (text === lastLongText && lastLongKey.startsWith(tag)) return lastLongKey;
  longKeySeed ??= (Math.random() * 0x100000000) >>> 0;
  lastLongText = text;
  lastLongKey = `${tag}${(stringHash(text, longKeySeed ^ FNV_OFFSET) >>> 0).toString(36)}:${text}`;
  return lastLongKey;
}

/** A string that is equal for two values exactly when the values are equal. */
export function canonical(v: Value): string {
  return canonicalAt(v, 0);
}

function canonicalAt(v: Value, depth: number): string {
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
      if (depth > DIRECT_DEPTH) return canonicalDeep(v);
      if (Array.isArray(v)) {
        let s = "[";
        for (let i = 0; i < v.length; i++) s += (i ? "," : "") + canonicalAt(v[i] as Value, depth + 1);
        return s + "]";
      }
      if (v instanceof RObject) {
        if (v.canon === undefined) {
          const parts: string[] = [];
          v.forEachUnordered((k, val) => parts.push(canonicalAt(k, depth + 1), canonicalAt(val, depth + 1)));
          v.canon = objectCanonical(parts);
        }
        return v.canon;
      }
      if (v instanceof RSet) {
        if (v.canon === undefined) {
          const parts: string[] = [];
          for (const m of v.unorderedValues()) parts.push(canonicalAt(m, depth + 1));
          parts.sort();
          v.canon = "<" + parts.join(",") + ">";
        }
        return v.canon;
      }
      throw new TypeError("not a Rego value");
  }
}

/**
 * An object's canonical string from its entries' (key, value, key, value, …).
 * Sorted by key alone, which is enough (an object's keys differ) and keeps
 * the values' strings out of the comparisons: comparing them flattens each
 * nested value's string, quadratic in a deep value's depth. Joined with `+`,
 * so a deep value's string shares its children's.
 */
export function objectCanonical(entries: string[]): string {
  const order: number[] = [];
  for (let i = 0; i < entries.length; i += 2) order.push(i);
  order.sort((a, b) => {
    const ka = entries[a] as string;
    const kb = entries[b] as string;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  let s = "{";
  for (let j = 0; j < order.length; j++) {
    const i = order[j] as number;
    s += (j ? "," : "") + entries[i] + ":" + entries[i + 1];
  }
  return s + "}";
}

/**
 * A 32-bit structural hash: equal values hash equally (1 and 1.0, key order
 * of objects and sets aside). Cached on objects and sets, so comparing a value
 * against many others costs one number comparison per mismatch.
 */
export function hashCode(v: Value): number {
  return hashCodeAt(v, 0);
}

function hashCodeAt(v: Value, depth: number): number {
  switch (typeof v) {
    case "string":
      return stringHash(v);
    case "number":
      if (Number.isSafeInteger(v)) return (v | 0) ^ ((v / 4294967296) | 0);
      return Number.isInteger(v) ? stringHash(BigInt(v).toString()) : stringHash(String(v));
    case "bigint":
      return isFloatForm(v) ? hashCodeAt(Number(v), depth) : stringHash(v.toString());
    case "boolean":
      return v ? 1231 : 1237;
    default: {
      if (v === null) return 0x9e3779b9 | 0;
      if (depth > DIRECT_DEPTH) return hashCodeDeep(v);
      if (Array.isArray(v)) {
        let h = 0x345678;
        for (let i = 0; i < v.length; i++) h = Math.imul(h ^ hashCodeAt(v[i] as Value, depth + 1), 0x01000193);
        return h;
      }
      if (v instanceof RObject) {
        if (v.hash === undefined) {
          // Order-independent (a sum of mixed key/value pairs), so no sorting.
          let h = 0x6f626a;
          v.forEachUnordered((k, x) => {
            h = (h + mix(hashCodeAt(k, depth + 1), hashCodeAt(x, depth + 1))) | 0;
          });
          v.hash = h;
        }
        return v.hash;
      }
      if (v instanceof RSet) {
        if (v.hash === undefined) {
          let h = 0x736574;
          for (const m of v.unorderedValues()) h = (h + mix(hashCodeAt(m, depth + 1), 0x5bd1e995)) | 0;
          v.hash = h;
        }
        return v.hash;
      }
      return 0;
    }
  }
}

const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a over the UTF-16 code units, from `start` (long keys seed it). */
function stringHash(s: string, start = FNV_OFFSET): number {
  let h = start;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

export function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x27d4eb2d, 0x165667b1) ^ b;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return h ^ (h >>> 13);
}

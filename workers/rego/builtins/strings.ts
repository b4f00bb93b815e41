/**
 * String built-ins with OPA's (Go's) semantics. Rego strings are sequences of
 * Unicode code points: positions and lengths (indexof, substring, …) count
 * code points, never UTF-16 units. Case mapping, trimming and replacing follow
 * Go's strings package rune by rune.
 */
import type { Value } from "../value/index.js";
import { RSet, isInteger, toBigInt, typeName } from "../value/index.js";
import { builtinError, int, num, object, str, typeError } from "./args.js";
import type { BuiltinTable } from "./types.js";

/** OPA's NewOperandTypeErr: the expected types in the order OPA lists them. */
function operandTypeError(pos: number, got: Value, ...expected: string[]) {
  const want = expected.length === 1 ? expected[0] : `one of {${expected.join(", ")}}`;
  return typeError(`operand ${pos} must be ${want} but got ${typeName(got)}`);
}

/** OPA's NewOperandElementErr: "must be array of strings but got array containing number". */
function elementError(pos: number, composite: Value, element: Value) {
  const t = typeName(composite);
  return typeError(`operand ${pos} must be ${t} of strings but got ${t} containing ${typeName(element)}`);
}

/** The strings of an array or set operand (OPA's StringSliceOperand). */
function stringSlice(v: Value, pos: number): string[] {
  const items = Array.isArray(v) ? v : v instanceof RSet ? v.values() : undefined;
  if (items === undefined) throw operandTypeError(pos, v, "array", "set");
  return items.map((x) => {
    if (typeof x !== "string") throw elementError(pos, v, x);
    return x;
  });
}

/** A string, array or set operand of the any_*_match built-ins. */
function stringsOperand(v: Value, pos: number): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v) || v instanceof RSet) return stringSlice(v, pos);
  throw operandTypeError(pos, v, "string", "set", "array");
}

function isASCII(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Number of code points in s. */
function runeLength(s: string): number {
  if (isASCII(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Go's unicode.IsSpace. */
function isSpace(cp: number): boolean {
  if (cp <= 0xff) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || cp === 0x85 || cp === 0xa0;
  return (
    cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000
  );
}

/** strings.TrimLeft / TrimRight / Trim with a predicate over code points. */
function trimRunes(s: string, drop: (cp: number) => boolean, left: boolean, right: boolean): string {
  let start = 0;
  let end = s.length;
  if (left) {
    while (start < end) {
      const cp = s.codePointAt(start) as number;
      if (!drop(cp)) break;
      start += cp > 0xffff ? 2 : 1;
    }
  }
  if (right) {
    while (end > start) {
      let cp = s.charCodeAt(end - 1);
      let width = 1;
      if (cp >= 0xdc00 && cp <= 0xdfff && end - 2 >= start) {
        const hi = s.charCodeAt(end - 2);
        if (hi >= 0xd800 && hi <= 0xdbff) {
          cp = ((hi - 0xd800) << 10) + (cp - 0xdc00) + 0x10000;
          width = 2;
        }
      }
      if (!drop(cp)) break;
      end -= width;
    }
  }
  return s.slice(start, end);
}

function cutsetTrim(s: string, cutset: string, left: boolean, right: boolean): string {
  if (s === "" || cutset === "") return s;
  const set = new Set<number>();
  for (const ch of cutset) set.add(ch.codePointAt(0) as number);
  return trimRunes(s, (cp) => set.has(cp), left, right);
}

/**
 * Go's unicode.ToLower/ToUpper applied rune by rune. JavaScript's full case
 * mapping differs where one code point maps to several (ß → SS, İ → i̇) and for
 * the context-dependent final sigma; Go keeps such runes (or maps İ to i).
 */
function mapCase(s: string, lower: boolean): string {
  if (isASCII(s)) return lower ? s.toLowerCase() : s.toUpperCase();
  let out = "";
  for (const ch of s) {
    const m = lower ? ch.toLowerCase() : ch.toUpperCase();
    if (m.length === ch.length || runeLength(m) === 1) out += m;
    else if (lower && ch === "\u0130") out += "i";
    else out += ch;
  }
  return out;
}

/** Code point index of a UTF-16 index. */
function runeIndex(s: string, utf16Index: number): number {
  return runeLength(s.slice(0, utf16Index));
}

/**
 * strings.NewReplacer(old1, new1, …).Replace(s): scanning left to right, at
 * each position the first listed pattern that matches wins (not the
 * longest); an empty pattern matches between code points.
 */
export function replaceAll(s: string, pairs: [string, string][]): string {
  if (pairs.length === 1 && pairs[0]![0] !== "") return s.split(pairs[0]![0]).join(pairs[0]![1]);
  let out = "";
  let i = 0;
  let prevMatchEmpty = false;
  while (i <= s.length) {
    let matched: [string, string] | undefined;
    for (const p of pairs) {
      if (p[0] === "" && prevMatchEmpty) continue;
      if (s.startsWith(p[0], i)) {
        matched = p;
        break;
      }
    }
    prevMatchEmpty = matched !== undefined && matched[0] === "";
    if (matched) {
      out += matched[1];
      i += matched[0].length;
      continue;
    }
    if (i === s.length) break;
    const cp = s.codePointAt(i) as number;
    const w = cp > 0xffff ? 2 : 1;
    out += s.slice(i, i + w);
    i += w;
  }
  return out;
}

/** An int operand as OPA reads it: integers beyond int64 are not ints to Go. */
function goInt(args: Value[], i: number): number {
  const v = int(args, i);
  if (typeof v === "bigint") {
    if (v > (1n << 63n) - 1n || v < -(1n << 63n)) throw typeError(`operand ${i + 1} must be integer number but got floating-point number`);
    // Beyond what a JS index can reach; clamp without changing the outcome.
    return v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  }
  return v;
}

function substring(base: string, start: number, length: number): string {
  if (start < 0) throw builtinError("negative offset");
  if (base === "") return "";
  if (isASCII(base)) {
    if (start >= base.length) return "";
    if (length < 0) return base.slice(start);
    return base.slice(start, Math.min(base.length, start + length));
  }
  const cps = Array.from(base);
  if (start >= cps.length) return "";
  if (length < 0) return cps.slice(start).join("");
  return cps.slice(start, Math.min(cps.length, start + length)).join("");
}

export const stringsBuiltins: BuiltinTable = {
  concat(args) {
    const sep = str(args, 0);
    const coll = args[1] as Value;
    if (!Array.isArray(coll) && !(coll instanceof RSet)) throw operandTypeError(2, coll, "set", "array");
    const items = Array.isArray(coll) ? coll : coll.values();
    for (const x of items) if (typeof x !== "string") throw elementError(2, coll, x);
    return (items as string[]).join(sep);
  },

  contains: (args) => str(args, 0).includes(str(args, 1)),
  startswith: (args) => str(args, 0).startsWith(str(args, 1)),
  endswith: (args) => str(args, 0).endsWith(str(args, 1)),

  format_int(args) {
    const n = num(args, 0);
    const base = num(args, 1);
    let radix: number;
    switch (base) {
      case 2:
      case 8:
      case 10:
      case 16:
        radix = base;
        break;
      default:
        throw typeError("operand 2 must be one of {2, 8, 10, 16}");
    }
    // big.Float.Int truncates toward zero.
    const whole = isInteger(n) ? toBigInt(n) : BigInt(Math.trunc(n as number));
    return whole.toString(radix);
  },

  indexof(args) {
    const base = str(args, 0);
    const search = str(args, 1);
    if (search === "") throw builtinError("empty search character");
    const i = base.indexOf(search);
    return i < 0 ? -1 : runeIndex(base, i);
  },

  indexof_n(args) {
    const base = str(args, 0);
    const search = str(args, 1);
    if (search === "") throw builtinError("empty search character");
    const out: Value[] = [];
    // Matches may overlap, as OPA tries every code point position. Code
    // points are counted incrementally between matches.
    let counted = 0;
    let runes = 0;
    for (let i = base.indexOf(search); i >= 0; i = base.indexOf(search, i + 1)) {
      runes += runeLength(base.slice(counted, i));
      counted = i;
      out.push(runes);
    }
    return out;
  },

  lower: (args) => mapCase(str(args, 0), true),
  upper: (args) => mapCase(str(args, 0), false),

  replace(args) {
    const s = str(args, 0);
    const old = str(args, 1);
    const rep = str(args, 2);
    return replaceAll(s, [[old, rep]]);
  },

  split(args) {
    const s = str(args, 0);
    const delim = str(args, 1);
    return delim === "" ? Array.from(s) : splitOn(s, delim);
  },

  substring(args) {
    const base = str(args, 0);
    const start = goInt(args, 1);
    const length = goInt(args, 2);
    return substring(base, start, length);
  },

  trim: (args) => cutsetTrim(str(args, 0), str(args, 1), true, true),
  trim_left: (args) => cutsetTrim(str(args, 0), str(args, 1), true, false),
  trim_right: (args) => cutsetTrim(str(args, 0), str(args, 1), false, true),
  trim_space: (args) => trimRunes(str(args, 0), isSpace, true, true),

  trim_prefix(args) {
    const s = str(args, 0);
    const prefix = str(args, 1);
    return s.startsWith(prefix) ? s.slice(prefix.length) : s;
  },

  trim_suffix(args) {
    const s = str(args, 0);
    const suffix = str(args, 1);
    return suffix !== "" && s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
  },

  "strings.any_prefix_match"(args) {
    const strs = stringsOperand(args[0] as Value, 1);
    const prefixes = stringsOperand(args[1] as Value, 2);
    return strs.some((s) => prefixes.some((p) => s.startsWith(p)));
  },

  "strings.any_suffix_match"(args) {
    const strs = stringsOperand(args[0] as Value, 1);
    const suffixes = stringsOperand(args[1] as Value, 2);
    return strs.some((s) => suffixes.some((p) => s.endsWith(p)));
  },

  "strings.count"(args) {
    const s = str(args, 0);
    const sub = str(args, 1);
    // strings.Count: non-overlapping; an empty needle matches between code points.
    if (sub === "") return runeLength(s) + 1;
    return s.split(sub).length - 1;
  },

  "strings.replace_n"(args) {
    const patterns = object(args, 0);
    const s = str(args, 1);
    const pairs: [string, string][] = [];
    // Keys in Rego's order: with overlapping patterns the first one wins.
    for (const [k, v] of patterns.entries()) {
      if (typeof k !== "string") throw typeError("operand 1 non-string key found in pattern object");
      if (typeof v !== "string") throw typeError("operand 1 non-string value found in pattern object");
      pairs.push([k, v]);
    }
    if (pairs.length === 0) return s;
    return replaceAll(s, pairs);
  },

  /**
   * OPA 1.20: the first n parts of split(x, delimiter), or with a negative n
   * the last -n; 0 gives none, and more than there are gives them all.
   */
  "strings.split_n"(args) {
    const s = str(args, 0);
    const delim = str(args, 1);
    const n = goInt(args, 2);
    const parts = delim === "" ? Array.from(s) : splitOn(s, delim);
    return n >= 0 ? parts.slice(0, n) : parts.slice(Math.max(0, parts.length + n));
  },

  "strings.reverse"(args) {
    const s = str(args, 0);
    return Array.from(s).reverse().join("");
  },
};

/**
 * `s.split(delim)` for a non-empty delimiter, by indexOf: V8's String.prototype.split
 * goes through a runtime call and its split cache, and measured 2.5× slower on the
 * short strings policies split (image references, emails, paths).
 */
function splitOn(s: string, delim: string): string[] {
  const parts: string[] = [];
  let from = 0;
  for (let at = s.indexOf(delim); at >= 0; at = s.indexOf(delim, from)) {
    parts.push(s.slice(from, at));
    from = at + delim.length;
  }
  parts.push(s.slice(from));
  return parts;
}

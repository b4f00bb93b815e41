/**
 * The cost model of built-in calls, in one place. A policy's evaluation runs
 * synchronously on the isolate and Workers give it no clock that moves, so
 * the step budget is the only bound on its work: each call is charged, in
 * steps, for what it does — elements produced or visited, bytes processed,
 * big-integer bit lengths. One step is calibrated at roughly the cost of one
 * plan statement (tens of nanoseconds); see `npm run bench -- hostile`.
 *
 * `costed(name, fn)` wraps a built-in: it charges the work that can be
 * known from the arguments BEFORE the call (so a range of a million numbers
 * or a squaring of a huge integer is refused before any of it is done), and
 * the size of what the call built AFTER it. Built-ins whose work cannot be
 * known up front (graph.reachable_paths, strings.render_template, graphql,
 * units.parse) also charge as they go, through `ctx.charge`.
 *
 * Integers are capped at MAX_INT_BITS: a result beyond it is an eval error
 * (documented in README.md, the engine section), checked before a
 * multiplication or shift that would produce it.
 */
import type { Value } from "../value/index.js";
import { RObject, RSet } from "../value/index.js";
import type { BuiltinContext, BuiltinFn } from "./types.js";
import { LimitError } from "./types.js";

/** Largest integer a computation may produce, in bits (a 1,234-digit decimal number). */
export const MAX_INT_BITS = 4096;

/** Bytes of string processed per step. */
const BYTES_PER_STEP = 16;

type Cost = (args: Value[]) => number;

/** Steps of one time-zone conversion (measured with `npm run bench -- hostile`). */
const TIME_ZONE_COST = 1500;

function bytes(n: number): number {
  return Math.ceil(n / BYTES_PER_STEP);
}

/** Work of touching a value once: strings by length, collections by their number of members. */
export function shallowSize(v: Value | undefined): number {
  if (typeof v === "string") return bytes(v.length);
  if (Array.isArray(v)) return v.length;
  if (v instanceof RObject || v instanceof RSet) return v.size;
  if (typeof v === "bigint") return bitLength(v) >> 6;
  return 0;
}

/**
 * Work of visiting a whole value: one step per node plus its strings' bytes.
 * Counting stops at `limit` (the budget left), so measuring costs at most
 * what the budget allows.
 */
export function deepSize(root: Value | undefined, limit = Number.POSITIVE_INFINITY): number {
  if (root === undefined) return 0;
  if (root === null || typeof root !== "object") return scalarSize(root);
  // An array of scalars (sprintf's arguments, most lists): counted without a stack, to the same total.
  if (Array.isArray(root)) {
    let flat = 1;
    for (let i = 0; i < root.length; i++) {
      const x = root[i] as Value;
      if (x !== null && typeof x === "object") {
        flat = -1;
        break;
      }
      flat += scalarSize(x);
    }
    if (flat >= 0) return flat;
  }
  let n = 0;
  const stack: Value[] = [root];
  // Scalars are counted where they are found; only composites go on the stack.
  const visit = (x: Value): void => {
    if (x === null || typeof x !== "object")
      n += typeof x === "string" ? 1 + bytes(x.length) : typeof x === "bigint" ? 1 + (bitLength(x) >> 6) : 1;
    else stack.push(x);
  };
  while (stack.length > 0 && n <= limit) {
    const v = stack.pop() as Value;
    if (v === null || typeof v !== "object") {
      visit(v);
      continue;
    }
    n++;
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) visit(v[i] as Value);
    else if (v instanceof RSet) for (const x of v.unorderedValues()) visit(x);
    else
      v.forEachUnordered((k, x) => {
        visit(k);
        visit(x);
      });
  }
  return n;
}

function scalarSize(x: Value): number {
  return typeof x === "string" ? 1 + bytes(x.length) : typeof x === "bigint" ? 1 + (bitLength(x) >> 6) : 1;
}

export function bitLength(n: bigint | number): number {
  if (typeof n === "number") return n === 0 ? 0 : Math.ceil(Math.log2(Math.abs(n) + 1));
  return (n < 0n ? -n : n).toString(16).length * 4;
}

function intTooLarge(): LimitError {
  return new LimitError(`integer result larger than ${MAX_INT_BITS} bits`);
}

function bits(v: Value | undefined): number {
  return typeof v === "bigint" || typeof v === "number" ? bitLength(Number.isInteger(v) || typeof v === "bigint" ? v : 0) : 0;
}

/** Strings among the arguments, by length (the default for built-ins that read their string operands once). */
function stringArgs(args: Value[]): number {
  let n = 0;
  for (const a of args) if (typeof a === "string") n += bytes(a.length);
  return n;
}

function sizes(args: Value[]): number {
  let n = 0;
  for (const a of args) n += shallowSize(a);
  return n;
}

function deepArgs(args: Value[]): number {
  let n = 0;
  for (const a of args) n += deepSize(a);
  return n;
}

function memberStrings(v: Value | undefined): number {
  let n = 0;
  const members = Array.isArray(v) ? v : v instanceof RSet ? [...v.unorderedValues()] : [];
  for (const m of members) n += 1 + (typeof m === "string" ? bytes(m.length) : 0);
  return n;
}

function strLen(v: Value | undefined): number {
  return typeof v === "string" ? v.length : 0;
}

/** Upper bound of replacing `old` by `rep` everywhere in `s`. */
function replaceCost(s: number, old: number, rep: number): number {
  const occurrences = old === 0 ? s + 1 : Math.floor(s / old);
  return bytes(s + occurrences * rep);
}

/** formatWidths by format string: formats are mostly a policy's constants, scanned once. */
const widthsCache = new Map<string, number>();
const WIDTHS_CACHE_LIMIT = 1000;

/** Largest field width or precision a format string asks for (`%0999999d`). */
function formatWidths(format: string): number {
  let n = widthsCache.get(format);
  if (n !== undefined) return n;
  n = 0;
  if (format.includes("%")) for (const m of format.matchAll(/%[-+# 0]*(\d*)(?:\.(\d*))?/g)) n += Number(m[1] || 0) + Number(m[2] || 0);
  if (format.length <= 512) {
    if (widthsCache.size >= WIDTHS_CACHE_LIMIT) widthsCache.clear();
    widthsCache.set(format, n);
  }
  return n;
}

/** Steps charged before each built-in, by name; built-ins not listed pay for their string operands. */
const BEFORE: Record<string, Cost> = {
  // O(1) or cheap on collections: only the call itself.
  count: (a) => (typeof a[0] === "string" ? bytes(a[0].length) : 0),
  "object.get": (a) => (Array.isArray(a[1]) ? a[1].length : 0),
  "internal.member_2": (a) => (Array.isArray(a[1]) ? a[1].length : 0),
  "internal.member_3": (a) => (Array.isArray(a[2]) ? a[2].length : 0),

  // Known output size: refused before it is built.
  "numbers.range": (a) => rangeLength(a[0], a[1], 1),
  "numbers.range_step": (a) => rangeLength(a[0], a[1], a[2]),

  // Integer arithmetic: bit lengths, and the cap.
  mul: (a) => {
    const b = bits(a[0]) + bits(a[1]);
    if (b > MAX_INT_BITS + 1) throw intTooLarge();
    return (bits(a[0]) * bits(a[1])) >> 12;
  },
  product: (a) => {
    const ms = Array.isArray(a[0]) ? a[0] : a[0] instanceof RSet ? [...a[0].unorderedValues()] : [];
    let b = 0;
    for (const m of ms) b += bits(m);
    if (b > MAX_INT_BITS + ms.length) throw intTooLarge();
    return ms.length + ((b * b) >> 12);
  },
  "bits.lsh": (a) => {
    const s = typeof a[1] === "number" ? a[1] : typeof a[1] === "bigint" ? Number(a[1]) : 0;
    if (bits(a[0]) + s > MAX_INT_BITS + 1 && a[0] !== 0) throw intTooLarge();
    return (bits(a[0]) + s) >> 6;
  },
  // Division of big integers may go through big.Float (a non-integer quotient): linear in the bits, with a large factor.
  div: (a) => (typeof a[0] === "bigint" || typeof a[1] === "bigint" ? 2 * (bits(a[0]) + bits(a[1])) : 0),
  rem: (a) => (typeof a[0] === "bigint" || typeof a[1] === "bigint" ? 2 * (bits(a[0]) + bits(a[1])) : 0),

  // Civil-time conversions go through the runtime's Intl time-zone data: tens of µs a call.
  "time.format": () => TIME_ZONE_COST,
  "time.date": () => TIME_ZONE_COST,
  "time.clock": () => TIME_ZONE_COST,
  "time.weekday": () => TIME_ZONE_COST,
  "time.add_date": () => TIME_ZONE_COST,
  "time.diff": () => 2 * TIME_ZONE_COST,
  "time.parse_ns": (a) => TIME_ZONE_COST + stringArgs(a),
  format_int: (a) => bits(a[0]) >> 3,

  // Collections: elements visited.
  sort: (a) => {
    const n = shallowSize(a[0]);
    return 2 * n * Math.ceil(Math.log2(n + 1));
  },
  union: (a) => 3 * memberSizes(a[0]),
  intersection: (a) => 3 * memberSizes(a[0]),
  and: (a) => 3 * sizes(a),
  or: (a) => 3 * sizes(a),
  minus: (a) => 3 * sizes(a),
  set_diff: (a) => 3 * sizes(a),
  "array.concat": sizes,
  "array.reverse": sizes,
  "array.slice": (a) => shallowSize(a[0]) >> 4,
  "array.flatten": (a) => deepSize(a[0]),
  "object.union": (a) => 4 * deepArgs(a),
  "object.union_n": (a) => 4 * deepSize(a[0]),
  "object.filter": sizes,
  "object.remove": sizes,
  "object.keys": sizes,
  any: sizes,
  all: sizes,
  "object.subset": deepArgs,
  "json.filter": deepArgs,
  "json.remove": deepArgs,
  "json.patch": deepArgs,
  walk: (a) => 32 * deepSize(a[0]),
  "graph.reachable": (a) => 4 * deepSize(a[0]),
  "graph.reachable_paths": (a) => 4 * deepSize(a[0]),
  "net.cidr_merge": (a) => {
    const n = shallowSize(a[0]);
    return n * Math.ceil(Math.log2(n + 1));
  },
  "net.cidr_contains_matches": (a) => Math.max(1, shallowSize(a[0])) * Math.max(1, shallowSize(a[1])),

  // Whole values written out.
  "json.marshal": (a) => 4 * deepSize(a[0]),
  "json.unmarshal": (a) => 2 * strLen(a[0]),
  "json.is_valid": (a) => 2 * strLen(a[0]),
  "yaml.unmarshal": (a) => 4 * strLen(a[0]),
  "yaml.is_valid": (a) => 4 * strLen(a[0]),
  "net.cidr_expand": (a) => 32 * cidrSize(a[0]),
  "json.marshal_with_options": (a) => {
    const opts = a[1] instanceof RObject ? a[1] : undefined;
    const pad = strLen(opts?.getString("prefix")) + strLen(opts?.getString("indent"));
    const n = 4 * deepSize(a[0]);
    return n + bytes(n * pad);
  },
  "yaml.marshal": (a) => 40 * deepSize(a[0]),
  sprintf: (a) => stringArgs(a) + 4 * deepSize(a[1] ?? null) + (typeof a[0] === "string" ? formatWidths(a[0]) : 0),
  "internal.template_string": (a) => deepSize(a[0] ?? null),
  "urlquery.encode_object": (a) => deepSize(a[0]),

  // Strings whose output can be far longer than the input.
  concat: (a) => 6 * (stringArgs(a) + memberStrings(a[1]) + bytes(strLen(a[0]) * shallowSize(a[1]))),
  replace: (a) => 4 * replaceCost(strLen(a[0]), strLen(a[1]), strLen(a[2])),
  "strings.replace_n": (a) => {
    let n = 0;
    if (a[0] instanceof RObject) a[0].forEachUnordered((k, v) => (n += 4 * replaceCost(strLen(a[1]), strLen(k as Value), strLen(v))));
    return n;
  },
  "regex.replace": (a) => replaceCost(strLen(a[0]), 1, strLen(a[2])) + bytes(strLen(a[1])) * 8,

  // Results of up to one element per character.
  indexof_n: (a) => bytes(strLen(a[0])) + Math.floor(strLen(a[0]) / Math.max(1, strLen(a[1]))),
  split: (a) => bytes(strLen(a[0])) + Math.floor(strLen(a[0]) / Math.max(1, strLen(a[1]))),
  "strings.split_n": (a) => bytes(strLen(a[0])) + Math.floor(strLen(a[0]) / Math.max(1, strLen(a[1]))),

  // Matching: text × pattern in the worst case.
  "glob.match": (a) => bytes(strLen(a[0]) * Math.max(1, strLen(a[2]))) + memberStrings(a[1]),
  "regex.match": regexCost,
  re_match: regexCost,
  "regex.find_n": (a) => regexCost(a) + 12 * strLen(a[1]),
  "regex.find_all_string_submatch_n": (a) => regexCost(a) + 12 * strLen(a[1]),
  "regex.split": (a) => regexCost(a) + 12 * strLen(a[1]),
  "regex.is_valid": (a) => 8 * bytes(strLen(a[0])),
  "regex.template_match": (a) => regexCost([a[0] as Value, a[1] as Value]) + bytes(strLen(a[2]) + strLen(a[3])),
  "regex.globs_match": (a) => bytes(strLen(a[0]) * strLen(a[1])),
  "strings.any_prefix_match": (a) => memberStrings(a[0]) * Math.max(1, shallowSize(a[1])) + memberStrings(a[1]),
  "strings.any_suffix_match": (a) => memberStrings(a[0]) * Math.max(1, shallowSize(a[1])) + memberStrings(a[1]),
};

/** Compiling a pattern and running it over the text: RE2 is linear in the text, with a factor for the pattern. */
function regexCost(a: Value[]): number {
  const pattern = strLen(a[0]);
  return 8 * bytes(pattern) + bytes(strLen(a[1]) * Math.max(1, Math.ceil(pattern / 8)));
}

function memberSizes(v: Value | undefined): number {
  let n = shallowSize(v);
  const members = Array.isArray(v) ? v : v instanceof RSet ? [...v.unorderedValues()] : [];
  for (const m of members) n += shallowSize(m);
  return n;
}

/** Addresses in a CIDR block, from its prefix length (1 when it does not parse; the built-in then fails). */
function cidrSize(v: Value | undefined): number {
  if (typeof v !== "string") return 1;
  const m = /\/(\d{1,3})$/.exec(v);
  if (!m) return 1;
  const host = (v.includes(":") ? 128 : 32) - Number(m[1]);
  return host <= 0 ? 1 : 2 ** Math.min(host, 40);
}

function rangeLength(a: Value | undefined, b: Value | undefined, step: Value | undefined): number {
  if (typeof a !== "number" || typeof b !== "number" || typeof step !== "number" || step <= 0) return 1;
  return Math.floor(Math.abs(b - a) / step) + 1;
}

/**
 * Nothing to charge after: the result is (part of) an argument, not something
 * the call built, or its size was already charged before the call.
 */
const NO_AFTER = new Set(["object.get", "max", "min", "internal.member_2", "internal.member_3", "numbers.range", "numbers.range_step"]);

/** The work `fn` is charged before its call, from its arguments. */
function before(name: string): Cost {
  return BEFORE[name] ?? stringArgs;
}

/**
 * Charges after the call for what it built: its result's size (a string's
 * bytes, a collection's members), and enforces the integer cap on results.
 */
function after(name: string): ((r: Value, ctx: BuiltinContext) => void) | undefined {
  if (NO_AFTER.has(name)) return undefined;
  if (name === "walk")
    return (r, ctx) => {
      // each [path, value] pair holds a path as long as its depth
      let n = 0;
      if (Array.isArray(r)) for (const pair of r) n += 1 + shallowSize((pair as Value[])[0]);
      ctx.charge(n);
    };
  return (r, ctx) => {
    if (typeof r === "bigint") {
      if (bitLength(r) > MAX_INT_BITS) throw intTooLarge();
      ctx.charge(bitLength(r) >> 6);
      return;
    }
    const n = shallowSize(r);
    if (n > 0) ctx.charge(n);
  };
}

/** `fn` charging its cost model (see above) to the evaluation's budget around each call. */
export function costed(name: string, fn: BuiltinFn): BuiltinFn {
  const pre = before(name);
  const post = after(name);
  return (args, ctx) => {
    const steps = pre(args);
    if (steps > 0) ctx.charge(steps);
    const r = fn(args, ctx);
    if (post && r !== undefined) post(r, ctx);
    return r;
  };
}

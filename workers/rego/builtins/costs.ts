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
import { CACHE_GENERATION } from "../goruntime/regexp.js";

/** Largest integer a computation may produce, in bits (a 1,234-digit decimal number). */
export const MAX_INT_BITS = 4096;

/** Bytes of string processed per step. */
const BYTES_PER_STEP = 16;

type Cost = (args: Value[], ctx: BuiltinContext) => number;

/** Steps of one time-zone conversion (measured with `npm run bench -- hostile`). */
const TIME_ZONE_COST = 6000;

/** Steps of parsing one IP address or CIDR block (net.* parse through Go's net rules: µs each). */
const CIDR_COST = 200;

/** Steps of one uuid.rfc4122 (random bytes and formatting). */
const UUID_COST = 1600;

/** What a WebCrypto operation does with its key. */
export type KeyOperation = "verify" | "sign" | "derive";

/**
 * Steps of one WebCrypto operation on a curve, key import included, charged once when the work
 * starts (BuiltinContext.awaitAsync). Measured in Node 20 at about 50 ns a step, where each
 * operation also pays a thread hand-off; workerd runs them on the isolate's thread, which is why
 * they must be charged at all.
 */
const P521_COSTS = { verify: 33_000, sign: 120_000, derive: 58_000 };
const CURVE_COSTS: Partial<Record<string, Record<KeyOperation, number>>> = {
  "P-256": { verify: 10_000, sign: 23_000, derive: 12_000 },
  "P-384": { verify: 20_000, sign: 60_000, derive: 30_000 },
  "P-521": P521_COSTS,
  Ed25519: { verify: 8_000, sign: 19_000, derive: 9_000 },
};

/** `curve` is a NIST curve's name or "Ed25519"; a curve not listed costs as the dearest, P-521. */
export function curveOperationCost(curve: string, op: KeyOperation): number {
  return (CURVE_COSTS[curve] ?? P521_COSTS)[op];
}

/**
 * Steps of preparing one WebCrypto signature or check, paid on every call, settled or not: its
 * inputs as bytes and the digest that keys its memo (70 µs for an ES256 check in Node 20).
 */
export const SIGNATURE_CHECK_COST = 1_800;

/** 64-bit words of an RSA modulus of `bits`. */
function words(bits: number): number {
  return Math.ceil(bits / 64);
}

/**
 * Steps of handling an RSA private key's numbers on each signing call, settled or not (its text
 * and its identity in the memo key): linear in the modulus' words.
 */
export function rsaPrivateKeyHandlingCost(modulusBits: number): number {
  return 60 * words(modulusBits);
}

/**
 * Steps of the CRT parameters Go precomputes for an RSA key: Euclid's modular inverse of its
 * primes, about one division and two multiplications of the prime's words per bit (measured:
 * 0.44 ms at 2,048 bits, 2.5 ms at 4,096, 35 ms at 16,384).
 */
export function rsaCRTCost(primeBits: number): number {
  return Math.ceil(0.75 * primeBits * words(primeBits));
}

/**
 * Steps of an RSA private-key operation through WebCrypto (signing), key import included: cubic
 * in the modulus (measured in Node 20: 1.4 ms at 2,048 bits, 36 ms at 8,192, plus about 3 ms
 * for the import of a JWK and the re-run when a signature is new to an evaluation).
 */
export function rsaPrivateCost(modulusBits: number): number {
  return 60_000 + Math.ceil(0.4 * words(modulusBits) ** 3);
}

/**
 * Steps of RSA's public operation (verification, in BigInt): converting the signature and the
 * result, linear in the modulus' words, and s^e mod n, a multiplication and reduction of those
 * words per bit of e and per set bit. Measured: 260 µs at 2,048 bits with e = 65537; quadratic
 * per multiplication over-charges large moduli, where V8 multiplies faster.
 */
export function rsaPublicCost(modulusBits: number, e: bigint): number {
  const w = words(modulusBits);
  let multiplications = 0;
  for (let x = e; x > 0n; x >>= 1n) multiplications += x & 1n ? 2 : 1;
  return 40 * w + multiplications * (64 + Math.ceil((w * w) / 4));
}

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
  } else if (root instanceof RObject && root.size <= 64) {
    // Likewise a small object of scalar keys and values (a record, a probe built for a membership
    // test); a big one is walked below, where the count stops at `limit`.
    let flat = 1;
    const scalars = root.everyUnordered((k, x) => {
      if ((k !== null && typeof k === "object") || (x !== null && typeof x === "object")) return false;
      flat += scalarSize(k) + scalarSize(x);
      return true;
    });
    if (scalars) return flat;
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
  const x = n < 0n ? -n : n;
  // Measured on every big-integer result, so without a string below 2^1023: the double's
  // exponent gives the length (within a bit, which no cost minds); the cap (4,096 bits) is
  // checked on the exact hex length.
  const f = Number(x);
  if (f < 2 ** 1023) return f === 0 ? 0 : Math.floor(Math.log2(f)) + 1;
  return x.toString(16).length * 4;
}

function intTooLarge(): LimitError {
  return new LimitError(`integer result larger than ${MAX_INT_BITS} bits`);
}

function bits(v: Value | undefined): number {
  return typeof v === "bigint" || typeof v === "number" ? bitLength(Number.isInteger(v) || typeof v === "bigint" ? v : 0) : 0;
}

/**
 * Strings among the arguments, one step per UTF-16 unit: the default for
 * built-ins that read their string operands once, a character at a time
 * (measured: 10–25 ns a character for the cheapest — strings.count,
 * substring, hashes — about one plain statement).
 */
function stringArgs(args: Value[]): number {
  let n = 0;
  for (const a of args) if (typeof a === "string") n += a.length;
  return n;
}

/** `k` steps per character of the string arguments: built-ins whose work per character is k statements' worth. */
function perChar(k: number): Cost {
  return (args) => k * stringArgs(args);
}

/** `k` steps per node of the first argument: built-ins that visit or write out a whole value. */
function perNode(k: number, i = 0): Cost {
  return (args) => k * deepSize(args[i]);
}

/** IP addresses and CIDR blocks among the arguments (strings, or members of arrays and sets), each parsed once. */
function cidrs(v: Value | undefined): number {
  if (typeof v === "string") return 1;
  return Array.isArray(v) || v instanceof RSet ? shallowSize(v) : 0;
}

/** Largest decimal exponent written in a number text (`1e99999`): exact conversions build 10^exp. */
function exponentCost(v: Value | undefined): number {
  if (typeof v !== "string" || !/[eE]/.test(v)) return 0;
  let n = 0;
  for (const m of v.matchAll(/[eE][+-]?0*(\d{3,})/g)) n = Math.max(n, Number(m[1]));
  return n > 300 ? 8 * n : 0;
}

function sizes(args: Value[]): number {
  let n = 0;
  for (const a of args) n += shallowSize(a);
  return n;
}

/**
 * Work of finding members of the sets among `args` in other sets: one step
 * per 16 characters of their hash keys (a set of 2,000 arrays each holding
 * a 150 KB string compares 300 MB of keys when intersected with its like).
 */
function setKeys(args: Value[]): number {
  let n = 0;
  for (const a of args) n += setKeyCost(a);
  return n;
}

/** setKeys of one value (nothing for a value that is not a set). */
export function setKeyCost(v: Value): number {
  return v instanceof RSet ? bytes(v.keyChars()) : 0;
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

/** Work of hashing or comparing a value by its contents: nothing for scalars. */
function composite(v: Value | undefined): number {
  return v !== null && typeof v === "object" ? deepSize(v) : 0;
}

/** Members a membership test may compare: an array's elements, an object's values (a set is a lookup). */
export function scanned(v: Value | undefined): number {
  return Array.isArray(v) || v instanceof RObject ? shallowSize(v) : 0;
}

/** `x in coll`: a composite x is hashed or compared by its contents, an array's or object's members are scanned (the interpreter answers it inline too). */
export function memberCost(x: Value | undefined, coll: Value | undefined): number {
  return 4 * composite(x) + scanned(coll);
}

/** A comparison walks composite operands (the smaller bounds an equal prefix) and reads strings. */
function comparison(a: Value[]): number {
  return Math.min(composite(a[0]), composite(a[1])) + stringArgs(a);
}

/** Steps of one big.Float operation (non-integer arithmetic follows Go's big.Float: µs each, measured). */
const FLOAT_COST = 48;

/** Non-integer arithmetic goes through big.Float: a fixed cost, and linear in the bits of a big integer operand. */
function bigFloat(a: Value[]): number {
  const x = a[0];
  const y = a[1];
  const float = (typeof x === "number" && !Number.isInteger(x)) || (typeof y === "number" && !Number.isInteger(y));
  // bit lengths only when it matters: measuring a bigint's costs a conversion
  return float ? FLOAT_COST + ((bits(x) + bits(y)) >> 1) : 0;
}

/** Rounding a float beyond 2^53: its exact integer is built through big.Float, as many bits as its exponent. */
function hugeFloat(a: Value[]): number {
  const x = a[0];
  if (typeof x === "bigint") return bitLength(x) >> 6;
  return typeof x === "number" && Math.abs(x) > 2 ** 53 ? 2 * Math.ceil(Math.log2(Math.abs(x))) : 0;
}

/** product: every member multiplied (through big.Float unless integers), and the integer cap on the result. */
function productCost(a: Value[]): number {
  const ms = Array.isArray(a[0]) ? a[0] : a[0] instanceof RSet ? [...a[0].unorderedValues()] : [];
  let b = 0;
  for (const m of ms) b += bits(m);
  if (b > MAX_INT_BITS + ms.length) throw intTooLarge();
  return 64 * ms.length + ((b * b) >> 12);
}

/** Decimal digits of the big integers among sprintf's values: quadratic-ish toString, about format_int's cost. */
function bigDigits(v: Value | undefined): number {
  let n = 0;
  if (Array.isArray(v)) for (const x of v) if (typeof x === "bigint") n += bitLength(x);
  return n;
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
  // Each key of the path is hashed to look it up: a composite one by its whole contents.
  "object.get": (a) => deepSize(a[1]),
  // A composite needle is hashed or compared by its contents; an array or an object's values are scanned.
  "internal.member_2": (a) => memberCost(a[0], a[1]),
  "internal.member_3": (a) => 4 * (composite(a[0]) + composite(a[1])) + scanned(a[2]),
  // Comparisons of composite values walk both.
  equal: comparison,
  neq: comparison,
  lt: comparison,
  lte: comparison,
  gt: comparison,
  gte: comparison,

  // Known output size: refused before it is built (two steps an element: writing it, and collecting it later).
  "numbers.range": (a) => 2 * rangeLength(a[0], a[1], 1),
  "numbers.range_step": (a) => 2 * rangeLength(a[0], a[1], a[2]),

  // Integer arithmetic: bit lengths, and the cap.
  mul: (a) => {
    const b = bits(a[0]) + bits(a[1]);
    if (b > MAX_INT_BITS + 1) throw intTooLarge();
    return bigFloat(a) + ((bits(a[0]) * bits(a[1])) >> 12);
  },
  "bits.lsh": (a) => {
    const s = typeof a[1] === "number" ? a[1] : typeof a[1] === "bigint" ? Number(a[1]) : 0;
    if (bits(a[0]) + s > MAX_INT_BITS + 1 && a[0] !== 0) throw intTooLarge();
    return (bits(a[0]) + s) >> 6;
  },
  // Division of big integers may go through big.Float (a non-integer quotient): linear in the bits, with a large factor.
  div: (a) => bigFloat(a) + (typeof a[0] === "bigint" || typeof a[1] === "bigint" ? 2 * (bits(a[0]) + bits(a[1])) : 0),
  rem: (a) => (typeof a[0] === "bigint" || typeof a[1] === "bigint" ? 2 * (bits(a[0]) + bits(a[1])) : 0),
  // Big integers with a non-integer operand go through big.Float.
  plus: bigFloat,
  minus: (a) => (a[0] instanceof RSet ? 8 * sizes(a) + setKeys(a) : bigFloat(a)),
  // Bitwise operations copy their operands' words.
  "bits.and": (a) => (bits(a[0]) + bits(a[1])) >> 3,
  "bits.or": (a) => (bits(a[0]) + bits(a[1])) >> 3,
  "bits.xor": (a) => (bits(a[0]) + bits(a[1])) >> 3,
  "bits.negate": (a) => bits(a[0]) >> 3,
  "bits.rsh": (a) => bits(a[0]) >> 3,
  // Rounding a float beyond 2^53 builds its exact integer.
  round: hugeFloat,
  ceil: hugeFloat,
  floor: hugeFloat,
  abs: hugeFloat,
  to_number: (a) => stringArgs(a) + exponentCost(a[0]),
  // Aggregates add every member, through big.Float when they are not all small integers.
  sum: (a) => 64 * shallowSize(a[0]),
  product: productCost,
  max: (a) => 16 * deepSize(a[0]),
  min: (a) => 16 * deepSize(a[0]),

  // Civil-time conversions go through the runtime's Intl time-zone data: tens of µs a call.
  "time.format": () => TIME_ZONE_COST,
  "time.date": () => TIME_ZONE_COST,
  "time.clock": () => TIME_ZONE_COST,
  "time.weekday": () => TIME_ZONE_COST,
  "time.add_date": () => TIME_ZONE_COST,
  "time.diff": () => 2 * TIME_ZONE_COST,
  // A text that does not parse is quoted, byte by byte, into Go's error message (about 0.5 µs a character, measured).
  "time.parse_ns": (a) => TIME_ZONE_COST + 12 * stringArgs(a),
  "time.parse_rfc3339_ns": perChar(12),
  "time.parse_duration_ns": perChar(6),
  // Unescaping and re-escaping walk the text as UTF-8 bytes (about 100 ns a character, measured).
  "uri.parse": perChar(2),
  "uri.is_valid": perChar(2),
  // Decimal digits of a big integer: quadratic in JavaScript's toString, measured.
  format_int: (a) => bits(a[0]) >> 1,

  // Collections: elements visited.
  // Each element takes part in log n comparisons, each walking it.
  sort: (a) => {
    const n = shallowSize(a[0]);
    return 3 * Math.max(n, deepSize(a[0])) * Math.ceil(Math.log2(n + 1));
  },
  union: (a) => 24 * memberSizes(a[0]) + memberSetKeys(a[0]),
  intersection: (a) => 24 * memberSizes(a[0]) + memberSetKeys(a[0]),
  and: (a) => 8 * sizes(a) + setKeys(a),
  or: (a) => 8 * sizes(a) + setKeys(a),
  set_diff: (a) => 8 * sizes(a) + setKeys(a),
  "array.concat": sizes,
  "array.reverse": sizes,
  "array.slice": (a) => shallowSize(a[0]) >> 4,
  "array.flatten": (a) => deepSize(a[0]),
  "object.union": (a) => 8 * deepArgs(a),
  "object.union_n": (a) => 8 * deepSize(a[0]),
  // The keys are hashed into a set and the object's own keys looked up in it: composite ones by their contents.
  "object.filter": (a) => 6 * sizes(a) + keysSize(a[0]) + deepSize(a[1]),
  "object.remove": (a) => 6 * sizes(a) + keysSize(a[0]) + deepSize(a[1]),
  "object.keys": sizes,
  any: sizes,
  all: sizes,
  "object.subset": (a) => 2 * deepArgs(a),
  "json.filter": (a) => 32 * deepArgs(a),
  "json.remove": (a) => 32 * deepArgs(a),
  // Each operation may copy the document.
  "json.patch": (a) => 4 * deepSize(a[1]) + deepSize(a[0]) * Math.max(1, shallowSize(a[1])),
  walk: perNode(32),
  // The starting vertices are hashed into a set first: composite ones by their whole contents.
  "graph.reachable": (a) => 24 * deepSize(a[0]) + 2 * deepSize(a[1]),
  "graph.reachable_paths": (a) => 16 * deepSize(a[0]) + 2 * deepSize(a[1]),
  // Every address is parsed, then sorted and merged.
  "net.cidr_merge": (a) => {
    const n = shallowSize(a[0]);
    return CIDR_COST * 2 * n + n * Math.ceil(Math.log2(n + 1));
  },
  "net.cidr_contains_matches": (a) => CIDR_COST * Math.max(1, cidrs(a[0])) * Math.max(1, cidrs(a[1])),
  "net.cidr_contains": (a) => CIDR_COST * 2 + stringArgs(a),
  "net.cidr_intersects": (a) => CIDR_COST * 2 + stringArgs(a),
  "net.cidr_is_valid": (a) => CIDR_COST + stringArgs(a),

  // Whole values written out.
  "json.marshal": perNode(12),
  "json.unmarshal": (a) => 3 * strLen(a[0]) + exponentCost(a[0]),
  "json.is_valid": (a) => 2 * strLen(a[0]),
  // The yaml package's parser: about 1.5 µs a character, measured.
  "yaml.unmarshal": perChar(64),
  "yaml.is_valid": perChar(64),
  "net.cidr_expand": (a) => 32 * cidrSize(a[0]),
  "json.marshal_with_options": (a) => {
    const opts = a[1] instanceof RObject ? a[1] : undefined;
    const pad = strLen(opts?.getString("prefix")) + strLen(opts?.getString("indent"));
    // every node starts a line indented by its depth (a few levels, typically)
    const nodes = deepSize(a[0]);
    return 12 * nodes + 4 * nodes * pad;
  },
  "yaml.marshal": perNode(80),
  sprintf: (a) => stringArgs(a) + 16 * deepSize(a[1] ?? null) + bigDigits(a[1]) + (typeof a[0] === "string" ? formatWidths(a[0]) : 0),
  "internal.template_string": perNode(8),
  "internal.print": perNode(12),
  "urlquery.encode_object": perNode(16),
  "urlquery.encode": perChar(4),
  "urlquery.decode": perChar(4),
  "urlquery.decode_object": perChar(24),

  // Parsers and decoders, per character of their text (measured).
  lower: perChar(8),
  upper: perChar(8),
  "semver.compare": perChar(3),
  "semver.is_valid": perChar(3),
  "uuid.rfc4122": (a) => UUID_COST + stringArgs(a),
  "uuid.parse": (a) => 400 + stringArgs(a),
  "io.jwt.decode": perChar(6),
  "io.jwt.decode_verify": perChar(6),
  "crypto.hmac.md5": perChar(2),
  "crypto.hmac.sha1": perChar(2),
  "crypto.hmac.sha256": perChar(2),
  "crypto.hmac.sha512": perChar(2),
  "strings.reverse": perChar(3),
  // substring counts code points
  substring: perChar(2),
  "base64.encode": perChar(2),
  "base64.decode": perChar(2),
  "base64url.encode": perChar(2),
  "base64url.encode_no_pad": perChar(2),
  "base64url.decode": perChar(2),
  "hex.encode": perChar(2),
  "hex.decode": perChar(2),
  // Marshals header and payload, reads them back, encodes and signs: about 150 ns a node (measured on a 650 KB payload).
  "io.jwt.encode_sign": (a) => 24 * deepArgs(a),
  "io.jwt.encode_sign_raw": perChar(4),
  "crypto.x509.parse_certificates": perChar(4),
  "crypto.x509.parse_and_verify_certificates": perChar(4),
  "crypto.x509.parse_and_verify_certificates_with_options": perChar(4),
  "crypto.x509.parse_certificate_request": perChar(4),
  "crypto.x509.parse_keypair": perChar(4),
  "crypto.x509.parse_rsa_private_key": perChar(4),
  "crypto.parse_private_keys": perChar(4),
  "graphql.parse": (a) => 16 * (stringArgs(a) + deepArgs(a)),
  "graphql.parse_query": perChar(32),
  "graphql.parse_schema": (a) => 16 * (stringArgs(a) + deepArgs(a)),
  "graphql.parse_and_verify": (a) => 16 * (stringArgs(a) + deepArgs(a)),
  "graphql.is_valid": (a) => 16 * (stringArgs(a) + deepArgs(a)),
  "graphql.schema_is_valid": (a) => 16 * (stringArgs(a) + deepArgs(a)),
  "rego.parse_module": perChar(64),
  "json.match_schema": (a) => 64 * deepArgs(a) + 16 * stringArgs(a),
  "json.verify_schema": (a) => 64 * deepArgs(a) + 16 * stringArgs(a),

  // Strings whose output can be far longer than the input.
  concat: (a) => 20 * (bytes(strLen(a[0])) + memberStrings(a[1]) + bytes(strLen(a[0]) * shallowSize(a[1]))),
  replace: (a) => 4 * replaceCost(strLen(a[0]), strLen(a[1]), strLen(a[2])),
  "strings.replace_n": (a) => {
    let n = 0;
    if (a[0] instanceof RObject) a[0].forEachUnordered((k, v) => (n += 4 * replaceCost(strLen(a[1]), strLen(k as Value), strLen(v))));
    return n;
  },
  // re2js replaces through its general matcher: about 0.5 µs a character, measured.
  "regex.replace": (a, ctx) =>
    regexCost([a[1] as Value, a[0] as Value], ctx) + 24 * strLen(a[0]) + replaceCost(strLen(a[0]), 1, strLen(a[2])),

  // Results of up to one element per character.
  indexof_n: (a) => bytes(strLen(a[0])) + Math.floor(strLen(a[0]) / Math.max(1, strLen(a[1]))),
  split: (a) => bytes(strLen(a[0])) + Math.floor(strLen(a[0]) / Math.max(1, strLen(a[1]))),
  "strings.split_n": (a) => bytes(strLen(a[0])) + Math.floor(strLen(a[0]) / Math.max(1, strLen(a[1]))),

  // Matching: text × pattern in the worst case.
  "glob.match": (a, ctx) => globCompileCost(a, ctx) + bytes(strLen(a[0]) * Math.max(1, strLen(a[2]))) + memberStrings(a[1]) + strLen(a[2]),
  "regex.match": regexCost,
  re_match: regexCost,
  "regex.find_n": (a, ctx) => regexCost(a, ctx) + 12 * strLen(a[1]),
  // Each submatch is a search of its own (µs each, up to one per character).
  "regex.find_all_string_submatch_n": (a, ctx) => regexCost(a, ctx) + 128 * strLen(a[1]),
  "regex.split": (a, ctx) => regexCost(a, ctx) + 24 * strLen(a[1]),
  "regex.is_valid": (a, ctx) => regexCost([a[0] as Value, ""], ctx),
  "regex.template_match": (a, ctx) => regexCost([a[0] as Value, a[1] as Value], ctx) + bytes(strLen(a[2]) + strLen(a[3])),
  // Parsing makes a token of every character (about 8 steps each, measured); the walk then charges as it goes.
  "regex.globs_match": (a) => 8 * (strLen(a[0]) + strLen(a[1])),
  "strings.any_prefix_match": (a) => memberStrings(a[0]) * Math.max(1, shallowSize(a[1])) + memberStrings(a[1]),
  "strings.any_suffix_match": (a) => memberStrings(a[0]) * Math.max(1, shallowSize(a[1])) + memberStrings(a[1]),
};

/** Program sizes of patterns met recently (a memo of regexProgramSize, cleared when full). */
const programSizes = new Map<string, number>();
const MAX_PROGRAM_SIZES = 1024;

function programSize(p: string): number {
  let n = programSizes.get(p);
  if (n === undefined) {
    if (programSizes.size >= MAX_PROGRAM_SIZES) programSizes.clear();
    programSizes.set(p, (n = regexProgramSize(p)));
  }
  return n;
}

/**
 * Distinct patterns an evaluation remembers having charged the compile of
 * (Evaluation.chargeCompile): half of what the compile caches keep for sure —
 * a pattern stays there until CACHE_GENERATION others were used after it —
 * so a compile not charged again is always still cached, with room to spare
 * for patterns compiled outside the cost model. Past it, compiles are charged
 * again.
 */
export const COMPILES_REMEMBERED = CACHE_GENERATION / 2;

/** Steps of compiling a pattern (re2js: about 100 µs for a small one, measured), and per instruction of its program. */
const COMPILE_BASE = 12000;
const COMPILE_COST = 512;

/**
 * Upper bound of the instructions an RE2 program for `p` holds: counted
 * repetitions copy what they repeat (`((a{30}){30}){30}` is 27,000
 * instructions from 17 characters).
 */
function regexProgramSize(p: string): number {
  const groups: number[] = [0];
  let last = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "(") {
      groups.push(0);
      continue;
    }
    if (c === ")" && groups.length > 1) {
      last = (groups.pop() as number) + 1;
      groups[groups.length - 1] = (groups[groups.length - 1] as number) + last;
      continue;
    }
    if (c === "{") {
      const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(p.slice(i, i + 24));
      if (m) {
        const times = Math.min(1000, Number(m[3] || m[1]) + (m[2] && !m[3] ? 1 : 0));
        groups[groups.length - 1] = (groups[groups.length - 1] as number) + last * Math.max(0, times - 1);
        last *= Math.max(1, times);
        i += m[0].length - 1;
        continue;
      }
    }
    if (c === "\\") i++;
    else if (c === "[") {
      // a class is one instruction: skip to its end
      let j = i + 1;
      if (p[j] === "^") j++;
      if (p[j] === "]") j++;
      while (j < p.length && p[j] !== "]") j += p[j] === "\\" ? 2 : 1;
      i = j;
    }
    last = 1;
    groups[groups.length - 1] = (groups[groups.length - 1] as number) + 1;
  }
  let n = 0;
  for (const g of groups) n += g;
  return n;
}

/**
 * Compiling a pattern (when it is not cached), preparing its program for a
 * match (linear in the program, also when cached) and running it over the
 * text: RE2 is linear in the text, with a factor for the pattern.
 */
function regexCost(a: Value[], ctx: BuiltinContext): number {
  if (typeof a[0] !== "string") return 0;
  const size = programSize(a[0]);
  ctx.chargeCompile("regex", a[0], COMPILE_BASE + COMPILE_COST * size);
  return (size >> 5) + bytes(strLen(a[1]) * Math.max(1, Math.ceil(size / 8)));
}

/** A glob compiles to a regex several times its length (each wildcard a class and a star, each character escaped). */
function globCompileCost(a: Value[], ctx: BuiltinContext): number {
  if (typeof a[0] !== "string") return 0;
  const delimiters = Array.isArray(a[1]) ? a[1] : [];
  // Measured before the key is built: a key of megabytes (or one joining composite delimiters,
  // which the built-in refuses) is charged as a compile of that size without being built or kept.
  let length = a[0].length;
  for (const d of delimiters) length += typeof d === "string" ? d.length : 1;
  if (length > MAX_GLOB_KEY || delimiters.some((d) => typeof d !== "string")) return COMPILE_BASE + COMPILE_COST * 4 * length;
  const key = `${a[0]}\u0000${delimiters.join("")}`;
  ctx.chargeCompile("glob", key, COMPILE_BASE + COMPILE_COST * 4 * key.length);
  return 0;
}

/** Longest pattern and delimiters (in characters) whose compile cost is remembered (see globCompileCost). */
const MAX_GLOB_KEY = 65536;

/** deepSize of an object's keys (the values are not visited). */
function keysSize(v: Value | undefined): number {
  if (!(v instanceof RObject)) return 0;
  let n = 0;
  v.forEachUnordered((k) => {
    n += deepSize(k);
  });
  return n;
}

/** setKeys of the members of a set of sets. */
function memberSetKeys(v: Value | undefined): number {
  return v instanceof RSet ? setKeys([...v.unorderedValues()]) : 0;
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
 * the call built, or its size was already charged before the call (walk
 * charges its paths' segments itself before it builds them, builtins/walk.ts).
 */
const NO_AFTER = new Set([
  "object.get",
  "max",
  "min",
  "internal.member_2",
  "internal.member_3",
  "numbers.range",
  "numbers.range_step",
  "walk",
]);

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
  return (r, ctx) => {
    if (typeof r === "bigint") {
      const b = bitLength(r);
      if (b > MAX_INT_BITS) throw intTooLarge();
      // a new big integer: its words, allocated and later collected
      ctx.charge(b >> 4);
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
    const steps = pre(args, ctx);
    if (steps > 0) ctx.charge(steps);
    const r = fn(args, ctx);
    if (post && r !== undefined) post(r, ctx);
    return r;
  };
}

/**
 * net.cidr_* built-ins, as OPA implements them on Go's `net` package (see
 * ../goruntime/net.ts). net.lookup_ip_addr is deliberately absent: policies have no
 * network access (FORBIDDEN_BUILTINS in index.ts).
 */
import type { Value } from "../value/index.js";
import { RObject, RSet } from "../value/index.js";
import { builtinError, operandError, str } from "./args.js";
import {
  type IP,
  type IPNet,
  bigIntToBytes,
  bytesToBigInt,
  cidrMask,
  contains,
  defaultMask,
  ipString,
  maskIP,
  maskSize,
  netString,
  parseCIDR,
  parseIP,
  to4,
} from "../goruntime/net.js";
import type { BuiltinTable } from "./types.js";

/**
 * The most addresses net.cidr_expand produces. OPA has no limit (it runs until
 * the query is cancelled); an isolate needs one, and a /16 is already 65536
 * strings.
 */
export const CIDR_EXPAND_LIMIT = 65536;

/** A CIDR operand; OPA reports every such operand as "operand 1". */
function cidrOperand(v: Value): IPNet {
  if (typeof v !== "string") throw operandError(1, v, "string");
  const parsed = parseCIDR(v);
  if (parsed === undefined) throw builtinError(`invalid CIDR address: ${v}`);
  return parsed.net;
}

/** net.cidr_contains: whether a CIDR contains an IP or another CIDR. */
function cidrContains(cidr: Value, cidrOrIP: Value): boolean {
  const a = cidrOperand(cidr);
  if (typeof cidrOrIP !== "string") throw operandError(1, cidrOrIP, "string");
  const ip = parseIP(cidrOrIP);
  if (ip !== undefined) return contains(a, ip);
  const parsed = parseCIDR(cidrOrIP);
  if (parsed === undefined) throw builtinError(`not a valid textual representation of an IP address or CIDR: ${cidrOrIP}`);
  const b = parsed.net;
  // A contains B when it contains B's first and last addresses.
  return contains(a, b.ip) && contains(a, lastIP(b));
}

/** Adds one to an address in place (wrapping, as Go's incIP). */
function increment(ip: IP): void {
  for (let j = ip.length - 1; j >= 0; j--) {
    ip[j] = ((ip[j] as number) + 1) & 0xff;
    if (ip[j] !== 0) break;
  }
}

/** The last address of a network, in the network's own byte length. */
function lastIP(n: IPNet): IP {
  const [ones, bits] = maskSize(n.mask);
  if (ones === bits) return n.ip;
  const host = (1n << BigInt(bits - ones)) - 1n;
  return bigIntToBytes(bytesToBigInt(n.ip) | host, bits / 8);
}

export const netBuiltins: BuiltinTable = {
  "net.cidr_contains": (args) => cidrContains(args[0] as Value, args[1] as Value),

  "net.cidr_intersects": (args) => {
    const a = cidrOperand(args[0] as Value);
    const b = cidrOperand(args[1] as Value);
    return contains(a, b.ip) || contains(b, a.ip);
  },

  "net.cidr_is_valid": (args) => {
    const v = args[0];
    return typeof v === "string" && parseCIDR(v) !== undefined;
  },

  "net.cidr_expand": (args) => {
    const s = str(args, 0);
    const parsed = parseCIDR(s);
    if (parsed === undefined) throw builtinError(`invalid CIDR address: ${s}`);
    const { net } = parsed;
    const [ones, bits] = maskSize(net.mask);
    if (bits - ones > 30 || 2 ** (bits - ones) > CIDR_EXPAND_LIMIT) {
      throw builtinError(`CIDR ${s} is too large to expand: more than ${CIDR_EXPAND_LIMIT} addresses`);
    }
    // Go walks from the masked address while the network contains it: that
    // is every address of the block.
    const addr = Uint8Array.from(maskIP(parsed.ip, net.mask) as IP);
    const out = new RSet();
    for (let i = 2 ** (bits - ones); i > 0; i--) {
      out.add(ipString(addr));
      increment(addr);
    }
    return out;
  },

  "net.cidr_contains_matches": (args) => {
    const result = new RSet();
    forEachCIDR(1, args[0] as Value, (cidr1, key1) => {
      forEachCIDR(2, args[1] as Value, (cidr2, key2) => {
        if (cidrContains(cidr1, cidr2)) result.add([key1, key2]);
      });
    });
    return result;
  },

  "net.cidr_merge": (args) => {
    const v = args[0] as Value;
    let items: Value[];
    if (Array.isArray(v)) items = v;
    else if (v instanceof RSet) items = v.values();
    else throw builtinError("operand must be an array");
    const nets = items.map(mergeOperand);
    return RSet.from(mergeCIDRs(nets));
  },
};

/**
 * Calls `fn(cidr, key)` for each CIDR of a cidr_contains_matches operand: a
 * string (its own key), or an array, set or object of strings or of non-empty
 * arrays whose first element is the CIDR (keyed by index, element, or key).
 * Other operand types contribute nothing, as in OPA.
 */
function forEachCIDR(pos: number, v: Value, fn: (cidr: Value, key: Value) => void): void {
  const element = (x: Value): Value => {
    if (typeof x === "string") return x;
    if (Array.isArray(x) && x.length > 0) return x[0] as Value;
    throw builtinError(`operand ${pos}: element must be string or non-empty array`);
  };
  if (typeof v === "string") fn(v, v);
  else if (Array.isArray(v)) v.forEach((x, i) => fn(element(x), i));
  else if (v instanceof RSet) for (const x of v.values()) fn(element(x), x);
  else if (v instanceof RObject) for (const [k, x] of v.entries()) fn(element(x), k);
}

/** A cidr_merge element: a CIDR, or an IPv4 address with its classful mask. */
function mergeOperand(x: Value): IPNet {
  if (typeof x !== "string") throw builtinError("element must be string");
  const ip = parseIP(x);
  if (ip === undefined) {
    const parsed = parseCIDR(x);
    if (parsed === undefined) throw builtinError(`invalid CIDR address: ${x}`);
    return parsed.net;
  }
  const mask = defaultMask(ip);
  if (mask === undefined) throw builtinError("IPv6 invalid: needs prefix length");
  // Go keeps the address unmasked here, and prints it so when it is not merged.
  return { ip, mask };
}

// ---- cidr_merge ----------------------------------------------------------------
//
// OPA's algorithm (from netaddr, via Cilium): every network becomes a range in
// the 128-bit space, IPv4 at ::ffff:0:0/96; the ranges are sorted by (last,
// first) and merged from the end when they overlap or touch; a merged range is
// split back into the fewest CIDRs, an untouched one keeps its network.

const V4_BASE = 0xffffn << 32n;
const V4_MAX = V4_BASE | 0xffffffffn;

interface Range {
  first: bigint;
  last: bigint;
  net: IPNet | undefined;
}

function rangeOf(n: IPNet): Range {
  const [ones, bits] = maskSize(n.mask);
  // IPv4 networks mask to 4 bytes; place them in the IPv4-mapped block. (Go
  // mishandles IPv6-written IPv4-mapped CIDRs here; see REGEX.md.)
  const masked = maskIP(n.ip, n.mask) as IP;
  const first = masked.length === 4 ? V4_BASE | bytesToBigInt(masked) : bytesToBigInt(masked);
  return { first, last: first | ((1n << BigInt(bits - ones)) - 1n), net: n };
}

/** GetPreviousIP: one less, except at the bottom of the IPv4 or IPv6 space. */
function previous(x: bigint): bigint {
  return x === 0n || x === V4_BASE ? x : x - 1n;
}

export function mergeCIDRs(nets: IPNet[]): string[] {
  if (nets.length === 0) return [];
  const ranges = nets.map(rangeOf);
  ranges.sort((a, b) => (a.last !== b.last ? (a.last < b.last ? -1 : 1) : a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  for (let i = ranges.length - 1; i > 0; i--) {
    const cur = ranges[i] as Range;
    const prev = ranges[i - 1] as Range;
    if (previous(cur.first) <= prev.last) {
      ranges[i - 1] = { first: prev.first < cur.first ? prev.first : cur.first, last: cur.last, net: undefined };
      ranges.splice(i, 1);
    }
  }
  const out: string[] = [];
  for (const r of ranges) {
    if (r.net !== undefined) out.push(netString(r.net));
    else out.push(...rangeToCIDRs(r.first, r.last));
  }
  return out;
}

/** The fewest CIDRs covering [first, last], formatted as Go formats them. */
function rangeToCIDRs(first: bigint, last: bigint): string[] {
  const v4 = first >= V4_BASE && last <= V4_MAX;
  const width = v4 ? 32 : 128;
  const base = v4 ? V4_BASE : 0n;
  const out: string[] = [];
  let lo = first - base;
  const hi = last - base;
  while (lo <= hi) {
    // The largest aligned block starting at lo that stays within hi.
    let size = 0;
    while (size < width && ((lo >> BigInt(size)) & 1n) === 0n && lo + (1n << BigInt(size + 1)) - 1n <= hi) size++;
    const ip = v4 ? to4(bigIntToBytes(lo, 4)) : bigIntToBytes(lo, 16);
    out.push(netString({ ip: ip as IP, mask: cidrMask(width - size, width) }));
    lo += 1n << BigInt(size);
  }
  return out;
}

/**
 * uuid.parse (google/uuid's accepted forms: plain, braced, urn:uuid:, and
 * 32 hex digits; fields decoded for versions 1 and 2) and uuid.rfc4122
 * (a random version 4 UUID, the same one for the same key throughout an
 * evaluation).
 */
import type { Value } from "../value/index.js";
import { RObject, canonical, normalizeInt } from "../value/index.js";
import { str } from "./args.js";
import { hexValue } from "../goruntime/hex.js";
import type { BuiltinTable } from "./types.js";

const utf8 = new TextEncoder();

/** Two hex digits at b[i], or -1. */
function hexByte(b: Uint8Array, i: number): number {
  const hi = hexValue(b[i] as number);
  const lo = hexValue(b[i + 1] as number);
  return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
}

const DASHED_OFFSETS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** google/uuid.Parse; undefined when the text is not a UUID. */
function parseUUID(text: string): Uint8Array | undefined {
  let b = utf8.encode(text);
  const out = new Uint8Array(16);
  switch (b.length) {
    case 36:
      break;
    case 45: {
      const prefix = new TextDecoder().decode(b.subarray(0, 9));
      if (prefix.toLowerCase() !== "urn:uuid:") return undefined;
      b = b.subarray(9);
      break;
    }
    case 38:
      // The braces themselves are not checked, as in google/uuid.
      b = b.subarray(1);
      break;
    case 32:
      for (let i = 0; i < 16; i++) {
        const v = hexByte(b, i * 2);
        if (v < 0) return undefined;
        out[i] = v;
      }
      return out;
    default:
      return undefined;
  }
  if (b[8] !== 0x2d || b[13] !== 0x2d || b[18] !== 0x2d || b[23] !== 0x2d) return undefined;
  for (let i = 0; i < 16; i++) {
    const v = hexByte(b, DASHED_OFFSETS[i] as number);
    if (v < 0) return undefined;
    out[i] = v;
  }
  return out;
}

function variantName(u: Uint8Array): string {
  const b = u[8] as number;
  if ((b & 0xc0) === 0x80) return "RFC4122";
  if ((b & 0xe0) === 0xc0) return "Microsoft";
  if ((b & 0xe0) === 0xe0) return "Future";
  return "Reserved";
}

/** 100-ns intervals between the Gregorian reform (1582-10-15) and the Unix epoch. */
const GREGORIAN_TO_UNIX_100NS = (2440587n - 2299160n) * 86400n * 10000000n;

/** The timestamp of a version 1/2 UUID in Unix nanoseconds. */
function unixNanos(u: Uint8Array): bigint {
  const be = (from: number, to: number) => {
    let v = 0n;
    for (let i = from; i < to; i++) v = (v << 8n) | BigInt(u[i] as number);
    return v;
  };
  const t = be(0, 4) | (be(4, 6) << 32n) | ((be(6, 8) & 0xfffn) << 48n);
  const since = t - GREGORIAN_TO_UNIX_100NS;
  // Go's UnixTime: seconds and nanoseconds, each truncated toward zero.
  const sec = since / 10000000n;
  const nsec = (since % 10000000n) * 100n;
  return sec * 1000000000n + nsec;
}

function macVariables(first: number): string {
  if ((first & 3) === 3) return "local:multicast";
  if ((first & 1) === 1) return "global:multicast";
  if ((first & 2) === 2) return "local:unicast";
  return "global:unicast";
}

const DOMAINS = ["Person", "Group", "Org"];

function describe(u: Uint8Array): RObject {
  const version = (u[6] as number) >> 4;
  const o = new RObject();
  o.set("version", version);
  o.set("variant", variantName(u));
  if (version === 1 || version === 2) {
    o.set("time", normalizeInt(unixNanos(u)));
    const node = Array.from(u.subarray(10, 16), (x) => x.toString(16).padStart(2, "0"));
    o.set("nodeid", node.join("-"));
    o.set("macvariables", macVariables(u[10] as number));
    o.set("clocksequence", (((u[8] as number) << 8) | (u[9] as number)) & 0x3fff);
    if (version === 2) {
      o.set("id", (((u[0] as number) << 24) >>> 0) + ((u[1] as number) << 16) + ((u[2] as number) << 8) + (u[3] as number));
      const d = u[9] as number;
      o.set("domain", DOMAINS[d] ?? `Domain${d}`);
    }
  }
  return o;
}

function randomV4(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const uuidBuiltins: BuiltinTable = {
  "uuid.parse"(args) {
    const u = parseUUID(str(args, 0));
    return u === undefined ? undefined : describe(u);
  },

  "uuid.rfc4122"(args, ctx) {
    const key = "uuid.rfc4122\u0000" + canonical(args[0] as Value);
    let v = ctx.cache.get(key) as string | undefined;
    if (v === undefined) {
      v = randomV4();
      ctx.cache.set(key, v);
    }
    return v;
  },
};

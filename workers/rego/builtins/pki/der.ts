/**
 * A small DER reader: enough ASN.1 for certificates, CSRs and keys. Every
 * element keeps its raw encoding, because signatures are over raw bytes
 * (the TBS certificate) and Go reports several Raw* fields.
 */
import { bytesToBigInt } from "./bytes.js";

export class DerError extends Error {}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  NUMERIC_STRING: 0x12,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export interface Element {
  /** The identifier octet (class, constructed bit and low tag number). */
  tag: number;
  /** The tag number, also for high-tag-number forms. */
  num: number;
  constructed: boolean;
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  cls: number;
  /** Contents octets. */
  body: Uint8Array;
  /** The whole encoding: identifier, length and contents. */
  raw: Uint8Array;
}

/** Reads one element at `off`; returns it and the offset after it. */
export function readElement(buf: Uint8Array, off: number): [Element, number] {
  const start = off;
  if (off >= buf.length) throw new DerError("truncated element");
  const tag = buf[off++] as number;
  let num = tag & 0x1f;
  if (num === 0x1f) {
    num = 0;
    for (;;) {
      if (off >= buf.length) throw new DerError("truncated tag");
      const b = buf[off++] as number;
      num = num * 128 + (b & 0x7f);
      if (num > 0x7fffffff) throw new DerError("tag number too large");
      if (!(b & 0x80)) break;
    }
  }
  if (off >= buf.length) throw new DerError("truncated length");
  let len = buf[off++] as number;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new DerError("indefinite length found (not DER)");
    if (n > 4) throw new DerError("length too large");
    len = 0;
    for (let i = 0; i < n; i++) {
      if (off >= buf.length) throw new DerError("truncated length");
      len = len * 256 + (buf[off++] as number);
    }
    if (len < 128) throw new DerError("non-minimal length");
  }
  if (off + len > buf.length) throw new DerError("data truncated");
  const el: Element = {
    tag,
    num,
    constructed: (tag & 0x20) !== 0,
    cls: tag >> 6,
    body: buf.subarray(off, off + len),
    raw: buf.subarray(start, off + len),
  };
  return [el, off + len];
}

/** Parses exactly one element filling `buf`. */
export function parseOne(buf: Uint8Array, what = "data"): Element {
  const [el, end] = readElement(buf, 0);
  if (end !== buf.length) throw new DerError(`trailing ${what}`);
  return el;
}

/** The elements inside a constructed element. */
export function children(el: Element): Element[] {
  const out: Element[] = [];
  let off = 0;
  while (off < el.body.length) {
    const [c, next] = readElement(el.body, off);
    out.push(c);
    off = next;
  }
  return out;
}

export function expect(el: Element | undefined, tag: number, what: string): Element {
  if (el === undefined || el.tag !== tag) throw new DerError(`malformed ${what}`);
  return el;
}

/** Context-specific tag [n], constructed or primitive. */
export function isContext(el: Element | undefined, n: number): boolean {
  return el !== undefined && el.cls === 2 && el.num === n;
}

export function parseInteger(el: Element): bigint {
  const b = el.body;
  if (b.length === 0) throw new DerError("empty integer");
  let n = bytesToBigInt(b);
  if ((b[0] as number) & 0x80) n -= 1n << BigInt(8 * b.length);
  return n;
}

export function parseSmallInt(el: Element): number {
  return Number(parseInteger(el));
}

export function parseBoolean(el: Element): boolean {
  if (el.body.length !== 1) throw new DerError("invalid boolean");
  return el.body[0] !== 0;
}

export function parseOID(el: Element): number[] {
  const b = el.body;
  if (b.length === 0) throw new DerError("invalid OID");
  const arcs: number[] = [];
  let v = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number;
    v = v * 128 + (c & 0x7f);
    if (!(c & 0x80)) {
      arcs.push(v);
      v = 0;
    } else if (i === b.length - 1) {
      throw new DerError("invalid OID");
    }
  }
  const first = arcs[0] as number;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)];
}

export function oidString(el: Element): string {
  return parseOID(el).join(".");
}

export interface BitString {
  unused: number;
  bytes: Uint8Array;
}

export function parseBitString(el: Element): BitString {
  const b = el.body;
  if (b.length === 0) throw new DerError("invalid bit string");
  const unused = b[0] as number;
  if (unused > 7 || (b.length === 1 && unused > 0)) throw new DerError("invalid bit string");
  return { unused, bytes: b.subarray(1) };
}

/** Bit `i`, counting from the most significant bit of the first byte. */
export function bitAt(bs: BitString, i: number): boolean {
  const byte = i >> 3;
  if (byte >= bs.bytes.length || i >= bs.bytes.length * 8 - bs.unused) return false;
  return (((bs.bytes[byte] as number) >> (7 - (i & 7))) & 1) === 1;
}

// Go keeps string contents as raw bytes; its JSON output turns invalid UTF-8
// into U+FFFD, which is what a non-fatal UTF-8 decode gives as well.
const utf8dec = new TextDecoder("utf-8");

/** The text of any ASN.1 string type. */
export function parseString(el: Element): string {
  switch (el.tag) {
    case TAG.UTF8_STRING:
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.NUMERIC_STRING:
    case TAG.T61_STRING:
      return utf8dec.decode(el.body);
    case TAG.BMP_STRING: {
      let s = "";
      for (let i = 0; i + 1 < el.body.length; i += 2) s += String.fromCharCode(((el.body[i] as number) << 8) | (el.body[i + 1] as number));
      return s;
    }
    case TAG.UNIVERSAL_STRING: {
      let s = "";
      for (let i = 0; i + 3 < el.body.length; i += 4) {
        const cp =
          ((el.body[i] as number) << 24) |
          ((el.body[i + 1] as number) << 16) |
          ((el.body[i + 2] as number) << 8) |
          (el.body[i + 3] as number);
        s += String.fromCodePoint(cp >>> 0);
      }
      return s;
    }
    default:
      throw new DerError("not a string");
  }
}

export function isStringTag(tag: number): boolean {
  return (
    tag === TAG.UTF8_STRING ||
    tag === TAG.PRINTABLE_STRING ||
    tag === TAG.IA5_STRING ||
    tag === TAG.NUMERIC_STRING ||
    tag === TAG.T61_STRING ||
    tag === TAG.BMP_STRING ||
    tag === TAG.UNIVERSAL_STRING
  );
}

/** UTCTime or GeneralizedTime (Z only, as DER requires) as milliseconds since the epoch. */
export function parseTime(el: Element): number {
  const s = utf8dec.decode(el.body);
  let m: RegExpExecArray | null;
  let year: number;
  if (el.tag === TAG.UTC_TIME) {
    m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
    if (!m) throw new DerError("invalid UTCTime");
    const yy = Number(m[1]);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
  } else if (el.tag === TAG.GENERALIZED_TIME) {
    m = /^(\d\d\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
    if (!m) throw new DerError("invalid GeneralizedTime");
    year = Number(m[1]);
  } else {
    throw new DerError("invalid time");
  }
  const d = new Date(0);
  d.setUTCFullYear(year, Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  return d.getTime();
}

/** Go's time.Time JSON form (RFC 3339) for a UTC instant. */
export function rfc3339(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(y, 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}Z`;
}

// --- encoding, for the few structures we build (SPKI for WebCrypto, PKCS#8) ---

function encodeLength(n: number): number[] {
  if (n < 128) return [n];
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | out.length, ...out];
}

export function encodeElement(tag: number, body: Uint8Array): Uint8Array {
  const head = [tag, ...encodeLength(body.length)];
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

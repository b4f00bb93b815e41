/**
 * The parts of Go's `net` and `net/netip` packages that OPA's net.cidr_*
 * built-ins rely on, with Go's byte-level representation: an IP is 4 or 16
 * bytes, a mask 4 or 16 bytes, and IPv4 addresses may appear in their 16-byte
 * IPv4-mapped form (::ffff:a.b.c.d). Parsing is as strict as Go's (no leading
 * zeros in IPv4 octets, no zones in CIDRs), and formatting follows Go
 * (RFC 5952 for IPv6, dotted for anything IPv4-mapped).
 */
import { hexValue } from "./hex.js";

export type IP = Uint8Array;
export type IPMask = Uint8Array;

export interface IPNet {
  ip: IP;
  mask: IPMask;
}

const V4_IN_V6_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** netip.ParseAddr: 16 bytes (IPv4 as IPv4-mapped), whether it was IPv4, and the zone. */
interface Addr {
  bytes: Uint8Array;
  is4: boolean;
  zone: string;
}

function parseAddr(s: string): Addr | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === ".") {
      const v4 = new Uint8Array(4);
      if (!parseIPv4Fields(s, v4)) return undefined;
      return { bytes: v4To16(v4), is4: true, zone: "" };
    }
    if (c === ":") return parseIPv6(s);
    if (c === "%") return undefined;
  }
  return undefined;
}

/** Go's parseIPv4Fields: exactly four decimal octets, no leading zeros. */
function parseIPv4Fields(s: string, out: Uint8Array): boolean {
  let val = 0;
  let pos = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && val === 0) return false; // leading zero
      val = val * 10 + (c - 48);
      digits++;
      if (val > 255) return false;
    } else if (c === 46 /* . */) {
      if (i === 0 || i === s.length - 1 || s[i - 1] === ".") return false;
      if (pos === 3) return false;
      out[pos++] = val;
      val = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  if (pos < 3) return false;
  out[3] = val;
  return true;
}

/** Go's netip parseIPv6, including a trailing embedded IPv4 and a zone. */
function parseIPv6(input: string): Addr | undefined {
  let s = input;
  let zone = "";
  const pct = s.indexOf("%");
  if (pct >= 0) {
    zone = s.slice(pct + 1);
    s = s.slice(0, pct);
    if (zone === "") return undefined;
  }
  const ip = new Uint8Array(16);
  let ellipsis = -1;
  if (s.startsWith("::")) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === "") return { bytes: ip, is4: false, zone };
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const h = hexValue(s.charCodeAt(off));
      if (h < 0) break;
      acc = acc * 16 + h;
      if (off > 3 || acc > 0xffff) return undefined; // more than 4 digits
    }
    if (off === 0) return undefined;
    if (off < s.length && s[off] === ".") {
      // A trailing IPv4 address in the last 32 bits.
      if ((ellipsis < 0 && i !== 12) || i + 4 > 16) return undefined;
      const v4 = new Uint8Array(4);
      if (!parseIPv4Fields(s, v4)) return undefined;
      ip.set(v4, i);
      s = "";
      i += 4;
      break;
    }
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s === "") break;
    if (s[0] !== ":" || s.length === 1) return undefined;
    s = s.slice(1);
    if (s[0] === ":") {
      if (ellipsis >= 0) return undefined; // a second ::
      ellipsis = i;
      s = s.slice(1);
      if (s === "") break;
    }
  }
  if (s !== "") return undefined;
  if (i < 16) {
    if (ellipsis < 0) return undefined;
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j] as number;
    ip.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0) {
    return undefined; // :: must stand for at least one group
  }
  return { bytes: ip, is4: false, zone };
}

function v4To16(v4: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out.set(V4_IN_V6_PREFIX);
  out.set(v4, 12);
  return out;
}

/** net.ParseIP: 16 bytes, or undefined. */
export function parseIP(s: string): IP | undefined {
  const a = parseAddr(s);
  return a === undefined || a.zone !== "" ? undefined : a.bytes;
}

/** net.ParseCIDR: the address (16 bytes) and its network; undefined when invalid. */
export function parseCIDR(s: string): { ip: IP; net: IPNet } | undefined {
  const slash = s.indexOf("/");
  if (slash < 0) return undefined;
  const a = parseAddr(s.slice(0, slash));
  if (a === undefined || a.zone !== "") return undefined;
  const maskText = s.slice(slash + 1);
  if (!/^[0-9]+$/.test(maskText) || maskText.length > 8) return undefined;
  const bits = a.is4 ? 32 : 128;
  const n = Number(maskText);
  if (n > bits) return undefined;
  const mask = cidrMask(n, bits);
  return { ip: a.bytes, net: { ip: maskIP(a.bytes, mask) as IP, mask } };
}

export function cidrMask(ones: number, bits: number): IPMask {
  const m = new Uint8Array(bits / 8);
  for (let i = 0; i < m.length; i++) {
    const take = Math.min(8, Math.max(0, ones - i * 8));
    m[i] = (0xff00 >> take) & 0xff;
  }
  return m;
}

function isV4InV6(ip: IP): boolean {
  return ip.length === 16 && V4_IN_V6_PREFIX.every((b, i) => ip[i] === b);
}

/** IP.To4: the 4-byte form of an IPv4 (or IPv4-mapped) address. */
export function to4(ip: IP): IP | undefined {
  if (ip.length === 4) return ip;
  return isV4InV6(ip) ? ip.subarray(12) : undefined;
}

/** IP.Mask. */
export function maskIP(ip: IP, mask: IPMask): IP | undefined {
  let m = mask;
  let a = ip;
  if (m.length === 16 && a.length === 4 && m.subarray(0, 12).every((b) => b === 0xff)) m = m.subarray(12);
  if (m.length === 4 && isV4InV6(a)) a = a.subarray(12);
  if (a.length !== m.length) return undefined;
  return a.map((b, i) => b & (m[i] as number));
}

/** Go's networkNumberAndMask: an IPv4 network in 4-byte form. */
function networkNumberAndMask(n: IPNet): { ip: IP; mask: IPMask } | undefined {
  let ip = to4(n.ip);
  if (ip === undefined) {
    ip = n.ip;
    if (ip.length !== 16) return undefined;
  }
  let m = n.mask;
  if (m.length === 4) {
    if (ip.length !== 4) return undefined;
  } else if (m.length === 16) {
    if (ip.length === 4) m = m.subarray(12);
  } else {
    return undefined;
  }
  return { ip, mask: m };
}

/** IPNet.Contains. */
export function contains(n: IPNet, addr: IP): boolean {
  const nm = networkNumberAndMask(n);
  if (nm === undefined) return false;
  const ip = to4(addr) ?? addr;
  if (ip.length !== nm.ip.length) return false;
  for (let i = 0; i < ip.length; i++) {
    if (((nm.ip[i] as number) & (nm.mask[i] as number)) !== ((ip[i] as number) & (nm.mask[i] as number))) return false;
  }
  return true;
}

/** IPMask.Size: [ones, bits], or [0, 0] for a non-canonical mask. */
export function maskSize(m: IPMask): [number, number] {
  const ones = simpleMaskLength(m);
  return ones < 0 ? [0, 0] : [ones, m.length * 8];
}

function simpleMaskLength(m: IPMask): number {
  let n = 0;
  let i = 0;
  for (; i < m.length && m[i] === 0xff; i++) n += 8;
  if (i < m.length) {
    let b = m[i] as number;
    while (b & 0x80) {
      n++;
      b = (b << 1) & 0xff;
    }
    if (b !== 0) return -1;
    for (i++; i < m.length; i++) if (m[i] !== 0) return -1;
  }
  return n;
}

/** IP.String. */
export function ipString(ip: IP): string {
  const v4 = to4(ip);
  if (v4 !== undefined) return Array.from(v4).join(".");
  if (ip.length !== 16) return `?${Array.from(ip, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((ip[i] as number) << 8) | (ip[i + 1] as number));
  // The first longest run of two or more zero groups becomes "::".
  let zeroStart = -1;
  let zeroLen = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > zeroLen) {
      zeroStart = i;
      zeroLen = j - i;
    }
  }
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === zeroStart) {
      out += "::";
      i += zeroLen - 1;
      continue;
    }
    if (out !== "" && !out.endsWith(":")) out += ":";
    out += (groups[i] as number).toString(16);
  }
  return out;
}

/** IPNet.String: "address/prefix" (Go prints the address unmasked). */
export function netString(n: IPNet): string {
  const nm = networkNumberAndMask(n);
  if (nm === undefined) return "<nil>";
  const ones = simpleMaskLength(nm.mask);
  if (ones < 0) return `${ipString(nm.ip)}/${Array.from(nm.mask, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  return `${ipString(nm.ip)}/${ones}`;
}

/** IP.DefaultMask: the classful mask of an IPv4 address. */
export function defaultMask(ip: IP): IPMask | undefined {
  const v4 = to4(ip);
  if (v4 === undefined) return undefined;
  const first = v4[0] as number;
  return cidrMask(first < 0x80 ? 8 : first < 0xc0 ? 16 : 24, 32);
}

export function bytesToBigInt(b: Uint8Array): bigint {
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n;
}

export function bigIntToBytes(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = n;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

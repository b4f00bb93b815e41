/**
 * Byte helpers shared by the crypto, JWT and X.509 built-ins. Rego strings
 * are Unicode; Go's built-ins work on their UTF-8 bytes, so every conversion
 * between the two goes through here.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { encodeHex } from "../../goruntime/hex.js";

const encoder = new TextEncoder();
// Non-fatal: invalid UTF-8 becomes U+FFFD, as Go's JSON decoder does it.
const decoder = new TextDecoder("utf-8");

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

export function fromUtf8(b: Uint8Array): string {
  return decoder.decode(b);
}

/**
 * One character per byte (U+0000–U+00FF), for decoded bytes that are handled
 * as text (Go keeps arbitrary bytes in strings). TextDecoder's "latin1" is
 * really windows-1252, which does not round-trip 0x80–0x9F.
 */
export function byteString(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

/** The inverse of byteString; characters above U+00FF keep their low byte only. */
export function stringBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Go's subtle.ConstantTimeCompare: the time taken depends on the lengths
 * only, never on where the contents differ.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Big-endian unsigned integer. */
export function bytesToBigInt(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  return BigInt("0x" + encodeHex(b));
}

/** Big-endian unsigned encoding; `size` left-pads, otherwise the minimal length. */
export function bigIntToBytes(n: bigint, size?: number): Uint8Array {
  let hex = n.toString(16);
  if (hex.length % 2) hex = "0" + hex;
  if (n === 0n) hex = "";
  const len = Math.max(size ?? 0, hex.length / 2);
  const out = new Uint8Array(len);
  const off = len - hex.length / 2;
  for (let i = 0; i < hex.length / 2; i++) out[off + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A short digest of some bytes, for memo keys that must not carry the bytes themselves. */
export function digestKey(...parts: (Uint8Array | string)[]): string {
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    const b = typeof p === "string" ? utf8(p) : p;
    // Length-prefix every part so distinct splits cannot collide.
    chunks.push(utf8(b.length + ":"), b);
  }
  return encodeHex(sha256(concat(...chunks)));
}

/** WebCrypto wants an ArrayBuffer-backed view; copy so views over shared buffers are safe. */
export function buf(b: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(b.length);
  new Uint8Array(out).set(b);
  return out;
}

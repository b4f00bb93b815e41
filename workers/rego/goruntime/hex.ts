/** Go's encoding/hex, with its error messages (OPA's hex.decode passes them on). */
import { GoError } from "./errors.js";
import { isPrint } from "./strconv.js";

export class HexError extends GoError {}

/** The value of a hex digit (either case), or -1. */
export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** hex.EncodeToString. */
export function encodeHex(b: Uint8Array): string {
  let out = "";
  for (let i = 0; i < b.length; i++) out += (b[i] as number).toString(16).padStart(2, "0");
  return out;
}

/** Go's InvalidByteError text: %#U of the byte. */
function invalidByte(c: number): HexError {
  const u = "U+" + c.toString(16).toUpperCase().padStart(4, "0");
  return new HexError(`encoding/hex: invalid byte: ${isPrint(c) ? `${u} '${String.fromCharCode(c)}'` : u}`);
}

/** hex.Decode: an invalid byte is reported before an odd length, as Go does. */
export function decodeHex(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length >> 1);
  let j = 1;
  for (; j < src.length; j += 2) {
    const a = hexValue(src[j - 1] as number);
    const b = hexValue(src[j] as number);
    if (a < 0) throw invalidByte(src[j - 1] as number);
    if (b < 0) throw invalidByte(src[j] as number);
    out[(j - 1) >> 1] = (a << 4) | b;
  }
  if (src.length % 2 === 1) {
    if (hexValue(src[j - 1] as number) < 0) throw invalidByte(src[j - 1] as number);
    throw new HexError("encoding/hex: odd length hex string");
  }
  return out;
}

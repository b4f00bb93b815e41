/**
 * Base64 as Go's encoding/base64 does it, error messages included
 * ("illegal base64 data at input byte N"), since OPA's messages pass them on.
 * Decoding skips CR and LF anywhere, as Go's decoder does.
 */

import { GoError } from "./errors.js";

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function decodeMap(alphabet: string): Int16Array {
  const m = new Int16Array(256).fill(-1);
  for (let i = 0; i < 64; i++) m[alphabet.charCodeAt(i)] = i;
  return m;
}

const STD_MAP = decodeMap(STD);
const URL_MAP = decodeMap(URL);

export class Base64Error extends GoError {
  constructor(readonly offset: number) {
    super(`illegal base64 data at input byte ${offset}`);
  }
}

const PAD = 0x3d; // '='
const isNewline = (c: number) => c === 0x0a || c === 0x0d;

/**
 * Decodes `src` (bytes of the input) the way Go's Encoding.Decode does,
 * quantum by quantum; throws Base64Error at the offending offset.
 */
function decodeBytes(src: Uint8Array, map: Int16Array, padded: boolean): Uint8Array {
  const out: number[] = [];
  let si = 0;
  const q = [0, 0, 0, 0];
  while (si < src.length || si === 0) {
    let dlen = 4;
    let done = false;
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Uint8Array.from(out);
        if (j === 1 || padded) throw new Base64Error(si - j);
        dlen = j;
        done = true;
        break;
      }
      const c = src[si] as number;
      si++;
      const v = map[c] as number;
      if (v >= 0) {
        q[j] = v;
        continue;
      }
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== PAD || !padded) throw new Base64Error(si - 1);
      // Padding: only valid after two or three symbols of a quantum.
      if (j < 2) throw new Base64Error(si - 1);
      if (j === 2) {
        while (si < src.length && isNewline(src[si] as number)) si++;
        if (si === src.length) throw new Base64Error(src.length);
        if (src[si] !== PAD) throw new Base64Error(si - 1);
        si++;
      }
      while (si < src.length && isNewline(src[si] as number)) si++;
      if (si < src.length) {
        pushQuantum(out, q, j);
        throw new Base64Error(si);
      }
      dlen = j;
      done = true;
      break;
    }
    pushQuantum(out, q, dlen);
    if (done) return Uint8Array.from(out);
  }
  return Uint8Array.from(out);
}

function pushQuantum(out: number[], q: number[], dlen: number): void {
  for (let k = dlen; k < 4; k++) q[k] = 0;
  const val = ((q[0] as number) << 18) | ((q[1] as number) << 12) | ((q[2] as number) << 6) | (q[3] as number);
  if (dlen >= 2) out.push((val >> 16) & 0xff);
  if (dlen >= 3) out.push((val >> 8) & 0xff);
  if (dlen >= 4) out.push(val & 0xff);
}

const encoder = new TextEncoder();

/** base64.StdEncoding.DecodeString */
export function decodeStd(s: string | Uint8Array): Uint8Array {
  return decodeBytes(typeof s === "string" ? encoder.encode(s) : s, STD_MAP, true);
}

/** base64.URLEncoding.DecodeString (padded) */
export function decodeURLPadded(s: string): Uint8Array {
  return decodeBytes(encoder.encode(s), URL_MAP, true);
}

/** base64.RawStdEncoding.DecodeString (no padding) */
export function decodeRawStd(s: string): Uint8Array {
  return decodeBytes(encoder.encode(s), STD_MAP, false);
}

/** base64.RawURLEncoding.DecodeString (no padding) */
export function decodeRawURL(s: string): Uint8Array {
  return decodeBytes(encoder.encode(s), URL_MAP, false);
}

function encode(b: Uint8Array, alphabet: string, pad: boolean): string {
  let s = "";
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const v = ((b[i] as number) << 16) | ((b[i + 1] as number) << 8) | (b[i + 2] as number);
    s += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + alphabet[(v >> 6) & 63]! + alphabet[v & 63]!;
  }
  const rest = b.length - i;
  if (rest === 1) {
    const v = (b[i] as number) << 16;
    s += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + (pad ? "==" : "");
  } else if (rest === 2) {
    const v = ((b[i] as number) << 16) | ((b[i + 1] as number) << 8);
    s += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + alphabet[(v >> 6) & 63]! + (pad ? "=" : "");
  }
  return s;
}

/** base64.StdEncoding.EncodeToString */
export function encodeStd(b: Uint8Array): string {
  return encode(b, STD, true);
}

/** base64.URLEncoding.EncodeToString (padded) */
export function encodeURL(b: Uint8Array): string {
  return encode(b, URL, true);
}

/** base64.RawURLEncoding.EncodeToString (no padding) */
export function encodeRawURL(b: Uint8Array): string {
  return encode(b, URL, false);
}

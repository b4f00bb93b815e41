/**
 * Go strings are UTF-8 bytes; Rego strings here are JavaScript strings. Go's
 * unicode/utf8 and the string ↔ []byte ↔ []rune conversions, as the
 * reproduced Go code sees them: a lone surrogate reads as U+FFFD, and each
 * byte of an invalid sequence decodes to one U+FFFD.
 */
const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Whether `s` holds a UTF-16 surrogate code unit: only then can a UTF-8 round trip change the text
 * (a lone one becomes U+FFFD) or code-unit order differ from code-point order.
 */
export function hasSurrogate(s: string): boolean {
  return SURROGATE.test(s);
}

/** []byte(s). */
export function encodeUTF8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** string(b): each byte of an invalid sequence is one U+FFFD (TextDecoder would merge some). */
export function decodeUTF8(b: Uint8Array): string {
  try {
    return strictDecoder.decode(b);
  } catch {
    /* fall through to the byte-by-byte decoder */
  }
  let out = "";
  let i = 0;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const x = b[i + k];
    return x !== undefined && x >= lo && x <= hi;
  };
  while (i < b.length) {
    const c = b[i] as number;
    let n = 0;
    if (c < 0x80) n = 1;
    else if (c >= 0xc2 && c <= 0xdf && cont(1)) n = 2;
    else if (c === 0xe0 && cont(1, 0xa0) && cont(2)) n = 3;
    else if (((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) && cont(1) && cont(2)) n = 3;
    else if (c === 0xed && cont(1, 0x80, 0x9f) && cont(2)) n = 3;
    else if (c === 0xf0 && cont(1, 0x90) && cont(2) && cont(3)) n = 4;
    else if (c >= 0xf1 && c <= 0xf3 && cont(1) && cont(2) && cont(3)) n = 4;
    else if (c === 0xf4 && cont(1, 0x80, 0x8f) && cont(2) && cont(3)) n = 4;
    if (n === 0) {
      out += "\ufffd";
      i++;
      continue;
    }
    // A valid sequence, checked above: its code point from the bits (no decoder call per character).
    let cp = n === 1 ? c : c & (0xff >> (n + 1));
    for (let k = 1; k < n; k++) cp = (cp << 6) | ((b[i + k] as number) & 0x3f);
    out += String.fromCodePoint(cp);
    i += n;
  }
  return out;
}

/** utf8.RuneLen of a code point. */
export function runeLen(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

/** utf8.EncodeRune: the UTF-8 bytes of a code point (a surrogate as U+FFFD). */
export function runeBytes(c: number): number[] {
  if (c < 0x80) return [c];
  if (c < 0x800) return [0xc0 | (c >> 6), 0x80 | (c & 0x3f)];
  if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
  if (c < 0x10000) return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)];
  return [0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)];
}

/** len(s): the UTF-8 byte length. */
export function byteLength(s: string): number {
  let n = 0;
  for (const ch of s) n += runeLen(ch.codePointAt(0) as number);
  return n;
}

/** []rune(s): code points, a lone surrogate read as U+FFFD as Go would see it. */
export function runes(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    out.push(c >= 0xd800 && c <= 0xdfff ? 0xfffd : c);
  }
  return out;
}

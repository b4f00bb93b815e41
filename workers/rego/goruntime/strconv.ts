/**
 * Go's strconv number and string formatting, which OPA's string built-ins
 * inherit: `strconv.FormatFloat` for every format and precision, `Quote`,
 * `QuoteToASCII`, `QuoteRune`, `CanBackquote`, and Go's notion of a printable
 * rune. Shared by fmt, text/template, yaml, the value model's term text
 * (value/format.ts) and every error message that quotes with `%q`.
 *
 * Fixed-precision float output is computed from the exact binary value of the
 * double (with BigInt) and rounded half to even, as Go does; JavaScript's
 * toFixed rounds exact ties away from zero instead. The shortest
 * round-tripping digits come from JavaScript, which chooses the same digits as
 * Go (shortest, then closest to the exact value).
 */
import { runeBytes, runes } from "./utf8.js";

/** Decimal digits `d` (no leading zeros; empty for zero) with the point after `dp` digits. */
interface Digits {
  d: string;
  dp: number;
}

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** Mantissa (with the implicit bit) and binary exponent: |x| = mant × 2^exp. */
function decompose(x: number): { mant: bigint; exp: number } {
  F64[0] = x;
  const bits = U64[0] as bigint;
  const e = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (e === 0) exp = 1 - 1075;
  else {
    mant |= 1n << 52n;
    exp = e - 1075;
  }
  return { mant, exp };
}

/** The exact decimal expansion of |x|. */
function exactDigits(x: number): Digits {
  const { mant, exp } = decompose(x);
  if (mant === 0n) return { d: "", dp: 0 };
  let s: string;
  let dp: number;
  if (exp >= 0) {
    s = (mant << BigInt(exp)).toString();
    dp = s.length;
  } else {
    // mant / 2^k = mant × 5^k / 10^k
    const k = -exp;
    s = (mant * 5n ** BigInt(k)).toString();
    dp = s.length - k;
  }
  return trimDigits(s, dp);
}

function trimDigits(s: string, dp: number): Digits {
  let start = 0;
  while (start < s.length && s[start] === "0") {
    start++;
    dp--;
  }
  let end = s.length;
  while (end > start && s[end - 1] === "0") end--;
  if (start === end) return { d: "", dp: 0 };
  return { d: s.slice(start, end), dp };
}

/** The shortest digits that read back as x (JavaScript and Go agree on them). */
function shortestDigits(x: number): Digits {
  if (x === 0) return { d: "", dp: 0 };
  const [mant, exp] = Math.abs(x).toExponential().split("e") as [string, string];
  return trimDigits(mant.replace(".", ""), Number(exp) + 1);
}

/** Rounds to `nd` digits, half to even on the exact value (Go's decimal.Round). */
function roundDigits(a: Digits, nd: number): Digits {
  if (nd < 0 || nd >= a.d.length) return a;
  const next = a.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === a.d.length) up = nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = next >= 5;
  if (!up) return trimDigits(a.d.slice(0, nd), a.dp);
  // Round up: increment the kept prefix.
  const kept = a.d.slice(0, nd).split("");
  let i = nd - 1;
  while (i >= 0 && kept[i] === "9") i--;
  if (i < 0) return { d: "1", dp: a.dp + 1 };
  kept[i] = String.fromCharCode(kept[i]!.charCodeAt(0) + 1);
  return trimDigits(kept.slice(0, i + 1).join(""), a.dp);
}

function fmtE(neg: boolean, d: Digits, prec: number, ch: string): string {
  let out = neg ? "-" : "";
  out += d.d.length ? d.d[0] : "0";
  if (prec > 0) {
    out += ".";
    const m = Math.min(d.d.length, prec + 1);
    out += d.d.slice(1, m);
    for (let i = Math.max(m, 1); i <= prec; i++) out += "0";
  }
  let exp = d.d.length === 0 ? 0 : d.dp - 1;
  const sign = exp < 0 ? "-" : "+";
  exp = Math.abs(exp);
  return out + ch + sign + (exp < 10 ? "0" + exp : String(exp));
}

function fmtF(neg: boolean, d: Digits, prec: number): string {
  let out = neg ? "-" : "";
  if (d.dp > 0) {
    const m = Math.min(d.d.length, d.dp);
    out += d.d.slice(0, m) + "0".repeat(d.dp - m);
  } else out += "0";
  if (prec > 0) {
    out += ".";
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      out += j >= 0 && j < d.d.length ? d.d[j] : "0";
    }
  }
  return out;
}

/** Go's %x/%X float format (strconv 'x'). */
function fmtX(x: number, prec: number, upper: boolean): string {
  const neg = x < 0 || Object.is(x, -0);
  let { mant, exp } = decompose(x);
  // decompose gives |x| = mant × 2^exp; Go works with 1.fff × 2^e, leading bit at 2^60.
  exp += 52;
  if (mant === 0n) exp = 0;
  mant <<= 8n;
  const top = 1n << 60n;
  while (mant !== 0n && (mant & top) === 0n) {
    mant <<= 1n;
    exp--;
  }
  const mask60 = top - 1n;
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & mask60;
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  let out = (neg ? "-" : "") + "0" + (upper ? "X" : "x") + String((mant >> 60n) & 1n);
  mant = (mant << 4n) & ((1n << 64n) - 1n);
  const digit = () => {
    const h = hex[Number((mant >> 60n) & 15n)];
    mant = (mant << 4n) & ((1n << 64n) - 1n);
    return h;
  };
  if (prec < 0 && mant !== 0n) {
    out += ".";
    while (mant !== 0n) out += digit();
  } else if (prec > 0) {
    out += ".";
    for (let i = 0; i < prec; i++) out += digit();
  }
  out += upper ? "P" : "p";
  out += exp < 0 ? "-" : "+";
  const e = Math.abs(exp);
  return out + (e < 10 ? "0" + e : String(e));
}

/** Go's %b float format: decimal mantissa, binary exponent. */
function fmtB(x: number): string {
  const neg = x < 0 || Object.is(x, -0);
  const { mant, exp } = decompose(x);
  return (neg ? "-" : "") + mant.toString() + "p" + (exp >= 0 ? "+" : "") + exp;
}

export type FloatFormat = "e" | "E" | "f" | "F" | "g" | "G" | "x" | "X" | "b";

/** strconv.FormatFloat(x, fmt, prec, 64); prec < 0 means shortest. */
export function formatFloat(x: number, fmt: FloatFormat, prec: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  if (fmt === "F") fmt = "f";
  if (fmt === "x" || fmt === "X") return fmtX(x, prec, fmt === "X");
  if (fmt === "b") return fmtB(x);
  const neg = x < 0 || Object.is(x, -0);
  const shortest = prec < 0;
  let digs: Digits;
  if (shortest) {
    digs = shortestDigits(x);
    if (fmt === "e" || fmt === "E") prec = Math.max(digs.d.length - 1, 0);
    else if (fmt === "f") prec = Math.max(digs.d.length - digs.dp, 0);
    else prec = digs.d.length;
  } else {
    const exact = exactDigits(x);
    if (fmt === "e" || fmt === "E") digs = roundDigits(exact, prec + 1);
    else if (fmt === "f") digs = roundDigits(exact, exact.dp + prec);
    else {
      if (prec === 0) prec = 1;
      digs = roundDigits(exact, prec);
    }
  }
  switch (fmt) {
    case "e":
    case "E":
      return fmtE(neg, digs, prec, fmt);
    case "f":
      return fmtF(neg, digs, prec);
    default: {
      let eprec = prec;
      if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
      if (shortest) eprec = 6;
      const exp = digs.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > digs.d.length) prec = digs.d.length;
        return fmtE(neg, digs, prec - 1, fmt === "g" ? "e" : "E");
      }
      if (prec > digs.dp) prec = digs.d.length;
      return fmtF(neg, digs, Math.max(prec - digs.dp, 0));
    }
  }
}

/** How Go's encoding/json writes a float64 (also JavaScript's Number#toString). */
export function formatJSONFloat(x: number): string {
  return Object.is(x, -0) ? "-0" : String(x);
}

/** unicode.IsPrint (= strconv.IsPrint): letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

export function isPrint(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

/**
 * Which runes a quoted string escapes. Go has three rules:
 * - "print": strconv.Quote (and `%q`): runes that are not printable, as
 *   `\n`, `\x07`, `\u00a0`, `\U000e0001`;
 * - "ascii": strconv.QuoteToASCII (and `%+q`): every non-ASCII rune too;
 * - "bytes": the time package's own quote(), which avoids importing strconv:
 *   control characters and non-ASCII runes as their UTF-8 bytes (`\xe2\x80\x94`),
 *   DEL and everything else as is.
 * All three escape the quote character and the backslash.
 */
export type QuoteMode = "print" | "ascii" | "bytes";

const HEX = (b: number, width: number) => b.toString(16).padStart(width, "0");

function escapeRune(r: number, quote: number, mode: QuoteMode): string {
  if (r === quote || r === 0x5c) return "\\" + String.fromCodePoint(r);
  if (mode === "bytes") {
    if (r >= 0x20 && r < 0x80) return String.fromCodePoint(r);
    let out = "";
    for (const b of runeBytes(r)) out += "\\x" + HEX(b, 2);
    return out;
  }
  if (mode === "ascii" ? r < 0x80 && isPrint(r) : isPrint(r)) return String.fromCodePoint(r);
  switch (r) {
    case 0x07:
      return "\\a";
    case 0x08:
      return "\\b";
    case 0x0c:
      return "\\f";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x0b:
      return "\\v";
  }
  if (r < 0x20 || r === 0x7f) return "\\x" + HEX(r, 2);
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = 0xfffd;
  if (r < 0x10000) return "\\u" + HEX(r, 4);
  return "\\U" + HEX(r, 8);
}

/** strconv.Quote; QuoteToASCII with mode "ascii"; the time package's quote with "bytes". */
export function quote(s: string, mode: QuoteMode = "print"): string {
  let out = '"';
  for (const r of runes(s)) out += escapeRune(r, 0x22, mode);
  return out + '"';
}

/** strconv.QuoteRune, or QuoteRuneToASCII with mode "ascii". */
export function quoteRune(r: number, mode: "print" | "ascii" = "print"): string {
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff) || r < 0) r = 0xfffd;
  return "'" + escapeRune(r, 0x27, mode) + "'";
}

/** strconv.CanBackquote. */
export function canBackquote(s: string): boolean {
  for (const r of runes(s)) {
    if (r === 0xfeff) return false;
    if (r >= 0x80) continue;
    if ((r < 0x20 && r !== 0x09) || r === 0x60 || r === 0x7f) return false;
  }
  return true;
}

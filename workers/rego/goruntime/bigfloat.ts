/**
 * OPA's non-integer arithmetic, reproduced bit for bit.
 *
 * OPA keeps numbers as decimal text and does arithmetic on non-integers with
 * Go's big.Float: each operand is parsed from its text at 64 bits of mantissa,
 * the result is rounded to nearest-even at 64 bits, and it is printed back as
 * the shortest decimal that parses to the same 64-bit value. That is why
 * `0.1 + 0.2` is `0.3` in OPA, not JavaScript's 0.30000000000000004. Results
 * that are integral come back as integers (big.Float's 'f' format).
 *
 * A float here is `m·2^e` with a signed bigint mantissa, so the exponent range
 * is unbounded, as big.Float's practically is.
 */

export interface BigFloat {
  /** Signed mantissa; 0n is zero. */
  readonly m: bigint;
  readonly e: number;
}

/** big.Float's default precision when parsing text. */
export const PREC = 64;

const ZERO: BigFloat = { m: 0n, e: 0 };

function bitLength(n: bigint): number {
  return n === 0n ? 0 : (n < 0n ? -n : n).toString(2).length;
}

/**
 * Rounds |m|·2^e to `prec` bits, nearest-even. `sticky` says the true value
 * lies strictly above |m|·2^e (a nonzero remainder was dropped below bit 0).
 */
function roundBits(m: bigint, e: number, prec: number, sticky = false): BigFloat {
  const neg = m < 0n;
  let mag = neg ? -m : m;
  const bits = bitLength(mag);
  if (bits <= prec) return { m, e };
  const shift = bits - prec;
  const low = mag & ((1n << BigInt(shift)) - 1n);
  const half = 1n << BigInt(shift - 1);
  mag >>= BigInt(shift);
  e += shift;
  if (low > half || (low === half && (sticky || (mag & 1n) === 1n))) {
    mag += 1n;
    if (bitLength(mag) > prec) {
      mag >>= 1n;
      e += 1;
    }
  }
  return { m: neg ? -mag : mag, e };
}

/** num/den (both positive) rounded to `prec` bits. */
function roundQuotient(num: bigint, den: bigint, prec: number): BigFloat {
  // Shift so the integer quotient has at least prec+2 bits; the remainder is the sticky bit.
  const s = prec + 2 - (bitLength(num) - bitLength(den));
  let q: bigint;
  let r: bigint;
  if (s >= 0) {
    const n = num << BigInt(s);
    q = n / den;
    r = n % den;
  } else {
    const d = den << BigInt(-s);
    q = num / d;
    r = num % d;
  }
  return roundBits(q, -s, prec, r !== 0n);
}

const DECIMAL_RE = /^(-?)([0-9]+)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;

/** Parses decimal text exactly and rounds it to `prec` bits, as big.Float's SetString. */
export function parseDecimal(text: string, prec = PREC): BigFloat {
  const match = DECIMAL_RE.exec(text);
  if (!match) throw new RangeError(`not a decimal number: ${text}`);
  const [, sign, intPart, frac = "", expText = "0"] = match;
  let digits = BigInt((intPart as string) + frac);
  if (sign) digits = -digits;
  const exp10 = Number(expText) - frac.length;
  if (digits === 0n) return ZERO;
  if (exp10 >= 0) return roundBits(digits * 10n ** BigInt(exp10), 0, prec);
  const r = roundQuotient(digits < 0n ? -digits : digits, 10n ** BigInt(-exp10), prec);
  return digits < 0n ? { m: -r.m, e: r.e } : r;
}

/**
 * A Rego number as OPA's NumberToFloat sees it. A double is taken through its
 * shortest decimal text, which is the literal OPA would hold for it.
 */
export function toBigFloat(n: number | bigint): BigFloat {
  if (typeof n === "bigint") return roundBits(n, 0, PREC);
  if (Number.isSafeInteger(n)) return { m: BigInt(n), e: 0 };
  return parseDecimal(String(n));
}

export function isZero(x: BigFloat): boolean {
  return x.m === 0n;
}

export function add(x: BigFloat, y: BigFloat, prec = PREC): BigFloat {
  if (x.m === 0n) return roundBits(y.m, y.e, prec);
  if (y.m === 0n) return roundBits(x.m, x.e, prec);
  const e = Math.min(x.e, y.e);
  const m = (x.m << BigInt(x.e - e)) + (y.m << BigInt(y.e - e));
  return roundBits(m, e, prec);
}

export function neg(x: BigFloat): BigFloat {
  return { m: -x.m, e: x.e };
}

export function mul(x: BigFloat, y: BigFloat, prec = PREC): BigFloat {
  return roundBits(x.m * y.m, x.e + y.e, prec);
}

/** x/y; the caller has ruled out y = 0. */
export function quo(x: BigFloat, y: BigFloat, prec = PREC): BigFloat {
  if (x.m === 0n) return ZERO;
  const negative = x.m < 0n !== y.m < 0n;
  const r = roundQuotient(x.m < 0n ? -x.m : x.m, y.m < 0n ? -y.m : y.m, prec);
  return { m: negative ? -r.m : r.m, e: r.e + x.e - y.e };
}

function isInt(x: BigFloat): boolean {
  if (x.e >= 0 || x.m === 0n) return true;
  const mag = x.m < 0n ? -x.m : x.m;
  return (mag & ((1n << BigInt(-x.e)) - 1n)) === 0n;
}

/** Decimal digits (no trailing zeros) and point position: value = 0.digits × 10^exp. */
interface Decimal {
  digits: string;
  exp: number;
}

function toDecimal(mag: bigint, e: number): Decimal {
  let s: string;
  let exp: number;
  if (e >= 0) {
    s = (mag << BigInt(e)).toString();
    exp = s.length;
  } else {
    s = (mag * 5n ** BigInt(-e)).toString();
    exp = s.length + e;
  }
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
  return { digits: s.slice(0, end), exp };
}

function digitAt(d: Decimal, i: number): number {
  return i < d.digits.length ? d.digits.charCodeAt(i) - 48 : 0;
}

function roundUp(d: Decimal, n: number): Decimal {
  if (n < 0 || n >= d.digits.length) return d;
  let i = n - 1;
  while (i >= 0 && d.digits.charCodeAt(i) === 57) i--;
  if (i < 0) return { digits: "1", exp: d.exp + 1 };
  return { digits: d.digits.slice(0, i) + String.fromCharCode(d.digits.charCodeAt(i) + 1), exp: d.exp };
}

function roundDown(d: Decimal, n: number): Decimal {
  if (n < 0 || n >= d.digits.length) return d;
  let end = n;
  while (end > 0 && d.digits.charCodeAt(end - 1) === 48) end--;
  return { digits: d.digits.slice(0, end), exp: d.exp };
}

function roundNearest(d: Decimal, n: number): Decimal {
  if (n < 0 || n >= d.digits.length) return d;
  const c = digitAt(d, n);
  const up = c === 5 && n + 1 === d.digits.length ? n > 0 && digitAt(d, n - 1) % 2 === 1 : c >= 5;
  return up ? roundUp(d, n) : roundDown(d, n);
}

/**
 * The shortest decimal that rounds back to |x| at `prec` bits — the same
 * walk as Go's math/big roundShortest, so ties land where OPA's do.
 */
function shortest(mag: bigint, e: number, prec: number): Decimal {
  const bits = bitLength(mag);
  if (bits < prec) {
    mag <<= BigInt(prec - bits);
    e -= prec - bits;
  }
  const d = toDecimal(mag, e);
  const lower = toDecimal(2n * mag - 1n, e - 1);
  const upper = toDecimal(2n * mag + 1n, e - 1);
  // The bounds are possible outputs only when the mantissa is even (ties round to even).
  const inclusive = (mag & 1n) === 0n;
  for (let i = 0; i < d.digits.length; i++) {
    const l = digitAt(lower, i);
    const m = digitAt(d, i);
    const u = digitAt(upper, i);
    const okDown = l !== m || (inclusive && i + 1 === lower.digits.length);
    const okUp = m !== u && (inclusive || m + 1 < u || i + 1 < upper.digits.length);
    if (okDown && okUp) return roundNearest(d, i + 1);
    if (okDown) return roundDown(d, i + 1);
    if (okUp) return roundUp(d, i + 1);
  }
  return d;
}

/**
 * OPA's FloatToNumber: an integral value becomes an integer (its shortest
 * digits padded with zeros; a bigint, which the caller normalizes to its
 * number representation), anything else the double nearest to its shortest
 * decimal text.
 */
export function toNumber(x: BigFloat, prec = PREC): number | bigint {
  if (x.m === 0n) return 0;
  const negative = x.m < 0n;
  const d = shortest(negative ? -x.m : x.m, x.e, prec);
  const zeros = d.exp - d.digits.length;
  // An integral value's shortest digits never reach past the decimal point.
  if (zeros >= 0 && isInt(x)) {
    const n = BigInt(d.digits) * 10n ** BigInt(zeros);
    return negative ? -n : n;
  }
  return Number(`${negative ? "-" : ""}0.${d.digits}e${d.exp}`);
}

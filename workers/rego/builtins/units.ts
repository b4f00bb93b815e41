/**
 * units.parse and units.parse_bytes.
 *
 * units.parse multiplies exactly (OPA uses big.Rat): the result is an integer
 * when the product is one, otherwise the decimal rounded to 10 places.
 * units.parse_bytes follows OPA's big.Float arithmetic: the amount is rounded
 * to a 64-bit mantissa, multiplied (rounded again) and truncated toward zero.
 */
import type { Value } from "../value/index.js";
import { normalizeInt, parseNumber } from "../value/index.js";
import { builtinError, str } from "./args.js";
import type { BuiltinTable } from "./types.js";

const KI = 1n << 10n;
const SI_K = 1000n;

/** Multipliers shared by both built-ins (parse_bytes also takes a trailing "b"). */
const SI: Record<string, bigint> = { k: SI_K, m: SI_K ** 2n, g: SI_K ** 3n, t: SI_K ** 4n, p: SI_K ** 5n, e: SI_K ** 6n };
const IEC: Record<string, bigint> = { ki: KI, mi: KI ** 2n, gi: KI ** 3n, ti: KI ** 4n, pi: KI ** 5n, ei: KI ** 6n };

/** Scientific-notation exponents are limited to this many digits, as in OPA. */
const MAX_EXPONENT_DIGITS = 6;

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/**
 * Splits "10.5e3KiB" into the amount and the unit (OPA's extractNumAndUnit):
 * digits, '.', signs and an 'e' that is followed by a digit or sign belong to
 * the amount. Returns undefined when an exponent has too many digits.
 */
function splitAmount(s: string): [string, string] | undefined {
  let boundary = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (!isDigit(c) && c !== "." && c !== "e" && c !== "E" && c !== "+" && c !== "-") {
      boundary = i;
      break;
    }
    if (c === "e" || c === "E") {
      const next = s[i + 1];
      if (i === s.length - 1 || (!isDigit(next) && next !== "+" && next !== "-")) {
        boundary = i;
        break;
      }
      if (next === "+" || next === "-") i++;
      let end = i + 1;
      while (isDigit(s[end])) end++;
      if (end - (i + 1) > MAX_EXPONENT_DIGITS) return undefined;
    }
  }
  if (boundary === -1) return [s, ""];
  return [s.slice(0, boundary), s.slice(boundary)];
}

/** An exact rational n/d (d > 0). */
interface Rat {
  n: bigint;
  d: bigint;
}

const DECIMAL = /^([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?$/;

/**
 * Parses a decimal amount exactly, as big.Rat.SetString / big.Float.SetString
 * accept it. Exponents of up to six digits are allowed; the work grows with
 * the exponent, so it is charged to the evaluation's budget.
 */
function parseRat(text: string, charge: (steps: number) => void): Rat | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const [, sign, intPart, frac1, frac2, expText] = m;
  const frac = frac2 ?? frac1 ?? "";
  let n = BigInt((intPart ?? "") + frac || "0");
  let d = 1n;
  const exp = Number(expText ?? "0") - frac.length;
  charge(text.length + Math.abs(exp));
  if (exp >= 0) n *= 10n ** BigInt(exp);
  else d = 10n ** BigInt(-exp);
  if (sign === "-") n = -n;
  return { n, d };
}

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Rounds |n|/d to a 64-bit mantissa, half to even: returns m, e with value m × 2^e. */
function roundTo64(n: bigint, d: bigint): { m: bigint; e: number } {
  const a = abs(n);
  if (a === 0n) return { m: 0n, e: 0 };
  let e = bitLength(a) - bitLength(d) - 64;
  const quotient = (shift: number): [bigint, bigint, bigint] => {
    const num = shift >= 0 ? a : a << BigInt(-shift);
    const den = shift >= 0 ? d << BigInt(shift) : d;
    return [num / den, num % den, den];
  };
  let [m, r, den] = quotient(e);
  while (m >= 1n << 64n) [m, r, den] = quotient(++e);
  while (m < 1n << 63n) [m, r, den] = quotient(--e);
  const twice = 2n * r;
  if (twice > den || (twice === den && (m & 1n) === 1n)) {
    m++;
    if (m === 1n << 64n) {
      m >>= 1n;
      e++;
    }
  }
  return { m, e };
}

/** OPA's units.parse_bytes arithmetic: big.Float (64-bit mantissa) then Int(). */
function bytesTotal(amount: Rat, unit: bigint): bigint {
  const neg = amount.n < 0n;
  const x = roundTo64(amount.n, amount.d);
  const p = roundTo64(x.m * unit, 1n);
  const e = x.e + p.e;
  const mag = e >= 0 ? p.m << BigInt(e) : p.m >> BigInt(-e);
  return neg ? -mag : mag;
}

/** big.Rat.FloatString(10): rounded half away from zero. */
function floatString(r: Rat): string {
  const a = abs(r.n);
  let q = a / r.d;
  const scale = 10n ** 10n;
  let frac = ((a % r.d) * scale) / r.d;
  const rem = ((a % r.d) * scale) % r.d;
  if (2n * rem >= r.d) {
    frac++;
    if (frac >= scale) {
      q++;
      frac -= scale;
    }
  }
  return (r.n < 0n ? "-" : "") + q.toString() + "." + frac.toString().padStart(10, "0");
}

/** units.parse's units: case-sensitive only in the first letter (m is milli, M mega). */
const UNIT_FACTORS = new Map<string, Rat>([
  ["", { n: 1n, d: 1n }],
  ["m", { n: 1n, d: 1000n }],
  ["M", { n: SI.m as bigint, d: 1n }],
  ["mi", { n: IEC.mi as bigint, d: 1n }],
  ["Mi", { n: IEC.mi as bigint, d: 1n }],
]);
for (const letter of "kgtpe") {
  for (const l of [letter, letter.toUpperCase()]) {
    UNIT_FACTORS.set(l, { n: SI[letter] as bigint, d: 1n });
    UNIT_FACTORS.set(l + "i", { n: IEC[letter + "i"] as bigint, d: 1n });
  }
}

function unitsParse(raw: string, charge: (steps: number) => void): Value {
  const fail = (msg: string) => builtinError(`units.parse: ${msg}`);
  const s = raw.replaceAll('"', "");
  if (s.includes(" ")) throw fail("spaces not allowed in resource strings");
  const parts = splitAmount(s);
  if (parts === undefined) throw fail("exponent too large");
  const [amount, rawUnit] = parts;
  if (amount === "") throw fail("no amount provided");
  // Only the letters after the first are case-insensitive, so that m (milli)
  // and M (mega) stay apart.
  const unit = rawUnit.length > 1 ? rawUnit[0] + rawUnit.slice(1).toLowerCase() : rawUnit;
  const factor = UNIT_FACTORS.get(unit);
  if (factor === undefined) throw fail(`unit ${unit} not recognized`);
  const r = parseRat(amount, charge);
  if (r === undefined) throw fail("could not parse amount to a number");
  const n = r.n * factor.n;
  const d = r.d * factor.d;
  if (n % d === 0n) return normalizeInt(n / d);
  return parseNumber(floatString({ n, d })) as Value;
}

function unitsParseBytes(raw: string, charge: (steps: number) => void): Value {
  const fail = (msg: string) => builtinError(`units.parse_bytes: ${msg}`);
  const s = raw.toLowerCase().replaceAll('"', "");
  if (s.includes(" ")) throw fail("spaces not allowed in resource strings");
  const parts = splitAmount(s);
  if (parts === undefined) throw fail("exponent too large");
  const [amount, unit] = parts;
  if (amount === "") throw fail("no byte amount provided");
  let mult: bigint | undefined;
  if (unit === "") mult = 1n;
  else if (/^[kmgtpe]b?$/.test(unit)) mult = SI[unit[0] as string];
  else if (/^[kmgtpe]ib?$/.test(unit)) mult = IEC[unit.slice(0, 2)];
  if (mult === undefined) throw fail(`byte unit ${unit} not recognized`);
  const r = parseRat(amount, charge);
  if (r === undefined) throw fail("could not parse byte amount to a number");
  return normalizeInt(bytesTotal(r, mult));
}

export const unitsBuiltins: BuiltinTable = {
  "units.parse": (args, ctx) => unitsParse(str(args, 0), (n) => ctx.charge(n)),
  "units.parse_bytes": (args, ctx) => unitsParseBytes(str(args, 0), (n) => ctx.charge(n)),
};

/**
 * Numbers: a JavaScript `number` for floats and for integers within ±2^53,
 * a `bigint` for integers beyond, so big integers stay exact. Every producer of
 * numbers goes through `normalizeInt` so one value has one representation.
 */

export type RNumber = number | bigint;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

export function normalizeInt(n: bigint): RNumber {
  return n >= MIN_SAFE && n <= MAX_SAFE ? Number(n) : n;
}

const INT_RE = /^-?(0|[1-9][0-9]*)$/;
const NUM_RE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/**
 * Parses a JSON/Rego number literal. Integers of any size stay exact; other
 * literals become doubles. Returns undefined for text that is not a number.
 */
export function parseNumber(text: string): RNumber | undefined {
  if (INT_RE.test(text)) {
    if (text.length < 16) return Number(text);
    return normalizeInt(BigInt(text));
  }
  if (!NUM_RE.test(text)) return undefined;
  // An integer written with an exponent or a zero fraction (1e3, 2.0) whose
  // value is beyond 2^53 is kept exact too.
  const f = Number(text);
  if (!Number.isFinite(f)) return bigFromExact(text) ?? undefined;
  if (Number.isInteger(f) && !Number.isSafeInteger(f)) return bigFromExact(text) ?? f;
  return f;
}

/** The exact integer a decimal literal denotes, if it denotes one. */
function bigFromExact(text: string): bigint | undefined {
  const m = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
  if (!m) return undefined;
  const [, sign, intPart, frac = "", expText = "0"] = m;
  const exp = Number(expText);
  if (Math.abs(exp) > 10000) return undefined;
  let digits = (intPart as string) + frac;
  let scale = exp - frac.length;
  while (scale < 0 && digits.endsWith("0")) {
    digits = digits.slice(0, -1);
    scale++;
  }
  if (scale < 0) return undefined;
  const n = BigInt(digits + "0".repeat(scale));
  return sign ? -n : n;
}

export function isInteger(n: RNumber): boolean {
  return typeof n === "bigint" || Number.isInteger(n);
}

export function toBigInt(n: RNumber): bigint {
  return typeof n === "bigint" ? n : BigInt(n);
}

/**
 * Formats a number as OPA prints it: integers in full, other numbers in the
 * shortest form that round-trips (Go's strconv 'g' with -1 precision uses an
 * exponent from 1e21 upward, as JavaScript does).
 */
export function formatNumber(n: RNumber): string {
  if (typeof n === "bigint") return n.toString();
  if (Object.is(n, -0)) return "0";
  return String(n);
}

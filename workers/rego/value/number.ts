/**
 * Numbers: a JavaScript `number` for floats and for integers within ±2^53,
 * a `bigint` for integers beyond, so big integers stay exact. Every producer of
 * numbers goes through `normalizeInt` so one value has one representation.
 *
 * One exception, as in OPA, where a number keeps the text it was written in and
 * reads an int from that text (util.Atoi64, which since OPA 1.20 takes `2.0` and
 * `2.00` but not `2e0`): an integral value whose text is no int to OPA (`1e2`,
 * `1.5e1` in Rego or JSON) is "float-form", a `bigint` within ±2^53. It equals
 * the integer (hashKey, compare and equals treat the two as one value) but it is
 * not an array index, and the built-ins that read an integer operand from its
 * text refuse it (`isIntegerForm`); arithmetic makes plain integers again, as
 * OPA's does.
 */

export type RNumber = number | bigint;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

export function normalizeInt(n: bigint): RNumber {
  return n >= MIN_SAFE && n <= MAX_SAFE ? Number(n) : n;
}

/** An integer within ±2^53 held as a bigint: one written in floating-point form (see above). */
export function isFloatForm(n: RNumber): boolean {
  return typeof n === "bigint" && n >= MIN_SAFE && n <= MAX_SAFE;
}

/**
 * Whether OPA's `Number.Int` reads the number as an integer: its text is one,
 * so not `1.0` or `1e2` (integers beyond int64, which OPA also refuses there,
 * are out of every range such an operand has).
 */
export function isIntegerForm(n: RNumber): boolean {
  return typeof n === "number" ? Number.isInteger(n) : !isFloatForm(n);
}

const INT_RE = /^-?(0|[1-9][0-9]*)$/;
const NUM_RE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/**
 * Whether OPA's util.Atoi64 reads the text as an int: at most 19 characters
 * after the sign, digits with at most one `.` followed by zeros only (the int64
 * range is not checked here: beyond 2^53 the value is a bigint either way).
 */
export function isOpaIntText(text: string): boolean {
  const body = text.charCodeAt(0) === 45 || text.charCodeAt(0) === 43 ? text.slice(1) : text;
  return body.length > 0 && body.length <= 19 && /^[0-9]*(\.0*)?$/.test(body);
}

/**
 * Parses a JSON/Rego number literal. Integers of any size stay exact; an
 * integral value whose text OPA reads as no int (`1e2`) is float-form (a
 * bigint, see above); other literals become doubles. Undefined for text that
 * is not a number.
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
  if (Number.isSafeInteger(f)) return bigFromExact(text) === undefined || isOpaIntText(text) ? f : BigInt(f);
  if (Number.isInteger(f)) return bigFromExact(text) ?? f;
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
  if (typeof n === "bigint") return isFloatForm(n) ? floatFormText(n) : n.toString();
  if (Object.is(n, -0)) return "0";
  return String(n);
}

/**
 * A float-form integer's text: OPA writes the text a number came with, which
 * is not kept; this is its shortest exponent form (100 → `1e2`, 0 → `0e0`),
 * which reads back as float-form, so data and plans keep the form through JSON.
 */
function floatFormText(n: bigint): string {
  const digits = (n < 0n ? -n : n).toString();
  const significant = digits.replace(/0+$/, "") || "0";
  const exponent = digits === "0" ? 0 : digits.length - significant.length;
  return `${n < 0n ? "-" : ""}${significant}e${exponent}`;
}

/**
 * Arithmetic, rounding, ranges and bitwise operations.
 *
 * Integers are exact at any size (bigint beyond ±2^53). Anything involving a
 * non-integer goes through ../goruntime/bigfloat.ts, which reproduces OPA's big.Float
 * arithmetic so results print as OPA's do (0.1 + 0.2 is 0.3).
 */
import type { RNumber, Value } from "../value/index.js";
import { RSet, isInteger, normalizeInt, toBigInt, typeName } from "../value/index.js";
import type { BuiltinTable } from "./types.js";
import { builtinError, num, operandError, typeError } from "./args.js";
import * as bf from "../goruntime/bigfloat.js";

/** A big.Float result as a Rego number (OPA's FloatToNumber), in the one representation integers take. */
export function fromBigFloat(x: bf.BigFloat, prec?: number): RNumber {
  const n = bf.toNumber(x, prec);
  return typeof n === "bigint" ? normalizeInt(n) : n;
}

/** Both are integers held as `number` (so within ±2^53). */
function smallInts(x: RNumber, y: RNumber): boolean {
  return typeof x === "number" && typeof y === "number" && Number.isSafeInteger(x) && Number.isSafeInteger(y);
}

export function add(x: RNumber, y: RNumber): RNumber {
  if (smallInts(x, y)) {
    // Exact whenever the result is itself a safe integer; `+ 0` turns -0 into 0.
    const r = (x as number) + (y as number);
    if (Number.isSafeInteger(r)) return r + 0;
    return normalizeInt(BigInt(x) + BigInt(y));
  }
  if (isInteger(x) && isInteger(y)) return normalizeInt(toBigInt(x) + toBigInt(y));
  return fromBigFloat(bf.add(bf.toBigFloat(x), bf.toBigFloat(y)));
}

export function subtract(x: RNumber, y: RNumber): RNumber {
  if (smallInts(x, y)) {
    const r = (x as number) - (y as number);
    if (Number.isSafeInteger(r)) return r + 0;
    return normalizeInt(BigInt(x) - BigInt(y));
  }
  if (isInteger(x) && isInteger(y)) return normalizeInt(toBigInt(x) - toBigInt(y));
  return fromBigFloat(bf.add(bf.toBigFloat(x), bf.neg(bf.toBigFloat(y))));
}

export function multiply(x: RNumber, y: RNumber): RNumber {
  if (smallInts(x, y)) {
    const r = (x as number) * (y as number);
    if (Number.isSafeInteger(r)) return r + 0;
    return normalizeInt(BigInt(x) * BigInt(y));
  }
  if (isInteger(x) && isInteger(y)) return normalizeInt(toBigInt(x) * toBigInt(y));
  return fromBigFloat(bf.mul(bf.toBigFloat(x), bf.toBigFloat(y)));
}

function isZeroNumber(n: RNumber): boolean {
  return n === 0 || n === 0n;
}

/**
 * A quotient is an integer when the divisor divides the dividend, otherwise a
 * big.Float one, as in OPA. (OPA takes integers beyond int32 through big.Float
 * too, which rounds exact quotients past 2^64; those stay exact here.)
 */
export function divide(x: RNumber, y: RNumber): RNumber {
  if (isZeroNumber(y)) throw builtinError("divide by zero");
  if (isZeroNumber(x)) return 0;
  if (smallInts(x, y)) {
    if ((x as number) % (y as number) === 0) return (x as number) / (y as number);
  } else if (isInteger(x) && isInteger(y)) {
    const a = toBigInt(x);
    const b = toBigInt(y);
    if (a % b === 0n) return normalizeInt(a / b);
  }
  return fromBigFloat(bf.quo(bf.toBigFloat(x), bf.toBigFloat(y)));
}

export function remainder(x: RNumber, y: RNumber): RNumber {
  if (!isInteger(x) || !isInteger(y)) {
    // OPA reports a zero divisor first only when both operands are integers.
    throw builtinError("modulo on floating-point number");
  }
  if (isZeroNumber(y)) throw builtinError("modulo by zero");
  if (smallInts(x, y)) return ((x as number) % (y as number)) + 0;
  return normalizeInt(toBigInt(x) % toBigInt(y));
}

function abs(x: RNumber): RNumber {
  if (typeof x === "bigint") return normalizeInt(x < 0n ? -x : x);
  return Math.abs(x);
}

/**
 * Non-integers are doubles, whose integral part is exact, so rounding them
 * directly gives what OPA's big.Float rounding gives. Half rounds away from zero.
 */
function round(x: RNumber): RNumber {
  if (typeof x === "bigint" || Number.isInteger(x)) return typeof x === "number" ? x + 0 : normalizeInt(x);
  const t = Math.trunc(x);
  const frac = x - t;
  const r = frac >= 0.5 ? t + 1 : frac <= -0.5 ? t - 1 : t;
  return r + 0;
}

function ceil(x: RNumber): RNumber {
  return typeof x === "bigint" ? normalizeInt(x) : Math.ceil(x) + 0;
}

function floor(x: RNumber): RNumber {
  return typeof x === "bigint" ? normalizeInt(x) : Math.floor(x) + 0;
}

/** OPA's operand order for `minus`, which takes two numbers or two sets. */
function minus(args: Value[]): Value {
  const x = args[0] as Value;
  const y = args[1] as Value;
  const xNum = typeof x === "number" || typeof x === "bigint";
  const yNum = typeof y === "number" || typeof y === "bigint";
  if (xNum && yNum) return subtract(x, y);
  if (x instanceof RSet && y instanceof RSet) return x.minus(y);
  if (!xNum && !(x instanceof RSet)) throw typeError(`operand 1 must be one of {number, set} but got ${typeName(x)}`);
  if (yNum) throw operandError(2, y, "set");
  throw operandError(2, y, "number");
}

/** OPA's BigIntOperand: any integer, with its own wording for non-numbers. */
export function integerOperand(args: Value[], i: number): RNumber {
  const v = args[i] as Value;
  if (typeof v !== "number" && typeof v !== "bigint") throw operandError(i + 1, v, "integer");
  if (!isInteger(v)) throw typeError(`operand ${i + 1} must be integer number but got floating-point number`);
  return v;
}

/**
 * Longest array numbers.range may build. OPA stops only when the query is
 * cancelled; a built-in here cannot see the evaluation budget, so a range
 * that would exhaust the isolate's memory is refused instead.
 */
export const MAX_RANGE_LENGTH = 1_000_000;

function range(a: RNumber, b: RNumber, step: RNumber): Value[] {
  const lo = toBigInt(a);
  const hi = toBigInt(b);
  const st = toBigInt(step);
  const span = lo <= hi ? hi - lo : lo - hi;
  if (span / st >= BigInt(MAX_RANGE_LENGTH)) {
    throw builtinError(`range of more than ${MAX_RANGE_LENGTH} numbers`);
  }
  const out: Value[] = [];
  if (typeof a === "number" && typeof b === "number" && typeof step === "number" && Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
    // All values lie between a and b, so they are safe integers too. (An
    // integral double beyond 2^53, such as 1e21, takes the bigint path:
    // adding 1 to it gives it back, and the loop would never end.)
    if (a <= b) for (let i = a; i <= b; i += step) out.push(i);
    else for (let i = a; i >= b; i -= step) out.push(i);
    return out;
  }
  if (lo <= hi) for (let i = lo; i <= hi; i += st) out.push(normalizeInt(i));
  else for (let i = lo; i >= hi; i -= st) out.push(normalizeInt(i));
  return out;
}

function numbersRangeStep(args: Value[]): Value {
  const a = integerOperand(args, 0);
  const b = integerOperand(args, 1);
  const step = integerOperand(args, 2);
  if (step <= 0) throw builtinError("step must be a positive integer");
  return range(a, b, step);
}

// ---- bits.* -------------------------------------------------------------

function isInt32(n: RNumber): n is number {
  return typeof n === "number" && (n | 0) === n;
}

function bitwise(args: Value[], small: (x: number, y: number) => number, big: (x: bigint, y: bigint) => bigint): RNumber {
  const x = integerOperand(args, 0);
  const y = integerOperand(args, 1);
  // JavaScript's 32-bit operators agree with big.Int's two's-complement ones in that range.
  if (isInt32(x) && isInt32(y)) return small(x, y);
  return normalizeInt(big(toBigInt(x), toBigInt(y)));
}

function shiftCount(args: Value[]): RNumber {
  const s = integerOperand(args, 1);
  if (s < 0) throw typeError("operand 2 must be an unsigned integer number but got a negative integer");
  return s;
}

/** Largest left shift allowed; Go would allocate until memory runs out. */
const MAX_SHIFT = 1 << 20;

function shiftLeft(args: Value[]): RNumber {
  const x = integerOperand(args, 0);
  const s = shiftCount(args);
  if (isZeroNumber(x)) return 0;
  if (isInt32(x) && typeof s === "number" && s <= 21) return x * 2 ** s;
  if (s > MAX_SHIFT) throw builtinError("shift count too large");
  return normalizeInt(toBigInt(x) << toBigInt(s));
}

function shiftRight(args: Value[]): RNumber {
  const x = integerOperand(args, 0);
  const s = shiftCount(args);
  // Shifting right rounds toward negative infinity, as big.Int's Rsh does.
  if (typeof x === "number" && typeof s === "number") return s >= 64 ? (x < 0 ? -1 : 0) : Math.floor(x / 2 ** s) + 0;
  return normalizeInt(toBigInt(x) >> toBigInt(s));
}

export const numbersBuiltins: BuiltinTable = {
  plus: (args) => add(num(args, 0), num(args, 1)),
  minus,
  mul: (args) => multiply(num(args, 0), num(args, 1)),
  div: (args) => divide(num(args, 0), num(args, 1)),
  rem: (args) => remainder(num(args, 0), num(args, 1)),
  abs: (args) => abs(num(args, 0)),
  round: (args) => round(num(args, 0)),
  ceil: (args) => ceil(num(args, 0)),
  floor: (args) => floor(num(args, 0)),
  "numbers.range": (args) => range(integerOperand(args, 0), integerOperand(args, 1), 1),
  "numbers.range_step": numbersRangeStep,
  "bits.and": (args) =>
    bitwise(
      args,
      (x, y) => x & y,
      (x, y) => x & y,
    ),
  "bits.or": (args) =>
    bitwise(
      args,
      (x, y) => x | y,
      (x, y) => x | y,
    ),
  "bits.xor": (args) =>
    bitwise(
      args,
      (x, y) => x ^ y,
      (x, y) => x ^ y,
    ),
  "bits.negate": (args) => {
    const x = integerOperand(args, 0);
    return isInt32(x) ? ~x : normalizeInt(~toBigInt(x));
  },
  "bits.lsh": shiftLeft,
  "bits.rsh": shiftRight,
};

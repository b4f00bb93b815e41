/**
 * Operand checks shared by every built-in family. Messages follow OPA's
 * wording ("operand 1 must be string but got number") so error substrings in
 * OPA's conformance suite match.
 */
import type { RObject, RSet, Value } from "../value/index.js";
import { isIntegerForm, typeName, RObject as RObjectClass, RSet as RSetClass } from "../value/index.js";
import { GoError } from "../goruntime/errors.js";
import { BuiltinError } from "./types.js";

export function typeError(message: string): BuiltinError {
  return new BuiltinError("eval_type_error", message);
}

export function builtinError(message: string): BuiltinError {
  return new BuiltinError("eval_builtin_error", message);
}

/** Runs reproduced Go code; a Go error (its message Go's) becomes eval_builtin_error. */
export function goErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof GoError) throw builtinError(e.message);
    throw e;
  }
}

/**
 * `operand N must be X but got Y`, with `one of {…}` for several accepted
 * types, listed in the order the caller gives (OPA's order differs per built-in).
 */
export function operandError(pos: number, got: Value, ...expected: string[]): BuiltinError {
  const want = expected.length === 1 ? expected[0] : `one of {${expected.join(", ")}}`;
  return typeError(`operand ${pos} must be ${want} but got ${typeName(got)}`);
}

export function arg(args: Value[], i: number): Value {
  return args[i] as Value;
}

export function str(args: Value[], i: number): string {
  const v = args[i] as Value;
  if (typeof v !== "string") throw operandError(i + 1, v, "string");
  return v;
}

export function num(args: Value[], i: number): number | bigint {
  const v = args[i] as Value;
  if (typeof v !== "number" && typeof v !== "bigint") throw operandError(i + 1, v, "number");
  return v;
}

/**
 * An integer operand as OPA's IntOperand reads it, from the number's text: `2.5`
 * and also `2.0` (a float-form integer, value/number.ts) are refused with OPA's wording.
 */
export function int(args: Value[], i: number): number | bigint {
  const v = num(args, i);
  if (!isIntegerForm(v)) throw typeError(`operand ${i + 1} must be integer number but got floating-point number`);
  return v;
}

export function bool(args: Value[], i: number): boolean {
  const v = args[i] as Value;
  if (typeof v !== "boolean") throw operandError(i + 1, v, "boolean");
  return v;
}

export function array(args: Value[], i: number): Value[] {
  const v = args[i] as Value;
  if (!Array.isArray(v)) throw operandError(i + 1, v, "array");
  return v;
}

export function object(args: Value[], i: number): RObject {
  const v = args[i] as Value;
  if (!(v instanceof RObjectClass)) throw operandError(i + 1, v, "object");
  return v;
}

export function set(args: Value[], i: number): RSet {
  const v = args[i] as Value;
  if (!(v instanceof RSetClass)) throw operandError(i + 1, v, "set");
  return v;
}

/** Members of an array or a set operand (sets in Rego's order). */
export function collection(args: Value[], i: number): Value[] {
  const v = args[i] as Value;
  if (Array.isArray(v)) return v;
  if (v instanceof RSetClass) return v.values();
  throw operandError(i + 1, v, "set", "array");
}

/**
 * count, sum, product, max, min, sort.
 *
 * Error wording follows OPA, whose operand lists are not alphabetical
 * ("one of {set, array}").
 */
import type { RNumber, Value } from "../value/index.js";
import { RObject, RSet, compare, isInteger, normalizeInt, sortValues, toBigInt, typeName } from "../value/index.js";
import type { BuiltinTable } from "./types.js";
import { typeError } from "./args.js";
import * as bf from "../goruntime/bigfloat.js";
import { fromBigFloat } from "./numbers.js";

/** Members of an array or set operand; sets in Rego's order. */
function members(v: Value): Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof RSet) return v.values();
  throw typeError(`operand 1 must be one of {set, array} but got ${typeName(v)}`);
}

/** Code points, as Go counts the runes of a string. */
function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

function count(args: Value[]): Value {
  const v = args[0] as Value;
  if (typeof v === "string") return runeCount(v);
  if (Array.isArray(v)) return v.length;
  if (v instanceof RObject || v instanceof RSet) return v.size;
  throw typeError(`operand 1 must be one of {array, object, set, string} but got ${typeName(v)}`);
}

function elementError(container: Value, element: Value): Error {
  const t = typeName(container);
  return typeError(`operand 1 must be ${t} of numbers but got ${t} containing ${typeName(element)}`);
}

/** The numbers of the collection, or an OPA element error. */
function numbers(coll: Value, xs: Value[]): RNumber[] {
  for (const x of xs) if (typeof x !== "number" && typeof x !== "bigint") throw elementError(coll, x);
  return xs as RNumber[];
}

function sum(args: Value[]): Value {
  const xs = numbers(args[0] as Value, members(args[0] as Value));
  // Safe integers summed as doubles stay exact while the total is safe.
  let small = 0;
  let i = 0;
  for (; i < xs.length; i++) {
    const x = xs[i] as RNumber;
    if (typeof x !== "number" || !Number.isSafeInteger(x)) break;
    const s = small + x;
    if (!Number.isSafeInteger(s)) break;
    small = s;
  }
  if (i === xs.length) return small + 0;
  if (xs.every(isInteger)) {
    let total = 0n;
    for (const x of xs) total += toBigInt(x);
    return normalizeInt(total);
  }
  // OPA accumulates non-integers in a big.Float at 64 bits.
  let acc = bf.toBigFloat(0);
  for (const x of xs) acc = bf.add(acc, bf.toBigFloat(x));
  return fromBigFloat(acc);
}

/** OPA's product accumulator is big.NewFloat(1): 53 bits of mantissa. */
const PRODUCT_PREC = 53;

function product(args: Value[]): Value {
  const xs = numbers(args[0] as Value, members(args[0] as Value));
  if (xs.every(isInteger)) {
    let total = 1n;
    for (const x of xs) total *= toBigInt(x);
    return normalizeInt(total);
  }
  let acc = bf.toBigFloat(1);
  for (const x of xs) acc = bf.mul(acc, bf.toBigFloat(x), PRODUCT_PREC);
  return fromBigFloat(acc, PRODUCT_PREC);
}

function max(args: Value[]): Value | undefined {
  const xs = members(args[0] as Value);
  if (xs.length === 0) return undefined;
  let best = xs[0] as Value;
  for (let i = 1; i < xs.length; i++) if (compare(xs[i] as Value, best) >= 0) best = xs[i] as Value;
  return best;
}

function min(args: Value[]): Value | undefined {
  const xs = members(args[0] as Value);
  if (xs.length === 0) return undefined;
  let best = xs[0] as Value;
  for (let i = 1; i < xs.length; i++) if (compare(xs[i] as Value, best) <= 0) best = xs[i] as Value;
  return best;
}

function sort(args: Value[]): Value {
  const v = args[0] as Value;
  if (v instanceof RSet) return v.values().slice();
  return sortValues(members(v).slice());
}

export const aggregatesBuiltins: BuiltinTable = { count, sum, product, max, min, sort };

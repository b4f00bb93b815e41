/** array.concat, array.slice, array.reverse, array.flatten. */
import type { RNumber, Value } from "../value/index.js";
import type { BuiltinTable } from "./types.js";
import { array, int } from "./args.js";

/** An index operand clamped into [0, len]; big integers are far outside anyway. */
function clampIndex(n: RNumber, len: number): number {
  if (typeof n === "bigint") return n < 0n ? 0 : len;
  return n < 0 ? 0 : n > len ? len : n;
}

function slice(args: Value[]): Value {
  const arr = array(args, 0);
  const start = int(args, 1);
  const stop = clampIndex(int(args, 2), arr.length);
  // A start past the stop gives an empty slice, never a reversed one.
  const from = Math.min(clampIndex(start, arr.length), stop);
  return from === 0 && stop === arr.length ? arr : arr.slice(from, stop);
}

/** One level of nesting removed: array elements are spliced in, others kept. */
function flatten(args: Value[]): Value {
  const arr = array(args, 0);
  const out: Value[] = [];
  for (const v of arr) {
    if (Array.isArray(v)) for (const w of v) out.push(w);
    else out.push(v);
  }
  return out;
}

export const arraysBuiltins: BuiltinTable = {
  "array.concat": (args) => {
    const a = array(args, 0);
    const b = array(args, 1);
    return b.length === 0 ? a : a.length === 0 ? b : a.concat(b);
  },
  "array.slice": slice,
  "array.reverse": (args) => array(args, 0).slice().reverse(),
  "array.flatten": flatten,
};

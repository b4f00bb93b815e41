/**
 * equal, neq, lt, lte, gt, gte: Rego's total order across all types. These
 * run in almost every policy, so numbers and strings take a direct path.
 */
import type { Value } from "../value/index.js";
import { compare, equals } from "../value/index.js";
import type { BuiltinTable } from "./types.js";

/** compare(a, b) with no calls for the common scalar cases. */
function order(a: Value, b: Value): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  return compare(a, b);
}

export const comparisonBuiltins: BuiltinTable = {
  equal: (args) => equals(args[0] as Value, args[1] as Value),
  neq: (args) => !equals(args[0] as Value, args[1] as Value),
  lt: (args) => order(args[0] as Value, args[1] as Value) < 0,
  lte: (args) => order(args[0] as Value, args[1] as Value) <= 0,
  gt: (args) => order(args[0] as Value, args[1] as Value) > 0,
  gte: (args) => order(args[0] as Value, args[1] as Value) >= 0,
};

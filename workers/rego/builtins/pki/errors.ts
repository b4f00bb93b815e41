import { builtinError } from "../args.js";
import { BuiltinError } from "../types.js";

/**
 * Runs parsing or verification code whose failures carry Go's messages and
 * reports them as eval_builtin_error. Suspensions and type errors pass
 * through untouched, and so do JavaScript's own errors (bugs, not input).
 */
export function withBuiltinErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof BuiltinError || !(err instanceof Error)) throw err;
    if (err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError) throw err;
    throw builtinError(err.message);
  }
}

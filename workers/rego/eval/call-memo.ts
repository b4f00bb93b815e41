/**
 * Results of user functions within one evaluation, keyed by their arguments
 * (as OPA's topdown caches calls whose arguments are ground). Within an
 * evaluation a function is pure: the same arguments — input, data, captured
 * `with` values and the caller's — give the same value, so a policy that
 * calls a helper once per record with a handful of distinct values runs the
 * helper's bodies a handful of times.
 *
 * Arguments are Map keys as they are: scalars by value (Rego equality of
 * strings, booleans, null and numbers of one representation), composites by
 * identity (values the engine has made visible are never changed). Equal
 * values that are different objects, or numbers in different
 * representations, only miss. A call that throws (a conflict, the budget, a
 * suspended built-in) records nothing.
 */
import type { Value } from "../value/index.js";
import type { ProgramFunc } from "./program.js";

/** What `lookup` answers when the call has not been made with these arguments. */
export const MISS: unique symbol = Symbol("not memoized");
/** A memoized undefined result (no body of the function applied). */
const UNDEFINED: unique symbol = Symbol("undefined result");

type Level = Map<unknown, unknown>;

/** `T`: what is kept per call (its result; rule-cache.ts keeps call records the same way). */
export class CallMemo<T = Value> {
  /** per function a trie with one level per argument; made on the first store (most evaluations of small policies call no function) */
  private byFunc: Map<ProgramFunc, Level> | undefined;

  lookup(f: ProgramFunc, args: (Value | undefined)[]): T | undefined | typeof MISS {
    let level = this.byFunc?.get(f);
    const last = args.length - 1;
    for (let i = 0; level !== undefined && i < last; i++) level = level.get(args[i]) as Level | undefined;
    if (level === undefined) return MISS;
    const r = level.get(args[last]);
    if (r === undefined) return MISS;
    return r === UNDEFINED ? undefined : (r as T);
  }

  store(f: ProgramFunc, args: (Value | undefined)[], result: T | undefined): void {
    const byFunc = (this.byFunc ??= new Map());
    let level = byFunc.get(f);
    if (level === undefined) byFunc.set(f, (level = new Map()));
    const last = args.length - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(args[i]) as Level | undefined;
      if (next === undefined) level.set(args[i], (next = new Map()));
      level = next;
    }
    level.set(args[last], result === undefined ? UNDEFINED : result);
  }
}

/**
 * How deep the built-ins that recurse over what a policy or its input hands
 * them (JSON Schema documents, schemas and their references, json.filter and
 * json.remove paths, glob groups) let it nest. They run on top of an
 * evaluation that may itself be close to its depth limit (eval/depth.ts), so
 * their recursion is bounded well inside the JavaScript stack rather than
 * left to exhaust it. Deeper is a LimitError: `eval_builtin_error` even
 * without strict mode, so the evaluation fails closed instead of the
 * expression quietly becoming undefined.
 */
import type { Value } from "../value/index.js";
import { RObject, RSet } from "../value/index.js";
import { LimitError } from "./types.js";

export const MAX_BUILTIN_NESTING = 200;

/** Throws when `depth` (0 at the top) is past `limit`. */
export function checkNesting(depth: number, what: string, limit = MAX_BUILTIN_NESTING): void {
  if (depth > limit) throw new LimitError(`${what} nested deeper than ${limit}`);
}

/** Throws when `v` nests deeper than the limit; measured from an explicit stack, so any depth is safe to ask about. */
export function checkValueNesting(v: Value, what: string): void {
  const todo: [Value, number][] = [[v, 0]];
  while (todo.length > 0) {
    const [x, depth] = todo.pop() as [Value, number];
    if (Array.isArray(x)) {
      if (x.length > 0) checkNesting(depth + 1, what);
      for (const e of x) if (e !== null && typeof e === "object") todo.push([e, depth + 1]);
    } else if (x instanceof RObject || x instanceof RSet) {
      if (x.size > 0) checkNesting(depth + 1, what);
      const members = x instanceof RSet ? x.values() : x.valuesInKeyOrder();
      for (const e of members) if (e !== null && typeof e === "object") todo.push([e, depth + 1]);
      if (x instanceof RObject) for (const k of x.keys()) if (k !== null && typeof k === "object") todo.push([k, depth + 1]);
    }
  }
}

/** One recursive walk's depth, for recursion that does not pass a depth along: `enter` on the way down, `leave` on the way up. */
export class Nesting {
  private depth = 0;
  constructor(
    private readonly what: string,
    private readonly limit = MAX_BUILTIN_NESTING,
  ) {}
  /** At the walk's entry point: an error may have left an earlier walk midway. */
  start(): void {
    this.depth = 0;
  }
  enter(): void {
    checkNesting(++this.depth, this.what, this.limit);
  }
  leave(): void {
    this.depth--;
  }
}

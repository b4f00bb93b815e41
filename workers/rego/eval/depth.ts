/**
 * The evaluation-depth limit. The interpreter runs function calls and nested
 * blocks by JavaScript recursion, so a chain of rules each using the next
 * (or functions calling functions, comprehensions in comprehensions) grows
 * the JavaScript stack with the policy. Rather than run into the engine's
 * stack limit (whose size differs between Node, workerd and the browser, and
 * whose RangeError may surface anywhere, even inside a built-in), every call
 * adds its weight to the evaluation's depth and a call that would pass
 * EVAL_DEPTH_LIMIT is a located `eval_budget_exceeded` error (fail closed,
 * like the step budget).
 *
 * A call's weight is the interpreter frames it keeps alive: the call itself
 * (exec → callFunc → runBlock) and those of each block that encloses the call
 * statement in its function (exec → runBlock for a block, `not` or `with`;
 * exec → scan → runBlock for a scan). The limit is calibrated so that the
 * deepest evaluation it allows, plus a leaf function nested as deep as a plan
 * may nest (256 blocks) and a built-in's own recursion, stays well inside the
 * stack of Node and of workerd, where a cold interpreter overflows at about
 * 2,500 to 3,000 frames (test/workers/rego-limits.test.ts runs the deepest
 * cases there).
 */
import { RegoError, type Location } from "../errors.js";

export const EVAL_DEPTH_LIMIT = 1200;

/** Frames a call statement adds by itself. */
export const CALL_FRAMES = 3;
/** Frames a nested block adds: a block, `not` or `with` statement's, and a scan's (its loop is a frame of its own). */
export const BLOCK_FRAMES = 2;
export const SCAN_FRAMES = 3;

/** `g0.data.payments.allow` → `data.payments.allow` */
export function ruleName(func: string): string {
  const i = func.indexOf(".data.");
  return i >= 0 ? func.slice(i + 1) : func;
}

export function depthExceeded(func: string, location: Location | undefined): RegoError {
  return new RegoError(
    "eval_budget_exceeded",
    `evaluation nested too deeply: calling ${ruleName(func)} exceeds the evaluation depth limit of ${EVAL_DEPTH_LIMIT}`,
    location,
  );
}

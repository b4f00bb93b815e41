/**
 * Drives a policy through the whole pipeline (compile → prepare → evaluate)
 * and says how it ended: rows, or the structured error of the stage that
 * stopped it. Anything else (a RangeError from the JavaScript stack, a
 * TypeError) is rethrown, so a test fails on it.
 */
import { expect } from "vitest";
import {
  RegoError,
  compile,
  fromJS,
  prepare,
  toJS,
  type EvalOptions,
  type RegoErrorInfo,
  type Value,
} from "../../../workers/rego/index.js";

export type Outcome = { ok: true; rows: unknown[] } | { ok: false; stage: "compile" | "eval"; error: RegoErrorInfo };

export interface RunOptions extends EvalOptions {
  input?: unknown;
  data?: unknown;
  /** the rule to evaluate (default `r`) */
  rule?: string;
}

export async function run(source: string, opts: RunOptions = {}): Promise<Outcome> {
  const rule = opts.rule ?? "r";
  const compiled = compile({ modules: [{ name: "p.rego", source }], entrypoints: [`data.p.${rule}`] });
  if (!compiled.plan) return { ok: false, stage: "compile", error: compiled.errors[0] as RegoErrorInfo };
  try {
    const policy = prepare(compiled.plan);
    const doc: { input?: Value; data?: Value } = {};
    if (opts.input !== undefined) doc.input = fromJS(opts.input);
    if (opts.data !== undefined) doc.data = fromJS(opts.data);
    const { results } = await policy.evaluate(`p/${rule}`, doc, opts);
    return { ok: true, rows: results.map((r) => toJS(r)) };
  } catch (e) {
    if (e instanceof RegoError) return { ok: false, stage: "eval", error: e.toJSON() };
    throw e;
  }
}

/** The single value of `r`, or a description of why there is none (for readable failures). */
export function value(o: Outcome): unknown {
  if (!o.ok) return `${o.stage} error: ${o.error.code}: ${o.error.message}`;
  if (o.rows.length === 0) return "undefined";
  return (o.rows[0] as { result: unknown }).result;
}

export const repeat = (s: string, n: number, sep = ""): string => Array.from({ length: n }, () => s).join(sep);

/** `{"a": {"a": … 1}}`, n levels, built without recursion. */
export function deepObject(n: number, leaf: unknown = 1): unknown {
  let x = leaf;
  for (let i = 0; i < n; i++) x = { a: x };
  return x;
}

export function deepArray(n: number, leaf: unknown = 1): unknown {
  let x = leaf;
  for (let i = 0; i < n; i++) x = [x];
  return x;
}

/** A budget large enough that nesting cases reach their limits (the default budget is budget.test.ts's subject). */
export const NESTING_BUDGET = 100_000_000;

/** The outcome of a call past the evaluation-depth limit (workers/rego/eval/depth.ts). */
export const DEPTH_LIMIT_EXCEEDED = {
  stage: "eval",
  error: {
    code: "eval_budget_exceeded",
    message: expect.stringMatching(/evaluation depth limit of 1200$/),
    location: { file: "p.rego" },
  },
};

/** "Billion laughs": nine levels of anchors, each aliasing the one before nine times. */
export function billionLaughs(): string {
  const names = "abcdefghi";
  const lines = [`${names[0]}: &${names[0]} [x, x, x, x, x, x, x, x, x]`];
  for (let i = 1; i < names.length; i++)
    lines.push(
      `${names[i]}: &${names[i]} [${Array(9)
        .fill(`*${names[i - 1]}`)
        .join(", ")}]`,
    );
  return lines.join("\n");
}

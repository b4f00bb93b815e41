/**
 * The evaluator's algorithmic shortcuts (issue 11, item 5) give the answers of
 * plain evaluation: function results memoized by argument (eval/call-memo.ts),
 * including the cases where they must not apply. That they apply shows in the
 * budget, which is charged for the work actually done.
 */
import { describe, expect, it } from "vitest";
import { compile, fromJS, prepare, toJS } from "../../../workers/rego/index.js";

interface Options {
  input?: unknown;
  data?: unknown;
  strict?: boolean;
  budget?: number;
  print?: (line: string) => void;
}

function policy(source: string, entrypoint: string) {
  const r = compile({ modules: [{ name: "p.rego", source }], entrypoints: [`data.${entrypoint.replaceAll("/", ".")}`] });
  if (!r.plan) throw new Error(JSON.stringify(r.errors));
  return prepare(JSON.stringify(r.plan));
}

function evaluate(source: string, entrypoint: string, o: Options = {}): unknown {
  const doc = { input: o.input === undefined ? undefined : fromJS(o.input), data: o.data === undefined ? undefined : fromJS(o.data) };
  const { input, data, ...options } = o;
  return policy(source, entrypoint)
    .evaluateSync(entrypoint, doc, options)
    .results.map((r) => toJS(r));
}

describe("function results memoized by argument", () => {
  it("follow `with` on data, input and the function itself", () => {
    const src = `package p
f(x) := data.base + x
g(x) := input.base + x
h(x) := x * 100
out := [a, b, c, d, e, f2, g2, h2] if {
  a := f(1)
  b := f(1) with data.base as 10
  c := f(1)
  d := g(1)
  e := g(1) with input.base as 20
  f2 := g(1)
  g2 := f(2) with f as h
  h2 := f(2)
}
`;
    expect(evaluate(src, "p/out", { data: { base: 1 }, input: { base: 2 } })).toEqual([{ result: [2, 11, 2, 3, 21, 3, 200, 3] }]);
  });

  it("remember undefined results and tell arguments apart by value", () => {
    const src = `package p
big(x) if x > 5
label(x) := sprintf("%v", [x])
out := {
  "big": [x | some x in [1, 9, 1, 9, 7]; big(x)],
  "labels": [label(x) | some x in [1, "1", 1.5, true, "true", null, [1], {"a": 1}, [1]]],
}
`;
    expect(evaluate(src, "p/out")).toEqual([
      { result: { big: [9, 9, 7], labels: ["1", "1", "1.5", "true", "true", "null", "[1]", '{"a": 1}', "[1]"] } },
    ]);
  });

  it("still raise a function's conflict on every evaluation", () => {
    const src = `package p
f(x) := 1 if x > 0
f(x) := 2 if x > 1
out := [f(1), f(2)]
`;
    const p = policy(src, "p/out");
    for (let i = 0; i < 2; i++)
      expect(() => p.evaluateSync("p/out")).toThrow(/functions must not produce multiple outputs for same inputs/);
  });

  it("print on every call when a print hook listens", () => {
    const src = `package p
f(x) := y if {
  y := x + 1
  print("f", x)
}
out := [f(1), f(1), f(2)]
`;
    const lines: string[] = [];
    expect(evaluate(src, "p/out", { print: (l) => lines.push(l) })).toEqual([{ result: [2, 2, 3] }]);
    expect(lines).toEqual(["f 1", "f 1", "f 2"]);
  });

  it("spare the budget the repeated calls", () => {
    const src = `package p
heavy(x) := count([y | some y in numbers.range(1, 2000); y % x == 0])
out := [heavy(7) | some _ in numbers.range(1, 100)]
`;
    const out = evaluate(src, "p/out", { budget: 100_000 }) as { result: number[] }[];
    expect(out[0]?.result).toHaveLength(100);
    expect(new Set(out[0]?.result)).toEqual(new Set([285]));
  });
});

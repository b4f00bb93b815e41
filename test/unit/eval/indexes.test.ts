/**
 * The evaluator's algorithmic shortcuts (issue 11, item 5) give the answers of
 * plain evaluation: function results memoized by argument (eval/call-memo.ts),
 * join-shaped scans answered from an index (eval/scan-index.ts) and rule
 * bodies selected by the constant they compare a path with (eval/body-index.ts),
 * including the cases where they must not apply. That they apply shows in the budget,
 * which is charged for the work actually done.
 */
import { describe, expect, it } from "vitest";
import { compile, fromJS, prepare, toJS } from "../../../workers/rego/index.js";
import type { Block, Func, Operand, Stmt } from "../../../workers/rego/plan/types.js";
import { joinSpecOf } from "../../../workers/rego/eval/scan-index.js";
import { bodyIndexOf } from "../../../workers/rego/eval/body-index.js";

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

describe("join-shaped scans answered from an index", () => {
  const data = {
    rows: [
      { id: "r1", g: "a", n: 1 },
      { id: "r2", g: "b", n: 2 },
      { id: "r3", g: "a", n: 3 },
      { id: "r4", n: 4 },
      { id: "r5", g: 1, n: 5 },
      { id: "r6", g: "a", n: 6 },
    ],
    obj: { k1: { g: "x" }, k2: { g: "y" }, k3: { g: "x" } },
    nested: [{ t: { g: "p" } }, { t: "flat" }, { t: { g: "p", id: 2 } }],
  };

  it("select the same elements in the same order as a plain scan", () => {
    const src = `package p
out := {
  "groups": [[r.id | some r in data.rows; r.g == k] | some k in ["a", "b", "a", "c", "a", 1, 1.0]],
  "keys": [[k | some k, v in data.obj; v.g == want] | some want in ["x", "y", "x", "z"]],
  "chain": [[i | some i, e in data.nested; e.t.g == want] | some want in ["p", "q", "p"]],
  "sets": [[s | some s in {"a", "b", "c"}; s == want] | some want in ["b", "c", "b"]],
}
`;
    expect(evaluate(src, "p/out", { data })).toEqual([
      {
        result: {
          groups: [["r1", "r3", "r6"], ["r2"], ["r1", "r3", "r6"], [], ["r1", "r3", "r6"], ["r5"], ["r5"]],
          keys: [["k1", "k3"], ["k2"], ["k1", "k3"], []],
          chain: [[0, 2], [], [0, 2]],
          sets: [["b"], ["c"], ["b"]],
        },
      },
    ]);
  });

  it("fall back to the plain scan when keys are composite, and meet undefined and composite probes", () => {
    const src = `package p
out := {
  "composite": [[r.id | some r in data.rows; r.g == k] | some k in [["x"], "a", ["x"], {"y": 1}, {"y": 1}]],
  "undefined": [count([r | some r in data.rows; r.g == input.missing]) | some _ in [1, 2, 3]],
}
`;
    const rows = [...data.rows, { id: "r7", g: ["x"] }, { id: "r8", g: { y: 1 } }];
    expect(evaluate(src, "p/out", { data: { rows } })).toEqual([
      {
        result: {
          composite: [["r7"], ["r1", "r3", "r6"], ["r7"], ["r8"], ["r8"]],
          undefined: [0, 0, 0],
        },
      },
    ]);
  });

  it("see the collection `with` puts in place, and the original again after it", () => {
    const src = `package p
counts := [count([r | some r in data.rows; r.g == k]) | some k in ["a", "a", "a"]]
out := [before, during, after] if {
  before := counts
  during := counts with data.rows as [{"g": "a"}]
  after := counts
}
`;
    expect(evaluate(src, "p/out", { data })).toEqual([
      {
        result: [
          [3, 3, 3],
          [1, 1, 1],
          [3, 3, 3],
        ],
      },
    ]);
  });

  it("keep errors and conflicts of the body", () => {
    const src = `package p
out := {k: v | some k in ["a", "b", "a"]; some r in data.rows; r.g == k; v := r.n}
`;
    expect(() => evaluate(src, "p/out", { data })).toThrow(/object keys must be unique/);
    const div = `package p
out := [[x | some r in data.rows; r.g == k; x := r.n / 0] | some k in ["b", "b", "b"]]
`;
    expect(() => evaluate(div, "p/out", { data, strict: true })).toThrow(/div: divide by zero/);
  });

  it("spare the budget the elements the comparison would reject", () => {
    const src = `package p
out := [n | some i in numbers.range(1, 300); n := count([r | some r in data.many; r.k == i])]
`;
    const many = Array.from({ length: 300 }, (_, i) => ({ k: (i % 150) + 1 }));
    const out = evaluate(src, "p/out", { data: { many }, budget: 60_000 }) as { result: number[] }[];
    expect(out[0]?.result).toEqual(Array.from({ length: 300 }, (_, i) => (i < 150 ? 2 : 0)));
  });

  it("is found only where the probe is fixed for the whole scan and the keys are constants", () => {
    const local = (value: number) => ({ type: "local" as const, value });
    const str = (value: number) => ({ type: "string_index" as const, value });
    const scan = (stmts: Stmt[]) => ({ type: "ScanStmt" as const, stmt: { source: 1, key: 2, value: 3, block: { stmts } } });
    const dot = (source: number, key: ReturnType<typeof str | typeof local>, target: number): Stmt => ({
      type: "DotStmt",
      stmt: { source: local(source), key, target },
    });
    const eq = (a: ReturnType<typeof local | typeof str>, b: ReturnType<typeof local | typeof str>): Stmt => ({
      type: "EqualStmt",
      stmt: { a, b },
    });
    const operand = (o: Operand) => (o.type === "local" ? o.value : o.type === "string_index" ? ~o.value : Number.NaN);
    expect(joinSpecOf(scan([dot(3, str(0), 4), dot(4, str(1), 5), eq(local(5), local(9))]), operand)).toEqual({
      prefix: 2,
      chain: 5,
      probe: 9,
    });
    expect(joinSpecOf(scan([eq(str(2), local(3))]), operand)).toEqual({ prefix: 0, chain: 3, probe: ~2 });
    // The probe is written inside the scan, the key is not a constant, the chain does not start at the element.
    const writesProbe: Stmt = { type: "AssignVarStmt", stmt: { source: local(3), target: 9 } };
    expect(joinSpecOf(scan([dot(3, str(0), 4), eq(local(4), local(9)), writesProbe]), operand)).toBeNull();
    expect(joinSpecOf(scan([dot(3, local(7), 4), eq(local(4), local(9))]), operand)).toBeNull();
    expect(joinSpecOf(scan([dot(1, str(0), 4), eq(local(4), local(9))]), operand)).toBeNull();
    expect(joinSpecOf(scan([dot(3, str(0), 4), eq(local(3), local(9))]), operand)).toBeNull();
    expect(joinSpecOf(scan([eq(local(2), local(9))]), operand)).toBeNull();
  });
});

describe("rule bodies selected by the constant they compare", () => {
  const clients = Array.from({ length: 40 }, (_, i) => `c${i}`);
  const src = `package p
default allow := false

${clients.map((c, i) => `allow if {\n  input.client.id == "${c}"\n  input.scope == "s${i % 3}"\n}\n`).join("\n")}
allow if input.admin == true

${clients.map((c, i) => `grants contains "${c}-${i % 2}" if input.client.id == "${c}"\n`).join("")}
grants contains "again-c7" if input.client.id == "c7"
grants contains "any" if input.client

${clients.map((c, i) => `level := ${i} if input.client.id == "${c}"\n`).join("")}
level := 99 if input.client.id == "c7"

${clients
  .slice(0, 6)
  .map((c, i) => `kind(x) := ${i} if x.k == "${c}"\n`)
  .join("")}
out := {"allow": allow, "grants": grants, "kinds": [kind(x) | some x in input.xs]}
`;

  it("give the answers of running every body", () => {
    const run = (input: unknown) => evaluate(src, "p/out", { input });
    expect(run({ client: { id: "c4" }, scope: "s1", xs: [{ k: "c5" }, { k: "c0" }, { k: 1 }] })).toEqual([
      { result: { allow: true, grants: ["any", "c4-0"], kinds: [5, 0] } },
    ]);
    expect(run({ client: { id: "c4" }, scope: "s2", xs: [] })).toEqual([{ result: { allow: false, grants: ["any", "c4-0"], kinds: [] } }]);
    expect(run({ client: { id: "nobody" }, admin: true })).toEqual([{ result: { allow: true, grants: ["any"], kinds: [] } }]);
    expect(run({ client: { id: 4 }, xs: [{ k: ["c1"] }] })).toEqual([{ result: { allow: false, grants: ["any"], kinds: [] } }]);
    expect(run({ client: "c4" })).toEqual([{ result: { allow: false, grants: ["any"], kinds: [] } }]);
    expect(run({})).toEqual([{ result: { allow: false, grants: [], kinds: [] } }]);
    expect(evaluate(src, "p/level", { input: { client: { id: "c12" } } })).toEqual([{ result: 12 }]);
  });

  it("keep the conflict of two bodies with the same constant", () => {
    expect(() => evaluate(src, "p/level", { input: { client: { id: "c7" } } })).toThrow(/complete rules must not produce multiple outputs/);
    expect(evaluate(src, "p/grants", { input: { client: { id: "c7" } } })).toEqual([{ result: ["again-c7", "any", "c7-1"] }]);
  });

  it("spare the budget the bodies that cannot match", () => {
    const many = Array.from({ length: 800 }, (_, i) => `allow if input.user == "u${i}"\n`).join("");
    const out = evaluate(`package p\n${many}`, "p/allow", { input: { user: "u799" }, budget: 3_200 });
    expect(out).toEqual([{ result: true }]);
  });

  it("are grouped only where skipping a body cannot be seen", () => {
    const local = (value: number) => ({ type: "local" as const, value });
    const str = (value: number) => ({ type: "string_index" as const, value });
    const body = (want: number, ...rest: Stmt[]): Block => ({
      stmts: [
        { type: "ResetLocalStmt", stmt: { target: 3 } },
        { type: "DotStmt", stmt: { source: local(0), key: str(0), target: 4 } },
        { type: "EqualStmt", stmt: { a: local(4), b: str(want) } },
        ...rest,
      ],
    });
    const func = (blocks: Block[]): Func => ({ name: "f", params: [0, 1], return: 2, blocks });
    const strings = ["user", "a", "b", "c", "d"];
    const index = bodyIndexOf(func([body(1), body(2), body(3), body(4)]), strings);
    expect(index?.keys).toEqual(["user"]);
    expect(index?.wants).toEqual(["a", "b", "c", "d"]);
    expect(bodyIndexOf(func([body(1), body(2), body(3)]), strings)).toBeNull();
    // Bodies followed by the blocks that commit them are passed over together with those blocks,
    // unless another block reads the local the bodies' guards reset (3).
    const commit: Block = {
      stmts: [
        { type: "IsDefinedStmt", stmt: { source: 3 } },
        { type: "AssignVarOnceStmt", stmt: { source: local(3), target: 2 } },
      ],
    };
    const committed = [body(1), commit, body(2), commit, body(3), commit, body(4), commit];
    expect(bodyIndexOf(func(committed), strings)?.pairs).toEqual([true, false, true, false, true, false, true, false]);
    const readsReset: Block = { stmts: [{ type: "AssignVarStmt", stmt: { source: local(3), target: 6 } }] };
    expect(bodyIndexOf(func([...committed, readsReset]), strings)?.pairs).toEqual(new Array(9).fill(false));
    // A later block reads the chain's target (4) before writing it: a skipped body would have set it.
    const readsTarget: Block = { stmts: [{ type: "AssignVarStmt", stmt: { source: local(4), target: 5 } }] };
    expect(bodyIndexOf(func([body(1), body(2), body(3), body(4), readsTarget]), strings)).toBeNull();
    // The argument the chain starts from is assigned (not by with).
    const writesInput: Stmt = { type: "AssignVarStmt", stmt: { source: local(9), target: 0 } };
    expect(bodyIndexOf(func([body(1), body(2), body(3), body(4, writesInput)]), strings)).toBeNull();
  });
});

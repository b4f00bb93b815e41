/**
 * Comprehensions reused while their free reads are unchanged
 * (eval/comprehension-memo.ts) and literals of constants built once
 * (eval/constant-literals.ts) give the answers of building them every time.
 * The oracle is the same evaluation with `trace`, which turns the reuse off;
 * that the reuse applies shows in the budget, charged for the work done.
 */
import { describe, expect, it } from "vitest";
import { compile, fromJS, prepare, toJS } from "../../../workers/rego/index.js";
import type { Block, Stmt } from "../../../workers/rego/plan/types.js";
import { comprehensionsOf } from "../../../workers/rego/eval/comprehension-memo.js";
import { constantLiteralsOf } from "../../../workers/rego/eval/constant-literals.js";
import { FunctionLocals } from "../../../workers/rego/eval/plan-locals.js";

function run(source: string, entrypoint: string, o: { input?: unknown; data?: unknown; budget?: number; trace?: boolean } = {}) {
  const r = compile({ modules: [{ name: "p.rego", source }], entrypoints: [`data.${entrypoint.replaceAll("/", ".")}`] });
  if (!r.plan) throw new Error(JSON.stringify(r.errors));
  const doc = { input: o.input === undefined ? undefined : fromJS(o.input), data: o.data === undefined ? undefined : fromJS(o.data) };
  const res = prepare(JSON.stringify(r.plan)).evaluateSync(entrypoint, doc, { budget: o.budget ?? 1_000_000, trace: o.trace ?? false });
  return res.results.map((x) => toJS(x));
}

/** The answer with reuse, checked against the answer without it. */
function answer(source: string, entrypoint: string, o: { input?: unknown; data?: unknown } = {}) {
  const reused = run(source, entrypoint, o);
  expect(reused).toEqual(run(source, entrypoint, { ...o, trace: true }));
  return reused;
}

describe("reused comprehensions", () => {
  it("are built once in a loop that does not change what they read", () => {
    const src = `package p
out := [x | some x in numbers.range(1, 300); allowed := {p | some p in data.ports}; x in allowed]
`;
    const data = { ports: Array.from({ length: 300 }, (_, i) => i * 2) };
    const want = [{ result: Array.from({ length: 150 }, (_, i) => 2 * (i + 1)) }];
    // Rebuilding the 300-member set 300 times costs far more than this budget.
    expect(run(src, "p/out", { data, budget: 200_000 })).toEqual(want);
    expect(() => run(src, "p/out", { data, budget: 200_000, trace: true })).toThrow(/exceeded its budget/);
  });

  it("charge the comparison of their free reads on every run", () => {
    const names = Array.from({ length: 200 }, (_, i) => `a${i}`);
    const src = `package p
out := [n | ${names.map((a, i) => `${a} := ${i}`).join("; ")}; some i in numbers.range(1, 1000); n := count({x | some x in [${names.join(", ")}]})]
`;
    // Reused 999 times, but each run compares 200 locals: at least 200,000 steps.
    expect(() => run(src, "p/out", { budget: 150_000 })).toThrow(/exceeded its budget/);
    expect((run(src, "p/out", { budget: 1_000_000 })[0] as { result: number[] }).result).toEqual(Array.from({ length: 1000 }, () => 200));
  });

  it("are rebuilt when they read the loop's variables", () => {
    const src = `package p
out := [above | some x in [1, 2, 3]; above := {y | some y in [1, 2, 3, 4]; y > x}]
objs := [o | some k in ["a", "b"]; o := {v: k | some v in ["x", "y"]}]
arrs := [a | some x in [3, 1]; a := [m | some y in [1, 2]; m := y * x]]
`;
    expect(answer(src, "p/out")).toEqual([{ result: [[2, 3, 4], [3, 4], [4]] }]);
    expect(answer(src, "p/objs")).toEqual([
      {
        result: [
          { x: "a", y: "a" },
          { x: "b", y: "b" },
        ],
      },
    ]);
    expect(answer(src, "p/arrs")).toEqual([
      {
        result: [
          [3, 6],
          [1, 2],
        ],
      },
    ]);
  });

  it("follow `with`, function arguments and nesting", () => {
    const src = `package p
inputs := {k | some k in input.ks}
f(x) := {y | some y in input.ks; y != x}
with_input := [n | some i in [1, 2, 3]; n := count(inputs) with input.ks as numbers.range(1, i)]
calls := [f(1), f(2), f(1)]
nested := [s | some x in [1, 2]; s := {t | some y in [1, 2]; t := [z | some z in [x, y]]}]
`;
    const input = { ks: [1, 2, 3] };
    expect(answer(src, "p/with_input", { input })).toEqual([{ result: [1, 2, 3] }]);
    expect(answer(src, "p/calls", { input })).toEqual([
      {
        result: [
          [2, 3],
          [1, 3],
          [2, 3],
        ],
      },
    ]);
    expect(answer(src, "p/nested")).toEqual([
      {
        result: [
          [
            [1, 1],
            [1, 2],
          ],
          [
            [2, 1],
            [2, 2],
          ],
        ],
      },
    ]);
  });

  it("keep nothing from a run that stopped early", () => {
    const src = `package p
out := [r | some x in [1, 2, 3]; r := count({y | some y in data.ys; y == x})]
`;
    expect(answer(src, "p/out", { data: { ys: [2, 3, 3] } })).toEqual([{ result: [0, 1, 1] }]);
  });
});

describe("reused comprehensions in rules of several bodies", () => {
  it("give each body's answers although the bodies share local numbers", () => {
    const src = `package p
v contains msg if {
	some rec in data.recs
	sensitive := {l | some l in rec.labels; l in {"pci", "pii"}}
	count(sensitive) > 0
	regs := {r | some r in data.regs}
	not rec.reg in regs
	msg := sprintf("%s: %v", [rec.id, sort(sensitive)])
}
v contains msg if {
	some rec in data.recs
	"gdpr" in rec.labels
	other := [x | some x in rec.labels; x != "gdpr"]
	msg := sprintf("%s: gdpr with %v", [rec.id, other])
}
`;
    const data = {
      regs: ["a", "b"],
      recs: [
        { id: "r1", labels: ["pci", "gdpr"], reg: "c" },
        { id: "r2", labels: ["pii"], reg: "a" },
        { id: "r3", labels: ["gdpr", "x"], reg: "d" },
      ],
    };
    expect(answer(src, "p/v", { data })).toEqual([{ result: ['r1: ["pci"]', 'r1: gdpr with ["pci"]', 'r3: gdpr with ["x"]'] }]);
  });
});

describe("literals of constants", () => {
  it("are built once, also in a loop", () => {
    const members = Array.from({ length: 20 }, (_, i) => `"m${i}"`).join(", ");
    const src = `package p
out := [n | some x in numbers.range(1, 2000); n := count({l | some l in [x, "m3"]; l in {${members}}})]
tags := [t | some t in ["a", "b"]; t in ["a", "z", "y", "x"]]
`;
    const want = [{ result: Array.from({ length: 2000 }, () => 1) }];
    expect(answer(src, "p/out")).toEqual(want);
    expect(answer(src, "p/tags")).toEqual([{ result: ["a"] }]);
    // Building the 20-member set once per element costs about 290,000 steps; once in all, about 150,000.
    expect(run(src, "p/out", { budget: 200_000 })).toEqual(want);
  });

  it("are left to run when the collection grows later", () => {
    const local = (value: number) => ({ type: "local" as const, value });
    const str = (value: number) => ({ type: "string_index" as const, value });
    const blocks: Block[] = [
      {
        stmts: [
          { type: "MakeSetStmt", stmt: { target: 3 } },
          { type: "SetAddStmt", stmt: { set: 3, value: str(0) } },
          { type: "AssignVarStmt", stmt: { source: local(3), target: 4 } },
        ],
      },
      { stmts: [{ type: "SetAddStmt", stmt: { set: 4, value: local(0) } }] },
    ];
    expect(constantLiteralsOf(new FunctionLocals(blocks), ["a"], new Set()).values.size).toBe(0);
    (blocks[1] as Block).stmts = [];
    expect(constantLiteralsOf(new FunctionLocals(blocks), ["a"], new Set()).values.size).toBe(1);
  });
});

describe("which comprehensions lowering reuses", () => {
  const local = (value: number) => ({ type: "local" as const, value });
  const makeAndFill = (extra: Stmt[]): Block[] => [
    {
      stmts: [
        { type: "MakeSetStmt", stmt: { target: 5 } },
        {
          type: "BlockStmt",
          stmt: {
            blocks: [
              {
                stmts: [
                  ...extra,
                  {
                    type: "ScanStmt",
                    stmt: { source: 1, key: 6, value: 7, block: { stmts: [{ type: "SetAddStmt", stmt: { set: 5, value: local(7) } }] } },
                  },
                ],
              },
            ],
          },
        },
      ],
    },
  ];

  it("names the block's free reads", () => {
    const reads = [...comprehensionsOf(new FunctionLocals(makeAndFill([])), false).values()];
    expect(reads).toEqual([[1]]);
  });

  it("refuses a block reading a local of its own before writing it", () => {
    const extra: Stmt[] = [{ type: "DotStmt", stmt: { source: local(8), key: local(1), target: 8 } }];
    expect(comprehensionsOf(new FunctionLocals(makeAndFill(extra)), false).size).toBe(0);
  });

  it("refuses a block whose locals are read after it", () => {
    const blocks = makeAndFill([]);
    (blocks[0] as Block).stmts.push({ type: "AssignVarStmt", stmt: { source: local(7), target: 9 } });
    expect(comprehensionsOf(new FunctionLocals(blocks), false).size).toBe(0);
  });

  it("refuses a block whose locals another body reads before writing them", () => {
    const blocks = makeAndFill([]);
    blocks.push({ stmts: [{ type: "AssignVarStmt", stmt: { source: local(7), target: 9 } }] });
    expect(comprehensionsOf(new FunctionLocals(blocks), false).size).toBe(0);
    (blocks[1] as Block).stmts.unshift({ type: "DotStmt", stmt: { source: local(1), key: local(0), target: 7 } });
    expect(comprehensionsOf(new FunctionLocals(blocks), false).size).toBe(1);
  });

  it("refuses a collection that grows outside the block", () => {
    const blocks = makeAndFill([]);
    (blocks[0] as Block).stmts.push({ type: "SetAddStmt", stmt: { set: 5, value: local(1) } });
    expect(comprehensionsOf(new FunctionLocals(blocks), false).size).toBe(0);
  });
});

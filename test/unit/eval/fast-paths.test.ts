/**
 * The evaluator's fast paths (issue 11, item 5) must not change answers:
 * unions extended in place never touch a set anything else can see, small
 * objects behave as large ones, and native string sorting keeps code-point order.
 */
import { describe, expect, it } from "vitest";
import { RObject, compile, fromJS, prepare, toJS } from "../../../workers/rego/index.js";

function evaluate(source: string, entrypoint: string, input?: unknown, options?: { strict?: boolean }): unknown {
  const r = compile({ modules: [{ name: "p.rego", source }], entrypoints: [`data.${entrypoint.replaceAll("/", ".")}`] });
  if (!r.plan) throw new Error(JSON.stringify(r.errors));
  const doc = input === undefined ? {} : { input: fromJS(input) };
  return prepare(JSON.stringify(r.plan)).evaluateSync(entrypoint, doc, options).results.map(toJS);
}

describe("set union chains", () => {
  it("leave the rule values they start from unchanged", () => {
    const policy = `package p
a := {1, 2}
b := {3}
c := set()
d := {2, 4}
all := a | b | c | d
out := {"all": all, "a": a, "b": b, "c": c, "d": d, "again": a | b}
`;
    expect(evaluate(policy, "p/out")).toEqual([{ result: { all: [1, 2, 3, 4], a: [1, 2], b: [3], c: [], d: [2, 4], again: [1, 2, 3] } }]);
  });

  it("inside a loop build a new set per iteration", () => {
    const policy = `package p
base := {"x"}
out := [s | some i in [1, 2, 3]; s := base | {i} | {i * 10}]
`;
    expect(evaluate(policy, "p/out")).toEqual([
      {
        result: [
          [1, 10, "x"],
          [2, 20, "x"],
          [3, 30, "x"],
        ],
      },
    ]);
  });

  it("report the built-in's error for a non-set operand", () => {
    const policy = `package p
s := {1}
out := s | input.x | {2}
`;
    expect(evaluate(policy, "p/out", { x: [3] })).toEqual([]);
    expect(() => evaluate(policy, "p/out", { x: [3] }, { strict: true })).toThrow(/or: operand 2 must be set but got array/);
  });
});

describe("small objects", () => {
  it("answer as large ones across the size where they change form", () => {
    for (const n of [0, 1, 15, 16, 17, 40]) {
      const o = new RObject();
      for (let i = n - 1; i >= 0; i--) o.set(`k${i}`, i);
      o.set(1, "one");
      o.set(["composite"], "c");
      expect(o.size).toBe(n + 2);
      expect(o.getString(`k${n - 1}`)).toBe(n === 0 ? undefined : n - 1);
      expect(o.get(["composite"])).toBe("c");
      expect(o.get(1)).toBe("one");
      o.delete(1);
      expect(o.has(1)).toBe(false);
      expect(o.size).toBe(n + 1);
      const c = o.clone();
      c.set("k0", "changed");
      expect(o.getString("k0")).toBe(n === 0 ? undefined : 0);
      expect(o.keys()[0]).toEqual(n === 0 ? ["composite"] : "k0");
    }
  });

  it("compare and hash equal regardless of form or insertion order", () => {
    const policy = `package p
small := {"b": 1, "a": 2}
big := {k: v | some v in numbers.range(0, 20); k := sprintf("k%02d", [v])}
out := [small == {"a": 2, "b": 1}, big == object.union({k: v | some v in numbers.range(0, 10); k := sprintf("k%02d", [v])}, {k: v | some v in numbers.range(11, 20); k := sprintf("k%02d", [v])}), {small, {"a": 2, "b": 1}}]
`;
    expect(evaluate(policy, "p/out")).toEqual([{ result: [true, true, [{ a: 2, b: 1 }]] }]);
  });
});

describe("sorting strings", () => {
  it("orders by code point, also where UTF-16 order differs", () => {
    // U+FF21 (one UTF-16 unit) sorts before U+1F600 (a surrogate pair) by code point, after it by UTF-16 unit.
    const policy = `package p
out := [sort(["b", "\\uff21", "a", "\\ud83d\\ude00"]), sort(["b", "a", "c"]), [x | some x in {"z", "y", "\\uff21", "\\ud83d\\ude00"}]]
`;
    expect(evaluate(policy, "p/out")).toEqual([
      {
        result: [
          ["a", "b", "\uff21", "\u{1F600}"],
          ["a", "b", "c"],
          ["y", "z", "\uff21", "\u{1F600}"],
        ],
      },
    ]);
  });
});

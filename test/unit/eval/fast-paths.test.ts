/**
 * The evaluator's fast paths (issue 11, item 5) must not change answers:
 * unions extended in place never touch a set anything else can see, small
 * objects behave as large ones, and native string sorting keeps code-point order.
 */
import { describe, expect, it } from "vitest";
import { RObject, RSet, type Value, compare, compile, equals, fromJS, prepare, toJS } from "../../../workers/rego/index.js";

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

  it("answer a hinted lookup as a plain one, whatever the hint last saw", () => {
    const hint = { slot: 0 };
    const shapes = [
      RObject.fromRecord({ a: 1, b: 2, c: 3 }),
      RObject.fromRecord({ c: 30, b: 20 }),
      RObject.fromRecord({ b: 200 }),
      RObject.fromRecord({}),
      RObject.fromRecord({ "\u0000b": "nul", b: "after nul" }),
      RObject.fromRecord(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [i === 7 ? "b" : `k${i}`, i]))),
    ];
    const long = "b".repeat(20_000);
    shapes.push(RObject.fromRecord({ [long]: "long", b: "short" }));
    for (let round = 0; round < 3; round++)
      for (const o of shapes)
        for (const key of ["b", "c", "\u0000b", long, "missing"]) expect(o.getStringHinted(key, hint)).toBe(o.getString(key));
  });

  it("read the same field from records of different shapes in one Dot statement", () => {
    const policy = `package p
import rego.v1
out := [x | some r in input; x := r.b]
`;
    const input = [{ a: 1, b: 2 }, { b: 3, a: 4 }, { c: 5 }, { a: 6, c: 7, b: 8 }, { b: 9 }];
    expect(evaluate(policy, "p/out", input)).toEqual([{ result: [2, 3, 8, 9] }]);
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

describe("built-ins answered inline (comparisons, membership, count)", () => {
  const policy = `package p
cmp := [[i, j, x < y, x <= y, x > y, x >= y, x in y] | some i, x in input.vals; some j, y in input.vals]
counts := [[i, count(x)] | some i, x in input.vals]
`;
  const compiled = compile({ modules: [{ name: "p.rego", source: policy }], entrypoints: ["data.p.cmp", "data.p.counts"] });
  if (!compiled.plan) throw new Error(JSON.stringify(compiled.errors));
  const prepared = prepare(JSON.stringify(compiled.plan));
  // Every kind of operand, also those the inline paths leave to the built-in (big integers, strings, composites).
  const obj = new RObject();
  obj.set("a", 1);
  obj.set("b", [1]);
  const vals: Value[] = [
    null,
    false,
    true,
    0,
    -1,
    2.5,
    3,
    2n ** 64n,
    "a",
    "b",
    "ü",
    [],
    [1],
    [1, 2],
    [[1]],
    obj,
    new RSet(),
    RSet.from([1, 2]),
    RSet.from([[1]]),
  ];
  const input = fromJS([]) as Value[];
  input.push(...vals);
  const doc = { input: RObject.from([["vals", input]]) };

  function member(x: Value, y: Value): boolean {
    if (Array.isArray(y)) return y.some((e) => equals(e, x));
    if (y instanceof RSet) return y.has(x);
    if (y instanceof RObject) return [...y.unorderedValues()].some((e) => equals(e, x));
    return false;
  }

  it("agree with Rego's order and membership on every pair of operand kinds", () => {
    const got = toJS(prepared.evaluateSync("p/cmp", doc).results[0] as Value) as { result: unknown[] };
    const expected: unknown[] = [];
    vals.forEach((x, i) =>
      vals.forEach((y, j) => {
        const c = compare(x, y);
        expected.push([i, j, c < 0, c <= 0, c > 0, c >= 0, member(x, y)]);
      }),
    );
    expect(got.result).toEqual(expected);
  });

  it("count collections and strings, and leave other operands undefined", () => {
    const got = toJS(prepared.evaluateSync("p/counts", doc).results[0] as Value) as { result: unknown[] };
    const expected: unknown[] = [];
    vals.forEach((x, i) => {
      if (Array.isArray(x)) expected.push([i, x.length]);
      else if (x instanceof RSet || x instanceof RObject) expected.push([i, x.size]);
      else if (typeof x === "string") expected.push([i, [...x].length]);
    });
    expect(got.result).toEqual(expected);
  });

  it("charge membership in an array by its length, a set's lookup not at all", () => {
    const big = compile({
      modules: [{ name: "m.rego", source: "package m\narr := input.n in input.xs\nset := input.n in input.s\n" }],
      entrypoints: ["data.m.arr", "data.m.set"],
    });
    if (!big.plan) throw new Error(JSON.stringify(big.errors));
    const m = prepare(JSON.stringify(big.plan));
    const xs = Array.from({ length: 50_000 }, (_, i) => i);
    const doc = {
      input: RObject.from([
        ["n", -1],
        ["xs", fromJS(xs)],
        ["s", RSet.from(xs)],
      ] as [Value, Value][]),
    };
    expect(() => m.evaluateSync("m/arr", doc, { budget: 10_000 })).toThrow(/eval_budget_exceeded|exceeded its budget/);
    expect(toJS(m.evaluateSync("m/set", doc, { budget: 10_000 }).results[0] as Value)).toEqual({ result: false });
  });
});

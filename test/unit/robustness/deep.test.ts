/**
 * Big and deep policies and inputs (issue 11, item 3): each construct goes
 * through compile → prepare → evaluate and ends in a result or a structured
 * RegoError — never a RangeError from the JavaScript stack. The limits are
 * documented in README.md (the engine section).
 */
import { describe, expect, it } from "vitest";
import {
  compile,
  fromJS,
  parseJSON,
  stringifyJS,
  toJS,
  toJSONText,
  compare,
  equals,
  hashKey,
  RSet,
  termString,
} from "../../../workers/rego/index.js";
import type { JSONValue, RObject, Value } from "../../../workers/rego/index.js";
import { mergeDeep } from "../../../workers/rego/value/deep.js";
import { valueToYAML } from "../../../workers/rego/builtins/govalues.js";
import { deepArray, deepObject, repeat, run, value, billionLaughs, DEPTH_LIMIT_EXCEEDED, NESTING_BUDGET } from "./harness.js";

const NESTING = "nesting deeper than 1000";

describe("big and long constructs compile and run", () => {
  it("a 5,000-element set literal (an allowlist of ~59 KB)", async () => {
    const members = Array.from({ length: 5000 }, (_, i) => `"user-${i}@example.com"`).join(", ");
    const src = `package p\nallow := {${members}}\nr if allow[input.user]`;
    expect(src.length).toBeGreaterThan(50_000);
    expect(value(await run(src, { input: { user: "user-4999@example.com" } }))).toBe(true);
    expect(value(await run(src, { input: { user: "nobody" } }))).toBe("undefined");
  });

  it("5,000-element array and object literals", async () => {
    const arr = `package p\nxs := [${Array.from({ length: 5000 }, (_, i) => i).join(", ")}]\nr := count(xs) + xs[4999]`;
    expect(value(await run(arr))).toBe(9999);
    const obj = `package p\no := {${Array.from({ length: 5000 }, (_, i) => `"k${i}": ${i}`).join(", ")}}\nr := o.k4321`;
    expect(value(await run(obj))).toBe(4321);
  });

  it("a body of 3,000 conditions", async () => {
    const conds = Array.from({ length: 3000 }, (_, i) => `  input.x != ${i + 1}`).join("\n");
    expect(value(await run(`package p\nr if {\n${conds}\n}`, { input: { x: 0 } }))).toBe(true);
    expect(value(await run(`package p\nr if {\n${conds}\n}`, { input: { x: 2999 } }))).toBe("undefined");
  });

  it("a body of 3,000 assignments, each using the last", async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `  x${i + 1} := x${i} + 1`).join("\n");
    expect(value(await run(`package p\nr := x3000 if {\n  x0 := 0\n${lines}\n}`))).toBe(3000);
  });

  it("an 8,000-field reference into input, and one into data", async () => {
    const ref = repeat(".a", 8000);
    expect(value(await run(`package p\nr := input${ref}`, { input: deepObject(8000, "leaf") }))).toBe("leaf");
    expect(value(await run(`package p\nr := data${ref}`, { data: deepObject(8000, "leaf") }))).toBe("leaf");
    expect(value(await run(`package p\nr := input${ref}`, { input: deepObject(10) }))).toBe("undefined");
  });

  it("a 20,000-part ref into data compiles (the type checks stop where the deepest rule ends)", async () => {
    // Each prefix was looked up as a rule: compiling this took 55 s.
    const ref = Array.from({ length: 20_000 }, (_, i) => `.k${i}`).join("");
    expect(value(await run(`package p\nr := data${ref}`, { data: { k0: 1 } }))).toBe("undefined");
  });

  it("package paths and rule head refs of 256 parts work; longer are a located parse error", async () => {
    const path = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`).join(".");
    const withPackage = (n: number) =>
      compile({ modules: [{ name: "p.rego", source: `package ${path(n)}\nr := 1` }], entrypoints: [`data.${path(n)}.r`] });
    expect(withPackage(256).plan).toBeDefined();
    expect(withPackage(20_000).errors[0]).toMatchObject({
      code: "rego_parse_error",
      message: "package path longer than 256 parts",
      location: { file: "p.rego", row: 1, col: "package ".length + path(256).length + 2 },
    });
    expect(value(await run(`package p\n${path(256)} := 1\nr := ${path(256)}`))).toBe(1);
    const o = await run(`package p\n${path(257)} := 1\nr := 1`);
    expect(o.ok ? "ok" : o.error).toMatchObject({
      code: "rego_parse_error",
      message: "rule head ref longer than 256 parts",
      location: { row: 2, col: path(256).length + 2 },
    });
  });

  it("rules each reading the last: 398 run; longer chains compile and are a located depth error", async () => {
    const chain = (n: number) =>
      `package p\nr0 := 0\n${Array.from({ length: n }, (_, i) => `r${i + 1} := r${i} + 1`).join("\n")}\nr := r${n}`;
    expect(value(await run(chain(100)))).toBe(100);
    // The plan calls r, r398, …, r0: 400 calls of weight 3 reach the evaluation depth limit of 1200 (eval/depth.ts).
    expect(value(await run(chain(398)))).toBe(398);
    expect(await run(chain(399))).toMatchObject({
      stage: "eval",
      error: {
        code: "eval_budget_exceeded",
        message: "evaluation nested too deeply: calling data.p.r0 exceeds the evaluation depth limit of 1200",
        location: { file: "p.rego", row: 3, col: 1 },
      },
    });
    for (const n of [5000, 20_000]) {
      expect(await run(chain(n))).toMatchObject({
        stage: "eval",
        error: {
          code: "eval_budget_exceeded",
          message: expect.stringMatching(/^evaluation nested too deeply: calling data\.p\.r\d+ exceeds/),
        },
      });
    }
  });

  it("calls nested in blocks weigh more: functions called from inside iterating expressions", async () => {
    // Each call from inside k iterating expressions weighs 3 + 3k; planning defers by the same nesting,
    // so even 200 such functions compile.
    const fns = (n: number, k: number) =>
      `package p\nf0(x) := x\n${Array.from(
        { length: n },
        (_, i) => `f${i + 1}(x) := y if { ${Array.from({ length: k }, (_, j) => `a${j} := input.xs[_]`).join("; ")}; y := f${i}(x) + 1 }`,
      ).join("\n")}\nr := f${n}(0)`;
    expect(value(await run(fns(40, 4), { input: { xs: [1] } }))).toBe(40);
    for (const [n, k] of [
      [200, 16],
      [200, 200],
    ] as const) {
      expect(await run(fns(n, k), { input: { xs: [1] } })).toMatchObject(DEPTH_LIMIT_EXCEEDED);
    }
  });

  it("a cycle through more rules than the planner plans at once is still a recursion error", async () => {
    for (const n of [3, 100, 1000]) {
      const src = `package p\nr0 := r${n - 1} + 1\n${Array.from({ length: n - 1 }, (_, i) => `r${i + 1} := r${i} + 1`).join("\n")}\nr := r0`;
      const o = await run(src);
      expect(o.ok ? value(o) : o.error).toMatchObject({
        code: "rego_recursion_error",
        message: expect.stringMatching(/^rule data\.p\.r0 is recursive: data\.p\.r0 -> data\.p\.r\d+ -> .* -> data\.p\.r0$/),
        location: { file: "p.rego", row: 2 },
      });
    }
  });

  it("a cycle through 5,000 rules, functions or comprehensions reports the first 10 errors", async () => {
    const lines = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i)).join("\n");
    const n = 5000;
    for (const [src, first] of [
      [`r0 := r${n - 1} + 1\n${lines(n - 1, (i) => `r${i + 1} := r${i} + 1`)}\nr := r0`, "r0"],
      [`f0(x) := f${n - 1}(x) + 1\n${lines(n - 1, (i) => `f${i + 1}(x) := f${i}(x) + 1`)}\nr := f0(1)`, "f0"],
      [`r0 := [x | x := r${n - 1}[_]]\n${lines(n - 1, (i) => `r${i + 1} := [x | x := r${i}[_]]`)}\nr := r0`, "r0"],
    ] as const) {
      const compiled = compile({ modules: [{ name: "p.rego", source: `package p\n${src}` }], entrypoints: ["data.p.r"] });
      expect(compiled.errors.length).toBe(10);
      expect(compiled.errors[0]).toMatchObject({
        code: "rego_recursion_error",
        message: expect.stringMatching(new RegExp(`^rule data\\.p\\.${first} is recursive: data\\.p\\.${first} -> `)),
        location: { file: "p.rego", row: 2, col: 1 },
      });
      expect(compiled.errors.map((e) => e.location?.row)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    }
  });

  it("operator chains of 3,000 and 10,000 terms compile and run; parentheses still count as nesting", async () => {
    for (const n of [3000, 10_000]) {
      expect(value(await run(`package p\nr := ${repeat("1", n, " + ")}`))).toBe(n);
      expect(value(await run(`package p\nr := ${repeat("input.x", n, " * ")}`, { input: { x: 1 } }))).toBe(1);
      expect(value(await run(`package p\nr := ${repeat("{1}", n, " | ")}`))).toEqual([1]);
      expect(value(await run(`package p\nr := 1 ${repeat("== 1", n, " ")}`))).toBe(false);
      expect(value(await run(`package p\nr if ${repeat("input.x", n, " - ")} < 0`, { input: { x: 1 } }))).toBe(true);
      // Negated, the chain is taken out in front of the `not` as one term (OPA's legacy negation).
      expect(value(await run(`package p\nr if not ${repeat("input.x", n, " + ")} == 0`, { input: { x: 1 } }))).toBe(true);
      expect(value(await run(`package p\nr if not ${repeat("input.x", n, " + ")} == 0`, { input: {} }))).toBe("undefined");
      const ors = `package p\nimport future.keywords.or\nr if ${Array.from({ length: n }, (_, i) => `input.x == ${i}`).join(" or ")}`;
      expect(value(await run(ors, { input: { x: n - 1 } }))).toBe(true);
    }
    const o = await run(`package p\nr := ${repeat("(1 + ", 1100)}1${repeat(")", 1100)}`);
    expect(o.ok ? "ok" : o.error).toMatchObject({ code: "rego_parse_error", location: { file: "p.rego", row: 2 } });
  });

  it("a body of 255 iterating expressions runs; more nest the plan too deep, a located compile error", async () => {
    const body = (n: number) => `package p\nr if {\n${Array.from({ length: n }, (_, i) => `  x${i} := input.xs[_]`).join("\n")}\n}`;
    expect(value(await run(body(255), { input: { xs: [1] } }))).toBe(true);
    for (const n of [256, 3000]) {
      const o = await run(body(n), { input: { xs: [1] } });
      expect(o.ok ? "ok" : o.error).toMatchObject({
        code: "rego_compile_error",
        message: expect.stringMatching(/^plan nesting deeper than 256/),
        location: { file: "p.rego", row: 258, col: 3 },
      });
    }
  });

  it("long else chains: 500 work, 3,000 hit the nesting limit", async () => {
    const chain = (n: number) =>
      `package p\nr := 0 if input.x == 0\n${Array.from({ length: n }, (_, i) => `else := ${i + 1} if input.x == ${i + 1}`).join("\n")}\nelse := -1`;
    expect(value(await run(chain(500), { input: { x: 499 } }))).toBe(499);
    expect(value(await run(chain(500), { input: { x: 9999 } }))).toBe(-1);
    const o = await run(chain(3000), { input: { x: 1 } });
    expect(o.ok ? "ok" : o.error).toMatchObject({ code: "rego_parse_error", message: NESTING });
  });

  it("long with chains: 500 work, 3,000 hit the nesting limit", async () => {
    const withs = (n: number) =>
      `package p\nq := input.x\nr if { q == ${n - 1} ${Array.from({ length: n }, (_, i) => `with input.x as ${i}`).join(" ")} }`;
    expect(value(await run(withs(500)))).toBe(true);
    const o = await run(withs(3000));
    expect(o.ok ? "ok" : o.error).toMatchObject({ code: "rego_parse_error", message: NESTING });
  });
});

describe("deep nesting in source", () => {
  it("nested arrays, objects and sets: 250 levels work; deeper is a parse error with a location", async () => {
    const arr = (n: number) => `package p\nr := ${"[".repeat(n)}1${"]".repeat(n)}`;
    const obj = (n: number) => `package p\nr := ${'{"a": '.repeat(n)}1${"}".repeat(n)}`;
    const set = (n: number) => `package p\nr := ${"{".repeat(n)}1${"}".repeat(n)}`;
    expect(JSON.stringify(value(await run(arr(250))))).toBe("[".repeat(250) + "1" + "]".repeat(250));
    expect(value(await run(obj(250)))).toEqual(deepObject(250));
    expect((await run(set(250))).ok).toBe(true);
    for (const src of [arr(5000), obj(5000), set(5000), `package p\nr := ${"(".repeat(5000)}1${")".repeat(5000)}`]) {
      const o = await run(src);
      expect(o.ok ? "ok" : o.error).toMatchObject({ code: "rego_parse_error", location: { file: "p.rego", row: 2 } });
    }
  });

  it("nested calls and comprehensions: 100 levels work; deeper is a parse error", async () => {
    expect(value(await run(`package p\nr := ${"abs(".repeat(100)}-1${")".repeat(100)}`))).toBe(1);
    expect(JSON.stringify(value(await run(`package p\nr := ${"[x | x := ".repeat(100)}1${"]".repeat(100)}`)))).toBe(
      "[".repeat(100) + "1" + "]".repeat(100),
    );
    for (const src of [
      `package p\nr := ${"abs(".repeat(3000)}1${")".repeat(3000)}`,
      `package p\nr := ${"[x | x := ".repeat(3000)}1${"]".repeat(3000)}`,
    ]) {
      const o = await run(src);
      expect(o.ok ? "ok" : o.error).toMatchObject({ code: "rego_parse_error" });
    }
  });

  it("every nested in every", async () => {
    const src = `package p\nr if {\n${repeat("every x in [1] { ", 60)}true${repeat(" }", 60)}\n}`;
    expect(value(await run(src))).toBe(true);
  });
});

describe("deep values from input, data and built-ins", () => {
  it("input nested 3,000 and 100,000 deep converts and is read", async () => {
    expect(value(await run("package p\nr := count(input)", { input: deepObject(3000) }))).toBe(1);
    expect(value(await run("package p\nr := count(input)", { input: deepArray(100_000) }))).toBe(1);
    const back = value(await run("package p\nr := input", { input: deepArray(3000) }));
    expect(JSON.stringify(back)).toBe(JSON.stringify(deepArray(3000)));
  });

  it("fromJS, toJS, toJSONText and parseJSON take 100,000 levels", () => {
    const v = fromJS(deepObject(100_000));
    const text = toJSONText(v);
    expect(text.length).toBe(100_000 * 6 + 1);
    // parseJSON reads from an explicit stack up to Go's limit of 10,000 levels; beyond it is a syntax error.
    const ten = toJSONText(fromJS(deepObject(10_000)));
    expect(equals(parseJSON(ten), fromJS(deepObject(10_000)))).toBe(true);
    expect(() => parseJSON(`[${ten}]`)).toThrow(/^nesting too deep at offset 50001$/);
    expect(() => parseJSON(text)).toThrow(/^nesting too deep at offset 50005$/);
    let back = toJS(fromJS(deepArray(100_000)));
    let depth = 0;
    for (; Array.isArray(back); depth++) back = back[0] as typeof back;
    expect([depth, back]).toEqual([100_000, 1]);
    expect(toJSONText(fromJS(new Set([deepArray(3000)])))).toBe("[" + "[".repeat(3000) + "1" + "]".repeat(3000) + "]");
  });

  it("stringifyJS writes 100,000 levels and writes what JSON.stringify writes", () => {
    const deep = toJS(fromJS(deepArray(100_000)));
    expect(stringifyJS(deep)).toBe("[".repeat(100_000) + "1" + "]".repeat(100_000));
    const samples: JSONValue[] = [
      null,
      true,
      1.5,
      "é\n",
      [],
      {},
      [1, [2, []], {}],
      { a: { b: [1, { c: null }] }, "": "x", 'k"': [] },
      deepArray(50) as JSONValue,
    ];
    for (const v of samples) for (const indent of [0, 2]) expect(stringifyJS(v, indent)).toBe(JSON.stringify(v, null, indent));
    expect(stringifyJS({ big: 2n ** 70n, xs: [2n ** 64n] })).toBe('{"big":1180591620717411303424,"xs":[18446744073709551616]}');
  });

  it("deep data documents", async () => {
    expect(value(await run("package p\nr := count(data.a)", { data: deepObject(5000) }))).toBe(1);
    expect(value(await run(`package p\nr := data${repeat(".a", 3000)}`, { data: deepObject(3000) }))).toBe(1);
  });

  it("json.unmarshal of text nested 3,000 deep; Go's 10,000 limit beyond", async () => {
    const deep = "[".repeat(3000) + "]".repeat(3000);
    expect(value(await run("package p\nr := count(json.unmarshal(input.s))", { input: { s: deep } }))).toBe(1);
    expect(value(await run("package p\nr := json.is_valid(input.s)", { input: { s: deep } }))).toBe(true);
    const tooDeep = await run("package p\nr := json.unmarshal(input.s)", {
      input: { s: "[".repeat(20_000) + "]".repeat(20_000) },
      strict: true,
    });
    expect(tooDeep.ok ? "ok" : tooDeep.error.code).toMatch(/^eval_/);
  });

  it("yaml.unmarshal takes 200 levels; deeper text and alias bombs are built-in errors before anything recurses", async () => {
    const unmarshal = (s: string) => run("package p\nr := yaml.unmarshal(input.s)", { input: { s }, strict: true, budget: NESTING_BUDGET });
    const block = (n: number) => `${Array.from({ length: n }, (_, i) => `${" ".repeat(i)}a:`).join("\n")} 1`;
    expect(JSON.stringify(value(await unmarshal("[".repeat(200) + "]".repeat(200))))).toBe("[".repeat(200) + "]".repeat(200));
    expect(value(await unmarshal(block(200)))).toEqual(deepObject(200));
    expect(value(await unmarshal(`a: "${"[".repeat(5000)}"`))).toEqual({ a: "[".repeat(5000) });
    expect(value(await unmarshal(`a: |\n${"  [[[[{{{{\n".repeat(3000)}`))).toEqual({ a: "[[[[{{{{\n".repeat(3000) });
    // 100,000 flow brackets made the yaml package's recursion abort V8 (a RegExp compiled at the stack's edge).
    for (const s of ["[".repeat(201) + "]".repeat(201), "[".repeat(100_000), block(201), `${"- ".repeat(300)}1`, "{".repeat(50_000)]) {
      expect(await unmarshal(s)).toMatchObject({
        stage: "eval",
        error: { code: "eval_builtin_error", message: "yaml.unmarshal: yaml: document nested deeper than 200", location: { row: 2 } },
      });
    }
    expect(await unmarshal(billionLaughs())).toMatchObject({
      error: { code: "eval_builtin_error", message: "yaml.unmarshal: yaml: document contains excessive aliasing" },
    });
    expect(value(await unmarshal("a: &x [1, 2]\nb: *x\nc: *x"))).toEqual({ a: [1, 2], b: [1, 2], c: [1, 2] });
  });

  it("json.marshal and yaml.marshal of values nested 3,000 deep", async () => {
    const j = value(await run("package p\nr := json.marshal(input)", { input: deepObject(3000) }));
    expect(j).toBe('{"a":'.repeat(3000) + "1" + "}".repeat(3000));
    const y = await run("package p\nr := yaml.marshal(input)", { input: deepObject(3000), strict: true });
    expect(y.ok || /^eval_/.test(y.error.code)).toBe(true);
  });

  it("termString, yaml.marshal, object.union and the document merge take values 10,000+ deep", async () => {
    const v = fromJS(deepObject(100_000));
    expect(termString(v)).toBe('{"a": '.repeat(100_000) + "1" + "}".repeat(100_000));
    expect(termString(fromJS(new Set([deepArray(5000)])))).toBe("{" + "[".repeat(5000) + "1" + "]".repeat(5000) + "}");
    const yaml = valueToYAML(fromJS(deepArray(10_000)));
    expect(yaml.startsWith("- - - ")).toBe(true);
    expect(yaml.endsWith("- 1\n")).toBe(true);
    const merged = mergeDeep(fromJS(deepObject(50_000)) as RObject, fromJS(deepObject(50_000, { b: 2 })) as RObject, (_, bv) => bv);
    let x: Value | undefined = merged;
    for (let i = 0; i < 50_000; i++) x = (x as RObject).get("a");
    expect(toJS(x as Value)).toEqual({ b: 2 });
    // a budget beyond the default: two 20,000-deep objects merged and compared cost more than 1,000,000 steps
    const union = value(
      await run("package p\nr := object.union(input.x, input.y) == input.y", {
        input: { x: deepObject(20_000), y: deepObject(20_000, 2) },
        budget: 10_000_000,
      }),
    );
    expect(union).toBe(true);
    const unionN = value(
      await run("package p\nr := object.union_n([input.x, input.y]) == input.y", {
        input: { x: deepObject(20_000), y: deepObject(20_000, 2) },
        budget: 10_000_000,
      }),
    );
    expect(unionN).toBe(true);
  });

  it("objects of two keys nested 50,000 deep are hashed, put in sets and used as keys", async () => {
    // Sorting an object's entries by their whole strings made canonical() quadratic in the depth.
    const deep = () => {
      let x: unknown = "leaf";
      for (let i = 0; i < 50_000; i++) x = { a: x, b: [i] };
      return x;
    };
    const input = { x: deep(), y: deep() };
    // (a member or key this big costs more than the default budget)
    expect(value(await run("package p\nr := count({input.x, input.y})", { input, budget: NESTING_BUDGET }))).toBe(1);
    expect(value(await run("package p\nr := {input.x: 1}[input.y]", { input, budget: NESTING_BUDGET }))).toBe(1);
    expect(hashKey(fromJS(input.x))).toBe(hashKey(fromJS(input.y)));
  });

  it("deep values compared, hashed, put in sets and sorted", async () => {
    const input = { x: deepObject(3000), y: deepObject(3000), z: deepArray(3000), w: deepArray(3000, 2) };
    expect(value(await run("package p\nr := input.x == input.y", { input }))).toBe(true);
    expect(value(await run("package p\nr := count({input.x, input.y, input.z})", { input }))).toBe(2);
    expect(value(await run("package p\nr := sort([input.w, input.z])[0] == input.z", { input }))).toBe(true);
    expect(value(await run("package p\nr := {input.x: 1}[input.y]", { input }))).toBe(1);
    const a = fromJS(deepArray(3000));
    const b = fromJS(deepArray(3000, 2));
    expect(compare(a, b)).toBe(-1);
    expect(hashKey(a)).not.toBe(hashKey(b));
    expect(RSet.from([a, b, fromJS(deepArray(3000))]).size).toBe(2);
  });

  it("built-ins that recurse over what they are given stop at 200 levels with a located error, even without strict mode", async () => {
    const rep = (x: string, n: number, sep = "") => Array.from({ length: n }, () => x).join(sep);
    const refChain = (n: number) => ({
      definitions: Object.fromEntries(
        Array.from({ length: n }, (_, i) => [`d${i}`, i === n - 1 ? { type: "number" } : { $ref: `#/definitions/d${i + 1}` }]),
      ),
      $ref: "#/definitions/d0",
    });
    const recursive = { type: "object", properties: { a: { $ref: "#" } } };
    const cases: [string, unknown, string][] = [
      ["json.match_schema(input.d, {})", { d: deepObject(10_000) }, "json.match_schema: value nested deeper than 200"],
      ["json.match_schema(input.t, {})[0]", { t: "[".repeat(9000) + "]".repeat(9000) }, "json.match_schema: value nested deeper than 200"],
      ["json.verify_schema(input.s)", { s: refChain(5000) }, "json.verify_schema: schema nested deeper than 200"],
      ["json.filter(input.v, [input.p])", { v: deepObject(10_000), p: rep("a", 10_000, "/") }, "json.filter: path nested deeper than 200"],
      ["json.remove(input.v, [input.p])", { v: deepObject(10_000), p: rep("a", 10_000, "/") }, "json.remove: path nested deeper than 200"],
    ];
    for (const [expr, input, message] of cases) {
      expect(await run(`package p\nr := ${expr}`, { input, budget: NESTING_BUDGET })).toMatchObject({
        stage: "eval",
        error: { code: "eval_builtin_error", message, location: { file: "p.rego", row: 2 } },
      });
    }
    // At the limits: a recursive schema over a document 199 deep, a ref chain of 150, paths of 200.
    expect(
      value(
        await run("package p\nr := json.match_schema(input.d, input.s)[0]", {
          input: { d: deepObject(199, {}), s: recursive },
          budget: NESTING_BUDGET,
        }),
      ),
    ).toBe(true);
    expect(value(await run('package p\nr := json.match_schema("1", input.s)[0]', { input: { s: refChain(150) } }))).toBe(true);
    const path = rep("a", 200, "/");
    expect(value(await run("package p\nr := json.filter(input.v, [input.p]) == input.v", { input: { v: deepObject(200), p: path } }))).toBe(
      true,
    );
    expect(value(await run("package p\nr := json.remove(input.v, [input.p])", { input: { v: deepObject(200), p: path } }))).toEqual(
      deepObject(199, {}),
    );
    // json.patch walks its path without recursion: any length.
    const patched = await run('package p\nr := json.patch(input.v, [{"op": "replace", "path": input.p, "value": 2}]) == input.w', {
      input: { v: deepObject(10_000), w: deepObject(10_000, 2), p: `/${rep("a", 10_000, "/")}` },
    });
    expect(value(patched)).toBe(true);
  });

  it("glob groups and template nesting stop at 200 levels (built-in errors)", async () => {
    const glob = (n: number) =>
      run('package p\nr := glob.match(input.p, [], "a")', {
        input: { p: "{".repeat(n) + "a" + "}".repeat(n) },
        strict: true,
        budget: NESTING_BUDGET,
      });
    expect(value(await glob(200))).toBe(true);
    expect(await glob(201)).toMatchObject({
      error: { code: "eval_builtin_error", message: "glob.match: glob: pattern groups nested deeper than 200" },
    });
    // 100,000 groups: the pattern's compile is charged before it is parsed, and stops at the budget first
    expect(await glob(100_000)).toMatchObject({ ok: false, error: { code: "eval_budget_exceeded" } });
    const render = (t: string) =>
      run('package p\nr := strings.render_template(input.t, {"xs": [1, 2]})', { input: { t }, strict: true, budget: NESTING_BUDGET });
    expect(value(await render(`${"{{if true}}".repeat(200)}x${"{{end}}".repeat(200)}`))).toBe("x");
    for (const t of [
      `${"{{if true}}".repeat(10_000)}x${"{{end}}".repeat(10_000)}`,
      `{{if false}}${"{{else if false}}".repeat(5000)}{{end}}`,
    ])
      expect(await render(t)).toMatchObject({
        error: { code: "eval_builtin_error", message: expect.stringMatching(/\{\{if\}\} nested deeper than 200$/) },
      });
    expect(await render('{{define "a"}}{{template "a"}}{{end}}{{template "a"}}')).toMatchObject({
      error: { message: expect.stringMatching(/exceeded maximum template depth \(200\)$/) },
    });
    // {{break}} and {{continue}} leave nested ifs without leaking depth.
    const loops = "{{range .xs}}{{if true}}{{if true}}{{continue}}{{end}}{{end}}{{end}}".repeat(300);
    expect(value(await render(`${loops}ok`))).toBe("ok");
  });

  it("walk charges its paths before building them: 100,000 levels (5 billion path segments) stop at the budget", async () => {
    expect(await run("package p\nr := count([p | walk(input, [p, _])])", { input: deepArray(100_000) })).toMatchObject({
      stage: "eval",
      error: { code: "eval_budget_exceeded", location: { file: "p.rego", row: 2 } },
    });
    expect(value(await run("package p\nr := [p | walk(input, [p, _])]", { input: { a: [1, { b: 2 }] } }))).toEqual([
      [],
      ["a"],
      ["a", 0],
      ["a", 1],
      ["a", 1, "b"],
    ]);
  });

  it("walk over a value nested 3,000 deep", async () => {
    const o = await run("package p\nr := count([p | walk(input, [p, _])])", { input: deepObject(3000) });
    expect(o.ok ? value(o) : o.error.code).toSatisfy((v: unknown) => v === 3001 || /^eval_/.test(String(v)));
  });
});

/**
 * Big and deep policies and inputs (issue 11, item 3): each construct goes
 * through compile → prepare → evaluate and ends in a result or a structured
 * RegoError — never a RangeError from the JavaScript stack. The limits are
 * documented in README.md (the engine section).
 */
import { describe, expect, it } from "vitest";
import { fromJS, parseJSON, toJS, toJSONText, compare, equals, hashKey, RSet, termString } from "../../../workers/rego/index.js";
import type { RObject, Value } from "../../../workers/rego/index.js";
import { mergeDeep } from "../../../workers/rego/value/deep.js";
import { valueToYAML } from "../../../workers/rego/builtins/govalues.js";
import { deepArray, deepObject, repeat, run, value } from "./harness.js";

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

  it("rules each reading the last: 800 run; 5,000 and 20,000 compile, and evaluating them is a clear error", async () => {
    const chain = (n: number) =>
      `package p\nr0 := 0\n${Array.from({ length: n }, (_, i) => `r${i + 1} := r${i} + 1`).join("\n")}\nr := r${n}`;
    expect(value(await run(chain(100)))).toBe(100);
    expect(value(await run(chain(800)))).toBe(800);
    // The planner puts off rules nested deeper than it plans at once; the
    // evaluator calls rule functions recursively, so a chain this long is a
    // structured error at evaluation (README, engine limits).
    for (const n of [5000, 20_000]) {
      const o = await run(chain(n));
      expect(o.ok ? value(o) : o.error).toMatchObject({
        code: "eval_budget_exceeded",
        message: expect.stringMatching(/nested too deeply|call depth/),
      });
      expect(o.ok || o.stage).toBe("eval");
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

  it("operator chains of 3,000 and 10,000 terms compile and run; parentheses still count as nesting", async () => {
    for (const n of [3000, 10_000]) {
      expect(value(await run(`package p\nr := ${repeat("1", n, " + ")}`))).toBe(n);
      expect(value(await run(`package p\nr := ${repeat("input.x", n, " * ")}`, { input: { x: 1 } }))).toBe(1);
      expect(value(await run(`package p\nr := ${repeat("{1}", n, " | ")}`))).toEqual([1]);
      expect(value(await run(`package p\nr := 1 ${repeat("== 1", n, " ")}`))).toBe(false);
      expect(value(await run(`package p\nr if ${repeat("input.x", n, " - ")} < 0`, { input: { x: 1 } }))).toBe(true);
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
    // parseJSON takes Go's limit of 10,000 levels; beyond it (or beyond the stack) is a syntax error.
    const five = toJSONText(fromJS(deepObject(5000)));
    expect(equals(parseJSON(five), fromJS(deepObject(5000)))).toBe(true);
    expect(() => parseJSON(text)).toThrow(/nesting too deep/);
    let back = toJS(fromJS(deepArray(100_000)));
    let depth = 0;
    for (; Array.isArray(back); depth++) back = back[0] as typeof back;
    expect([depth, back]).toEqual([100_000, 1]);
    expect(toJSONText(fromJS(new Set([deepArray(3000)])))).toBe("[" + "[".repeat(3000) + "1" + "]".repeat(3000) + "]");
  });

  it("deep data documents", async () => {
    expect(value(await run("package p\nr := count(data.a)", { data: deepObject(5000) }))).toBe(1);
    expect(value(await run(`package p\nr := data${repeat(".a", 3000)}`, { data: deepObject(3000) }))).toBe(1);
  });

  it("json.unmarshal and yaml.unmarshal of text nested 3,000 deep; Go's 10,000 limit beyond", async () => {
    const deep = "[".repeat(3000) + "]".repeat(3000);
    expect(value(await run("package p\nr := count(json.unmarshal(input.s))", { input: { s: deep } }))).toBe(1);
    expect(value(await run("package p\nr := json.is_valid(input.s)", { input: { s: deep } }))).toBe(true);
    const tooDeep = await run("package p\nr := json.unmarshal(input.s)", {
      input: { s: "[".repeat(20_000) + "]".repeat(20_000) },
      strict: true,
    });
    expect(tooDeep.ok ? "ok" : tooDeep.error.code).toMatch(/^eval_/);
    const y = await run("package p\nr := yaml.unmarshal(input.s)", { input: { s: deep }, strict: true });
    expect(y.ok ? value(y) : y.error.code).toSatisfy((v: unknown) => (Array.isArray(v) && v.length === 1) || /^eval_/.test(String(v)));
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

  it("walk over a value nested 3,000 deep", async () => {
    const o = await run("package p\nr := count([p | walk(input, [p, _])])", { input: deepObject(3000) });
    expect(o.ok ? value(o) : o.error.code).toSatisfy((v: unknown) => v === 3001 || /^eval_/.test(String(v)));
  });
});

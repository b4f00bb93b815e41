/**
 * The engine's size and depth limits hold inside workerd too, whose stack is
 * a little smaller than Node's: the constructs closest to the documented
 * limits (README, engine section) compile and run there, deeper ones are
 * structured errors, and
 * hostile loops stop at the budget (issue 11, items 3 and 4).
 */
import { describe, expect, it } from "vitest";
import { HOSTILE_CASES } from "../../bench/hostile-cases.js";
import {
  deepArray,
  deepObject,
  repeat,
  run,
  value,
  billionLaughs,
  DEPTH_LIMIT_EXCEEDED,
  NESTING_BUDGET,
} from "../unit/robustness/harness.js";

describe("Rego engine limits in workerd", () => {
  // First, so that it runs on a cold interpreter, whose frames are the largest.
  it("the deepest evaluation the depth limit allows, with the deepest leaf and built-in recursion on top", async () => {
    // r, r396 … r0 and the leaf: 399 calls of 3 (1197 of 1200), and the leaf nests 255 scans and
    // validates a recursive schema over a document 199 deep (600 validation steps).
    const scans = Array.from({ length: 255 }, (_, i) => `x${i} := input.xs[_]`).join("; ");
    const leaf = `leaf := json.match_schema(input.d, input.s)[0] if { ${scans} }`;
    const rules = Array.from({ length: 396 }, (_, i) => `r${i + 1} := r${i}`).join("\n");
    const input = { xs: [1], d: deepObject(199, {}), s: { type: "object", properties: { a: { $ref: "#" } } } };
    expect(value(await run(`package p\n${leaf}\nr0 := leaf\n${rules}\nr := r396`, { input }))).toBe(true);
    // The same over data: every rule input-free, so computed with its record written (rule-cache.ts) on the same stack.
    const dataLeaf = leaf.replaceAll("input.", "data.");
    expect(value(await run(`package p\n${dataLeaf}\nr0 := leaf\n${rules}\nr := r396`, { data: input }))).toBe(true);
    // Functions called from inside 16 scans weigh 3 + 3 x 16; planning defers them by the same nesting.
    const fns = Array.from(
      { length: 200 },
      (_, i) => `f${i + 1}(x) := y if { ${Array.from({ length: 16 }, (_, j) => `a${j} := input.xs[_]`).join("; ")}; y := f${i}(x) + 1 }`,
    ).join("\n");
    expect(await run(`package p\nf0(x) := x\n${fns}\nr := f200(0)`, { input })).toMatchObject({
      stage: "eval",
      error: {
        code: "eval_budget_exceeded",
        message: expect.stringMatching(/^evaluation nested too deeply: calling data\.p\.f\d+ exceeds/),
      },
    });
  });

  it("big flat constructs and constructs at the nesting limit", async () => {
    const members = Array.from({ length: 5000 }, (_, i) => `"user-${i}@example.com"`).join(", ");
    expect(value(await run(`package p\nallow := {${members}}\nr if allow[input.u]`, { input: { u: "user-42@example.com" } }))).toBe(true);
    const conds = Array.from({ length: 3000 }, (_, i) => `  input.x != ${i + 1}`).join("\n");
    expect(value(await run(`package p\nr if {\n${conds}\n}`, { input: { x: 0 } }))).toBe(true);
    expect(value(await run(`package p\nr := input${repeat(".a", 8000)}`, { input: deepObject(8000, "leaf") }))).toBe("leaf");
    expect(value(await run(`package p\nr := ${repeat("1", 10_000, " + ")}`))).toBe(10_000);
    expect(value(await run(`package p\nr := [y | y := ${repeat("1", 3000, " + ")}]`))).toEqual([3000]);
    expect((await run(`package p\nr := ${"[".repeat(290)}1${"]".repeat(290)}`)).ok).toBe(true);
    const deep = await run(`package p\nr := ${"[".repeat(3000)}1${"]".repeat(3000)}`);
    expect(deep.ok ? "ok" : deep.error.code).toBe("rego_parse_error");
  });

  it("iterating bodies up to the plan's nesting limit, and rule chains", async () => {
    const body = (n: number) => `package p\nr if {\n${Array.from({ length: n }, (_, i) => `  x${i} := input.xs[_]`).join("\n")}\n}`;
    expect(value(await run(body(255), { input: { xs: [1] } }))).toBe(true);
    const tooDeep = await run(body(256), { input: { xs: [1] } });
    expect(tooDeep.ok ? "ok" : tooDeep.error).toMatchObject({ code: "rego_compile_error", location: { row: 258 } });
    const chain = (n: number) =>
      `package p\nr0 := 0\n${Array.from({ length: n }, (_, i) => `r${i + 1} := r${i} + 1`).join("\n")}\nr := r${n}`;
    expect(value(await run(chain(398)))).toBe(398);
    for (const n of [399, 5000]) expect(await run(chain(n))).toMatchObject(DEPTH_LIMIT_EXCEEDED);
  });

  it("deep and hostile built-in arguments: YAML, JSON text, schemas, templates, globs", async () => {
    const unmarshal = (s: string) => run("package p\nr := yaml.unmarshal(input.s)", { input: { s }, strict: true, budget: NESTING_BUDGET });
    expect(JSON.stringify(value(await unmarshal("[".repeat(200) + "]".repeat(200))))).toBe("[".repeat(200) + "]".repeat(200));
    for (const s of ["[".repeat(100_000), `${"- ".repeat(5000)}1`])
      expect(await unmarshal(s)).toMatchObject({ error: { message: "yaml.unmarshal: yaml: document nested deeper than 200" } });
    expect(await unmarshal(billionLaughs())).toMatchObject({
      error: { message: "yaml.unmarshal: yaml: document contains excessive aliasing" },
    });
    const ten = "[".repeat(10_000) + "]".repeat(10_000);
    expect(value(await run("package p\nr := json.is_valid(input.s)", { input: { s: ten } }))).toBe(true);
    expect(value(await run("package p\nr := count(json.unmarshal(input.s))", { input: { s: ten } }))).toBe(1);
    expect(
      await run("package p\nr := json.match_schema(input.d, {})", { input: { d: deepObject(100_000) }, budget: NESTING_BUDGET }),
    ).toMatchObject({
      error: { code: "eval_builtin_error", message: "json.match_schema: value nested deeper than 200" },
    });
    const render = await run("package p\nr := strings.render_template(input.t, {})", {
      input: { t: `${"{{if true}}".repeat(10_000)}x${"{{end}}".repeat(10_000)}` },
      strict: true,
      budget: NESTING_BUDGET,
    });
    expect(render.ok ? "ok" : render.error.code).toBe("eval_builtin_error");
    const glob = await run('package p\nr := glob.match(input.p, [], "a")', { input: { p: "{".repeat(100_000) }, strict: true });
    // its compile is charged before the pattern is parsed: the budget or the nesting limit stops it
    expect(glob.ok ? "ok" : glob.error.code).toMatch(/^eval_(builtin_error|budget_exceeded)$/);
    let two: unknown = "leaf";
    for (let i = 0; i < 40_000; i++) two = { a: two, b: [i] };
    expect(value(await run("package p\nr := count({input.x, input.x})", { input: { x: two }, budget: NESTING_BUDGET }))).toBe(1);
    const walked = await run("package p\nr := count([p | walk(input, [p, _])])", { input: deepArray(100_000) });
    expect(walked.ok ? "ok" : walked.error.code).toBe("eval_budget_exceeded");
  });

  it("deep input converts, compares and prints", async () => {
    expect(value(await run("package p\nr := count(input)", { input: deepArray(100_000) }))).toBe(1);
    const input = { x: deepObject(3000), y: deepObject(3000) };
    expect(value(await run("package p\nr := input.x == input.y", { input }))).toBe(true);
    expect(value(await run("package p\nr := count(json.marshal(input.x))", { input }))).toBe(3000 * 6 + 1);
    expect(value(await run('package p\nr := count(sprintf("%v", [input.x]))', { input }))).toBe(3000 * 7 + 1);
    expect(value(await run("package p\nr := object.union(input.x, input.y) == input.y", { input }))).toBe(true);
    expect(value(await run("package p\nr := count(yaml.marshal(input.z)) > 0", { input: { z: deepArray(1000) } }))).toBe(true);
  });

  it("hostile loops stop at the default budget", async () => {
    for (const c of HOSTILE_CASES.filter((h) => !h.finishes).slice(0, 12)) {
      const o = await run(c.source, c.input === undefined ? {} : { input: c.input });
      expect(o.ok ? `${c.name}: finished` : o.error.code).toMatch(/^eval_(budget_exceeded|builtin_error)$/);
    }
  });
});

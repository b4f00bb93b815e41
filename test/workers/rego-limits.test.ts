/**
 * The engine's size and depth limits hold inside workerd too, whose stack is
 * a little smaller than Node's: the constructs closest to the documented
 * limits (README, engine section) compile and run there, deeper ones are
 * structured errors, and
 * hostile loops stop at the budget (issue 11, items 3 and 4).
 */
import { describe, expect, it } from "vitest";
import { HOSTILE_CASES } from "../../bench/hostile-cases.js";
import { deepArray, deepObject, repeat, run, value } from "../unit/robustness/harness.js";

describe("Rego engine limits in workerd", () => {
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
    expect(value(await run(chain(500)))).toBe(500);
    const long = await run(chain(5000));
    expect(long.ok ? "ok" : [long.stage, long.error.code]).toEqual(["eval", "eval_budget_exceeded"]);
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

/**
 * The engine's size and depth limits hold inside workerd too, whose stack is
 * a little smaller than Node's: the constructs closest to the documented
 * limits compile and run there, deeper ones are structured errors, and
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
    expect(value(await run(`package p\nr := ${repeat("1", 995, " + ")}`))).toBe(995);
    expect((await run(`package p\nr := ${"[".repeat(290)}1${"]".repeat(290)}`)).ok).toBe(true);
    const deep = await run(`package p\nr := ${repeat("1", 3000, " + ")}`);
    expect(deep.ok ? "ok" : deep.error.message).toBe("nesting deeper than 1000");
  });

  it("deep input converts, compares and prints", async () => {
    expect(value(await run("package p\nr := count(input)", { input: deepArray(100_000) }))).toBe(1);
    const input = { x: deepObject(3000), y: deepObject(3000) };
    expect(value(await run("package p\nr := input.x == input.y", { input }))).toBe(true);
    expect(value(await run("package p\nr := count(json.marshal(input.x))", { input }))).toBe(3000 * 6 + 1);
  });

  it("hostile loops stop at the default budget", async () => {
    for (const c of HOSTILE_CASES.filter((h) => !h.finishes).slice(0, 12)) {
      const o = await run(c.source, c.input === undefined ? {} : { input: c.input });
      expect(o.ok ? `${c.name}: finished` : o.error.code).toMatch(/^eval_(budget_exceeded|builtin_error)$/);
    }
  });
});

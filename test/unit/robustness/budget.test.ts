/**
 * The step budget bounds the work (issue 11, item 4): every hostile construct
 * of bench/hostile-cases.ts ends, with the default budget, in
 * eval_budget_exceeded or a documented limit error — never a finished
 * evaluation that did unbounded work. No timing here: the times are in
 * `npm run bench -- hostile`.
 */
import { describe, expect, it } from "vitest";
import { HOSTILE_CASES } from "../../../bench/hostile-cases.js";
import { MAX_INT_BITS } from "../../../workers/rego/builtins/costs.js";
import { run, value } from "./harness.js";

const LIMIT = new RegExp(`integer result larger than ${MAX_INT_BITS} bits`);

describe("hostile policies stop at the default budget", () => {
  for (const c of HOSTILE_CASES) {
    it(c.name, async () => {
      const o = await run(c.source, c.input === undefined ? {} : { input: c.input });
      if (c.finishes) {
        expect(o.ok).toBe(true);
        return;
      }
      expect(o.ok ? `finished: ${JSON.stringify(value(o)).slice(0, 80)}` : o.stage).toBe("eval");
      if (o.ok) return;
      if (o.error.code === "eval_builtin_error") expect(o.error.message).toMatch(LIMIT);
      else expect(o.error.code).toBe("eval_budget_exceeded");
    });
  }
});

describe("the cost model", () => {
  it("charges a range for its length before building it", async () => {
    const src = "package p\nr := count(numbers.range(1, 600000))";
    expect(value(await run(src))).toBe(600000);
    const o = await run(src, { budget: 590_000 });
    expect(o.ok ? "ok" : o.error.code).toBe("eval_budget_exceeded");
  });

  it("caps integers: results beyond the cap fail the evaluation even without strict mode", async () => {
    expect(value(await run("package p\nr := bits.lsh(1, 4000) > 0"))).toBe(true);
    for (const expr of [
      "bits.lsh(1, 5000)",
      "bits.lsh(1, 4000) * bits.lsh(1, 4000)",
      "product([bits.lsh(1, 3000), bits.lsh(1, 3000)])",
      "bits.lsh(1, 4095) + bits.lsh(1, 4095)",
    ]) {
      const o = await run(`package p\nr := ${expr} > 0`);
      expect(o.ok ? "ok" : o.error).toMatchObject({ code: "eval_builtin_error", message: expect.stringMatching(LIMIT) });
    }
  });

  it("charges string building by the bytes produced", async () => {
    const src = 'package p\nr := count(concat("", [x | some i in numbers.range(1, 20000); x := "abcdefghijklmnop"]))';
    expect(value(await run(src))).toBe(320000);
    const o = await run(src, { budget: 200_000 });
    expect(o.ok ? "ok" : o.error.code).toBe("eval_budget_exceeded");
  });

  it("charges json.marshal by the size of the value", async () => {
    const src = "package p\nxs := numbers.range(1, 50000)\nr := count(json.marshal(xs))";
    expect((await run(src)).ok).toBe(true);
    const o = await run(src, { budget: 150_000 });
    expect(o.ok ? "ok" : o.error.code).toBe("eval_budget_exceeded");
  });
});

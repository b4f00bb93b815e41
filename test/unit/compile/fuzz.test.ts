/**
 * Fuzzing the whole front end: mutated conformance modules go through parse,
 * compile and plan (and, when they compile, evaluation under a small budget).
 * Everything must come back as structured errors with OPA's codes — never an
 * exception, never a hang. Seeded, so a failure reproduces.
 */
import { describe, expect, it } from "vitest";
import { RegoError, compile, prepare, type ErrorCode } from "../../../workers/rego/index.js";
import { loadCases } from "../syntax/cases.js";
import { mutate, rng } from "../syntax/mutate.js";

const COMPILE_CODES = new Set<ErrorCode>([
  "rego_parse_error",
  "rego_compile_error",
  "rego_unsafe_var_error",
  "rego_type_error",
  "rego_recursion_error",
]);

describe("front-end fuzz", () => {
  it("returns structured errors for mutated modules, never an exception", () => {
    const cases = loadCases().filter((c) => c.modules.length > 0 && c.query);
    const r = rng(7_654_321);
    const iterations = 4000;
    let compiled = 0;
    for (let i = 0; i < iterations; i++) {
      const c = cases[Math.floor(r() * cases.length)] as (typeof cases)[number];
      const modules = c.modules.map((m, j) => ({ name: `m${j}.rego`, source: j === 0 || r() < 0.3 ? mutate(m, r) : m }));
      const started = performance.now();
      let result: ReturnType<typeof compile>;
      try {
        result = compile({ modules, query: c.query, options: { regoVersion: r() < 0.1 ? 0 : 1 } });
      } catch (e) {
        throw new Error(
          `compile threw on iteration ${i}: ${(e as Error)?.stack ?? e}\n--- ${c.file}: ${c.note} ---\n${modules[0]?.source}`,
        );
      }
      expect(performance.now() - started, `compile time on iteration ${i}`).toBeLessThan(5_000);
      expect(result.errors.length).toBeLessThanOrEqual(10);
      for (const e of result.errors) expect(COMPILE_CODES.has(e.code), `${e.code}: ${e.message}`).toBe(true);
      if (!result.plan) continue;
      compiled++;
      try {
        prepare(result.plan).evaluateSync("eval", {}, { budget: 20_000 });
      } catch (e) {
        if (!(e instanceof RegoError)) throw new Error(`evaluation threw on iteration ${i}: ${(e as Error)?.stack ?? e}`);
      }
    }
    // Some mutants still compile, so planning and evaluation were exercised too.
    expect(compiled).toBeGreaterThan(50);
  });
});

/**
 * Random well-formed programs (seeded) against a reference evaluator written
 * in TypeScript: see ./program-gen.ts.
 */
import { describe, expect, it } from "vitest";
import { compile, equals, formatError, prepare, toJSONText } from "../../../workers/rego/index.js";
import { rng } from "../../conformance/differential.js";
import { generate, inputValue, randomInput } from "./program-gen.js";

describe("generated programs", () => {
  it("evaluate as the reference evaluator computes them", () => {
    const r = rng(2026);
    const failures: string[] = [];
    for (let p = 0; p < 150; p++) {
      const program = generate(r);
      const compiled = compile({ modules: [{ name: "g.rego", source: program.source }], entrypoints: ["data.g"] });
      if (!compiled.plan) {
        failures.push(`${program.source}\n  does not compile: ${compiled.errors.map(formatError).join("; ")}`);
        continue;
      }
      const prepared = prepare(compiled.plan);
      for (let i = 0; i < 4; i++) {
        const input = randomInput(r);
        const rows = prepared.evaluateSync("g", { input: inputValue(input) }).results;
        const want = program.expected(input);
        const got = rows[0] && rows[0] instanceof Object ? (rows[0] as { getString(k: string): unknown }).getString("result") : undefined;
        if (rows.length !== 1 || !equals(got as never, want))
          failures.push(
            `${program.source}\n  input ${JSON.stringify(input)}\n  got  ${rows.map(toJSONText).join(", ")}\n  want ${toJSONText(want)}`,
          );
      }
    }
    expect(failures.slice(0, 3)).toEqual([]);
  });
});

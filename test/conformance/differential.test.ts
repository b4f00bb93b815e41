/**
 * The differential oracle in `npm test`: a seeded slice of the conformance
 * cases, each evaluated through OPA's plan and through ours on mutated inputs
 * and data, must agree (see differential.ts; run it directly for a larger sweep).
 */
import { describe, expect, it } from "vitest";
import { RObject, toJSONText } from "../../workers/rego/index.js";
import { differential, mutate, namedPaths, populate, rng } from "./differential.js";

describe("differential oracle: our front end against OPA's plans", () => {
  it("gives OPA's answers on mutated inputs and data for a seeded sample of cases", async () => {
    const report = await differential({ seed: 11, cases: 600, mutations: 6 });
    expect(report.cases).toBeGreaterThan(550);
    expect(report.runs).toBeGreaterThan(3300);
    expect(report.mismatches).toEqual([]);
  });

  it("mutations and filled paths are deterministic for a seed", () => {
    const doc = RObject.from([["a", [1, 2, RObject.from([["b", "x"]])]]]);
    const gen = (seed: number) => {
      const r = rng(seed);
      return Array.from({ length: 5 }, () => toJSONText(mutate(r, doc)));
    };
    expect(gen(3)).toEqual(gen(3));
    expect(gen(3)).not.toEqual(gen(4));
    expect(toJSONText(doc)).toBe('{"a":[1,2,{"b":"x"}]}');
  });

  it("fills the paths a policy names", () => {
    const named = namedPaths(['p if { input.user.roles[_] == "admin"; data.lists["allow"][0] }']);
    expect(named).toEqual({ input: [["user", "roles"]], data: [["lists", "allow", "0"]] });
    const filled = populate(rng(1), undefined, named.input);
    expect(filled instanceof RObject && filled.getString("user") instanceof RObject).toBe(true);
  });
});

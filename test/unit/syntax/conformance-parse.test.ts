import { describe, expect, it } from "vitest";
import { formatError } from "../../../workers/rego/errors.js";
import { parseModule, parseQuery, parseTerm } from "../../../workers/rego/syntax/index.js";
import { loadCases } from "./cases.js";

describe("OPA conformance sources parse", () => {
  const cases = loadCases();

  it("finds the suite", () => {
    expect(cases.length).toBeGreaterThanOrEqual(2066);
  });

  it("parses every module without errors", () => {
    const failures: string[] = [];
    let count = 0;
    for (const c of cases) {
      c.modules.forEach((src, i) => {
        count++;
        const r = parseModule(`test-${i}.rego`, src);
        if (r.errors.length > 0 || !r.module) {
          failures.push(`${c.file} ${c.note} [module ${i}]: ${r.errors.map(formatError).join("; ")}`);
        }
      });
    }
    expect(count).toBeGreaterThan(2400);
    expect(failures).toEqual([]);
  });

  it("parses every query without errors", () => {
    const failures: string[] = [];
    for (const c of cases) {
      if (c.query === undefined) continue;
      const r = parseQuery(c.query);
      if (r.errors.length > 0 || !r.body) failures.push(`${c.note}: ${c.query}: ${r.errors.map(formatError).join("; ")}`);
    }
    expect(failures).toEqual([]);
  });

  it("parses every input_term without errors", () => {
    const failures: string[] = [];
    let count = 0;
    for (const c of cases) {
      if (c.inputTerm === undefined) continue;
      count++;
      const r = parseTerm(c.inputTerm);
      if (r.errors.length > 0 || !r.term) failures.push(`${c.note}: ${c.inputTerm}: ${r.errors.map(formatError).join("; ")}`);
    }
    expect(count).toBeGreaterThan(80);
    expect(failures).toEqual([]);
  });
});

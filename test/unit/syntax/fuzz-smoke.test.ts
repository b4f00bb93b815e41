/**
 * Smoke fuzzing of the parser: mutated conformance modules (truncated, bytes
 * replaced, tokens shuffled or duplicated) must come back as a module or as
 * located parse errors, never as an exception. Seeded, so failures reproduce.
 */
import { describe, expect, it } from "vitest";
import type { RegoErrorInfo } from "../../../workers/rego/errors.js";
import { parseModule, parseQuery, parseTerm } from "../../../workers/rego/syntax/index.js";
import { loadCases } from "./cases.js";
import { mutate, rng } from "./mutate.js";

function checkErrors(errors: RegoErrorInfo[], src: string): void {
  const lines = src.split("\n").length;
  expect(errors.length).toBeLessThanOrEqual(10);
  for (const e of errors) {
    expect(e.code).toBe("rego_parse_error");
    // the entry points turn exceptions into this error: it means a parser bug
    expect(e.message).not.toMatch(/^internal parser error/);
    expect(typeof e.message).toBe("string");
    const loc = e.location;
    if (loc) {
      expect(loc.row).toBeGreaterThanOrEqual(1);
      expect(loc.row).toBeLessThanOrEqual(lines + 1);
      expect(loc.col).toBeGreaterThanOrEqual(1);
    }
  }
}

describe("parser fuzz smoke", () => {
  it("never throws on mutated conformance modules", () => {
    const sources = loadCases().flatMap((c) => c.modules);
    const r = rng(20240611);
    const iterations = 3000;
    let withErrors = 0;
    for (let i = 0; i < iterations; i++) {
      const base = sources[Math.floor(r() * sources.length)] as string;
      let src = mutate(base, r);
      if (r() < 0.3) src = mutate(src, r);
      let result: ReturnType<typeof parseModule>;
      try {
        result = parseModule("fuzz.rego", src, { regoVersion: r() < 0.2 ? 0 : 1 });
      } catch (e) {
        throw new Error(`parseModule threw on iteration ${i}: ${String(e)}\n--- source ---\n${src}`);
      }
      if (result.errors.length > 0) withErrors++;
      else expect(result.module).toBeDefined();
      checkErrors(result.errors, src);
      if (i % 10 === 0) {
        checkErrors(parseQuery(src).errors, src);
        checkErrors(parseTerm(src).errors, src);
      }
    }
    // the mutations do break most modules, so the error paths were exercised
    expect(withErrors).toBeGreaterThan(iterations / 3);
  });
});

/**
 * Smoke fuzzing of the parser: mutated conformance modules (truncated, bytes
 * replaced, tokens shuffled or duplicated) must come back as a module or as
 * located parse errors, never as an exception. Seeded, so failures reproduce.
 */
import { describe, expect, it } from "vitest";
import type { RegoErrorInfo } from "../../../workers/rego/errors.js";
import { parseModule, parseQuery, parseTerm } from "../../../workers/rego/syntax/index.js";
import { loadCases } from "./cases.js";

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOISE = [
  ..."{}[]()|&:=.,;\"`$\\#\n\t -+*/%<>!@_09aZ",
  ...["😀", "\u0000", "\ufeff", "\ud800", ":=", "==", '$"', "$`"],
];
const FRAGMENTS = [
  ...["if", "else", "contains", "some", "every", "in", "with", "as", "not", "default", "import", "package"],
  ...["{", "}", "[x | ", '$"{', "set()", "1e400", "-.5"],
];

function mutate(src: string, r: () => number): string {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const at = (): number => Math.floor(r() * (src.length + 1));
  switch (Math.floor(r() * 6)) {
    case 0:
      return src.slice(0, at());
    case 1: {
      let s = src;
      const n = 1 + Math.floor(r() * 4);
      for (let i = 0; i < n; i++) {
        const p = Math.floor(r() * (s.length + 1));
        s = s.slice(0, p) + pick(NOISE) + s.slice(p + 1);
      }
      return s;
    }
    case 2: {
      const toks = src.split(/(\s+)/);
      const i = Math.floor(r() * toks.length);
      const j = Math.floor(r() * toks.length);
      [toks[i], toks[j]] = [toks[j] as string, toks[i] as string];
      return toks.join("");
    }
    case 3: {
      const toks = src.split(/(\s+)/);
      const i = Math.floor(r() * toks.length);
      if (r() < 0.5) toks.splice(i, 1);
      else toks.splice(i, 0, toks[Math.floor(r() * toks.length)] ?? "");
      return toks.join("");
    }
    case 4: {
      const p = at();
      return src.slice(0, p) + ` ${pick(FRAGMENTS)} ` + src.slice(p);
    }
    default: {
      // cut out a random slice
      const a = at();
      const b = Math.min(src.length, a + Math.floor(r() * 40));
      return src.slice(0, a) + src.slice(b);
    }
  }
}

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
  }, 60_000);
});

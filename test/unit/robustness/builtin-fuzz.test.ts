/**
 * Every built-in of the catalogue called with generated arguments (issue 11,
 * items 3 and 4): mostly of the declared types, some not; strings from a pool
 * of hostile texts; values nested thousands deep; integral doubles past 2^53.
 * Each call, in strict and plain mode under the default budget, must end in a
 * result or a structured RegoError — never another exception, never a stack
 * overflow reported as "nested too deeply", never a hang (the test's timeout).
 * A smaller, seeded form of the scratch fuzzer of issue 11's closing note,
 * guarding the classes it found (exceptions, caught stack overflows, hangs);
 * its specific findings have tests of their own, and their times are in
 * `npm run bench -- hostile` (no times are asserted here).
 */
import { describe, expect, it } from "vitest";
import catalogue from "../../../workers/rego/builtins/catalogue.json" with { type: "json" };
import { FORBIDDEN_BUILTINS } from "../../../workers/rego/index.js";
import { rng } from "../../conformance/differential.js";
import { run } from "./harness.js";

interface Decl {
  type: string;
  of?: Decl | Decl[];
  static?: Decl[] | { key: string; value: Decl }[];
  dynamic?: Decl | { key: Decl; value: Decl };
}

/** Not callable from a policy here, or not deterministic (their own tests cover them). */
const SKIPPED = new Set(["test.sleep", "trace", "rand.intn", "time.now_ns", "uuid.rfc4122", "opa.runtime"]);

const TEXTS = [
  "",
  "a",
  "%s%v%d%!",
  "%[2]d",
  "(a+)+$",
  "a{1000}",
  "[",
  "**",
  "a*b*".repeat(2000),
  "{{.}}",
  "{{range .}}{{.}}{{end}}",
  "0.0.0.0/0",
  "::/0",
  "10.0.0.0/8",
  "v1.2.3-alpha+b",
  "2026-01-01T00:00:00Z",
  "1h30m",
  "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
  "aGVsbG8=",
  '{"a":[1,2,{}]}',
  "[".repeat(3000),
  "a: b\nc: [1, 2]",
  "&a [*a, *a]",
  "http://u:p@h:1/p?q=1#f",
  "%zz",
  "é".repeat(2000),
  "\ud800",
  "\0",
  "type Query { a: Int }",
  "package x\np := 1",
  "10Gi",
  "\\p{Greek}",
  "%41".repeat(2000),
  "1" + "0".repeat(400),
];
const NUMBERS = [0, 1, -1, 3, 64, 0.5, -2.5, 1e21, 2 ** 53, 2 ** 63, 1e308, -1e308, 255, 100000];

function generator(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const size = () => (r() < 0.7 ? Math.floor(r() * 4) : Math.floor(r() * 100));
  const deep = (n: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < n; i++) v = r() < 0.5 ? [v] : { a: v };
    return v;
  };
  const any = (d: number): unknown => {
    const x = r();
    if (d > 2 || x < 0.3) return pick(TEXTS);
    if (x < 0.45) return pick(NUMBERS);
    if (x < 0.5) return pick([true, false, null]);
    if (x < 0.65) return Array.from({ length: size() }, () => any(d + 1));
    if (x < 0.8)
      return Object.fromEntries(Array.from({ length: size() }, (_, i) => [r() < 0.5 ? pick(TEXTS).slice(0, 12) : `k${i}`, any(d + 1)]));
    if (x < 0.9) return deep(Math.floor(r() * 3000));
    // Flat members: hashing deep ones into a set is the input conversion's work, not the built-in's.
    return new Set(Array.from({ length: size() }, () => (r() < 0.5 ? pick(TEXTS) : pick(NUMBERS))));
  };
  const of = (t: Decl | undefined, d: number): unknown => {
    if (t === undefined || r() < 0.1) return any(d);
    switch (t.type) {
      case "number":
        return pick(NUMBERS);
      case "string":
        return pick(TEXTS);
      case "boolean":
        return r() < 0.5;
      case "null":
        return null;
      case "array":
        if (Array.isArray(t.static) && t.static.length > 0) return (t.static as Decl[]).map((s) => of(s, d + 1));
        return Array.from({ length: size() }, () => of(t.dynamic as Decl | undefined, d + 1));
      case "set":
        return new Set(Array.from({ length: size() }, () => (d > 0 ? pick(TEXTS) : of(t.of as Decl | undefined, d + 1))));
      case "object": {
        const o: Record<string, unknown> = {};
        if (Array.isArray(t.static))
          for (const f of t.static as { key: string; value: Decl }[]) if (r() < 0.8) o[f.key] = of(f.value, d + 1);
        const dyn = t.dynamic as { key: Decl; value: Decl } | undefined;
        if (dyn) for (let i = 0; i < size(); i++) o[String(of(dyn.key, d + 1)).slice(0, 20)] = of(dyn.value, d + 1);
        return o;
      }
      default:
        return Array.isArray(t.of) ? of(pick(t.of), d) : any(d);
    }
  };
  return { r, args: (decls: Decl[]) => decls.map((t) => of(t, 0)) };
}

const declared = catalogue as Record<string, { args?: Decl[] }>;
const names = Object.keys(declared).filter((n) => !SKIPPED.has(n) && !FORBIDDEN_BUILTINS.has(n) && !n.startsWith("internal."));

describe("every built-in with generated arguments", () => {
  for (const name of names) {
    it(name, async () => {
      const decls = declared[name]?.args ?? [];
      const call = `${name}(${decls.map((_, i) => `input.a[${i}]`).join(", ")})`;
      const source = `package p\nr := ${call}\n`;
      const g = generator([...name].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 0x01000193), 0x811c9dc5));
      for (let k = 0; k < 4; k++) {
        const o = await run(source, { input: { a: g.args(decls) }, strict: g.r() < 0.5 });
        // A compile error: the type checker refused the call (deprecated built-ins do not compile in v1).
        if (o.ok || o.stage === "compile") continue;
        expect(o.error.message, `${name}, call ${k}`).not.toMatch(/nested too deeply|stack was exhausted/);
      }
    });
  }
});

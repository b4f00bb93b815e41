import { describe, expect, it } from "vitest";
import { parseModule, parseQuery, parseTerm } from "../../../workers/rego/syntax/index.js";

function errs(src: string, regoVersion: 0 | 1 = 1): string[] {
  const r = parseModule("p.rego", src, { regoVersion });
  if (r.errors.length > 0) expect(r.module).toBeUndefined();
  for (const e of r.errors) {
    expect(e.code).toBe("rego_parse_error");
    expect(e.location?.file).toBe("p.rego");
  }
  return r.errors.map((e) => `${e.location?.row}:${e.location?.col} ${e.message}`);
}

describe("parse errors", () => {
  it("reports a missing closing brace", () => {
    expect(errs("package a\n\np if {\n  input.x\n")).toEqual(["5:1 unexpected eof token"]);
    expect(errs("package a\np if {\n  input.x")).toEqual(["3:10 unexpected eof token: expected \\n or ; or }"]);
  });

  it("reports a stray closing brace and continues with the next rule", () => {
    expect(errs("package a\np if { true }\n}\nq := 1\n")).toEqual(["3:1 unexpected } token"]);
  });

  it("reports a missing bracket at the next token", () => {
    expect(errs("package a\np := [1, 2\nq := 3\n")).toEqual(['3:1 unexpected identifier token: expected "," or "]"']);
  });

  it("reports illegal characters and scanner errors", () => {
    expect(errs("package a\np := 1 @ 2\n")).toEqual(["2:8 illegal token"]);
    expect(errs('package a\np := "\\x"\n')).toEqual(["2:6 illegal escape sequence"]);
    expect(errs('package a\np := "abc\nq := 1\n')).toEqual(["2:6 non-terminated string"]);
    expect(errs("package a\np := 007\n")).toEqual(["2:6 unexpected number token: expected number without leading zero"]);
    expect(errs("package a\np := 1 ! 2\n")).toEqual(["2:8 illegal ! character"]);
    expect(errs("package a\np := 1e\n")).toEqual(["2:6 expected exponent"]);
  });

  it("reports two expressions on one line", () => {
    expect(errs("package a\np if { x := 1 y := 2 }\n")).toEqual(["2:15 unexpected identifier token: expected \\n or ; or }"]);
  });

  it("explains a missing rule value", () => {
    expect(errs("package a\np :=\n")).toEqual(["3:1 unexpected eof token: expected rule value term (e.g., p := <VALUE> { ... })"]);
    expect(errs("package a\nf(x) := ]\n")).toEqual([
      "2:9 unexpected ] token: expected function value term (e.g., f(...) := <VALUE> { ... })",
    ]);
  });

  it("requires `if` and `contains` in Rego v1", () => {
    expect(errs("package a\np { true }\n")).toEqual(["2:1 `if` keyword is required before rule body"]);
    expect(errs("package a\nf(x) = y { y := x }\n")).toEqual(["2:1 `if` keyword is required before function body"]);
    expect(errs("package a\nq[x] { x := 1 }\n")).toEqual([
      "2:1 `if` keyword is required before rule body",
      "2:1 `contains` keyword is required for partial set rules",
    ]);
    expect(errs("package a\na.b.c\n")).toEqual(["2:1 rule must have value assignment and/or body declaration"]);
    expect(errs("package a\ncontains := 1\n")).toEqual(["2:1 contains keyword cannot be used for rule name"]);
  });

  it("checks v0 modules that import rego.v1 like v1 modules", () => {
    expect(errs("package a\nimport rego.v1\np { true }\n", 0)).toEqual(["3:1 `if` keyword is required before rule body"]);
    expect(errs("package a\np { true }\n", 0)).toEqual([]);
  });

  it("reports misplaced else and default mistakes", () => {
    expect(errs("package a\np[x] := 1 if { x := 1 } else := 2\n")).toEqual([
      "2:25 else keyword cannot be used on rules with variables in head",
    ]);
    expect(errs("package a\np := 1 else := 2\n")).toEqual(["2:8 unexpected else keyword"]);
    expect(errs("package a\ndefault p := x\n")).toEqual(["2:1 illegal default rule (value cannot contain var)"]);
    expect(errs("package a\ndefault f(x, x) := 1\n")).toEqual(["2:1 illegal default rule (arguments cannot be repeated x)"]);
  });

  it("reports misuse of some and every", () => {
    expect(errs("package a\np if { not some x in [1] }\n")).toEqual(["2:12 unexpected some keyword: illegal negation of 'some'"]);
    expect(errs("package a\np if { some 1 }\n")).toEqual(["2:13 unexpected number token: expected var"]);
    expect(errs("package a\np if { every x in [1] }\n")).toEqual(["2:23 unexpected } token: missing body"]);
  });

  it("reports package and import problems", () => {
    expect(errs("p := 1\n")).toEqual(["1:1 package expected"]);
    expect(errs("package a\npackage b\n")).toEqual(["2:1 unexpected package"]);
    expect(errs("")).toEqual(["1:1 empty module"]);
    expect(errs("package a\nimport foo\n")).toEqual([
      "2:8 unexpected import path, must begin with one of: {data, future, input, rego}, got: foo",
    ]);
    expect(errs("package a\nimport rego.v2\n")).toEqual(["2:8 invalid import `rego.v2`, must be `rego.v1`"]);
    expect(errs("package foo.")).toEqual(["1:13 unexpected eof token: expected identifier"]);
  });

  it("reports template-string misuse", () => {
    expect(errs('package a\np := $"{x := 1}"\n')).toEqual(["2:9 unexpected assignment (':=') in template-string expression"]);
    expect(errs('package a\np := $"abc\n')).toEqual(["2:6 non-terminated string"]);
  });

  it("reports every broken rule of a module, at most 10", () => {
    expect(errs("package a\np := ]\nq := 1\nr if { [ }\ns := 2\n")).toEqual([
      "2:6 unexpected ] token: expected rule value term (e.g., p := <VALUE> { ... })",
      "4:10 unexpected } token",
    ]);
    const many = "package a\n" + Array.from({ length: 15 }, (_, i) => `p${i} := ]\n`).join("");
    const e = errs(many);
    expect(e).toHaveLength(10);
    expect(e[9]).toMatch(/^11:7 /);
  });

  it("reports excessive nesting instead of overflowing the stack", () => {
    for (const open of ["[", "{", "(", "f(", '$"{']) {
      const src = `package a\np := ${open.repeat(5000)}`;
      const r = parseModule("p.rego", src);
      expect(r.errors[0]?.message).toBe("max parsing recursion depth exceeded");
    }
    const ok = ["[1, ", "{1, ", "f(1, ", "[x | x := ", '$"{'];
    const close = ["]", "}", ")", "]", '}"'];
    ok.forEach((open, i) => {
      const src = `package a\np := ${open.repeat(100)}1${(close[i] as string).repeat(100)}`;
      expect(parseModule("p.rego", src).errors).toEqual([]);
    });
  });

  it("reports query and term errors", () => {
    expect(parseQuery("x := ").errors.map((e) => e.message)).toEqual(["unexpected eof token"]);
    expect(parseTerm("{1, 2").errors.map((e) => e.message)).toEqual(['unexpected eof token: expected "," or "}"']);
    expect(parseTerm("1 2").errors.map((e) => e.message)).toEqual(["unexpected number token: expected exactly one term"]);
    expect(parseQuery("").errors).toEqual([]);
  });
});

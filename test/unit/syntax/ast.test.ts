import { describe, expect, it } from "vitest";
import type { Expr, Module, Rule, Term } from "../../../workers/rego/syntax/index.js";
import { parseModule, parseQuery, parseTerm } from "../../../workers/rego/syntax/index.js";
import { bodyStr, exprStr, headStr, moduleRules, ruleStr, termStr } from "./print.js";

function mod(src: string, regoVersion: 0 | 1 = 1): Module {
  const r = parseModule("test.rego", src, { regoVersion });
  expect(r.errors).toEqual([]);
  return r.module as Module;
}

function rules(body: string, regoVersion: 0 | 1 = 1): string[] {
  return moduleRules(mod(`package test\n${body}`, regoVersion));
}

function rule(body: string, regoVersion: 0 | 1 = 1): Rule {
  return mod(`package test\n${body}`, regoVersion).rules[0] as Rule;
}

function query(src: string): string {
  const r = parseQuery(src);
  expect(r.errors).toEqual([]);
  return bodyStr(r.body ?? []);
}

function term(src: string): Term {
  const r = parseTerm(src);
  expect(r.errors).toEqual([]);
  return r.term as Term;
}

describe("package and imports", () => {
  it("builds the package path under data, keywords allowed after dots", () => {
    const m = mod("package foo.import.bar");
    expect(m.package.path.map(termStr)).toEqual(["data", '"foo"', '"import"', '"bar"']);
    expect(m.package.path[0]).toMatchObject({ type: "var", value: "data" });
    expect(m.package.loc).toMatchObject({ row: 1, col: 1 });
  });

  it("parses imports with and without aliases", () => {
    const m = mod(`package p
import data.x
import data.y.z as w
import input.a
import future.keywords.in
import future.keywords
import rego.v1
import data.foo.import as imp`);
    expect(m.imports.map((i) => `${termStr(i.path)}${i.alias ? ` as ${i.alias}` : ""}`)).toEqual([
      "data.x",
      "data.y.z as w",
      "input.a",
      "future.keywords.in",
      "future.keywords",
      "rego.v1",
      "data.foo.import as imp",
    ]);
    expect(m.imports[0]?.path.type).toBe("ref");
  });
});

describe("rule heads", () => {
  it("parses complete rules", () => {
    expect(rules("p := 1\nq = 2\nr if { true }\ns := x if { x := 1 }")).toEqual([
      "p := 1 { true }",
      "q = 2 { true }",
      "r = true { true }",
      "s := x { assign(x, 1) }",
    ]);
  });

  it("gives bodiless rules a generated body and `if` rules a generated value", () => {
    const p = rule("p := 1");
    expect(p.body).toHaveLength(1);
    expect(p.body[0]).toMatchObject({ index: 0, generated: true, terms: { type: "boolean", value: true } });
    const q = rule("q if input.x");
    expect(q.head.value).toMatchObject({ type: "boolean", value: true, loc: { row: 2, col: 1 } });
    expect(q.body[0]?.generated).toBeUndefined();
    expect(exprStr(q.body[0] as Expr)).toBe("input.x");
  });

  it("parses single-expression `if` bodies and treats `if {…}` as a body, not a set", () => {
    expect(rules("p if input.x == 1\nq if { true }\nr if { x := 1; x > 0 }")).toEqual([
      "p = true { equal(input.x, 1) }",
      "q = true { true }",
      "r = true { assign(x, 1); gt(x, 0) }",
    ]);
  });

  it("parses multi-value rules with contains", () => {
    expect(rules('p contains "a"\nq contains x if { some x in [1, 2] }\na.b[x].c contains y if { x := 1; y := 2 }')).toEqual([
      'p contains "a" { true }',
      "q contains x { some internal.member_2(x, [1, 2]) }",
      "a.b[x].c contains y { assign(x, 1); assign(y, 2) }",
    ]);
    const r = rule("q contains x if { x := 1 }");
    expect(r.head.ref.map(termStr)).toEqual(["q"]);
    expect(r.head.key && termStr(r.head.key)).toBe("x");
    expect(r.head.value).toBeUndefined();
  });

  it("parses ref heads and partial objects", () => {
    const r = rule("p[x] := y if { x := 1; y := 2 }");
    expect(r.head.ref.map(termStr)).toEqual(["p", "x"]);
    expect(r.head.key).toBeUndefined();
    expect(r.head.assign).toBe(true);
    expect(rules('a.b.c := 1\np[x] if { x := "k" }\np.q[r] := 1 if { r := 1 }')).toEqual([
      "a.b.c := 1 { true }",
      'p[x] = true { assign(x, "k") }',
      "p.q[r] := 1 { assign(r, 1) }",
    ]);
    const abc = rule("a.b.c := 1");
    expect(abc.head.ref).toMatchObject([
      { type: "var", value: "a" },
      { type: "string", value: "b" },
      { type: "string", value: "c" },
    ]);
  });

  it("parses functions with several clauses", () => {
    expect(rules("f(x) := y if { y := x + 1 }\nf(x) if x > 1\nf(_) := 1\ng(a, [b, c]) := a")).toEqual([
      "f(x) := y { assign(y, plus(x, 1)) }",
      "f(x) = true { gt(x, 1) }",
      "f(_) := 1 { true }",
      "g(a, [b, c]) := a { true }",
    ]);
    const f = rule("a.b.f(x) := x");
    expect(f.head.ref.map(termStr)).toEqual(["a", '"b"', '"f"']);
    expect(f.head.args?.map(termStr)).toEqual(["x"]);
  });

  it("parses default rules", () => {
    const d = rule("default allow := false");
    expect(d.default).toBe(true);
    expect(ruleStr(d)).toBe("default allow := false { true }");
    expect(rules("default f(_) := 1\ndefault p = {1, [2]}")).toEqual(["default f(_) := 1 { true }", "default p = {1, [2]} { true }"]);
  });

  it("allows keywords as rule and ref names when followed by . or [", () => {
    expect(
      rules(`import.foo := 1
foo.import := 2
default else.x := 3
if.foo contains "a"
p if {
  import.foo == 1
  not.x == 2
  with.foo == "a"
}`),
    ).toEqual([
      "import.foo := 1 { true }",
      "foo.import := 2 { true }",
      "default else.x := 3 { true }",
      'if.foo contains "a" { true }',
      'p = true { equal(import.foo, 1); equal(not.x, 2); equal(with.foo, "a") }',
    ]);
  });
});

describe("else chains", () => {
  it("parses valued, bare and single-expression else branches", () => {
    const r = rule("p := 1 if input.x else := 2 if { input.y } else = 3 else if { input.z }");
    expect(ruleStr(r)).toBe("p := 1 { input.x } else p := 2 { input.y } else p = 3 { true } else p := true { input.z }");
    const e1 = r.else as Rule;
    expect(e1.loc).toMatchObject({ row: 2, col: 19 });
    expect(e1.head.assign).toBe(true);
    expect(e1.else?.head.assign).toBe(false);
    // a bare `else` keeps the first head's operator, as OPA's head copy does
    expect(e1.else?.else?.head.assign).toBe(true);
  });

  it("parses else chains of functions", () => {
    expect(rules("f(x) := 1 if x > 1 else := 2")).toEqual(["f(x) := 1 { gt(x, 1) } else f(x) := 2 { true }"]);
  });
});

describe("bodies", () => {
  it("numbers expressions from 0 in each body", () => {
    const r = rule("p if {\n  x := [y | y := 1; y > 0]\n  x != []; true\n}");
    expect(r.body.map((e) => e.index)).toEqual([0, 1, 2]);
    const comp = (r.body[0]!.terms as Term[])[2] as Term & { type: "arraycomprehension" };
    expect(comp.value.body.map((e) => e.index)).toEqual([0, 1]);
  });

  it("parses some declarations", () => {
    expect(query("some x, y")).toBe("some x, y");
    expect(query("some x in xs")).toBe("some internal.member_2(x, xs)");
    expect(query("some k, v in xs")).toBe("some internal.member_3(k, v, xs)");
    const e = parseQuery("some k, v in input.xs").body?.[0] as Expr;
    expect(e.terms).toMatchObject({ type: "somedecl", symbols: [{ type: "call" }] });
  });

  it("parses every", () => {
    const e = parseQuery("every x in xs { x > 1 }").body?.[0] as Expr;
    expect(e.terms).toMatchObject({ type: "every", key: null, value: { value: "x" }, domain: { value: "xs" } });
    expect(query("every k, v in {1: 2} { k < v; true }")).toBe("every k, v in {1: 2} { lt(k, v); true }");
  });

  it("parses not and with chains", () => {
    expect(query('not f(x) with input as {"a": 1} with data.b.c as 2 with g as h')).toBe(
      'not f(x) with input as {"a": 1} with data.b.c as 2 with g as h',
    );
    const e = parseQuery("x with input.a as 1").body?.[0] as Expr;
    expect(e.with?.[0]).toMatchObject({ target: { type: "ref" }, value: { type: "number", value: 1 }, loc: { col: 3 } });
  });

  it("separates expressions with newlines and semicolons", () => {
    expect(query("x := 1; y := 2\nz := 3")).toBe("assign(x, 1); assign(y, 2); assign(z, 3)");
  });

  it("keeps a top-level call's terms in the expression", () => {
    const e = parseQuery("count(x) > 1").body?.[0] as Expr;
    expect(Array.isArray(e.terms)).toBe(true);
    expect(exprStr(e)).toBe("gt(count(x), 1)");
    const c = parseQuery("f(x)").body?.[0] as Expr;
    expect((c.terms as Term[]).map(termStr)).toEqual(["f", "x"]);
  });
});

describe("operators", () => {
  it("follows OPA's precedence and left associativity", () => {
    expect(query("a + b * c == d | e & f")).toBe("equal(plus(a, mul(b, c)), or(d, and(e, f)))");
    expect(query("x := a - b - c")).toBe("assign(x, minus(minus(a, b), c))");
    expect(query("x = a / b % c")).toBe("eq(x, rem(div(a, b), c))");
    expect(query("a < b == true")).toBe("equal(lt(a, b), true)");
    expect(query("x := (a + b) * c")).toBe("assign(x, mul(plus(a, b), c))");
    expect(query("1 in [1] == true")).toBe("internal.member_2(1, equal([1], true))");
    expect(query("x in xs in ys")).toBe("internal.member_2(internal.member_2(x, xs), ys)");
  });

  it("uses OPA's built-in names for operators", () => {
    const names = (src: string): string => {
      const t = (parseQuery(src).body![0]!.terms as Term[])[0] as Term;
      return termStr(t);
    };
    expect(["a = b", "a := b", "a == b", "a != b", "a < b", "a <= b", "a > b", "a >= b"].map(names)).toEqual([
      "eq",
      "assign",
      "equal",
      "neq",
      "lt",
      "lte",
      "gt",
      "gte",
    ]);
    expect(["a + b", "a - b", "a * b", "a / b", "a % b", "a & b", "a | b", "a in b"].map(names)).toEqual([
      "plus",
      "minus",
      "mul",
      "div",
      "rem",
      "and",
      "or",
      "internal.member_2",
    ]);
  });

  it("reads a unary minus as part of a number, and before a name as 0 minus the ref or call (OPA 1.16)", () => {
    expect(query("x := 1 - -2")).toBe("assign(x, minus(1, -2))");
    expect(term("-3.5")).toMatchObject({ type: "number", value: -3.5, text: "-3.5" });
    expect(term(".5")).toMatchObject({ type: "number", value: 0.5, text: ".5" });
    expect(query("x := -y")).toBe("assign(x, minus(0, y))");
    expect(query("x := -input.a[0] * 2")).toBe("assign(x, mul(minus(0, input.a[0]), 2))");
    expect(query("x := -f(y).z")).toBe("assign(x, minus(0, f(y).z))");
    expect(parseQuery("x := -true").errors[0]?.message).toBe("unexpected true keyword: expected number");
    expect(parseQuery('x := -"s"').errors[0]?.message).toBe("unexpected string token: expected number");
  });
});

describe("terms", () => {
  it("parses refs with dots, brackets and keywords", () => {
    expect(termStr(term('data.foo.with.bar[x]["a b"]'))).toBe('data.foo.with.bar[x]["a b"]');
    const t = term("input.if");
    expect(t).toMatchObject({
      type: "ref",
      value: [
        { type: "var", value: "input" },
        { type: "string", value: "if" },
      ],
    });
    expect(term("input")).toMatchObject({ type: "ref", value: [{ type: "var", value: "input" }] });
    expect(term("x")).toMatchObject({ type: "var", value: "x" });
  });

  it("ends refs at whitespace", () => {
    expect(parseQuery("x := [a [1]]").errors[0]?.message).toBe('unexpected [ token: expected "," or "]"');
    const r = parseModule("t.rego", "package a\np if { x := a [1] }");
    expect(r.errors[0]?.message).toBe("unexpected [ token: expected \\n or ; or }");
    expect(query("x := [a[1]]")).toBe("assign(x, [a[1]])");
  });

  it("parses calls, dotted calls and refs into call results", () => {
    expect(termStr(term("[a.b.c(x, 1)]"))).toBe("[a.b.c(x, 1)]");
    // a call on its own is an expression, not a term (as in OPA's ParseTerm)
    expect(parseTerm("f(x)").errors[0]?.message).toBe("expected term but got an expression");
    const r = term("f(x).y[0]");
    expect(r.type).toBe("ref");
    expect((r.value as Term[])[0]?.type).toBe("call");
    expect(term("[f()]")).toMatchObject({ type: "array", value: [{ type: "call", value: [{ type: "ref" }] }] });
  });

  it("parses collections and the empty set and object", () => {
    expect(term("set()")).toMatchObject({ type: "set", value: [] });
    expect(term("{}")).toMatchObject({ type: "object", value: [] });
    expect(termStr(term('{1, 2, {"a": set()}}'))).toBe('{1, 2, {"a": set()}}');
    expect(termStr(term("[1, [2], {3}, ]"))).toBe("[1, [2], {3}]");
    expect(termStr(term('{"a": 1, "b": [true, null],}'))).toBe('{"a": 1, "b": [true, null]}');
  });

  it("parses comprehensions and resolves `|` as OPA does", () => {
    expect(termStr(term("[x | x := 1]"))).toBe("[x | assign(x, 1)]");
    expect(termStr(term("{x | some x in xs}"))).toBe("{x | some internal.member_2(x, xs)}");
    expect(termStr(term("{k: v | some k, v in o}"))).toBe("{k: v | some internal.member_3(k, v, o)}");
    expect(termStr(term("{a + 1: b | b := a}"))).toBe("{plus(a, 1): b | assign(b, a)}");
    expect(termStr(term("{1 | 1}"))).toBe("{1 | 1}");
    expect(termStr(term("[a | b, c]"))).toBe("[or(a, b), c]");
    expect(termStr(term("{a | b, c}"))).toBe("{or(a, b), c}");
    expect(termStr(term("{k: a | b, c: d}"))).toBe("{k: or(a, b), c: d}");
  });

  it("parses strings with JSON escapes, including surrogate pairs", () => {
    expect(term('"a\\n\\t\\"\\\\\\/\\u00e9"')).toMatchObject({ type: "string", value: 'a\n\t"\\/é' });
    expect(term('"\\ud83d\\ude00"')).toMatchObject({ value: "😀" });
    expect(term('"\\ud800x"')).toMatchObject({ value: "\ufffdx" });
  });

  it("parses raw strings", () => {
    expect(term("`a\\nb\nc`")).toEqual(expect.objectContaining({ type: "string", value: "a\\nb\nc", raw: true }));
  });

  it("keeps big numbers exact and their literal text", () => {
    expect(term("12345678901234567890123")).toMatchObject({
      type: "number",
      value: 12345678901234567890123n,
      text: "12345678901234567890123",
    });
    expect(term("-9007199254740993")).toMatchObject({ value: -9007199254740993n, text: "-9007199254740993" });
    // An integer written with an exponent is float-form (a bigint within 2^53: value/number.ts), as
    // OPA keeps its text and reads no int from it; `2.0` is an int to OPA 1.20.
    expect(term("1e3")).toMatchObject({ value: 1000n, text: "1e3" });
    expect(term("2.0")).toMatchObject({ value: 2, text: "2.0" });
    expect(term("1.5")).toMatchObject({ value: 1.5 });
    expect(term("1e400")).toMatchObject({ value: 10n ** 400n });
  });

  it("parses template strings", () => {
    const t = term('$"a{x}b{1 + 2}\\{c}"');
    expect(t.type).toBe("templatestring");
    if (t.type !== "templatestring") return;
    expect(t.value.map(termStr)).toEqual(['"a"', "x", '"b"', "plus(1, 2)", '"{c}"']);
    expect(t.exprs).toEqual([false, true, false, true, false]);
    expect(t.withs).toBeUndefined();
    expect(termStr(term('$""'))).toBe('$""');
    expect(termStr(term('$"{$"{x}"}"'))).toBe('$"{$"{x}"}"');
    expect(termStr(term('$"{{"a": 1}}"'))).toBe('$"{{"a": 1}}"');
  });

  it("parses raw template strings across lines", () => {
    const t = term("$`a\n{x}\\{`");
    expect(t.type).toBe("templatestring");
    if (t.type !== "templatestring") return;
    expect(t.value.map(termStr)).toEqual(['"a\\n"', "x", '"{"']);
  });

  it("keeps `with` written inside a template expression", () => {
    const e = parseQuery('x := $"foo {a with input as {"a": 42}}"').body?.[0] as Expr;
    const t = (e.terms as Term[])[2] as Term;
    expect(t.type).toBe("templatestring");
    if (t.type !== "templatestring") return;
    expect(t.withs?.[0]).toBeNull();
    expect(t.withs?.[1]?.[0]).toMatchObject({ target: { type: "ref" }, value: { type: "object" } });
  });
});

describe("locations", () => {
  it("records file, 1-based row and column, offset and length", () => {
    const m = mod('package a\n\np := "x" if {\n\tinput.y == 1\n}\n');
    const r = m.rules[0] as Rule;
    expect(r.loc).toMatchObject({ file: "test.rego", row: 3, col: 1, offset: 11 });
    expect(r.loc.length).toBe('p := "x" if {\n\tinput.y == 1\n}'.length);
    expect(r.head.value?.loc).toMatchObject({ row: 3, col: 6, length: 3 });
    const e = r.body[0] as Expr;
    expect(e.loc).toMatchObject({ row: 4, col: 2, length: "input.y == 1".length });
  });

  it("counts columns in characters", () => {
    const m = mod('package a\np := ["😀", x] if x := 1\n');
    const arr = (m.rules[0] as Rule).head.value as Term & { type: "array" };
    expect(arr.value[1]?.loc).toMatchObject({ row: 2, col: 12 });
  });

  it("records comments", () => {
    const m = mod("package a # trailing\n# own line\np := 1");
    expect(m.comments.map((c) => [c.text, c.loc.row, c.loc.col])).toEqual([
      [" trailing", 1, 11],
      [" own line", 2, 1],
    ]);
  });
});

describe("Rego v0", () => {
  it("parses v0 rules", () => {
    expect(
      rules(
        `p { true }
q[x] { x := 1 }
r[k] = v { k := "a"; v := 1 }
f(x) = y { y := x }
default d = 1
g = 1 { false } else = 2
s { false } { true }`,
        0,
      ),
    ).toEqual([
      "p = true { true }",
      "q contains x { assign(x, 1) }",
      'r[k] = v { assign(k, "a"); assign(v, 1) }',
      "f(x) = y { assign(y, x) }",
      "default d = 1 { true }",
      "g = 1 { false } else g = 2 { true }",
      "s = true { false }",
      "s = true { true }",
    ]);
  });

  it("treats if/contains/in/every as names until imported", () => {
    expect(rules("p { in := 1; every := in; contains := 2 }", 0)).toEqual([
      "p = true { assign(in, 1); assign(every, in); assign(contains, 2) }",
    ]);
    expect(rules("import future.keywords.in\np { 1 in [1] }", 0)).toEqual(["p = true { internal.member_2(1, [1]) }"]);
    expect(rules("import future.keywords.every\np { every x in [1] { x } }", 0)).toEqual(["p = true { every x in [1] { x } }"]);
    expect(rules("import future.keywords\np contains x if { x := 1 }", 0)).toEqual(["p contains x { assign(x, 1) }"]);
    expect(rules("import rego.v1\np contains x if { x := 1 }", 0)).toEqual(["p contains x { assign(x, 1) }"]);
    expect(mod("package a\np { true }", 0).regoVersion).toBe(0);
  });
});

describe("annotations", () => {
  const src = `# METADATA
# title: The package
# description: Checks
package a

# METADATA
# title: Allow
# authors:
# - Jane Doe <jane@example.com>
# related_resources:
# - https://example.com
# custom:
#   level: high
allow if input.ok

# METADATA
# scope: document
# title: Doc
deny contains "x" if false

deny contains "y" if false

# METADATA
# entrypoint: true
main := allow
`;

  it("parses METADATA blocks and defaults their scope", () => {
    const m = mod(src);
    expect(m.annotations.map((a) => [a.scope, a.title ?? null, a.loc.row])).toEqual([
      ["package", "The package", 1],
      ["rule", "Allow", 6],
      ["document", "Doc", 16],
      ["document", null, 23],
    ]);
    const allow = m.annotations[1];
    expect(allow?.authors).toEqual([{ name: "Jane Doe", email: "jane@example.com" }]);
    expect(allow?.related_resources).toEqual([{ ref: "https://example.com" }]);
    expect(allow?.custom).toEqual({ level: "high" });
    expect(m.annotations[3]?.entrypoint).toBe(true);
  });

  it("attaches rule annotations to their rule and document annotations to every rule of the path", () => {
    const m = mod(src);
    const titles = m.rules.map((r) => (r.annotations ?? []).map((a) => `${a.scope}:${a.title ?? ""}`));
    expect(titles).toEqual([["rule:Allow"], ["document:Doc"], ["document:Doc"], ["document:"]]);
  });

  it("parses schema annotations", () => {
    const m = mod(`package a
# METADATA
# schemas:
# - input: schema.input
# - data.x: {"type": "string"}
p := input.y
`);
    expect(m.annotations[0]?.schemas).toEqual([
      { path: ["input"], schema: ["schema", "input"] },
      { path: ["data", "x"], definition: { type: "string" } },
    ]);
  });
});

describe("heads print as written", () => {
  it("round-trips a mixed module", () => {
    const m = mod(`package a
p[x] contains y if { x := 1; y := 2 }
q.r := 1
f(x, y) := z if z := x + y`);
    expect(m.rules.map((r) => headStr(r.head))).toEqual(["p[x] contains y", "q.r := 1", "f(x, y) := z"]);
  });
});

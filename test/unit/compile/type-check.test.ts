/**
 * The compile-time type check of built-in calls, case by case against what
 * OPA's checker (ast/check.go: unify1, unifies, the type environment of a
 * body) accepts and refuses when no schema is given.
 */
import { describe, expect, it } from "vitest";
import { compile, formatError } from "../../../workers/rego/index.js";

/** The errors of a rule whose body is `body` (one line, after a tab). */
const errorsOf = (body: string) =>
  compile({ modules: [{ name: "p.rego", source: `package t\np if {\n\t${body}\n}\n` }], entrypoints: ["data.t.p"] }).errors.map(
    formatError,
  );

/** The errors of a module of these rules (`package t` prepended). */
const moduleErrors = (rules: string) =>
  compile({ modules: [{ name: "p.rego", source: `package t\n${rules}\n` }], entrypoints: ["data.t"] }).errors.map(formatError);

/** The one error OPA's checker also reports, without its location. */
function refusal(body: string): string {
  return only(errorsOf(body), body);
}

function only(errors: string[], what: string): string {
  expect(errors, what).toHaveLength(1);
  return (errors[0] as string).replace(/^p\.rego:\d+:\d+: /, "");
}

describe("variables take the type of what binds them", () => {
  it("an assignment or unification with a literal", () => {
    expect(refusal("x := 1; count(x) > 0")).toBe(
      "rego_type_error: count: invalid argument(s): operand 1 is number, want any<string, array[any], object[any: any], set[any]>",
    );
    expect(refusal(`x = "a"; abs(x) > 0`)).toBe("rego_type_error: abs: invalid argument(s): operand 1 is string, want number");
    expect(refusal(`x := [1, "a"]; concat(",", x) == ""`)).toBe(
      "rego_type_error: concat: invalid argument(s): operand 2 is array<number, string>, want any<array[string], set[string]>",
    );
  });

  it("a built-in's result, assigned or as its output", () => {
    expect(refusal('n := count(input.xs); upper(n) == ""')).toBe(
      "rego_type_error: upper: invalid argument(s): operand 1 is number, want string",
    );
    expect(refusal(`count(input.xs, n); startswith(n, "1")`)).toBe(
      "rego_type_error: startswith: invalid argument(s): operand 1 is number, want string",
    );
  });

  it("a variable bound by a ref or `some … in`, or to a ref, stays any", () => {
    expect(errorsOf('input.a[x]; x = 1; upper(x) == ""')).toEqual([]);
    expect(errorsOf('some x in input.xs; upper(x) == ""')).toEqual([]);
    expect(errorsOf('x := input.a; x = 1; upper(x) == ""')).toEqual([]);
  });
});

describe("results keep their element types", () => {
  it("an array of strings is not an array of numbers", () => {
    expect(refusal(`x := split(input.s, ","); sum(x) > 0`)).toBe(
      "rego_type_error: sum: invalid argument(s): operand 1 is array[string], want any<array[number], set[number]>",
    );
  });

  it("a static array result has its length and element types", () => {
    expect(refusal(`concat(",", time.clock(1)) == ""`)).toBe(
      "rego_type_error: concat: invalid argument(s): operand 2 is array<number, number, number>, want any<array[string], set[string]>",
    );
  });

  it("a comprehension is a collection of its head's type", () => {
    expect(refusal(`sum([x | x := "a"]) > 0`)).toBe(
      "rego_type_error: sum: invalid argument(s): operand 1 is array[string], want any<array[number], set[number]>",
    );
    expect(errorsOf(`sum([x | x := 1]) > 0`)).toEqual([]);
    expect(errorsOf(`count({k: 1 | k := input.a[_]}) > 0`)).toEqual([]);
  });

  it("a union result fits where one of its members does", () => {
    expect(refusal(`upper(1 - 2) == ""`)).toBe(
      "rego_type_error: upper: invalid argument(s): operand 1 is any<number, set[any]>, want string",
    );
    expect(errorsOf("x := 1 - 2; y := x + 1; y > 0")).toEqual([]);
    expect(errorsOf("x := input.a - input.b; count(x) > 0")).toEqual([]);
  });
});

describe("a ref into a typed variable or rule has the type of what it selects", () => {
  it("a constant selects an element, a variable stands for every element", () => {
    expect(refusal(`x := [1, 2]; upper(x[0]) == ""`)).toBe("rego_type_error: upper: invalid argument(s): operand 1 is number, want string");
    expect(refusal(`x := {"a": {"b": [true]}}; upper(x.a.b[0]) == ""`)).toMatch(/operand 1 is boolean, want string$/);
    expect(refusal(`x := split(input.s, ","); abs(x[_]) > 0`)).toMatch(/operand 1 is string, want number$/);
    expect(refusal(`x := time.clock(1); upper(x[1]) == ""`)).toMatch(/operand 1 is number, want string$/);
    expect(only(moduleErrors(`p := {"a": 1}\nq if upper(p.a) == ""`), "rule")).toMatch(/operand 1 is number, want string$/);
    expect(only(moduleErrors(`s contains "a"\nq if abs(s[x]) > 0`), "set")).toMatch(/operand 1 is string, want number$/);
  });

  it("elements of several types fit where one of them does; input stays any", () => {
    expect(errorsOf(`x := [1, "a"]; upper(x[i]) == ""`)).toEqual([]);
    expect(errorsOf(`x := split(input.s, ","); upper(x[0]) == ""`)).toEqual([]);
    expect(errorsOf(`upper(input.a[0]) == ""`)).toEqual([]);
  });
});

describe("composite literals are matched element by element", () => {
  it("a static array type fixes the length", () => {
    expect(refusal(`time.clock([1, "UTC", 3])`)).toBe(
      "rego_type_error: time.clock: invalid argument(s): operand 1 is array<number, string, number>, want any<number, array<number, string>>",
    );
    expect(refusal("time.clock([1])")).toMatch(/^rego_type_error: time\.clock: invalid argument\(s\): operand 1 is array<number>/);
    expect(errorsOf(`time.clock([1, "UTC"])`)).toEqual([]);
  });

  it("object keys must be of the declared key type", () => {
    expect(refusal(`io.jwt.encode_sign({1: "a"}, {}, {}) == ""`)).toBe(
      "rego_type_error: io.jwt.encode_sign: invalid argument(s): operand 1 is object<1: string>, want object[string: any]",
    );
    expect(errorsOf(`io.jwt.encode_sign({"alg": "HS256"}, {}, {"kty": "oct", "k": "a2V5"}) != ""`)).toEqual([]);
  });

  it("a declared key fixes its value's type; other keys fall to the dynamic part", () => {
    expect(refusal(`json.marshal_with_options(1, {"pretty": 1}) == ""`)).toBe(
      "rego_type_error: json.marshal_with_options: invalid argument(s): operand 2 is object<pretty: number>, want object<indent: string, prefix: string, pretty: boolean>[string: any]",
    );
    expect(errorsOf(`json.marshal_with_options(1, {"pretty": true, "other": 1}) != ""`)).toEqual([]);
  });

  it("set elements must each fit", () => {
    expect(refusal(`concat(",", {"a", 1}) == ""`)).toBe(
      "rego_type_error: concat: invalid argument(s): operand 2 is set[any<string, number>], want any<array[string], set[string]>",
    );
    expect(errorsOf(`concat(",", {"a", input.b}) != ""`)).toEqual([]);
  });
});

describe("the output a call is unified with is checked against its result", () => {
  it("a literal or typed variable of another type is refused", () => {
    expect(refusal(`count([1], "a")`)).toBe("rego_type_error: count: invalid argument(s): operand 2 is string, want number");
    expect(refusal(`x := "a"; count([1], x)`)).toBe("rego_type_error: count: invalid argument(s): operand 2 is string, want number");
    expect(errorsOf("count([1], 1)")).toEqual([]);
  });
});

describe("a unification of two known types that cannot unify is a match error", () => {
  it("a built-in's result against a literal, or a typed variable against another type", () => {
    expect(refusal("count(input.c) = []")).toBe("rego_type_error: match error");
    expect(refusal(`x := 1; x = "a"`)).toBe("rego_type_error: match error");
    expect(refusal(`x := {"a": 1}; x = {"a": "b"}`)).toBe("rego_type_error: match error");
    expect(refusal(`not count(input.c) = "a"`)).toBe("rego_type_error: match error");
  });

  it("comparison is no unification, and a side of unknown type unifies with anything", () => {
    expect(errorsOf("count(input.c) == []")).toEqual([]);
    expect(errorsOf(`x := input.a; x = "a"`)).toEqual([]);
    expect(errorsOf("x := count(input.a); x = 1")).toEqual([]);
    expect(errorsOf("x := [1]; [y] = x; y > 0")).toEqual([]);
  });
});

describe("a ref to a key or index a variable's known shape does not have is an undefined ref", () => {
  it("a missing key of an object literal, an index past a fixed-length array", () => {
    expect(refusal(`x := {"a": 1}; x.b == 1`)).toBe("rego_type_error: undefined ref: x.b");
    expect(refusal(`x := {"a": {"b": 1}}; x.a.c == 1`)).toBe("rego_type_error: undefined ref: x.a.c");
    expect(refusal(`x := {"a b": 1}; x["c d"] == 1`)).toBe('rego_type_error: undefined ref: x["c d"]');
    expect(refusal("x := [1, 2]; x[2] == 1")).toBe("rego_type_error: undefined ref: x[2]");
    expect(refusal("x := time.clock(1); x[3] == 1")).toBe("rego_type_error: undefined ref: x[3]");
  });

  it("keys a shape may have, and shapes not fully known, are no error", () => {
    expect(errorsOf(`x := {"a": 1}; x["a"] == 1`)).toEqual([]);
    expect(errorsOf(`x := split(input.s, ","); x[5] == ""`)).toEqual([]);
    expect(errorsOf("x := {k: 1 | k := input.a[_]}; x.b == 1")).toEqual([]);
    expect(errorsOf("x := [y | y := 1]; x[7] == 1")).toEqual([]);
    expect(errorsOf(`x := {"a": 1}; x[k] == 1`)).toEqual([]);
  });
});

describe("rules have the type of their values", () => {
  const upperOf = (rules: string) => moduleErrors(`${rules}\nq if upper(p) == ""`);

  it("a complete rule's value, or a multi-value rule's elements", () => {
    expect(only(upperOf("p := 1"), "p := 1")).toBe("rego_type_error: upper: invalid argument(s): operand 1 is number, want string");
    expect(only(upperOf("p if input.x"), "p if")).toBe("rego_type_error: upper: invalid argument(s): operand 1 is boolean, want string");
    expect(only(moduleErrors(`s contains 1\nq if concat(",", s) == ""`), "s contains 1")).toBe(
      "rego_type_error: concat: invalid argument(s): operand 2 is set[number], want any<array[string], set[string]>",
    );
    expect(only(upperOf("p := count(input.x)"), "result type")).toMatch(/operand 1 is number, want string$/);
  });

  it("through other rules and the variables they bind", () => {
    expect(only(upperOf("p := r\nr := count(input.x)"), "chain")).toMatch(/operand 1 is number, want string$/);
    expect(only(moduleErrors(`r := 1\nq if { x := r; upper(x) == "" }`), "var")).toMatch(/operand 1 is number, want string$/);
  });

  it("the union of all definitions, defaults and else branches included", () => {
    expect(upperOf(`p := 1\np := "a" if input.x`)).toEqual([]);
    expect(upperOf(`default p := false\np := "a" if input.x`)).toEqual([]);
    expect(upperOf(`p := 1 if input.x\nelse := "a"`)).toEqual([]);
    expect(only(upperOf("p := 1 if input.x\nelse := 2"), "else")).toMatch(/operand 1 is number, want string$/);
  });

  it("a value bound from input is any", () => {
    expect(upperOf("p := x if x := input.a")).toEqual([]);
  });
});

describe("a function defined once has a type: its parameters' and its value's", () => {
  it("nested in a call or bound as its output", () => {
    expect(only(moduleErrors(`f(x) := 1\nq if upper(f(1)) == ""`), "nested")).toMatch(/operand 1 is number, want string$/);
    expect(only(moduleErrors(`f(x) := count(x)\nq if { f([1], y); upper(y) == "" }`), "output")).toMatch(
      /operand 1 is number, want string$/,
    );
    expect(only(moduleErrors(`f(x) := y if y := x + 1\nq if upper(f(1)) == ""`), "body")).toMatch(/operand 1 is number, want string$/);
  });

  it("a result that is an argument is any", () => {
    expect(moduleErrors(`f(x) := x\nq if upper(f(1)) == ""`)).toEqual([]);
  });

  it("its parameters take the type of their first use, and calls are checked against them", () => {
    expect(only(moduleErrors(`f(x) := upper(x)\nq if f(1) == ""`), "head call")).toBe(
      "rego_type_error: data.t.f: invalid argument(s): operand 1 is number, want string",
    );
    expect(only(moduleErrors(`f(x) if x = 1\nq if f("a")`), "unification")).toMatch(/operand 1 is string, want number$/);
    expect(only(moduleErrors(`f(x) := count(x)\nq if f(1) > 0`), "union")).toMatch(/operand 1 is number, want any<string/);
    expect(only(moduleErrors(`f(x) := upper(x)\ng(y) := f(y)\nq if g(1) == ""`), "through g")).toMatch(/^rego_type_error: data\.t\.g:/);
    expect(only(moduleErrors(`f(x) := 1\nq if f(1, "a")`), "output")).toBe(
      "rego_type_error: data.t.f: invalid argument(s): operand 2 is string, want number",
    );
  });

  it("arguments of the parameter's type, or of unknown type, are accepted", () => {
    expect(moduleErrors(`f(x) := upper(x)\nq if f("a") == ""`)).toEqual([]);
    expect(moduleErrors(`f(x) := upper(x)\nq if f(input.a) == ""`)).toEqual([]);
    expect(moduleErrors(`f(x) if x > 1\nq if f("a")`)).toEqual([]);
    expect(moduleErrors(`f(x) := count(x)\nq if f([1]) > 0`)).toEqual([]);
  });
});

describe("left any on purpose", () => {
  it("a function defined more than once (OPA checks no call when the definitions' types differ)", () => {
    expect(moduleErrors(`f(1) := "a"\nf(x) := 2\nq if upper(f(1)) == ""`)).toEqual([]);
  });

  it("a rule whose value a `with` replaces somewhere (OPA's checker ignores the replacement, a known OPA bug)", () => {
    expect(moduleErrors(`p := 1\nq if upper(p) == "" with data.t.p as "x"`)).toEqual([]);
    expect(moduleErrors(`p := 1\nq if upper(p) == ""\nr if q with data.t as {"p": "x"}`)).toEqual([]);
  });
});

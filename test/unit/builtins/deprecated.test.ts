/**
 * OPA's deprecated built-ins: what they compute (topdown's casts.go,
 * aggregates.go, sets.go and their old-name registrations), callable from Rego
 * v0 modules, and refused in Rego v1 ones as OPA's compiler refuses them.
 */
import { describe, expect, it } from "vitest";
import { failureText, outcome } from "./harness.js";
import { RObject, RSet, type Value } from "../../../workers/rego/value/index.js";
import { compile, formatError, prepare, toJSONText } from "../../../workers/rego/index.js";

const set = (...xs: Value[]): RSet => RSet.from(xs);

describe("deprecated built-ins", () => {
  it("any and all look for the boolean true among an array's or a set's members", () => {
    expect(outcome("any", [[false, 1, true]])).toBe("true");
    expect(outcome("any", [[1, "true"]])).toBe("false");
    expect(outcome("any", [set()])).toBe("false");
    expect(outcome("all", [[]])).toBe("true");
    expect(outcome("all", [set(true, 1)])).toBe("false");
    expect(outcome("all", [[true, true]])).toBe("true");
    expect(failureText("any", "x")).toBe("eval_type_error: operand 1 must be one of {array, set} but got string");
  });

  it("casts let a value of their type through and convert between arrays and sets", () => {
    expect(outcome("cast_array", [set(3, 1, 2)])).toBe("[1,2,3]");
    expect(outcome("cast_array", [[2, 1]])).toBe("[2,1]");
    expect(outcome("cast_set", [[1, 1, 2]])).toBe("[1,2]");
    expect(outcome("cast_string", ["s"])).toBe('"s"');
    expect(outcome("cast_boolean", [false])).toBe("false");
    expect(outcome("cast_null", [null])).toBe("null");
    expect(outcome("cast_object", [RObject.from([["a", 1]])])).toBe('{"a":1}');
    expect(failureText("cast_string", 1)).toBe("eval_type_error: operand 1 must be string but got number");
    expect(failureText("cast_array", 1)).toBe("eval_type_error: operand 1 must be one of {array, set} but got number");
  });

  it("re_match, set_diff and net.cidr_overlap are regex.match, set difference and net.cidr_contains", () => {
    expect(outcome("re_match", ["^a+$", "aaa"])).toBe("true");
    expect(outcome("set_diff", [set(1, 2, 3), set(2)])).toBe("[1,3]");
    expect(failureText("set_diff", set(1), 1)).toBe("eval_type_error: operand 2 must be set but got number");
    expect(outcome("net.cidr_overlap", ["10.0.0.0/8", "10.1.2.3"])).toBe("true");
    expect(outcome("net.cidr_overlap", ["10.0.0.0/8", "11.0.0.1"])).toBe("false");
  });

  it("run in Rego v0 policies", () => {
    const source = `package t\np := [any([false, true]), re_match("^a", "abc"), set_diff({1, 2}, {2}), cast_array({2, 1})]\n`;
    const c = compile({ modules: [{ name: "p.rego", source }], entrypoints: ["data.t.p"], options: { regoVersion: 0 } });
    if (!c.plan) throw new Error(c.errors.map(formatError).join("\n"));
    const [row] = prepare(c.plan).evaluateSync("t/p", {}).results;
    expect(toJSONText(row as Value)).toBe('{"result":[true,true,[1],[1,2]]}');
  });

  it("are refused in Rego v1 modules (and v0 ones importing rego.v1), as OPA refuses them", () => {
    const errors = (source: string, regoVersion: 0 | 1) =>
      compile({ modules: [{ name: "p.rego", source }], entrypoints: ["data.t"], options: { regoVersion } }).errors.map(formatError);
    expect(errors("package t\np := all([true, false])\nq if re_match(`a`, input.x)\n", 1)).toEqual([
      "p.rego:2:6: rego_type_error: deprecated built-in function calls in expression: all",
      "p.rego:3:6: rego_type_error: deprecated built-in function calls in expression: re_match",
    ]);
    expect(errors("package t\nimport rego.v1\np := cast_set([1])\n", 0)).toEqual([
      "p.rego:3:6: rego_type_error: deprecated built-in function calls in expression: cast_set",
    ]);
    // A function of the policy's own with a deprecated built-in's name is just that function.
    expect(errors("package t\nall(xs) := count(xs) > 0\np := all([false])\n", 1)).toEqual([]);
  });
});

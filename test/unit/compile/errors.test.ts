/**
 * Compile errors come all at once, in source order, printed as OPA prints
 * them — including those the planner finds (recursion, arity and argument
 * types), which do not stop at the first rule that has one.
 */
import { describe, expect, it } from "vitest";
import { compile, formatError } from "../../../workers/rego/index.js";

const errorsOf = (source: string) =>
  compile({ modules: [{ name: "policy.rego", source }], entrypoints: ["data.t.p"] }).errors.map(formatError);

describe("compile errors", () => {
  it("reports every rule's planning error, each recursive rule with its own cycle", () => {
    const errors = errorsOf(`package t
p if { q }
q if { p }
x := count(1)
y := concat(1, 2)
f(a) := 1 if { a }
g := f(1, 2)
`);
    expect(errors).toEqual([
      "policy.rego:2:1: rego_recursion_error: rule data.t.p is recursive: data.t.p -> data.t.q -> data.t.p",
      "policy.rego:3:1: rego_recursion_error: rule data.t.q is recursive: data.t.q -> data.t.p -> data.t.q",
      expect.stringMatching(/^policy\.rego:4:12: rego_type_error: count: invalid argument\(s\): operand 1 is number/),
      "policy.rego:5:13: rego_type_error: concat: invalid argument(s): operand 1 is number, want string",
      "policy.rego:7:6: rego_type_error: data.t.f: wrong number of arguments: got 2, want 1",
    ]);
  });

  it("gives no plan while any rule has an error", () => {
    const result = compile({ modules: [{ name: "policy.rego", source: "package t\np := 1\nq := count(1)\n" }], entrypoints: ["data.t.p"] });
    expect(result.plan).toBeUndefined();
    expect(result.errors).toHaveLength(1);
  });
});

/**
 * The built-in catalogue against OPA's newest declarations (v1.20.2): every
 * signature as OPA declares it, every OPA built-in either declared or left
 * out for a stated reason, and the declarations that were once wrong shown
 * through what the type checker then accepts and refuses.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BUILTIN_DECLS, FORBIDDEN_BUILTINS, getBuiltin } from "../../../workers/rego/builtins/index.js";
import { typeString } from "../../../workers/rego/compile/types-check.js";
import { compile, formatError } from "../../../workers/rego/index.js";

const opaSignatures = readFileSync(new URL("./opa-v1.20.2-builtins.txt", import.meta.url), "utf8")
  .split("\n")
  .filter((l) => l !== "" && !l.startsWith("#"));

/** OPA built-ins the catalogue does not declare, and why. */
const NOT_DECLARED: Record<string, string> = {
  eq: "unification, planned directly",
  assign: "assignment, planned directly",
  print: "rewritten to internal.print at compile time",
  "rego.metadata.chain": "answered at compile time",
  "rego.metadata.rule": "answered at compile time",
  "internal.test_case": "the test runner's, not a policy's",
};

/** Declared here but not by OPA's capabilities: OPA registers it only in its own test harnesses. */
const EXTRA = ["test.sleep"];

function signature(name: string): string {
  const d = BUILTIN_DECLS.get(name);
  if (!d) return `${name} (not declared)`;
  return `${name}(${(d.args ?? []).map(typeString).join(", ")})${d.result ? ` ${typeString(d.result)}` : ""}`;
}

const errorsOf = (body: string) =>
  compile({ modules: [{ name: "p.rego", source: `package t\np if {\n\t${body}\n}\n` }], entrypoints: ["data.t.p"] }).errors.map(
    formatError,
  );

describe("the built-in catalogue", () => {
  it("declares every built-in as OPA v1.20.2 does", () => {
    const names = opaSignatures.map((l) => l.slice(0, l.indexOf("(")));
    expect(names.map(signature)).toEqual(opaSignatures);
  });

  it("declares nothing OPA does not, but for its test-only sleep", () => {
    const known = new Set(opaSignatures.map((l) => l.slice(0, l.indexOf("("))));
    expect([...BUILTIN_DECLS.keys()].filter((n) => !known.has(n))).toEqual(EXTRA);
    for (const name of Object.keys(NOT_DECLARED)) expect(BUILTIN_DECLS.has(name), name).toBe(false);
  });

  it("implements every declared built-in but those policies may not call", () => {
    const unimplemented = [...BUILTIN_DECLS.keys()].filter((n) => !getBuiltin(n));
    expect(unimplemented).toEqual([...FORBIDDEN_BUILTINS.keys()].sort());
  });

  it("types the results of object.union, union_n, filter and remove and of json.filter and remove as objects", () => {
    for (const call of [
      "object.union({}, {})",
      "object.union_n([{}])",
      "object.filter({}, [])",
      "object.remove({}, [])",
      "json.filter({}, [])",
      "json.remove({}, [])",
    ]) {
      expect(errorsOf(`count(${call}) > 0`), call).toEqual([]);
      expect(errorsOf(`upper(${call}) == "x"`), call).toEqual([
        expect.stringContaining(`rego_type_error: upper: invalid argument(s): operand 1 is object[any: any], want string`),
      ]);
    }
  });

  it("types object.subset's result as a boolean", () => {
    expect(errorsOf(`object.subset({"a": 1}, {})`)).toEqual([]);
    expect(errorsOf(`count(object.subset({"a": 1}, {})) > 0`)).toEqual([
      "p.rego:3:8: rego_type_error: count: invalid argument(s): operand 1 is boolean, want any<string, array[any], object[any: any], set[any]>",
    ]);
  });

  it("declares internal.print's operand as an array of sets, which print's rewrite gives it", () => {
    expect(BUILTIN_DECLS.get("internal.print")?.args).toEqual([{ type: "array", dynamic: { type: "set", of: { type: "any" } } }]);
    expect(errorsOf(`print(1, [2], input.x)`)).toEqual([]);
  });
});

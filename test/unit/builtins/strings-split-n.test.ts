/**
 * strings.split_n, new in OPA 1.20: the first n parts of a split, or the
 * last -n. Expected values are those of OPA's own test cases for it
 * (v1/test/cases/testdata/v1/strings/test-splitn.yaml), plus the policy path.
 */
import { describe, expect, it } from "vitest";
import { outcome } from "./harness.js";
import { BUILTIN_DECLS } from "../../../workers/rego/builtins/index.js";
import { run, value } from "../robustness/harness.js";

const splitN = (s: string, d: string, n: number) => outcome("strings.split_n", [s, d, n]);

describe("strings.split_n", () => {
  it("takes the first n parts, without the rest of the string", () => {
    expect(splitN("a.b.c.d", ".", 2)).toBe('["a","b"]');
    expect(splitN("a.b.c.d", ".", 1)).toBe('["a"]');
    expect(splitN("a.b.c.d", ".", 4)).toBe('["a","b","c","d"]');
    expect(splitN("a.b.c.d", ".", 10)).toBe('["a","b","c","d"]');
    expect(splitN("a.b.c.d", ".", 0)).toBe("[]");
  });

  it("takes the last -n parts for a negative n", () => {
    expect(splitN("a.b.c.d", ".", -2)).toBe('["c","d"]');
    expect(splitN("a.b.c.d", ".", -1)).toBe('["d"]');
    expect(splitN("a.b.c.d", ".", -4)).toBe('["a","b","c","d"]');
    expect(splitN("a.b.c.d", ".", -10)).toBe('["a","b","c","d"]');
  });

  it("splits like split: no delimiter found, the empty string, an empty delimiter (code points)", () => {
    expect(splitN("abc", ".", 2)).toBe('["abc"]');
    expect(splitN("abc", ".", -2)).toBe('["abc"]');
    expect(splitN("", ".", 2)).toBe('[""]');
    expect(splitN("abc", "", 2)).toBe('["a","b"]');
    expect(splitN("abc", "", -2)).toBe('["b","c"]');
    expect(splitN("a😀b", "", -2)).toBe('["😀","b"]');
  });

  it("refuses a count that is not an integer, and operands of the wrong type", () => {
    expect(splitN("a.b.c", ".", 1.5)).toBe("eval_type_error: operand 3 must be integer number but got floating-point number");
    expect(outcome("strings.split_n", [1, ".", 1])).toBe("eval_type_error: operand 1 must be string but got number");
  });

  it("is declared, and a policy uses it to destructure", async () => {
    expect(BUILTIN_DECLS.get("strings.split_n")?.args?.length).toBe(3);
    const src = `package p\nr := [name, email] if [name, email] := strings.split_n(input.user, ";", -2)`;
    expect(value(await run(src, { input: { user: "admin;active;alice;alice@example.com" } }))).toEqual(["alice", "alice@example.com"]);
    const o = await run(`package p\nr := strings.split_n("a", ".", "2")`);
    expect(o.ok ? "ok" : o.error).toMatchObject({ code: "rego_type_error", location: { row: 2 } });
  });
});

/**
 * Built-ins of newer OPA releases: uri.parse / uri.is_valid (Go's net/url
 * reading of a reference), trace, and internal.print (what print() becomes).
 */
import { describe, expect, it } from "vitest";
import { outcome } from "./harness.js";
import { RSet, type Value } from "../../../workers/rego/value/index.js";
import { BUILTIN_DECLS } from "../../../workers/rego/builtins/index.js";

const parse = (u: string) => outcome("uri.parse", [u]);
const valid = (u: Value) => outcome("uri.is_valid", [u]);

describe("uri.parse", () => {
  it("gives the parts that are present, unescaped, with the port as a string", () => {
    expect(JSON.parse(parse("https://user:pw@example.com:8443/a%20b/c?x=1&y=2#frag%21"))).toEqual({
      scheme: "https",
      hostname: "example.com",
      port: "8443",
      path: "/a b/c",
      raw_path: "/a b/c",
      raw_query: "x=1&y=2",
      fragment: "frag!",
    });
    expect(JSON.parse(parse("/rel/path?q"))).toEqual({ path: "/rel/path", raw_path: "/rel/path", raw_query: "q" });
    expect(JSON.parse(parse("//host/p"))).toEqual({ hostname: "host", path: "/p", raw_path: "/p" });
  });

  it("lower-cases the scheme, strips IPv6 brackets and keeps opaque references to their scheme", () => {
    expect(JSON.parse(parse("HTTP://EX.com"))).toEqual({ scheme: "http", hostname: "EX.com" });
    expect(JSON.parse(parse("http://[::1]:80/x"))).toEqual({ scheme: "http", hostname: "::1", port: "80", path: "/x", raw_path: "/x" });
    expect(JSON.parse(parse("mailto:a@b.c"))).toEqual({ scheme: "mailto" });
  });

  it("keeps raw_path as written when it is not the path's canonical escaping", () => {
    expect(JSON.parse(parse("http://x/a%2Fb"))).toMatchObject({ path: "/a/b", raw_path: "/a%2Fb" });
  });

  it("refuses what Go refuses, with Go's reason", () => {
    expect(parse("http://[::1")).toBe(`eval_builtin_error: parse "http://[::1": missing ']' in host`);
    expect(parse("http://a b.com/")).toBe(`eval_builtin_error: parse "http://a b.com/": invalid character " " in host name`);
    expect(parse("%zz")).toBe(`eval_builtin_error: parse "%zz": invalid URL escape "%zz"`);
    expect(parse("1http://x")).toBe(`eval_builtin_error: parse "1http://x": first path segment in URL cannot contain colon`);
    expect(parse(":foo")).toBe(`eval_builtin_error: parse ":foo": missing protocol scheme`);
    expect(parse("http://x:port/")).toBe(`eval_builtin_error: parse "http://x:port/": invalid port ":port" after host`);
    expect(parse("a\tb")).toBe(`eval_builtin_error: parse "a\\tb": net/url: invalid control character in URL`);
    expect(outcome("uri.parse", [1])).toBe("eval_type_error: operand 1 must be string but got number");
  });
});

describe("uri.is_valid", () => {
  it("is true for references Go parses, false otherwise, for the empty string and for non-strings", () => {
    expect(valid("https://example.com/x?y#z")).toBe("true");
    expect(valid("relative/path")).toBe("true");
    expect(valid("http://[::1")).toBe("false");
    expect(valid("%zz")).toBe("false");
    expect(valid("")).toBe("false");
    expect(valid(1)).toBe("false");
  });
});

describe("trace and internal.print", () => {
  it("are declared in the catalogue", () => {
    for (const name of ["uri.parse", "uri.is_valid", "trace", "internal.print"]) expect(BUILTIN_DECLS.has(name)).toBe(true);
  });

  it("trace is true for a note", () => {
    expect(outcome("trace", ["note"])).toBe("true");
    expect(outcome("trace", [1])).toBe("eval_type_error: operand 1 must be string but got number");
  });

  it("internal.print prints every combination, undefined operands as <undefined>, and is true", () => {
    const lines: string[] = [];
    const operands = [RSet.from(["a"]), RSet.from([1, 2]), RSet.from([])];
    expect(outcome("internal.print", [operands], { print: (l) => void lines.push(l) })).toBe("true");
    expect(lines).toEqual(["a 1 <undefined>", "a 2 <undefined>"]);
    expect(outcome("internal.print", [operands])).toBe("true");
  });
});

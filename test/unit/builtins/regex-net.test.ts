import { describe, expect, it } from "vitest";
import { call, failure } from "./harness.js";
import { RObject, RSet, toJSONText, type Value } from "../../../workers/rego/value/index.js";
import { compileRegex } from "../../../workers/rego/goruntime/regexp.js";
import { rng } from "../../conformance/differential.js";

/** Result as JSON text (sets as sorted arrays), for compact expectations. */
function json(name: string, ...args: Value[]): string {
  return toJSONText(call(name, ...args) as Value);
}

describe("regex.match and regex.is_valid", () => {
  it("searches anywhere, with RE2 syntax", () => {
    expect(call("regex.match", "^[a-z]+\\[[0-9]+\\]$", "foo[1]")).toBe(true);
    expect(call("regex.match", "", "x")).toBe(true);
    expect(call("regex.match", "^$", "something")).toBe(false);
    expect(call("regex.match", "\\pL+\\d", "héllo1")).toBe(true);
    expect(call("regex.match", "^[[:alpha:]]+$", "abc")).toBe(true);
    expect(call("regex.match", "\\Q.*\\E", "a.*b")).toBe(true);
    expect(call("regex.match", "(?i)K", "\u212a")).toBe(true); // Kelvin sign folds to k, as in Go
    expect(call("regex.match", "a$", "a\n")).toBe(false); // $ is end of text without (?m)
    expect(call("regex.match", "(?s)a.b", "a\nb")).toBe(true);
    expect(call("regex.match", "^.$", "😀")).toBe(true); // one character, not two code units
  });

  it("reports Go's parse errors", () => {
    expect(failure("regex.match", "$^[[[", "x")).toEqual({
      code: "eval_builtin_error",
      message: "error parsing regexp: missing closing ]: `[[[`",
    });
    expect(failure("regex.match", "[a", "x").message).toBe("error parsing regexp: missing closing ]: `[a`");
    expect(failure("regex.match", "(?=a)", "x").message).toBe("error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
    expect(failure("regex.match", "(a)\\1", "x").message).toBe("error parsing regexp: invalid escape sequence: `\\1`");
    expect(failure("regex.match", "a**", "x").message).toBe("error parsing regexp: invalid nested repetition operator: `**`");
    const deep = `${"(".repeat(1001)}a${")".repeat(1001)}`;
    expect(failure("regex.match", deep, "a").message).toBe(`error parsing regexp: expression nests too deeply: \`${deep}\``);
    expect(failure("regex.match", 1, "x")).toEqual({ code: "eval_type_error", message: "operand 1 must be string but got number" });
  });

  it("is_valid is false for bad patterns and non-strings", () => {
    expect(call("regex.is_valid", ".+")).toBe(true);
    expect(call("regex.is_valid", "++")).toBe(false);
    expect(call("regex.is_valid", 10)).toBe(false);
  });
});

describe("regex.find_n and regex.find_all_string_submatch_n", () => {
  it("finds successive matches, n = -1 for all", () => {
    expect(call("regex.find_n", "a.", "paranormal", -1)).toEqual(["ar", "an", "al"]);
    expect(call("regex.find_n", "a.", "paranormal", 2)).toEqual(["ar", "an"]);
    expect(call("regex.find_n", "a.", "paranormal", 0)).toEqual([]);
    expect(call("regex.find_n", "^a.", "abacadaeaf", -1)).toEqual(["ab"]);
    expect(call("regex.find_n", "[abcdef]{2}", "abacadaeaf", -1)).toEqual(["ab", "ac", "ad", "ae", "af"]);
  });

  it("handles empty matches as Go does", () => {
    expect(call("regex.find_n", "x*", "abc", -1)).toEqual(["", "", "", ""]);
    // The empty match at 4 abuts "aaa" and is dropped; the one at the end is kept.
    expect(call("regex.find_n", "a*", "baaab", -1)).toEqual(["", "aaa", ""]);
    expect(call("regex.find_n", "", "😀a", -1)).toEqual(["", "", ""]);
  });

  it("returns groups, unmatched as empty strings", () => {
    expect(call("regex.find_all_string_submatch_n", "a(x*)b", "-ab-axb-", -1)).toEqual([
      ["ab", ""],
      ["axb", "x"],
    ]);
    expect(call("regex.find_all_string_submatch_n", "[^aouiye]([aouiye])([^aouiye])?", "somestri", -1)).toEqual([
      ["som", "o", "m"],
      ["ri", "i", ""],
    ]);
    expect(call("regex.find_all_string_submatch_n", "[^aouiye]([aouiye])([^aouiye])?", "somestri", 1)).toEqual([["som", "o", "m"]]);
    expect(call("regex.find_all_string_submatch_n", "a(x*)b", "-", -1)).toEqual([]);
  });

  it("rejects a non-integer count", () => {
    expect(failure("regex.find_n", "a", "a", 1.5)).toEqual({
      code: "eval_type_error",
      message: "operand 3 must be integer number but got floating-point number",
    });
  });
});

describe("regex.replace", () => {
  it("replaces every match, with Go's template expansion", () => {
    expect(call("regex.replace", "-wy-wxxy-", "w(x*)y", "0")).toBe("-0-0-");
    expect(call("regex.replace", "foo", "(foo)", "$1$1")).toBe("foofoo");
    expect(call("regex.replace", "foo", "^[a-z]", "F")).toBe("Foo");
    expect(call("regex.replace", "foo barx", "[a-z]{2}", "_")).toBe("_o __");
    expect(call("regex.replace", "abc", "b*", "-")).toBe("-a-c-");
    expect(call("regex.replace", "abc", "", "-")).toBe("-a-b-c-");
    // $1x names group "1x" (absent, so empty); ${1} is group 1; $$ is $; a lone $ stays.
    expect(call("regex.replace", "foo", "(foo)", "$1x|${1}x|$$|$")).toBe("|foox|$|$");
    expect(call("regex.replace", "ab", "(?P<first>a)(?<second>b)", "${second}$first")).toBe("ba");
    expect(call("regex.replace", "ab", "(a)|(z)", "[$2]")).toBe("[]b");
  });

  it("fails on a bad pattern", () => {
    expect(failure("regex.replace", "foo", "[", "$1").message).toBe("error parsing regexp: missing closing ]: `[`");
  });
});

describe("regex.split", () => {
  it("splits as Go's Split(s, -1)", () => {
    expect(call("regex.split", "a", "banana")).toEqual(["b", "n", "n", ""]);
    expect(call("regex.split", "z+", "pizza")).toEqual(["pi", "a"]);
    expect(call("regex.split", "^[a-z]+\\[[0-9]+\\]$", "")).toEqual([""]);
    expect(call("regex.split", "^[a-z]+", "foobar baz")).toEqual(["", " baz"]);
    expect(call("regex.split", "[a-z]+$", "foobar baz")).toEqual(["foobar ", ""]);
    expect(call("regex.split", "^[a-z ]+$", "foobar baz")).toEqual(["", ""]);
    expect(call("regex.split", "a*", "abaabaccadaaae")).toEqual(["", "b", "b", "c", "c", "d", "e"]);
    expect(call("regex.split", "", "")).toEqual([]);
  });
});

describe("regex.template_match", () => {
  it("matches templates with custom delimiters", () => {
    expect(call("regex.template_match", "urn:foo:{.*}", "urn:foo:bar:baz", "{", "}")).toBe(true);
    expect(call("regex.template_match", "urn:foo:<.*>", "urn:foo:bar:baz", "<", ">")).toBe(true);
    expect(call("regex.template_match", "urn:foo.bar:<[0-9]{2}>", "urn:foo.bar:12", "<", ">")).toBe(true);
    expect(call("regex.template_match", "urn:foo.bar:<[0-9]{2}>", "urn:fooXbar:12", "<", ">")).toBe(false);
    expect(call("regex.template_match", "a{b}c", "xabcx", "{", "}")).toBe(false); // anchored
  });

  it("reports OPA's errors", () => {
    expect(failure("regex.template_match", "urn:{.*", "x", "{", "}").message).toBe('unbalanced braces in "urn:{.*"');
    expect(failure("regex.template_match", "urn:{[}", "x", "{", "}").message).toBe("error parsing regexp: missing closing ]: `[$`");
    expect(failure("regex.template_match", "a", "a", "{{", "}").message).toBe(
      "start delimiter has to be exactly one character long but is 2 long",
    );
    expect(failure("regex.template_match", "a", "a", "{", "é").message).toBe(
      "end delimiter has to be exactly one character long but is 1 long",
    );
  });
});

describe("regex.globs_match", () => {
  it("intersects regex-globs as glob-intersection does", () => {
    expect(call("regex.globs_match", "a.a.[0-9]+z", ".b.b2359825792*594823z")).toBe(true);
    expect(call("regex.globs_match", "[a-z]+", "[0-9]*")).toBe(false);
    expect(call("regex.globs_match", "b.*", "bar")).toBe(true);
    expect(call("regex.globs_match", "[a-z]+\\[[0-9]+\\]", "foo\\[1\\]")).toBe(true);
    expect(call("regex.globs_match", "[a-z]+\\[[0-9]+\\]", 'foo["bar"]')).toBe(false);
    expect(call("regex.globs_match", "abc", "abd")).toBe(false);
    expect(call("regex.globs_match", "a.*", ".*b")).toBe(true);
  });

  it("walks long globs without recursion, and as the library's recursive walk on small ones", () => {
    // 60,000 starred tokens: the library's walk recurses once per token (it overflowed the stack here).
    expect(call("regex.globs_match", "a*b*".repeat(30000), ".")).toBe(true);
    expect(call("regex.globs_match", "a*b*".repeat(30000), "c")).toBe(false);
    const r = rng(2026);
    const atoms = ["a", "b", ".", "[ab]", "[a-c]", "[b-z]", "\\.", "c"];
    const glob = () =>
      Array.from(
        { length: Math.floor(r() * 7) },
        () => `${atoms[Math.floor(r() * atoms.length)]}${["", "", "*", "+"][Math.floor(r() * 4)]}`,
      ).join("");
    let agreed = 0;
    for (let i = 0; i < 20000; i++) {
      const a = glob();
      const b = glob();
      const want = libraryIntersects(a, b);
      expect(call("regex.globs_match", a, b), `${a} ∩ ${b}`).toBe(want);
      if (want) agreed++;
    }
    expect(agreed).toBeGreaterThan(1000); // the generator makes both answers
  });

  it("reports the library's errors", () => {
    expect(failure("regex.globs_match", "pqrs]", "[a-b]+")).toEqual({
      code: "eval_builtin_error",
      message: "input:pqrs], pos:5, set-close ']' with no preceding '[': the input provided is invalid",
    });
    expect(failure("regex.globs_match", "*a", "a").message).toBe(
      "input:*a, pos:1, flag '*' must be preceded by a non-flag: the input provided is invalid",
    );
    expect(failure("regex.globs_match", "[ab", "a").message).toBe(
      "input:[ab, pos:3, found [ without matching ]: the input provided is invalid",
    );
    expect(failure("regex.globs_match", "[z-a]", "a").message).toBe(
      "input:[z-a], pos:4, range is out of order: 'a' comes before 'z' in Unicode: the input provided is invalid",
    );
    expect(failure("regex.globs_match", "a\\", "a").message).toBe(
      "input:a\\, pos:1, input ends with a \\ (escape) character: the input provided is invalid",
    );
  });
});

describe("glob.match", () => {
  const match = (pattern: string, delimiters: Value, value: string) => call("glob.match", pattern, delimiters, value);

  it("keeps * within delimiters and lets ** cross them", () => {
    expect(match("*.github.com", ["."], "api.github.com")).toBe(true);
    expect(match("*.github.com", ["."], "api.cdn.github.com")).toBe(false);
    expect(match("api.**.com", ["."], "api.cdn.github.com")).toBe(true);
    expect(match("*:github:com", [":"], "api:github:com")).toBe(true);
    expect(match("*", [], "foo.bar")).toBe(false); // [] means the default, "."
    expect(match("*", null, "foo.bar")).toBe(true); // null means no delimiters
    expect(match("foo*", null, "foo.bar")).toBe(true);
  });

  it("supports ?, classes, ranges and alternatives", () => {
    expect(match("?at", [], "fat")).toBe(true);
    expect(match("?at", [], "at")).toBe(false);
    expect(match("?at", ["f"], "fat")).toBe(false);
    expect(match("[abc]at", [], "cat")).toBe(true);
    expect(match("[!abc]at", [], "cat")).toBe(false);
    expect(match("[a-c]at", [], "bat")).toBe(true);
    expect(match("[!a-c]at", [], "fat")).toBe(true);
    expect(match("[!a]", ["."], ".")).toBe(true); // classes may match a delimiter
    expect(match("{cat,bat,[fr]at}", [], "rat")).toBe(true);
    expect(match("{cat,bat,[fr]at}", [], "at")).toBe(false);
    expect(match("a{,b}c", [], "ac")).toBe(true);
    expect(match("a{b,{c,d}e}", [], "ade")).toBe(true);
    expect(match("\\*x", [], "*x")).toBe(true);
    expect(match("a,b}", [], "a,b}")).toBe(true); // , and } are plain text outside {…}
    expect(match("?", [], "😀")).toBe(true);
  });

  it("reports gobwas/glob's syntax errors", () => {
    const errors: [string, string][] = [
      ["{a,b", "glob: syntax error at 4: unclosed `{`"],
      ["a\\", "glob: syntax error at 2: trailing backslash"],
      ["\\", "glob: syntax error at 1: trailing backslash"],
      ["[]", "glob: syntax error at 2: could not parse range"],
      ["[abc", "glob: syntax error at 4: unexpected end of input"],
      ["[c-a]", "glob: syntax error at 5: range hi character is less than lo"],
      ["[a-bc]", "glob: syntax error at 5: expected close range character"],
    ];
    for (const [pattern, message] of errors) {
      expect(failure("glob.match", pattern, null, "abc")).toEqual({ code: "eval_builtin_error", message });
    }
  });

  it("checks the delimiters operand", () => {
    expect(failure("glob.match", "*", "x", "a")).toEqual({
      code: "eval_type_error",
      message: "operand 2 must be one of {array, null} but got string",
    });
    expect(failure("glob.match", "*", [1], "a").message).toBe("operand 2 must be array of strings but got array containing number");
    expect(failure("glob.match", "*", ["ab"], "a").message).toBe("operand 2 must be array of runes but got array containing string");
  });

  it("quote_meta escapes the glob metacharacters", () => {
    expect(call("glob.quote_meta", "*.github.com")).toBe("\\*.github.com");
    expect(call("glob.quote_meta", "{a,b}[c]?\\")).toBe("\\{a,b\\}\\[c\\]\\?\\\\");
  });
});

describe("net.cidr_contains, cidr_intersects, cidr_is_valid", () => {
  it("contains IPs and subnets, IPv4 and IPv6", () => {
    expect(call("net.cidr_contains", "10.0.0.0/8", "10.1.0.0/24")).toBe(true);
    expect(call("net.cidr_contains", "172.17.0.0/24", "172.17.0.0/16")).toBe(false);
    expect(call("net.cidr_contains", "10.0.0.0/8", "10.1.2.3")).toBe(true);
    expect(call("net.cidr_contains", "10.0.0.0/8", "192.168.1.1")).toBe(false);
    expect(call("net.cidr_contains", "2001:4860:4860::8888/32", "2001:4860:4860:1234::8888/40")).toBe(true);
    expect(call("net.cidr_contains", "2001:4860::/96", "2001:4860::/32")).toBe(false);
    expect(call("net.cidr_contains", "10.0.0.0/8", "::ffff:10.1.2.3")).toBe(true); // IPv4-mapped
    expect(call("net.cidr_contains", "::/0", "10.0.0.0/8")).toBe(false);
  });

  it("reports malformed operands", () => {
    expect(failure("net.cidr_contains", "not-a-cidr", "192.168.1.67")).toEqual({
      code: "eval_builtin_error",
      message: "invalid CIDR address: not-a-cidr",
    });
    expect(failure("net.cidr_contains", "10.0.0.0/8", "010.1.2.3").message).toBe(
      "not a valid textual representation of an IP address or CIDR: 010.1.2.3",
    );
    expect(failure("net.cidr_intersects", "192.168.1.0/28", "not-a-cidr").message).toBe("invalid CIDR address: not-a-cidr");
  });

  it("intersects overlapping networks", () => {
    expect(call("net.cidr_intersects", "192.168.1.0/25", "192.168.1.64/25")).toBe(true);
    expect(call("net.cidr_intersects", "192.168.1.0/24", "192.168.2.0/24")).toBe(false);
    expect(call("net.cidr_intersects", "fd1e:5bfe:8af3:9ddc::/64", "fd1e:5bfe:8af3:9ddc:1111::/72")).toBe(true);
  });

  it("validates CIDRs as Go's ParseCIDR does", () => {
    const valid = ["192.168.1.0/24", "2002::1234:abcd:ffff:c0a8:101/64", "::1.2.3.4/128", "1::2:3:4:5:6:7/64", "10.0.0.0/08"];
    const invalid = [
      "",
      "192.168.1.2",
      "there goes a string",
      "10.0.0.0/33",
      "010.0.0.0/8",
      "fe80::1%eth0/64",
      "1::2::3/64",
      "1:2:3:4:5:1.2.3.4/128",
    ];
    for (const c of valid) expect(call("net.cidr_is_valid", c), c).toBe(true);
    for (const c of invalid) expect(call("net.cidr_is_valid", c), c).toBe(false);
    expect(call("net.cidr_is_valid", 1)).toBe(false);
  });
});

describe("net.cidr_expand", () => {
  it("lists every address of the network", () => {
    expect(json("net.cidr_expand", "192.168.1.1/30")).toBe('["192.168.1.0","192.168.1.1","192.168.1.2","192.168.1.3"]');
    expect(json("net.cidr_expand", "172.16.100.255/30")).toBe('["172.16.100.252","172.16.100.253","172.16.100.254","172.16.100.255"]');
    expect(json("net.cidr_expand", "192.168.1.1/32")).toBe('["192.168.1.1"]');
    expect(json("net.cidr_expand", "2001:db8::/127")).toBe('["2001:db8::","2001:db8::1"]');
    expect(json("net.cidr_expand", "::ffff:10.0.0.0/127")).toBe('["10.0.0.0","10.0.0.1"]');
  });

  it("rejects bad and oversized networks", () => {
    expect(failure("net.cidr_expand", "192.168.1.1/33").message).toBe("invalid CIDR address: 192.168.1.1/33");
    expect(failure("net.cidr_expand", "10.0.0.0/8").code).toBe("eval_builtin_error");
    expect((call("net.cidr_expand", "10.0.0.0/16") as RSet).size).toBe(65536);
  });
});

describe("net.cidr_merge", () => {
  const merge = (...cidrs: string[]) => json("net.cidr_merge", cidrs);

  it("merges adjacent and contained networks", () => {
    expect(merge("192.0.128.0/24", "192.0.129.0/24")).toBe('["192.0.128.0/23"]');
    expect(merge("192.0.2.112/30", "192.0.2.116/31", "192.0.2.118/31")).toBe('["192.0.2.112/29"]');
    expect(merge("192.0.2.112/31", "192.0.2.116/31", "192.0.2.118/31")).toBe('["192.0.2.112/31","192.0.2.116/30"]');
    expect(merge("192.0.128.0/24", "0.0.0.0/0")).toBe('["0.0.0.0/0"]');
    expect(merge("::/0", "::192.0.2.0/124", "ff00::101/128")).toBe('["::/0"]');
    expect(merge("fe80::/120", "192.0.2.0/24", "192.0.3.0/24", "192.0.4.0/25", "192.0.4.128/25")).toBe(
      '["192.0.2.0/23","192.0.4.0/24","fe80::/120"]',
    );
    expect(merge("2601:600:8a80:207e:a57d:7567:e2c9:e7b3/64", "2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128")).toBe(
      '["2601:600:8a80:207e::/64"]',
    );
    expect(merge("10.0.0.1/32", "10.0.0.2/32", "10.0.0.3/32", "10.0.0.4/32")).toBe('["10.0.0.1/32","10.0.0.2/31","10.0.0.4/32"]');
    expect(json("net.cidr_merge", RSet.from(["192.0.2.112/30", "192.0.2.116/31", "192.0.2.118/31"]))).toBe('["192.0.2.112/29"]');
    expect(merge()).toBe("[]");
  });

  it("gives bare IPv4 addresses their classful mask", () => {
    expect(merge("192.0.128.0", "192.0.129.0")).toBe('["192.0.128.0/23"]');
    expect(merge("192.0.2.112", "192.0.2.116/31")).toBe('["192.0.2.0/24"]');
    expect(merge("192.0.2.112")).toBe('["192.0.2.112/24"]'); // unmerged: printed unmasked, as Go does
    expect(merge("10.1.2.3")).toBe('["10.1.2.3/8"]');
  });

  it("reports bad elements", () => {
    expect(failure("net.cidr_merge", ["2601:600:8a80:207e:a57d:7567:e2c9:e7b3"]).message).toBe("IPv6 invalid: needs prefix length");
    expect(failure("net.cidr_merge", ["foo"]).message).toBe("invalid CIDR address: foo");
    expect(failure("net.cidr_merge", [1]).message).toBe("element must be string");
  });
});

describe("net.cidr_contains_matches", () => {
  const matches = (a: Value, b: Value) => json("net.cidr_contains_matches", a, b);

  it("pairs the keys of matching CIDRs", () => {
    expect(matches("1.1.1.0/24", "1.1.1.1")).toBe('[["1.1.1.0/24","1.1.1.1"]]');
    expect(matches(["1.1.2.0/24", "1.1.1.0/24"], ["1.1.1.1", "1.1.2.1"])).toBe("[[0,1],[1,0]]");
    expect(matches([["1.1.2.0/24", 1], "1.1.1.0/24"], ["1.1.1.1", "1.1.2.1"])).toBe("[[0,1],[1,0]]");
    expect(
      matches(
        RSet.from([
          ["1.1.1.0/24", "bar"],
          ["1.1.2.0/24", "foo"],
        ]),
        RSet.from([
          ["1.1.1.1", "baz"],
          ["1.1.2.1", "qux"],
        ]),
      ),
    ).toBe('[[["1.1.1.0/24","bar"],["1.1.1.1","baz"]],[["1.1.2.0/24","foo"],["1.1.2.1","qux"]]]');
    expect(matches(RObject.fromRecord({ k1: "1.1.1.1/24", k2: ["1.1.1.2/24", 1] }), "1.1.1.128")).toBe(
      '[["k1","1.1.1.128"],["k2","1.1.1.128"]]',
    );
    expect(matches(5, "1.1.1.1")).toBe("[]");
  });

  it("rejects elements that are neither strings nor non-empty arrays", () => {
    for (const bad of [
      [["1.1.1.1"], 1],
      [[], "1.1.1.1"],
    ] as Value[][]) {
      expect(failure("net.cidr_contains_matches", "1.1.1.0/24", bad)).toEqual({
        code: "eval_builtin_error",
        message: "operand 2: element must be string or non-empty array",
      });
    }
  });
});

describe("regex.match's fast path", () => {
  // regex.match, glob.match and regex.template_match ask re2js `test()` (its DFA, no
  // capture groups) instead of building a Matcher; both must agree on every pattern.
  it("agrees with a Matcher's find on generated patterns and texts", () => {
    const r = rng(20261202);
    const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
    const atoms = ["a", "b", ".", "[a-c]", "[^a]", "\\d", "\\w", "\\s", "^", "$", "\\b", "\\B", "é", "😀", "(?i)A", "\\A", "\\z"];
    const more = ["(?m)^", "(?s).", "x*", "(ab)+", "(?:a|b)", "a{2,3}", "\\pL", "[[:alpha:]]", "a??", "(a|)b"];
    const chars = ["a", "b", "c", "1", " ", "\n", "é", "😀", "A", "_", "-", "x"];
    let checked = 0;
    for (let i = 0; i < 3000; i++) {
      const pattern = Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(r() < 0.7 ? atoms : more)).join("");
      let re: ReturnType<typeof compileRegex>;
      try {
        re = compileRegex(pattern);
      } catch {
        continue;
      }
      for (let t = 0; t < 4; t++) {
        const text = Array.from({ length: Math.floor(r() * 8) }, () => pick(chars)).join("");
        expect(re.test(text), `${pattern} on ${JSON.stringify(text)}`).toBe(re.matcher(text).find(0));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5000);
  });
});

/**
 * glob-intersection's walk as the library writes it (recursive, on slices),
 * for globs built from plain characters, `.`, sets of ranges and flags: the
 * reference the engine's stack-free walk is compared with.
 */
function libraryIntersects(lhs: string, rhs: string): boolean {
  type Tok = { set: [number, number][] | "any"; flag: "" | "*" | "+" };
  const parse = (g: string): Tok[] => {
    const out: Tok[] = [];
    for (let i = 0; i < g.length; ) {
      let set: Tok["set"];
      if (g[i] === ".") set = "any";
      else if (g[i] === "\\") set = [[g.charCodeAt(++i), g.charCodeAt(i)]];
      else if (g[i] === "[") {
        set = [];
        for (i++; g[i] !== "]"; i++)
          if (g[i + 1] === "-") {
            set.push([g.charCodeAt(i), g.charCodeAt(i + 2)]);
            i += 2;
          } else set.push([g.charCodeAt(i), g.charCodeAt(i)]);
      } else set = [[g.charCodeAt(i), g.charCodeAt(i)]];
      i++;
      const flag = g[i] === "*" || g[i] === "+" ? (g[i++] as "*" | "+") : "";
      const last = out[out.length - 1];
      // Simplify: adjacent flagged copies of one token merge (t*t+ is t+).
      if (flag !== "" && last && last.flag !== "" && JSON.stringify(last.set) === JSON.stringify(set)) {
        if (flag === "+") last.flag = "+";
      } else out.push({ set, flag });
    }
    return out;
  };
  const match = (a: Tok, b: Tok): boolean =>
    a.set === "any" ||
    b.set === "any" ||
    a.set.some(([lo, hi]) => (b.set as [number, number][]).some(([lo2, hi2]) => lo <= hi2 && lo2 <= hi));
  const normal = (g1: Tok[], g2: Tok[]): boolean => {
    let i = 0;
    for (; i < g1.length && i < g2.length; i++) {
      const a = g1[i] as Tok;
      const b = g2[i] as Tok;
      if (a.flag !== "" || b.flag !== "") return special(g1.slice(i), g2.slice(i));
      if (!match(a, b)) return false;
    }
    return i === g1.length && i === g2.length;
  };
  const special = (g1: Tok[], g2: Tok[]): boolean => {
    const [p, o] = (g1[0] as Tok).flag !== "" ? [g1, g2] : [g2, g1];
    if ((p[0] as Tok).flag === "+") return match(p[0] as Tok, o[0] as Tok) && star(p, o.slice(1));
    return star(p, o);
  };
  const star = (starred: Tok[], other: Tok[]): boolean => {
    const next = starred[1];
    for (let i = 0; i < other.length; i++) {
      const t = other[i] as Tok;
      if (next !== undefined && match(t, next)) {
        if (normal(starred.slice(1), other.slice(i))) return true;
        if (!match(t, starred[0] as Tok)) return false;
      } else if (!match(t, starred[0] as Tok)) return false;
    }
    return next === undefined;
  };
  const g1 = parse(lhs);
  const g2 = parse(rhs);
  // Trim: the matching unflagged prefix and suffix go, one token of each kept.
  let l = 0;
  for (; l < g1.length && l < g2.length && g1[l]?.flag === "" && g2[l]?.flag === ""; l++)
    if (!match(g1[l] as Tok, g2[l] as Tok)) return false;
  if (l > 0) l--;
  let r1 = g1.length - 1;
  let r2 = g2.length - 1;
  for (; r1 >= l && r2 >= l && g1[r1]?.flag === "" && g2[r2]?.flag === ""; r1--, r2--)
    if (!match(g1[r1] as Tok, g2[r2] as Tok)) return false;
  if (r1 < g1.length - 1) {
    r1++;
    r2++;
  }
  return normal(g1.slice(l, r1 + 1), g2.slice(l, r2 + 1));
}

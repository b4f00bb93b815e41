/**
 * String, formatting, template, units, semver, uuid and encoding built-ins,
 * checked against OPA's (Go's) outputs.
 */
import { describe, expect, it } from "vitest";
import { builtin, call, failureText as failure, testContext } from "./harness.js";
import { RObject, RSet, parseJSON, toJSONText, type Value } from "../../../workers/rego/value/index.js";
import { toGoArg } from "../../../workers/rego/builtins/sprintf.js";
import { goSprintf } from "../../../workers/rego/goruntime/fmt.js";

const json = (s: string) => parseJSON(s);

describe("strings", () => {
  it("counts positions in code points", () => {
    expect(call("indexof", "🍧🍨🧁🍰🍮", "🍮")).toBe(4);
    expect(call("indexof", "μ", "μμ")).toBe(-1);
    expect(call("indexof_n", "😇😀😇😀😇😀", "😀")).toEqual([1, 3, 5]);
    expect(call("indexof_n", "aaa", "aa")).toEqual([0, 1]);
    expect(call("substring", "aåäö", 2, -1)).toBe("äö");
    expect(call("substring", "åäö", 4, -1)).toBe("");
    expect(call("strings.reverse", "1😀𝛾")).toBe("𝛾😀1");
    expect(call("strings.count", "dummy", "")).toBe(6);
    expect(call("strings.count", "11111", "11")).toBe(2);
  });

  it("reports errors as OPA does", () => {
    expect(failure("substring", "aaa", -1, -1)).toBe("eval_builtin_error: negative offset");
    expect(failure("indexof", "abc", "")).toBe("eval_builtin_error: empty search character");
    expect(failure("format_int", 4.1, 199)).toBe("eval_type_error: operand 2 must be one of {2, 8, 10, 16}");
    expect(failure("concat", ",", [1])).toBe("eval_type_error: operand 2 must be array of strings but got array containing number");
    expect(failure("strings.any_prefix_match", 1, "a")).toBe(
      "eval_type_error: operand 1 must be one of {string, set, array} but got number",
    );
    expect(failure("strings.replace_n", RObject.from([[2, "x"]]), "foo")).toBe(
      "eval_type_error: operand 1 non-string key found in pattern object",
    );
  });

  it("formats integers, truncating toward zero", () => {
    expect(call("format_int", 15.5, 16)).toBe("f");
    expect(call("format_int", -15.9, 2)).toBe("-1111");
    expect(call("format_int", 2n ** 70n, 16)).toBe("400000000000000000");
  });

  it("trims, splits, replaces and maps case rune by rune", () => {
    expect(call("trim", "¡¡¡foo, bar!!!", "!¡")).toBe("foo, bar");
    expect(call("trim_right", "!!!foo, bar¡¡¡", "!")).toBe("!!!foo, bar¡¡¡");
    expect(call("trim_space", "\u00a0\t foo \u3000\n")).toBe("foo");
    expect(call("trim_space", "\ufefffoo")).toBe("\ufefffoo");
    expect(call("split", "😀a", "")).toEqual(["😀", "a"]);
    expect(call("split", "", "")).toEqual([]);
    expect(call("replace", "foo...bar", "..", ",,")).toBe("foo,,.bar");
    expect(call("replace", "ab", "", "-")).toBe("-a-b-");
    expect(call("strings.replace_n", json('{"f": "x", "foo": "xxx"}'), "foobar")).toBe("xoobar");
    expect(call("upper", "straße")).toBe("STRAßE");
    expect(call("lower", "İΣ")).toBe("iσ");
  });

  it("matches any prefix or suffix over strings, arrays and sets", () => {
    expect(call("strings.any_prefix_match", RSet.from(["a/b", "c"]), ["x", "a/"])).toBe(true);
    expect(call("strings.any_suffix_match", "a/b/c", ["/c"])).toBe(true);
    expect(call("strings.any_suffix_match", [], ["/c"])).toBe(false);
  });
});

describe("sprintf", () => {
  const sprintf = (f: string, ...a: Value[]) => call("sprintf", f, a);

  it("prints operands as Go sees them from OPA", () => {
    expect(sprintf("hi %02X.%02X", 127, 1)).toBe("hi 7F.01");
    expect(sprintf("%s", 123456789123456789123n)).toBe("123456789123456789123");
    expect(sprintf("%v", ["there", 5, 3.14])).toBe('hi ["there", 5, 3.14]'.slice(3));
    expect(sprintf("%s %t", true, true)).toBe("true %!t(string=true)");
    expect(sprintf("%v", 2n * 10n ** 308n)).toBe("2e308");
    expect(sprintf("%d", 1.5)).toBe("%!d(float64=1.5)");
  });

  it("follows Go's float formatting", () => {
    expect(sprintf("%.2f %.0f %.0f %.1f", 3.1415, 0.5, 2.5, 0.25)).toBe("3.14 0 2 0.2");
    expect(sprintf("%v %v %g", 1234567.5, 0.1, 1e-7)).toBe("1.2345675e+06 0.1 1e-07");
    expect(sprintf("%e %8.3f|%-8.2f|", 1.5, -3.14159, 2.5)).toBe("1.500000e+00   -3.142|2.50    |");
    expect(sprintf("%x", 1.5)).toBe("0x1.8p+00");
  });

  it("follows Go's integer, string and error forms", () => {
    expect(sprintf("%x %X %o %b %#x %#o %O", 255, 255, 8, 5, 255, 8, 8)).toBe("ff FF 10 101 0xff 010 0o10");
    expect(sprintf("%+d|% d|%+.3d|%05d|%-5d|", 5, 5, 7, -42, 3)).toBe("+5| 5|+007|-0042|3    |");
    expect(sprintf("%q %+q %#q", "héllo\n", "héllo", "abc")).toBe('"héllo\\n" "h\\u00e9llo" `abc`');
    expect(sprintf("%c %U %#U", 65, 0x1f600, 0x41)).toBe("A U+1F600 U+0041 'A'");
    expect(sprintf("%8.3s|%-6s|", "abcdef", "ab")).toBe("     abc|ab    |");
    expect(sprintf("% x", "hi")).toBe("68 69");
    expect(sprintf("%[2]d %[1]d %*d", 1, 2)).toBe("2 1 %!d(MISSING)");
    expect(sprintf("%[3]d", 1)).toBe("%!d(BADINDEX)");
    expect(sprintf("%d %d", 1)).toBe("1 %!d(MISSING)");
    expect(sprintf("%d", 1, "x")).toBe("1%!(EXTRA string=x)");
    expect(sprintf("100%")).toBe("100%!(NOVERB)");
    expect(sprintf("%T %T %T %T", 1, 1.5, "s", 2n ** 70n)).toBe("int float64 string *big.Int");
  });

  it("prints bare %s, %d and %v formats as Go's general printer does", () => {
    // The built-in takes a shortcut for formats of text, %% and bare verbs; Go's printer is the oracle.
    const values: Value[] = [
      "",
      "x",
      "\u0000y",
      "é😀",
      0,
      -0,
      7,
      -12,
      2 ** 53,
      2 ** 53 + 2,
      1.5,
      -0.25,
      1e21,
      5n,
      -(2n ** 63n),
      2n ** 63n,
      2n ** 70n,
      true,
      false,
      null,
      [],
      ["a", 1],
      RObject.from([["k", [1, "v"]]]),
      RSet.from(["b", "a"]),
    ];
    const formats = ["%s", "%d", "%v", "a %s b %d c %v", "%%%v%%", "%v%v", "", "no verbs", "%s %", "%x %v"];
    let n = 0;
    for (const format of formats)
      for (let i = 0; i < values.length; i++)
        for (const count of [0, 1, 2, 3]) {
          const args = Array.from({ length: count }, (_, j) => values[(i + 7 * j) % values.length] as Value);
          expect(sprintf(format, ...args), `${format} of ${toJSONText(args as Value)}`).toBe(goSprintf(format, args.map(toGoArg)));
          n++;
        }
    expect(n).toBe(960);
  });
});

describe("templates", () => {
  it("renders string interpolation parts", () => {
    const parts: Value[] = ["a ", RSet.from([]), " ", RSet.from(["s"]), " ", RSet.from([[1, "x"]]), " ", 42, true, null];
    expect(call("internal.template_string", parts)).toBe('a <undefined> s [1, "x"] 42truenull');
    expect(failure("internal.template_string", [RSet.from([1, 2])])).toContain("must not produce multiple outputs");
  });

  it("renders Go text/templates", () => {
    const render = (t: string, vars: string) => call("strings.render_template", t, json(vars));
    expect(render("{{range $i, $name := .names}}{{if $i}},{{end}}hello {{$name}}{{end}}", '{"names":["rohan","john doe"]}')).toBe(
      "hello rohan,hello john doe",
    );
    expect(render("test {{.foo}} {{.bar}} {{.baz}}", '{"baz": 1}')).toBe("test <undefined> <undefined> 1");
    expect(render('{{- /* note */ -}} {{ printf "%05.1f|%v" 3.14159 .l }} {{ len .l }} {{ index .l 1 }}', '{"l": [1, "x"]}')).toBe(
      "003.1|[1 x] 2 x",
    );
    expect(
      render(
        '{{ if eq .s "a" }}A{{ else if .t }}T{{ else }}-{{ end }} {{ with .m }}{{ .k }}{{ end }} {{ range .e }}x{{ else }}none{{ end }}',
        '{"s":"b","t":true,"m":{"k":"v"},"e":[]}',
      ),
    ).toBe("T v none");
    expect(failure("strings.render_template", "{{ .a.b }}", json('{"a": "s"}'))).toContain("can't evaluate field b in type string");
  });
});

describe("units", () => {
  it("parses exactly", () => {
    expect(call("units.parse", "500m")).toBe(0.5);
    expect(call("units.parse", "0.0000005M")).toBe(0.5);
    expect(call("units.parse", "1.1Ki")).toBe(1126.4);
    expect(call("units.parse", "10Ei")).toBe(11529215046068469760n);
    expect(call("units.parse", "5E")).toBe(5000000000000000000n);
    expect(call("units.parse", "-3.5E2m")).toBe(-0.35);
    expect(call("units.parse", '"100TI"')).toBe(109951162777600);
    expect(call("units.parse_bytes", "1.1KiB")).toBe(1126);
    expect(call("units.parse_bytes", "1e-2KB")).toBe(10);
    expect(call("units.parse_bytes", "4.5e1GiB")).toBe(48318382080);
  });

  it("reports OPA's errors", () => {
    expect(failure("units.parse", "")).toBe("eval_builtin_error: units.parse: no amount provided");
    expect(failure("units.parse", ".5.2")).toBe("eval_builtin_error: units.parse: could not parse amount to a number");
    expect(failure("units.parse", "1 k")).toBe("eval_builtin_error: units.parse: spaces not allowed in resource strings");
    expect(failure("units.parse", "1x")).toBe("eval_builtin_error: units.parse: unit x not recognized");
    expect(failure("units.parse_bytes", "1e1234567")).toBe("eval_builtin_error: units.parse_bytes: exponent too large");
  });
});

describe("semver and uuid", () => {
  it("compares versions with pre-releases", () => {
    expect(call("semver.compare", "1.0.0-alpha.1", "1.0.0-alpha.beta")).toBe(-1);
    expect(call("semver.compare", "v1.0.0", "1.0.0+build")).toBe(0);
    expect(call("semver.compare", "1.0.0", "1.0.0-rc.1")).toBe(1);
    expect(call("semver.is_valid", 1)).toBe(false);
    expect(failure("semver.compare", "1", "1.0.0")).toBe('eval_builtin_error: operand 1: string "1" is not a valid SemVer');
  });

  it("parses UUIDs and keeps rfc4122 stable per key", () => {
    const v2 = call("uuid.parse", "urn:uuid:000003e8-48b9-21ee-b200-325096b39f47");
    expect(toJSONText(v2 as Value)).toBe(
      '{"clocksequence":12800,"domain":"Person","id":1000,"macvariables":"local:unicast","nodeid":"32-50-96-b3-9f-47","time":1693566990121469600,"variant":"RFC4122","version":2}',
    );
    expect(call("uuid.parse", "not-a-uuid")).toBeUndefined();
    const ctx = testContext();
    const rfc = builtin("uuid.rfc4122");
    const a = rfc(["k"], ctx);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(rfc(["k"], ctx)).toBe(a);
    expect(rfc(["other"], ctx)).not.toBe(a);
  });
});

describe("encoding", () => {
  it("encodes and decodes bytes as Go does", () => {
    expect(call("base64.encode", "héllo")).toBe("aMOpbGxv");
    expect(call("base64url.encode_no_pad", "??>>")).toBe("Pz8-Pg");
    expect(call("base64url.decode", "aGVsbG8")).toBe("hello");
    expect(failure("base64.decode", "aGVsbG8")).toBe("eval_builtin_error: illegal base64 data at input byte 4");
    expect(call("base64.is_valid", "{'not':'base64'}")).toBe(false);
    // Invalid UTF-8 reads as one U+FFFD per byte, so count() agrees with OPA.
    expect(Array.from(call("base64.decode", "2E84ZuPUd7zfvCZSNEchVpDEIj6PL7JfLpIqyxVG16k=") as string)).toHaveLength(30);
    expect(failure("hex.decode", "fghijkl")).toBe("eval_builtin_error: encoding/hex: invalid byte: U+0067 'g'");
    expect(call("urlquery.encode", "a=b+1 é")).toBe("a%3Db%2B1+%C3%A9");
    expect(failure("urlquery.decode", "%zz")).toBe('eval_builtin_error: invalid URL escape "%zz"');
    expect(call("urlquery.encode_object", json('{"a": ["b+1", "c+2"], "z": "y"}'))).toBe("a=b%2B1&a=c%2B2&z=y");
    expect(toJSONText(call("urlquery.decode_object", "a=1&b&a=2") as Value)).toBe('{"a":["1","2"],"b":[""]}');
  });

  it("marshals and unmarshals JSON like encoding/json", () => {
    expect(call("json.marshal", json('[{"foo": 1, "<": "a&b"}]'))).toBe('[{"\\u003c":"a\\u0026b","foo":1}]');
    expect(call("json.marshal", RObject.from([[[1, "x"], 2]]))).toBe('{"[1,\\"x\\"]":2}');
    expect(call("json.marshal_with_options", json('{"foo":"bar","bar":"baz"}'), json('{"prefix":"JSON => "}'))).toBe(
      'JSON => {\nJSON => \t"bar": "baz",\nJSON => \t"foo": "bar"\nJSON => }',
    );
    expect(failure("json.marshal_with_options", [], json('{"bogus": true}'))).toBe(
      'eval_type_error: operand 2 object contained unknown key "bogus"',
    );
    expect(toJSONText(call("json.unmarshal", '{"a": 123456789012345678901234}') as Value)).toBe('{"a":123456789012345678901234}');
    expect(failure("json.unmarshal", "[1 2]")).toBe("eval_builtin_error: invalid character '2' after array element");
    expect(failure("json.unmarshal", "1 2")).toBe("eval_builtin_error: error: invalid character '2' after top-level value");
    expect(failure("json.unmarshal", "[1,")).toBe("eval_builtin_error: unexpected EOF");
    expect(call("json.is_valid", "{")).toBe(false);
  });

  it("reads YAML with go-yaml v2's rules", () => {
    const v = call("yaml.unmarshal", "a: yes\nb: 0777\nc: 1e3\nd: 1e+3\ne: ~\nf: 123456789012345678901\n1: one\n");
    expect(toJSONText(v as Value)).toBe('{"1":"one","a":true,"b":511,"c":"1e3","d":1000,"e":null,"f":123456789012345680000}');
    expect(failure("yaml.unmarshal", "[1,2,3")).toContain("yaml: line 1: did not find expected ',' or ']'");
    expect(call("yaml.is_valid", "foo:\n   - qux: bar\n   - baz: {")).toBe(false);
  });

  it("writes YAML in go-yaml v2's style", () => {
    expect(call("yaml.marshal", json('[{"foo": [1, 2, 3]}]'))).toBe("- foo:\n  - 1\n  - 2\n  - 3\n");
    expect(
      call("yaml.marshal", json('{"a10": 1, "a2": "x: y", "b": "yes", "c": "two\\nlines", "d": "", "e": {"f": {}}, "g": 1234567.5}')),
    ).toBe('a2: \'x: y\'\na10: 1\nb: "yes"\nc: |-\n  two\n  lines\nd: ""\ne:\n  f: {}\ng: 1.2345675e+06\n');
  });
});

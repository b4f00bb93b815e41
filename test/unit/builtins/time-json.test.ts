import { describe, expect, it } from "vitest";
import { outcome } from "./harness.js";
import type { Value } from "../../../workers/rego/value/index.js";
import { RSet, parseJSON, toJSONText } from "../../../workers/rego/value/index.js";

const NOW = 1670006453141828752n;

/** The built-in's result as JSON text, "undefined", or "<code>: <message>" (the clock fixed). */
function call(name: string, ...args: Value[]): string {
  return outcome(name, args, { nowNs: NOW });
}

const J = (text: string): Value => parseJSON(text);
const RFC3339 = "2006-01-02T15:04:05Z07:00";

describe("time.parse_ns / parse_rfc3339_ns", () => {
  it("parses Go layouts", () => {
    expect(call("time.parse_ns", RFC3339, "2017-06-02T19:00:00-07:00")).toBe("1496455200000000000");
    expect(call("time.parse_ns", "01/02 03:04:05PM '06 -0700", "06/02 07:00:00PM '17 -0700")).toBe("1496455200000000000");
    expect(call("time.parse_ns", "02 Jan 06 15:04 -0700", "02 Jun 17 19:00 -0700")).toBe("1496455200000000000");
    expect(call("time.parse_ns", "RFC822Z", "02 Jun 17 19:00 -0700")).toBe("1496455200000000000");
    expect(call("time.parse_ns", "2006-01-02", "2020-02-29")).toBe("1582934400000000000");
    expect(call("time.parse_ns", "ANSIC", "Tue Feb  3 10:04:05 2015")).toBe("1422957845000000000");
    // Zone abbreviations do not move the instant (Local is UTC).
    expect(call("time.parse_ns", "UnixDate", "Tue Feb  3 10:04:05 PST 2015")).toBe("1422957845000000000");
    // Fractions: exact digits for .000, any for .999, and implied after seconds.
    expect(call("time.parse_ns", "2006-01-02 15:04:05.000", "2015-02-03 10:04:05.120")).toBe("1422957845120000000");
    expect(call("time.parse_ns", "2006-01-02 15:04:05.999", "2015-02-03 10:04:05")).toBe("1422957845000000000");
    expect(call("time.parse_ns", "2006-01-02 15:04:05", "2015-02-03 10:04:05,123456789123")).toBe("1422957845123456789");
    expect(call("time.parse_ns", "Jan _2 002 2006", "Mar  1 061 2020")).toBe("1583020800000000000");
  });

  it("keeps the int64 range exactly", () => {
    expect(call("time.parse_rfc3339_ns", "1677-09-21T00:12:43.145224192-00:00")).toBe("-9223372036854775808");
    expect(call("time.parse_rfc3339_ns", "2262-04-11T23:47:16.854775807-00:00")).toBe("9223372036854775807");
    expect(call("time.parse_rfc3339_ns", "1677-09-21T00:12:43.145224191-00:00")).toBe("eval_builtin_error: time outside of valid range");
    expect(call("time.parse_ns", RFC3339, "2262-04-11T23:47:16.854775808-00:00")).toBe("eval_builtin_error: time outside of valid range");
  });

  it("reports Go's parse errors", () => {
    expect(call("time.parse_ns", RFC3339, "garbage")).toBe(
      'eval_builtin_error: parsing time "garbage" as "2006-01-02T15:04:05Z07:00": cannot parse "garbage" as "2006"',
    );
    expect(call("time.parse_ns", RFC3339, "2017-13-02T19:00:00Z")).toBe(
      'eval_builtin_error: parsing time "2017-13-02T19:00:00Z": month out of range',
    );
    expect(call("time.parse_ns", "2006-01-02", "2021-02-29")).toBe('eval_builtin_error: parsing time "2021-02-29": day out of range');
    expect(call("time.parse_ns", "2006-01-02", "2021-02-28x")).toBe('eval_builtin_error: parsing time "2021-02-28x": extra text: "x"');
    expect(call("time.parse_ns", 1, "x")).toBe("eval_type_error: operand 1 must be string but got number");
    expect(call("time.parse_rfc3339_ns", null)).toBe("eval_type_error: operand 1 must be string but got null");
  });
});

describe("time.parse_duration_ns", () => {
  it("follows Go's ParseDuration", () => {
    expect(call("time.parse_duration_ns", "100ms")).toBe("100000000");
    expect(call("time.parse_duration_ns", "1.5h")).toBe("5400000000000");
    expect(call("time.parse_duration_ns", "-2h45m3.000000001s")).toBe("-9903000000001");
    expect(call("time.parse_duration_ns", "1us")).toBe("1000");
    expect(call("time.parse_duration_ns", "1\u00b5s")).toBe("1000");
    expect(call("time.parse_duration_ns", ".5s")).toBe("500000000");
    expect(call("time.parse_duration_ns", "0")).toBe("0");
    expect(call("time.parse_duration_ns", "2562047h47m16.854775807s")).toBe("9223372036854775807");
    expect(call("time.parse_duration_ns", "-2562047h47m16.854775808s")).toBe("-9223372036854775808");
  });

  it("reports Go's errors", () => {
    expect(call("time.parse_duration_ns", "")).toBe('eval_builtin_error: time: invalid duration ""');
    expect(call("time.parse_duration_ns", "1")).toBe('eval_builtin_error: time: missing unit in duration "1"');
    expect(call("time.parse_duration_ns", "1x")).toBe('eval_builtin_error: time: unknown unit "x" in duration "1x"');
    expect(call("time.parse_duration_ns", "3000000h")).toBe('eval_builtin_error: time: invalid duration "3000000h"');
    expect(call("time.parse_duration_ns", ".s")).toBe('eval_builtin_error: time: invalid duration ".s"');
  });
});

describe("time.date / clock / weekday", () => {
  it("reads the calendar in UTC or a named zone", () => {
    expect(call("time.date", 1517814000000000000)).toBe("[2018,2,5]");
    expect(call("time.date", [1517814000000000000, "America/Los_Angeles"])).toBe("[2018,2,4]");
    expect(call("time.date", [1517832000000000000, ""])).toBe("[2018,2,5]");
    expect(call("time.date", 1582977600000000000)).toBe("[2020,2,29]");
    expect(call("time.date", -9223372036854775808n)).toBe("[1677,9,21]");
    expect(call("time.clock", 1517832000000000000)).toBe("[12,0,0]");
    expect(call("time.clock", [1517832000000000000, "America/New_York"])).toBe("[7,0,0]");
    expect(call("time.clock", [1517832000000000000, "Asia/Kolkata"])).toBe("[17,30,0]");
    expect(call("time.weekday", 1517832000000000000)).toBe('"Monday"');
    expect(call("time.weekday", 1518350400000000000)).toBe('"Sunday"');
    // Kiritimati was UTC-10:40 in 1970 (it moved across the date line in 1995).
    expect(call("time.weekday", [0, "Pacific/Kiritimati"])).toBe('"Wednesday"');
    expect(call("time.weekday", [0, "Asia/Tokyo"])).toBe('"Thursday"');
  });

  it("rejects what OPA rejects", () => {
    expect(call("time.date", 1582977600 * 10e12)).toBe("eval_builtin_error: timestamp too big");
    expect(call("time.date", 1.5)).toBe("eval_builtin_error: timestamp too big");
    expect(call("time.clock", 2n ** 63n)).toBe("eval_builtin_error: timestamp too big");
    expect(call("time.date", "x")).toBe(
      "eval_type_error: operand 1 must be either number (ns) or [number (ns), string (tz)] but got string",
    );
    expect(call("time.date", [])).toBe("eval_type_error: operand 1 must be either number (ns) or [number (ns), string (tz)] but got array");
    expect(call("time.date", ["x"])).toBe("eval_type_error: operand 1 must be number but got string");
    expect(call("time.date", [0, 1])).toBe("eval_type_error: operand 1 must be string but got number");
    expect(call("time.date", [0, "Mars/Olympus"])).toBe("eval_builtin_error: unknown time zone Mars/Olympus");
    expect(call("time.date", [0, "america/new_york"])).toBe("eval_builtin_error: unknown time zone america/new_york");
  });
});

describe("time.add_date / diff", () => {
  it("adds like Go's AddDate, normalising overflow", () => {
    expect(call("time.add_date", 1585852421593912000n, 3, 9, 12)).toBe("1705257221593912000");
    expect(call("time.add_date", 1585852421593912000n, -1, -1, -1)).toBe("1551465221593912000");
    // 2021-01-31 + 1 month is 2021-03-03.
    const jan31 = call("time.parse_ns", "2006-01-02", "2021-01-31");
    expect(call("time.add_date", BigInt(jan31), 0, 1, 0)).toBe(call("time.parse_ns", "2006-01-02", "2021-03-03"));
    // Wall-clock arithmetic in a zone keeps the local time across a DST change.
    const r = call("time.add_date", [1585852421593912000n, "America/New_York"], 0, 0, 220);
    expect(call("time.clock", [BigInt(r), "America/New_York"])).toBe(call("time.clock", [1585852421593912000n, "America/New_York"]));
    expect(call("time.add_date", 0, 2262, 1, 1)).toBe("eval_builtin_error: time outside of valid range");
    expect(call("time.add_date", -9223372036854775808n, 0, 0, -1)).toBe("eval_builtin_error: time outside of valid range");
    expect(call("time.add_date", 0, 1.5, 0, 0)).toBe("eval_type_error: operand 2 must be integer number but got floating-point number");
  });

  it("diffs as OPA does", () => {
    const p = (s: string) => BigInt(call("time.parse_ns", "2006-01-02", s));
    expect(call("time.diff", p("2020-02-02"), p("2020-03-01"))).toBe("[0,0,28,0,0,0]");
    expect(call("time.diff", p("2021-02-02"), p("2021-03-01"))).toBe("[0,0,27,0,0,0]");
    expect(call("time.diff", p("2004-02-29"), p("2005-03-01"))).toBe("[1,0,1,0,0,0]");
    const now = NOW;
    expect(call("time.diff", now + 61_000_000_000n, now)).toBe("[0,0,0,0,1,1]");
    expect(call("time.diff", [now + 60_000_000_000n, "UTC"], [now, "Asia/Shanghai"])).toBe("[0,0,0,0,1,0]");
  });
});

describe("time.format", () => {
  const t = 1670006453141828752n;
  it("formats with zones, layouts and layout names", () => {
    expect(call("time.format", t)).toBe('"2022-12-02T18:40:53.141828752Z"');
    expect(call("time.format", [t, "Asia/Kolkata"])).toBe('"2022-12-03T00:10:53.141828752+05:30"');
    expect(call("time.format", [t, "Asia/Kolkata", "Mon Jan 02 15:04:05 -0700 2006"])).toBe('"Sat Dec 03 00:10:53 +0530 2022"');
    expect(call("time.format", [t, "Asia/Kolkata", "RFC1123Z"])).toBe('"Sat, 03 Dec 2022 00:10:53 +0530"');
    expect(call("time.format", [t, "UTC", "RFC1123"])).toBe('"Fri, 02 Dec 2022 18:40:53 UTC"');
    expect(call("time.format", [t, "America/Los_Angeles", "UnixDate"])).toBe('"Fri Dec  2 10:40:53 PST 2022"');
    expect(call("time.format", [t, "Asia/Kolkata", "RFC850"])).toBe('"Saturday, 03-Dec-22 00:10:53 IST"');
    expect(call("time.format", [t, "", "3:04PM .000 .999999 __2 002 January Z07 -07:00:00"])).toBe(
      '"6:40PM .141 .141828 336 336 December Z +00:00:00"',
    );
    expect(call("time.format", [0, "Asia/Dubai", "MST -07"])).toBe('"+04 +04"');
  });

  it("rejects timestamps beyond int64", () => {
    expect(call("time.format", 1582977600 * 10e12)).toBe("eval_builtin_error: timestamp too big");
  });
});

describe("time.now_ns", () => {
  it("is the evaluation's clock", () => {
    expect(call("time.now_ns")).toBe("1670006453141828752");
  });
});

describe("json.filter / json.remove", () => {
  const doc = J('{"a": {"b": {"c": 7, "d": 8}}, "e": 9}');
  it("filters by string and array paths", () => {
    expect(call("json.filter", doc, RSet.from(["a/b/c"]))).toBe('{"a":{"b":{"c":7}}}');
    expect(call("json.filter", doc, ["a/b/c", "e"])).toBe('{"a":{"b":{"c":7}},"e":9}');
    expect(call("json.filter", doc, RSet.from([["a", "b", "c"], ["e"]]))).toBe('{"a":{"b":{"c":7}},"e":9}');
    expect(call("json.filter", J('{"a": {"b": 7}}'), RSet.from(["a", "a/b"]))).toBe('{"a":{"b":7}}');
    expect(call("json.filter", J('{"a": [{"b": 7, "c": 8}, {"d": 9}]}'), RSet.from(["a/0/b", "a/1"]))).toBe('{"a":[{"b":7},{"d":9}]}');
    expect(call("json.filter", J('{"a/b": 1, "m~n": 2, "x": 3}'), ["/a~1b", "m~0n"])).toBe('{"a/b":1,"m~n":2}');
    expect(call("json.filter", J('{"a": 7}'), new RSet())).toBe("{}");
  });

  it("removes by string and array paths", () => {
    expect(call("json.remove", doc, RSet.from(["a/b/c", "e"]))).toBe('{"a":{"b":{"d":8}}}');
    expect(call("json.remove", J('{"a": {"b": 7}, "c": 1}'), RSet.from(["a", "a/b"]))).toBe('{"c":1}');
    expect(call("json.remove", J('{"a": [{"b": 7, "c": 8}, {"d": 9}]}'), RSet.from(["a/0/b", "a/1"]))).toBe('{"a":[{"c":8}]}');
    expect(call("json.remove", J('{"a": {"b": 2, "c": 3}}'), RSet.from([""]))).toBe('{"a":{"b":2,"c":3}}');
  });

  it("reports OPA's operand errors", () => {
    expect(call("json.remove", "foo", RSet.from(["a"]))).toBe("eval_type_error: operand 1 must be object but got string");
    expect(call("json.remove", J("{}"), "foo")).toBe("eval_type_error: operand 2 must be one of {set, array} but got string");
    expect(call("json.remove", J("{}"), RSet.from([1, 2, 3, "a"]))).toBe(
      "eval_type_error: operand 2 must be one of {set, array} containing string paths or array of path segments but got number",
    );
    expect(call("json.filter", J("{}"), RSet.from(["a", J('{"x": 1}')]))).toBe(
      "eval_type_error: operand 2 must be one of {set, array} containing string paths or array of path segments but got object",
    );
  });
});

describe("json.patch", () => {
  const patch = (doc: string, ops: string) => call("json.patch", J(doc), J(ops));

  it("applies RFC 6902 operations", () => {
    expect(patch('{"foo": "bar"}', '[{"op": "add", "path": "/baz", "value": "qux"}]')).toBe('{"baz":"qux","foo":"bar"}');
    expect(patch('{"foo": ["bar", "baz"]}', '[{"op": "add", "path": "/foo/1", "value": "qux"}]')).toBe('{"foo":["bar","qux","baz"]}');
    expect(patch('{"foo": ["bar"]}', '[{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}]')).toBe('{"foo":["bar",["abc","def"]]}');
    expect(patch('{"foo": ["all", "grass", "cows", "eat"]}', '[{"op": "move", "from": "/foo/1", "path": "/foo/3"}]')).toBe(
      '{"foo":["all","cows","eat","grass"]}',
    );
    expect(patch('{"baz": [{"qux": "hello"}], "bar": 1}', '[{"op": "copy", "from": "/baz/0", "path": "/boo"}]')).toBe(
      '{"bar":1,"baz":[{"qux":"hello"}],"boo":{"qux":"hello"}}',
    );
    expect(patch("[1, 2, 3, 4]", '[{"op": "remove", "path": "/1"}, {"op": "remove", "path": "/2"}]')).toBe("[1,3]");
    expect(patch('{"foo": "bar"}', '[{"op": "replace", "path": "", "value": {"baz": "qux"}}]')).toBe('{"baz":"qux"}');
    expect(patch('{"/": 9, "~1": 10}', '[{"op": "test", "path": "/~01", "value": 10}]')).toBe('{"/":9,"~1":10}');
    expect(patch("{}", '[{"op": "add", "path": "/", "value": 1}]')).toBe('{"":1}');
    expect(patch('{"foo": {}}', '[{"op": "add", "path": "/foo/", "value": 1}]')).toBe('{"foo":{"":1}}');
    expect(patch('{"foo": 1}', '[{"op": "move", "from": "/foo", "path": "/foo"}]')).toBe('{"foo":1}');
  });

  it("is undefined when an operation fails", () => {
    const failing = [
      ['{"q": {"bar": 2}}', '[{"op": "add", "path": "/a/b", "value": 1}]'],
      ['{"baz": "qux"}', '[{"op": "test", "path": "/baz", "value": "bar"}]'],
      ['{"/": 9, "~1": 10}', '[{"op": "test", "path": "/~01", "value": "10"}]'],
      ['{"bar": [1, 2]}', '[{"op": "add", "path": "/bar/8", "value": "5"}]'],
      ['{"bar": [1, 2]}', '[{"op": "add", "path": "/bar/-1", "value": "5"}]'],
      ['["foo", "bar"]', '[{"op": "test", "path": "/1e0", "value": "bar"}]'],
      ['["foo", "bar"]', '[{"op": "test", "path": "/01", "value": "bar"}]'],
      ['["foo", "sil"]', '[{"op": "add", "path": "/bar", "value": 42}]'],
      ["{}", '[{"op": "add", "value": "bar"}]'],
      ["{}", '[{"op": "add", "path": null, "value": "bar"}]'],
      ["[1]", '[{"op": "replace", "path": "/0"}]'],
      ["[1]", '[{"op": "copy", "path": "/-"}]'],
      ['{"foo": 1}', '[{"op": "move", "from": "/bar", "path": "/foo"}]'],
      ['{"foo": 1}', '[{"op": "spam", "path": "/foo", "value": 1}]'],
      ['["foo", "bar"]', '[{"op": "remove", "path": "/2"}]'],
      ['{"foo": "bar"}', '[{"op": "remove", "path": "/missing1/missing2"}]'],
      ["[1, 2, 3]", '[{"op": "add", "path": "1.2", "value": "foo"}]'],
      ['{"foo": 1}', "[1]"],
    ];
    for (const [doc, ops] of failing) expect(patch(doc as string, ops as string), `${doc} ${ops}`).toBe("undefined");
  });

  it("patches sets, where a member is its own key", () => {
    const doc = J('{"foo": null}');
    const sets = (members: Value[]) => {
      const d = doc as unknown as { set(k: Value, v: Value): void };
      d.set("foo", RSet.from(members));
      return doc;
    };
    expect(call("json.patch", sets(["a", "b", "c"]), J('[{"op": "remove", "path": "foo/b"}]'))).toBe('{"foo":["a","c"]}');
    expect(call("json.patch", sets(["a", "b", "c"]), J('[{"op": "add", "path": "foo/d", "value": "d"}]'))).toBe(
      '{"foo":["a","b","c","d"]}',
    );
    expect(call("json.patch", sets(["a", "b", "c"]), J('[{"op": "add", "path": "foo/d", "value": "e"}]'))).toBe("undefined");
    expect(call("json.patch", RSet.from([[1]]), J('[{"op": "add", "path": [[1], 1], "value": 2}]'))).toBe("[[1,2]]");
  });

  it("requires an array of operations", () => {
    expect(call("json.patch", J("{}"), J("{}"))).toBe("eval_type_error: operand 2 must be array but got object");
  });
});

describe("json.match_schema / json.verify_schema", () => {
  const schema = J('{"properties": {"id": {"type": "integer"}}, "required": ["id"]}');

  it("matches documents given as values or JSON text", () => {
    expect(call("json.match_schema", J('{"id": 5}'), schema)).toBe("[true,[]]");
    expect(call("json.match_schema", '{"id": 5}', schema)).toBe("[true,[]]");
    expect(call("json.match_schema", J('{"id": 5}'), toJSONText(schema))).toBe("[true,[]]");
  });

  it("reports gojsonschema's errors", () => {
    expect(call("json.match_schema", J('{"id": "foo"}'), schema)).toBe(
      '[false,[{"desc":"Invalid type. Expected: integer, given: string","error":"id: Invalid type. Expected: integer, given: string","field":"id","type":"invalid_type"}]]',
    );
    expect(call("json.match_schema", J("{}"), schema)).toBe(
      '[false,[{"desc":"id is required","error":"(root): id is required","field":"(root)","type":"required"}]]',
    );
    const s = J(
      '{"type": "object", "additionalProperties": false, "properties": {"a": {"type": "array", "uniqueItems": true, "items": {"maximum": 1}}, "c": {"multipleOf": 0.5, "enum": [1, "x"]}}}',
    );
    const r = JSON.parse(call("json.match_schema", J('{"a": [1, 2, 2], "c": 0.75, "z": 1}'), s)) as [
      boolean,
      { error: string; type: string }[],
    ];
    expect(r[0]).toBe(false);
    expect(r[1].map((e) => `${e.type} | ${e.error}`)).toEqual([
      "additional_property_not_allowed | (root): Additional property z is not allowed",
      "number_lte | a.1: Must be less than or equal to 1",
      "number_lte | a.2: Must be less than or equal to 1",
      "unique | a: array items[1,2] must be unique",
      "multiple_of | c: Must be a multiple of 0.5",
      'enum | c: c must be one of the following: 1, "x"',
    ]);
  });

  it("reports the closest anyOf branch and follows $ref", () => {
    const r = call("json.match_schema", J('{"x": 1}'), J('{"anyOf": [{"type": "string"}, {"required": ["y"]}]}'));
    expect(r).toContain("Must validate at least one schema (anyOf)");
    expect(r).toContain("(root): y is required");
    const tree = J(
      '{"definitions": {"node": {"type": "object", "properties": {"n": {"$ref": "#/definitions/node"}, "v": {"type": "integer"}}}}, "$ref": "#/definitions/node"}',
    );
    expect(call("json.match_schema", J('{"n": {"n": {"v": "x"}}}'), tree)).toContain('"field":"n.n.v"');
  });

  it("checks formats", () => {
    const s = J('{"properties": {"d": {"format": "date-time"}, "e": {"format": "email"}, "i": {"format": "ipv4"}}}');
    expect(call("json.match_schema", J('{"d": "2020-01-01T00:00:00Z", "e": "a@b.c", "i": "10.0.0.1"}'), s)).toBe("[true,[]]");
    expect(call("json.match_schema", J('{"d": "2020-13-01T00:00:00Z"}'), s)).toContain("Does not match format 'date-time'");
    expect(call("json.match_schema", J('{"i": "::1"}'), s)).toContain("Does not match format 'ipv4'");
  });

  it("rejects invalid schemas with gojsonschema's messages", () => {
    const unknown = J('{"properties": {"id": {"type": "unknown"}}}');
    expect(call("json.match_schema", J("{}"), unknown)).toBe(
      "eval_builtin_error: has a primitive type that is NOT VALID -- given: /unknown/ Expected valid values are:[array boolean integer number null object string]",
    );
    expect(call("json.verify_schema", '{"type": "boolean"}')).toBe("[true,null]");
    expect(call("json.verify_schema", J('{"type": "unknown_type"}'))).toBe(
      '[false,"jsonschema: has a primitive type that is NOT VALID -- given: /unknown_type/ Expected valid values are:[array boolean integer number null object string]"]',
    );
    expect(call("json.verify_schema", '{"type":')).toBe('[false,"jsonschema: invalid JSON string"]');
    expect(call("json.verify_schema", 5)).toBe('[false,"jsonschema: wrong type, expected string or object"]');
    expect(call("json.verify_schema", J('{"minLength": -1}'))).toBe('[false,"jsonschema: minLength must be greater than or equal to 0"]');
    expect(call("json.verify_schema", J('{"pattern": "(?!x)"}'))).toBe('[false,"jsonschema: pattern must be a valid regex"]');
    expect(call("json.match_schema", 5, J("{}"))).toBe("eval_builtin_error: wrong type, expected string or object");
  });
});

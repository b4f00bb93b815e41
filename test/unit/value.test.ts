import { describe, expect, it } from "vitest";
import { RObject, RSet, compare, equals, parseJSON, toJSONText, termString } from "../../workers/rego/value/index.js";

describe("value model", () => {
  it("keeps big integers exact through JSON", () => {
    const v = parseJSON('{"a": 18446744073709551614, "b": -9223372036854775808, "c": 1.5}');
    expect(toJSONText(v)).toBe('{"a":18446744073709551614,"b":-9223372036854775808,"c":1.5}');
  });

  it("orders values as Rego does", () => {
    const vals = [RSet.from([1]), RObject.fromRecord({ a: 1 }), [1], "a", 1, true, null];
    const sorted = [...vals].sort(compare);
    expect(sorted.map(termString)).toEqual(["null", "true", "1", '"a"', "[1]", '{"a": 1}', "{1}"]);
  });

  it("compares composite keys by value", () => {
    const o = new RObject();
    o.set([1, "a"], 1);
    o.set(RSet.from([2, 1]), 2);
    expect(o.get([1, "a"])).toBe(1);
    expect(o.get(RSet.from([1, 2]))).toBe(2);
    expect(o.has("a")).toBe(false);
    const s = RSet.from(["\0x", "x", 1, 1.0, 2n ** 60n, 2n ** 60n]);
    expect(s.size).toBe(4);
  });

  it("treats numbers equal across representations", () => {
    expect(equals(parseJSON("1.0"), 1)).toBe(true);
    expect(equals(parseJSON("1e30"), parseJSON("1000000000000000000000000000000"))).toBe(true);
    expect(equals(RObject.fromRecord({ a: [1, 2] }), RObject.fromRecord({ a: [1, 2] }))).toBe(true);
    expect(equals(RObject.fromRecord({ a: [1, 2] }), RObject.fromRecord({ a: [2, 1] }))).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import {
  LONG_KEY,
  RObject,
  RSet,
  compare,
  equals,
  fromJS,
  hashKey,
  parseJSON,
  toJS,
  toJSONText,
  termString,
} from "../../workers/rego/value/index.js";

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

describe("objects converted from JavaScript", () => {
  it("equal the same entries set one by one, small and large, with keys that need escaping", () => {
    for (const n of [0, 1, 5, 16, 17, 40]) {
      const rec: Record<string, unknown> = { "\u0000x": 1, "": 2 };
      for (let i = 0; i < n; i++) rec[`k${i}`] = i % 3 === 0 ? undefined : { v: i };
      const converted = fromJS(rec) as RObject;
      const built = new RObject();
      for (const [k, v] of Object.entries(rec)) if (v !== undefined) built.set(k, fromJS(v));
      expect(equals(converted, built)).toBe(true);
      expect(converted.keys()).toEqual(built.keys());
      expect(converted.getString("\u0000x")).toBe(1);
      expect(converted.has("k0")).toBe(false);
      converted.set("\u0000x", 3); // still an ordinary object afterwards
      expect(converted.getString("\u0000x")).toBe(3);
      expect(converted.size).toBe(built.size);
    }
  });
});

describe("objects lowered to JavaScript", () => {
  it("keep a __proto__ key as an own property, near the root and below the direct depth", () => {
    const text = '{"__proto__": {"polluted": true}, "a": 1}';
    let nested = text;
    for (let i = 0; i < 300; i++) nested = `{"n": ${nested}}`;
    for (const [source, path] of [
      [text, 0],
      [nested, 300],
    ] as const) {
      let o = toJS(parseJSON(source)) as Record<string, unknown>;
      for (let i = 0; i < path; i++) o = o.n as Record<string, unknown>;
      expect(Object.keys(o)).toEqual(["__proto__", "a"]);
      expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
      expect(JSON.stringify(o)).toBe('{"__proto__":{"polluted":true},"a":1}');
    }
  });
});

describe("long hash keys", () => {
  it("keep sets and objects exact for strings and composites past V8's hashed length", () => {
    const base = "x".repeat(LONG_KEY + 10);
    const a = `${base}a`;
    const b = `${base}b`;
    const set = RSet.from([a, b, `${base}a`, [a], [`${base}a`], `\0${base}`]);
    expect(set.size).toBe(4);
    expect(set.has(a) && set.has(b) && set.has([a]) && set.has(`\0${base}`)).toBe(true);
    expect(set.has(`${base}c`) || set.has([b]) || set.has(base)).toBe(false);
    const obj = new RObject();
    obj.set(a, 1);
    obj.set(b, 2);
    obj.set(`${base}a`, 3);
    expect([obj.size, obj.getString(a), obj.get(b), obj.getString(`${base}c`)]).toEqual([2, 3, 2, undefined]);
    expect(obj.keys()).toEqual([a, b]);
    expect(hashKey(a)).not.toBe(hashKey(b));
    expect(hashKey(a)).toBe(hashKey(`${base}a`));
    // A string spelling an array's canonical text is another key, asked for right after the array's or before it.
    const text = JSON.stringify([a]);
    expect(RSet.from([[a], text, [a]]).size).toBe(2);
    expect(RSet.from([text, [a], text]).size).toBe(2);
  });
});

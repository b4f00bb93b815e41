import { describe, expect, it } from "vitest";
import { GoJSONError, quoteJSON, unmarshalJSON, validJSON } from "../../../workers/rego/goruntime/json.js";
import { REGO_JSON } from "../../../workers/rego/builtins/govalues.js";
import { RObject, RSet, fromJS, toIndentedJSONText, toJSONText } from "../../../workers/rego/value/index.js";

// Expected texts are what Go's encoding/json (and OPA's json.marshal) write.
describe("encoding/json as Go writes it", () => {
  it("quotes strings HTML-safe, escapes U+2028/9 and writes a lone surrogate as U+FFFD", () => {
    expect(quoteJSON('<a href="x">&</a>')).toBe('"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"');
    expect(quoteJSON("\u2028\u2029\n\x01é")).toBe('"\\u2028\\u2029\\n\\u0001é"');
    expect(quoteJSON("a\ud800b")).toBe('"a\\ufffdb"');
  });

  it("sorts keys by code point, writes sets as arrays and keeps the last of colliding keys", () => {
    const o = new RObject();
    o.set("\u{10000}", 1);
    o.set("\uffff", 2);
    o.set("b", RSet.from([2, 1]));
    expect(toJSONText(o)).toBe('{"b":[1,2],"\uffff":2,"\u{10000}":1}');
    const clash = new RObject();
    clash.set("1", "string key");
    clash.set(1, "number key");
    expect(toJSONText(clash)).toBe('{"1":"string key"}');
  });

  it("indents as MarshalIndent, empty collections staying closed", () => {
    const v = fromJS({ a: [1, []], b: {} });
    expect(toIndentedJSONText(v, ">", "  ")).toBe('{\n>  "a": [\n>    1,\n>    []\n>  ],\n>  "b": {}\n>}');
  });

  it("decodes into Rego values through the builder, with Go's messages", () => {
    const v = unmarshalJSON('{"a": 1, "a": 18446744073709551616, "b": [true, null, "x"]}', REGO_JSON);
    expect(toJSONText(v)).toBe('{"a":18446744073709551616,"b":[true,null,"x"]}');
    expect(() => unmarshalJSON("[1,", REGO_JSON)).toThrow(new GoJSONError("unexpected EOF"));
    expect(() => unmarshalJSON("{1}", REGO_JSON)).toThrow("invalid character '1' looking for beginning of object key string");
    expect(validJSON(" [1] ", REGO_JSON)).toBe(true);
    expect(validJSON("[1] 2", REGO_JSON)).toBe(false);
  });
});

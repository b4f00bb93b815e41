/**
 * Signed-bundle file hashes must be OPA's (bundle/hash.go, bundle/verify.go): a bundle signed with
 * `opa sign` has to verify here. No opa binary exists on this machine, so the expected values come
 * from test/opa-hash-reference.ts (an independent reimplementation of OPA's algorithm) and, for the
 * vectors below, from canonical texts worked out by hand from OPA's rules.
 */
import { describe, expect, it } from "vitest";
import { canonicalStructuredText, isStructuredDoc, UnhashableFile } from "../../../workers/bundle/opa-hash.js";
import { referenceCanonicalJSON, VECTOR_JSON, VECTOR_JSON_CANONICAL } from "../../opa-hash-reference.js";

describe("OPA's signed-bundle file hashing", () => {
  it("writes JSON data canonically, keeping number literals, in Go's key order and escapes", () => {
    expect(referenceCanonicalJSON(VECTOR_JSON)).toBe(VECTOR_JSON_CANONICAL);
    expect(canonicalStructuredText(VECTOR_JSON)).toBe(VECTOR_JSON_CANONICAL);
  });

  it("agrees with the reference on more documents", () => {
    const docs = [
      "[]",
      "  1.0  ",
      '"x"',
      '{"a":[{"c":1,"b":[1E+2,0.000001,-1e-7]}],"B":{"é":1,"e":2,"z":3}}',
      '{"roots":["payments","lib"],"revision":"2026-12-01.1","metadata":{"package":"payments"}}',
      '{"k\\u0000\\u001f\\u007f":"\\u003c\\u003e\\u0026"}',
    ];
    for (const d of docs) expect(canonicalStructuredText(d)).toBe(referenceCanonicalJSON(d));
  });

  it("drops a leading byte order mark, as OPA's util.Unmarshal does", () => {
    expect(canonicalStructuredText('\ufeff{"b": 1.50, "a": 1}')).toBe('{"a":1,"b":1.50}');
  });

  it("hashes YAML as the JSON sigs.k8s.io/yaml writes for it (a data.yaml that is valid JSON stays JSON)", () => {
    const yaml = "b: 1.50\nc: 2.0\na:\n  - 1e3\n  - 1.0e+3\n  - yes\n  - 'x<y'\n  - {z: 1, y: null}\n";
    // go-yaml v2 (YAML 1.1): 1.50 and 2.0 are floats (written 1.5 and 2), 1e3 (no exponent sign) is a
    // string, yes is true, and so is the key y, which becomes the JSON key "true"
    expect(canonicalStructuredText(yaml)).toBe('{"a":["1e3",1000,true,"x<y",{"true":null,"z":1}],"b":1.5,"c":2}');
    expect(canonicalStructuredText('{"b": 1.50, "a": [1e3]}')).toBe('{"a":[1e3],"b":1.50}');
    expect(() => canonicalStructuredText("x: .nan\n")).toThrow(UnhashableFile);
  });

  it("treats data.json, data.yaml and the manifest as structured, anything else as bytes", () => {
    expect(["data.json", "roles/data.json", "a/b/data.yaml", ".manifest"].every(isStructuredDoc)).toBe(true);
    expect(["policy.rego", "roles/data.yml", "x.json", "data.json.bak"].some(isStructuredDoc)).toBe(false);
  });
});

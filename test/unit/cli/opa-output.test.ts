/** `caracal eval`'s output formats and OPA's error rendering, against what `opa` prints. */
import { describe, expect, it } from "vitest";
import {
  boxTable,
  type EvalResult,
  errorsString,
  formatEvalErrors,
  formatEvalResults,
  goDuration,
  goJSON,
} from "../../../cli/local/opa-output.js";

const loc = { row: 1, col: 1 };
const single: EvalResult[] = [{ expressions: [{ value: { b: [1, 2], a: "<&>" }, text: "data.p", location: loc }], bindings: {} }];
const bound: EvalResult[] = [
  { expressions: [{ value: true, text: "x := data.r[k]", location: loc }], bindings: { x: 1, k: "a" } },
  { expressions: [{ value: true, text: "x := data.r[k]", location: loc }], bindings: { x: "two", k: "b" } },
];

describe("goJSON (Go's encoding/json)", () => {
  it("sorts object keys, escapes HTML characters and keeps big integers exact", () => {
    expect(goJSON({ z: 1, a: "<a href='x'>&</a>", m: 12345678901234567890n })).toBe(
      '{"a":"\\u003ca href=\'x\'\\u003e\\u0026\\u003c/a\\u003e","m":12345678901234567890,"z":1}',
    );
  });

  it("indents with two spaces and writes empty containers inline", () => {
    expect(goJSON({ a: [], b: {}, c: [true, null] }, 2)).toBe('{\n  "a": [],\n  "b": {},\n  "c": [\n    true,\n    null\n  ]\n}');
  });
});

describe("opa eval formats", () => {
  it("json: the result set with expressions, bindings when there are any, and {} when undefined", () => {
    const out = formatEvalResults(bound, "json").stdout;
    const parsed = JSON.parse(out);
    expect(parsed.result[0]).toEqual({ expressions: [{ value: true, text: "x := data.r[k]", location: loc }], bindings: { k: "a", x: 1 } });
    expect(out).toContain('"bindings": {\n        "k": "a",\n        "x": 1\n      }');
    expect(JSON.parse(formatEvalResults(single, "json").stdout).result[0]).not.toHaveProperty("bindings");
    expect(formatEvalResults([], "json").stdout).toBe("{}\n");
  });

  it("values: one indented array of the expression values per result", () => {
    expect(formatEvalResults(bound, "values").stdout).toBe("[\n  true\n]\n[\n  true\n]\n");
    expect(formatEvalResults([], "values").stdout).toBe("");
  });

  it("bindings: one indented object per result, {} for a result without bindings", () => {
    expect(formatEvalResults(bound, "bindings").stdout).toBe('{\n  "k": "a",\n  "x": 1\n}\n{\n  "k": "b",\n  "x": "two"\n}\n');
    expect(formatEvalResults(single, "bindings").stdout).toBe("{}\n");
  });

  it("raw: strings bare, other values as compact JSON, expressions space-separated, a line per result", () => {
    const two: EvalResult[] = [
      {
        expressions: [
          { value: "one", text: "a", location: loc },
          { value: { key: [] }, text: "b", location: loc },
        ],
        bindings: {},
      },
      {
        expressions: [
          { value: "two", text: "a", location: loc },
          { value: 2, text: "b", location: loc },
        ],
        bindings: {},
      },
    ];
    expect(formatEvalResults(two, "raw").stdout).toBe('one {"key":[]}\ntwo 2\n');
  });

  it("pretty: undefined, a single value as indented JSON, else a table (bindings sorted, then non-boolean expressions)", () => {
    expect(formatEvalResults([], "pretty").stdout).toBe("undefined\n");
    expect(formatEvalResults(single, "pretty").stdout).toBe('{\n  "a": "\\u003c\\u0026\\u003e",\n  "b": [\n    1,\n    2\n  ]\n}\n');
    expect(formatEvalResults(bound, "pretty").stdout).toBe(
      ["┌─────┬───────┐", "│  k  │   x   │", "├─────┼───────┤", '│ "a" │ 1     │', '│ "b" │ "two" │', "└─────┴───────┘", ""].join("\n"),
    );
  });

  it("pretty: all-boolean expressions without bindings print the first value; mixed ones a column each", () => {
    const bools: EvalResult[] = [
      {
        expressions: [
          { value: true, text: "a", location: loc },
          { value: true, text: "b", location: loc },
        ],
        bindings: {},
      },
    ];
    expect(formatEvalResults(bools, "pretty").stdout).toBe("true\n");
    const mixed: EvalResult[] = [
      {
        expressions: [
          { value: true, text: "x > 0", location: loc },
          { value: [1], text: "[1]", location: loc },
        ],
        bindings: {},
      },
    ];
    expect(formatEvalResults(mixed, "pretty").stdout).toBe(
      "┌───────┬─────┐\n│ x > 0 │ [1] │\n├───────┼─────┤\n│ true  │ [1] │\n└───────┴─────┘\n",
    );
  });

  it("boxTable centres headers (extra space on the right) and left-aligns cells", () => {
    expect(boxTable(["ab"], [["abcde"]])).toBe("┌───────┐\n│  ab   │\n├───────┤\n│ abcde │\n└───────┘\n");
  });
});

describe("errors as opa prints them", () => {
  const sources = new Map([
    ["policy.rego", "package p\n\nallow if {\n\tx := [1,\n}\n"],
    ["", "x := "],
    ["utf8.rego", 'package p\nr := "é" +\n'],
  ]);
  const parse = (file: string, row: number, col: number, message = "unexpected } token") => ({
    code: "rego_parse_error" as const,
    message,
    location: { file, row, col },
  });

  it("one error: `1 error occurred:`, file:row, then the source line and a caret under the column", () => {
    expect(errorsString([parse("policy.rego", 5, 1)], sources)).toBe(
      "1 error occurred: policy.rego:5: rego_parse_error: unexpected } token\n\t}\n\t^",
    );
  });

  it("a query error has no file: row:col", () => {
    expect(errorsString([parse("", 1, 6, "unexpected eof token")], sources)).toBe(
      "1 error occurred: 1:6: rego_parse_error: unexpected eof token\n\tx := \n\t     ^",
    );
  });

  it("drops the line's leading tabs and moves the caret by as many; counts bytes as OPA does", () => {
    expect(errorsString([parse("policy.rego", 4, 8)], sources)).toBe(
      "1 error occurred: policy.rego:4: rego_parse_error: unexpected } token\n\tx := [1,\n\t      ^",
    );
    const json = JSON.parse(formatEvalErrors([parse("utf8.rego", 2, 11)], sources, "json").stdout);
    expect(json.errors[0].details).toEqual({ line: 'r := "é" +', idx: 11 });
  });

  it("several errors: a count line, then one error a line; only parse errors carry the source line", () => {
    const unsafe = {
      code: "rego_unsafe_var_error" as const,
      message: "var x is unsafe",
      location: { file: "policy.rego", row: 4, col: 2 },
    };
    expect(errorsString([parse("policy.rego", 5, 1), unsafe], sources)).toBe(
      "2 errors occurred:\npolicy.rego:5: rego_parse_error: unexpected } token\n\t}\n\t^\npolicy.rego:4: rego_unsafe_var_error: var x is unsafe",
    );
  });

  it("-f json writes the errors document on stdout; other formats write the list on stderr", () => {
    const json = formatEvalErrors([parse("policy.rego", 5, 1)], sources, "json");
    expect(json.stderr).toBe("");
    expect(JSON.parse(json.stdout)).toEqual({
      errors: [
        {
          message: "unexpected } token",
          code: "rego_parse_error",
          location: { file: "policy.rego", row: 5, col: 1 },
          details: { line: "}", idx: 0 },
        },
      ],
    });
    const pretty = formatEvalErrors([parse("policy.rego", 5, 1)], sources, "pretty");
    expect(pretty).toEqual({ stdout: "", stderr: "1 error occurred: policy.rego:5: rego_parse_error: unexpected } token\n\t}\n\t^\n" });
  });
});

describe("goDuration (Go's time.Duration.String)", () => {
  it.each([
    [0, "0s"],
    [850, "850ns"],
    [12_500, "12.5µs"],
    [1_234_567, "1.234567ms"],
    [2_000_000, "2ms"],
    [2_500_000_000, "2.5s"],
    [63_000_000_000, "1m3s"],
    [3_600_000_000_000, "1h0m0s"],
  ])("%d ns → %s", (ns, text) => {
    expect(goDuration(ns)).toBe(text);
  });
});

/**
 * What `caracal eval` and `caracal test` print, byte for byte as `opa eval` / `opa test` print
 * it: Go's encoding/json (sorted object keys, HTML-safe string escapes, two-space indentation),
 * OPA's error lists (`1 error occurred: policy.rego:3: rego_parse_error: …` with the source line
 * and a caret under the column), and the `-f pretty` tables (OPA draws them with light box
 * characters, the header centred, the cells left-aligned).
 */
import type { JSONValue, RegoErrorInfo } from "../../workers/rego/index.js";
import { quoteJSON } from "../../workers/rego/goruntime/json.js";
import { formatNumber } from "../../workers/rego/value/index.js";
import { caretLines, parseErrorDetail } from "../source-line.js";

export { parseErrorDetail } from "../source-line.js";

// ---------------------------------------------------------------------------------------------
// JSON as Go writes it

/** `json.MarshalIndent(x, "", "  ")` (indent 2) or `json.Marshal(x)` (indent 0). */
export function goJSON(x: JSONValue | undefined, indent = 0): string {
  const pad = (d: number) => (indent ? "\n" + " ".repeat(indent * d) : "");
  const sep = indent ? ": " : ":";
  const walk = (v: JSONValue | undefined, d: number): string => {
    if (v === undefined || v === null) return "null";
    if (typeof v === "string") return quoteJSON(v);
    if (typeof v === "number" || typeof v === "bigint") return formatNumber(v);
    if (typeof v === "boolean") return v ? "true" : "false";
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      return "[" + v.map((e) => pad(d + 1) + walk(e, d + 1)).join(",") + pad(d) + "]";
    }
    const keys = Object.keys(v).sort(byteOrder);
    if (keys.length === 0) return "{}";
    return "{" + keys.map((k) => pad(d + 1) + quoteJSON(k) + sep + walk(v[k], d + 1)).join(",") + pad(d) + "}";
  };
  return walk(x, 0);
}

/**
 * A Go struct's fields in declaration order (struct fields are not sorted, map keys are);
 * undefined fields are left out, as `omitempty` leaves them.
 */
export class GoStruct {
  constructor(readonly fields: [string, JSONValue | GoStruct | GoStruct[] | undefined][]) {}
}

/** goJSON for documents that mix Go structs (ordered fields) with maps (sorted keys). */
export function goDocument(x: JSONValue | GoStruct | GoStruct[] | undefined, indent = 2, depth = 0): string {
  if (!(x instanceof GoStruct) && !(Array.isArray(x) && x.some((e) => e instanceof GoStruct))) {
    return reindent(goJSON(x as JSONValue, indent), indent, depth);
  }
  const pad = (d: number) => "\n" + " ".repeat(indent * d);
  if (Array.isArray(x)) {
    if (x.length === 0) return "[]";
    return "[" + x.map((e) => pad(depth + 1) + goDocument(e, indent, depth + 1)).join(",") + pad(depth) + "]";
  }
  const present = x.fields.filter(([, v]) => v !== undefined);
  if (present.length === 0) return "{}";
  return (
    "{" + present.map(([k, v]) => pad(depth + 1) + quoteJSON(k) + ": " + goDocument(v, indent, depth + 1)).join(",") + pad(depth) + "}"
  );
}

function reindent(text: string, indent: number, depth: number): string {
  return depth === 0 || !indent ? text : text.replace(/\n/g, "\n" + " ".repeat(indent * depth));
}

/** Go sorts map keys by their UTF-8 bytes; for the BMP that is UTF-16 code-unit order. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Errors as OPA prints them

/** The module sources errors point into, by file name (the query under ""). */
export type Sources = Map<string, string>;

/** OPA's `file:row`, or `row:col` for a location without a file (the query). */
export function locationString(loc: { file: string; row: number; col: number }): string {
  return loc.file ? `${loc.file}:${loc.row}` : `${loc.row}:${loc.col}`;
}

/** One error as OPA's `ast.Error.Error()` writes it: location, code, message, then the detail lines. */
export function errorString(error: RegoErrorInfo, sources: Sources): string {
  let text = `${error.code}: ${error.message}`;
  if (error.location) text = `${locationString(error.location)}: ${text}`;
  const detail = parseErrorDetail(error, sources);
  return detail ? `${text}\n${caretLines(detail)}` : text;
}

/** `1 error occurred: …`, or `N errors occurred:` and one error a line, as `opa` prints error lists. */
export function errorsString(errors: RegoErrorInfo[], sources: Sources): string {
  if (errors.length === 0) return "no error(s)";
  const each = errors.map((e) => errorString(e, sources));
  return errors.length === 1 ? `1 error occurred: ${each[0]}` : `${errors.length} errors occurred:\n${each.join("\n")}`;
}

/** OPA's error objects in JSON output: message, code, location, and for parse errors `details`. */
export function errorStruct(error: RegoErrorInfo, sources: Sources): GoStruct {
  const detail = parseErrorDetail(error, sources);
  return new GoStruct([
    ["message", error.message],
    ["code", error.code],
    ["location", error.location ? locationStruct(error.location) : undefined],
    [
      "details",
      detail
        ? new GoStruct([
            ["line", detail.line],
            ["idx", detail.idx],
          ])
        : undefined,
    ],
  ]);
}

export function locationStruct(loc: { file: string; row: number; col: number }): GoStruct {
  return new GoStruct([
    ["file", loc.file],
    ["row", loc.row],
    ["col", loc.col],
  ]);
}

// ---------------------------------------------------------------------------------------------
// `opa eval` output formats

export const EVAL_FORMATS = ["json", "raw", "pretty", "values", "bindings"] as const;
export type EvalFormat = (typeof EVAL_FORMATS)[number];

export interface ExpressionValue {
  value: JSONValue;
  text: string;
  location: { row: number; col: number };
}

export interface EvalResult {
  expressions: ExpressionValue[];
  bindings: Record<string, JSONValue>;
}

/** What a format writes: to stdout for results, to stderr for errors (except `json`, which keeps both on stdout). */
export interface Printed {
  stdout: string;
  stderr: string;
}

export function formatEvalResults(results: EvalResult[], format: EvalFormat): Printed {
  const out = (stdout: string): Printed => ({ stdout, stderr: "" });
  switch (format) {
    case "json":
      return out(goDocument(results.length === 0 ? new GoStruct([]) : new GoStruct([["result", results.map(resultStruct)]])) + "\n");
    case "values":
      return out(results.map((r) => goJSON(r.expressions.map((e) => e.value) as JSONValue, 2) + "\n").join(""));
    case "bindings":
      return out(results.map((r) => goJSON(r.bindings, 2) + "\n").join(""));
    case "raw":
      return out(
        results.map((r) => r.expressions.map((e) => (typeof e.value === "string" ? e.value : goJSON(e.value))).join(" ") + "\n").join(""),
      );
    case "pretty":
      return out(prettyResults(results));
  }
}

export function formatEvalErrors(errors: RegoErrorInfo[], sources: Sources, format: EvalFormat): Printed {
  if (format === "json") {
    return { stdout: goDocument(new GoStruct([["errors", errors.map((e) => errorStruct(e, sources))]])) + "\n", stderr: "" };
  }
  return { stdout: "", stderr: errorsString(errors, sources) + "\n" };
}

function resultStruct(r: EvalResult): GoStruct {
  return new GoStruct([
    [
      "expressions",
      r.expressions.map(
        (e) =>
          new GoStruct([
            ["value", e.value],
            ["text", e.text],
            [
              "location",
              new GoStruct([
                ["row", e.location.row],
                ["col", e.location.col],
              ]),
            ],
          ]),
      ),
    ],
    ["bindings", Object.keys(r.bindings).length > 0 ? r.bindings : undefined],
  ]);
}

/**
 * `-f pretty`: "undefined"; one result without bindings whose expression is single (or all
 * boolean) as indented JSON; otherwise a table with a column per binding (by name) and per
 * expression (in order) — boolean expressions only when there are no bindings.
 */
function prettyResults(results: EvalResult[]): string {
  const first = results[0];
  if (!first) return "undefined\n";
  const noBindings = Object.keys(first.bindings).length === 0;
  if (results.length === 1 && noBindings) {
    if (first.expressions.length === 1 || first.expressions.every((e) => typeof e.value === "boolean")) {
      return goJSON(first.expressions[0]?.value ?? null, 2) + "\n";
    }
  }
  const vars = Object.keys(first.bindings).sort(byteOrder);
  const exprs = first.expressions.flatMap((e, i) => (typeof e.value !== "boolean" || noBindings ? [i] : []));
  const header = [...vars, ...exprs.map((i) => first.expressions[i]?.text ?? "")];
  const rows = results.map((r) => [
    ...vars.map((v) => goJSON(r.bindings[v] ?? null)),
    ...exprs.map((i) => goJSON(r.expressions[i]?.value ?? null)),
  ]);
  return boxTable(header, rows);
}

/** Display width: one column per code point (what OPA's table measures for the text it prints). */
function width(s: string): number {
  return [...s].length;
}

/** A table as OPA's tablewriter draws it: light box lines, one space of padding, header centred. */
export function boxTable(header: string[], rows: string[][]): string {
  const cells = (row: string[]) => header.map((_, i) => (row[i] ?? "").trim());
  const body = rows.map(cells);
  const head = cells(header);
  const widths = head.map((h, i) => Math.max(width(h), ...body.map((r) => width(r[i] ?? ""))));
  const rule = (l: string, m: string, r: string) => l + widths.map((w) => "─".repeat(w + 2)).join(m) + r + "\n";
  const line = (row: string[], centre: boolean) =>
    "│" +
    row
      .map((c, i) => {
        const gap = (widths[i] ?? 0) - width(c);
        const left = centre ? Math.floor(gap / 2) : 0;
        return " " + " ".repeat(left) + c + " ".repeat(gap - left) + " ";
      })
      .join("│") +
    "│\n";
  return rule("┌", "┬", "┐") + line(head, true) + rule("├", "┼", "┤") + body.map((r) => line(r, false)).join("") + rule("└", "┴", "┘");
}

// ---------------------------------------------------------------------------------------------
// Durations as Go prints them (`opa test` reports test times this way)

/** Go's `time.Duration.String()`: `0s`, `850ns`, `12.5µs`, `1.234567ms`, `2.5s`, `1m3s`. */
export function goDuration(ns: number): string {
  const n = Math.round(ns);
  if (n === 0) return "0s";
  const sign = n < 0 ? "-" : "";
  const abs = Math.abs(n);
  const fixed = (value: number, scale: number, unit: string) => {
    const whole = Math.floor(value / scale);
    const frac = value % scale;
    const digits = String(scale).length - 1;
    const fraction = frac === 0 ? "" : "." + String(frac).padStart(digits, "0").replace(/0+$/, "");
    return `${whole}${fraction}${unit}`;
  };
  if (abs < 1_000) return `${sign}${abs}ns`;
  if (abs < 1_000_000) return sign + fixed(abs, 1_000, "µs");
  if (abs < 1_000_000_000) return sign + fixed(abs, 1_000_000, "ms");
  const hours = Math.floor(abs / 3_600_000_000_000);
  const minutes = Math.floor((abs % 3_600_000_000_000) / 60_000_000_000);
  const seconds = fixed(abs % 60_000_000_000, 1_000_000_000, "s");
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return sign + seconds;
}

/**
 * text/template's values and built-in functions: truth, comparison, len,
 * index, slice, print/printf/println, html, js, urlquery, and how values print.
 */
import { formatFloat } from "../strconv.js";
import { goSprintf, type GoArg } from "../fmt.js";
import { queryEscape } from "../url.js";
import { byteLength } from "../utf8.js";
import { type GoVal, INVALID, NIL } from "./value.js";

export function typeOf(v: GoVal): string {
  switch (v.k) {
    case "invalid":
    case "nil":
      return "<nil>";
    case "number":
      return "json.Number";
    case "int":
      return "int";
    case "float":
      return "float64";
    case "slice":
      return "[]interface {}";
    case "map":
      return "map[string]interface {}";
    default:
      return v.k;
  }
}

/** fmt's %v of a value nested in a composite. */
export function formatValue(v: GoVal): string {
  switch (v.k) {
    case "invalid":
      return "<invalid reflect.Value>";
    case "nil":
      return "<nil>";
    case "bool":
      return v.v ? "true" : "false";
    case "string":
    case "number":
      return v.v;
    case "int":
      return v.v.toString();
    case "float":
      return formatFloat(v.v, "g", -1);
    case "slice":
      return "[" + v.v.map(formatValue).join(" ") + "]";
    case "map":
      return (
        "map[" +
        [...v.v.keys()]
          .sort()
          .map((k) => k + ":" + formatValue(v.v.get(k) as GoVal))
          .join(" ") +
        "]"
      );
  }
}

/** How an action prints its value. Missing and nil values print "<undefined>", as OPA renders them. */
export function printAction(v: GoVal): string {
  if (v.k === "invalid" || v.k === "nil") return "<undefined>";
  return formatValue(v);
}

export function isTrue(v: GoVal): boolean {
  switch (v.k) {
    case "invalid":
    case "nil":
      return false;
    case "bool":
      return v.v;
    case "string":
    case "number":
      return v.v !== "";
    case "int":
      return v.v !== 0n;
    case "float":
      return v.v !== 0;
    case "slice":
      return v.v.length > 0;
    case "map":
      return v.v.size > 0;
  }
}

function toGoArg(v: GoVal): GoArg {
  switch (v.k) {
    case "int":
      return { kind: "int", v: v.v };
    case "float":
      return { kind: "float", v: v.v };
    case "string":
      return { kind: "string", v: v.v };
    case "number":
      return { kind: "string", v: v.v, type: "json.Number" };
    case "bool":
      return { kind: "bool", v: v.v };
    default:
      return { kind: "other", type: typeOf(v), text: formatValue(v) };
  }
}

type Kind = "bool" | "int" | "float" | "string" | "other";

function basicKind(v: GoVal): Kind {
  switch (v.k) {
    case "bool":
      return "bool";
    case "int":
      return "int";
    case "float":
      return "float";
    case "string":
    case "number":
      return "string";
    default:
      return "other";
  }
}

function scalar(v: GoVal): bigint | number | string | boolean | undefined {
  return v.k === "bool" || v.k === "int" || v.k === "float" || v.k === "string" || v.k === "number" ? v.v : undefined;
}

function eq(a: GoVal, ...rest: GoVal[]): boolean {
  if (rest.length === 0) throw new Error("missing argument for comparison");
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    if (k1 !== k2) {
      if (a.k !== "invalid" && b.k !== "invalid") throw new Error("incompatible types for comparison");
      continue;
    }
    if (k1 !== "other") {
      if (scalar(a) === scalar(b)) return true;
      continue;
    }
    const nilA = a.k === "nil";
    const nilB = b.k === "nil";
    if (nilA || nilB) {
      if (nilA === nilB) return true;
      continue;
    }
    throw new Error(`non-comparable type ${formatValue(b)}: ${typeOf(b)}`);
  }
  return false;
}

function lt(a: GoVal, b: GoVal): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === "other" || k2 === "other") throw new Error("invalid type for comparison");
  if (k1 !== k2) throw new Error("incompatible types for comparison");
  if (k1 === "bool") throw new Error("invalid type for comparison");
  const x = scalar(a) as bigint | number | string;
  const y = scalar(b) as bigint | number | string;
  return x < y;
}

function lengthOf(v: GoVal): bigint {
  switch (v.k) {
    case "string":
    case "number":
      return BigInt(byteLength(v.v));
    case "slice":
      return BigInt(v.v.length);
    case "map":
      return BigInt(v.v.size);
    default:
      throw new Error(`len of type ${typeOf(v)}`);
  }
}

function indexInt(v: GoVal): number {
  if (v.k !== "int") throw new Error(`cannot index slice/array with type ${typeOf(v)}`);
  return Number(v.v);
}

function index(item: GoVal, ...indexes: GoVal[]): GoVal {
  let cur = item;
  for (const ix of indexes) {
    if (cur.k === "invalid" || cur.k === "nil") throw new Error("index of untyped nil");
    if (cur.k === "slice") {
      const i = indexInt(ix);
      if (i < 0 || i >= cur.v.length) throw new Error(`error calling index: index out of range: ${i}`);
      cur = cur.v[i] as GoVal;
    } else if (cur.k === "map") {
      if (ix.k !== "string") throw new Error(`value has type ${typeOf(ix)}; should be string`);
      cur = cur.v.get(ix.v) ?? NIL;
    } else if (cur.k === "string" || cur.k === "number") {
      const bytes = new TextEncoder().encode(cur.v);
      const i = indexInt(ix);
      if (i < 0 || i >= bytes.length) throw new Error(`error calling index: index out of range: ${i}`);
      cur = { k: "int", v: BigInt(bytes[i] as number) };
    } else throw new Error(`can't index item of type ${typeOf(cur)}`);
  }
  return cur;
}

/** fmt.Sprint: spaces between operands when neither is a string. */
function sprint(args: GoVal[]): string {
  let out = "";
  args.forEach((a, i) => {
    const isStr = a.k === "string" || a.k === "number";
    if (i > 0 && !isStr && !(args[i - 1]!.k === "string" || args[i - 1]!.k === "number")) out += " ";
    out += formatValue(a);
  });
  return out;
}

function htmlEscape(s: string): string {
  return s.replace(
    /[<>&'"\0]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&#39;", '"': "&#34;", "\0": "\uFFFD" })[c] as string,
  );
}

function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === "\\") out += "\\\\";
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === "<" || ch === ">" || ch === "&" || ch === "=") out += "\\u" + c.toString(16).toUpperCase().padStart(4, "0");
    else if (c < 0x20) out += "\\u" + c.toString(16).toUpperCase().padStart(4, "0");
    else out += ch;
  }
  return out;
}

/** Escaper functions stringify their arguments like fmt.Sprint (a lone string as is). */
function evalArgs(args: GoVal[]): string {
  if (args.length === 1 && args[0]!.k === "string") return args[0]!.v;
  return sprint(args);
}

export type Fn = (args: GoVal[]) => GoVal;

export const goString = (v: string): GoVal => ({ k: "string", v });
export const goBool = (v: boolean): GoVal => ({ k: "bool", v });

export const FUNCS: Record<string, Fn> = {
  not: (a) => {
    if (a.length !== 1) throw new Error(`wrong number of args for not: want 1 got ${a.length}`);
    return goBool(!isTrue(a[0] as GoVal));
  },
  len: (a) => ({ k: "int", v: lengthOf(a[0] ?? INVALID) }),
  index: (a) => index(a[0] ?? INVALID, ...a.slice(1)),
  slice: (a) => {
    const item = a[0] ?? INVALID;
    const idx = a.slice(1).map(indexInt);
    if (item.k === "slice") return { k: "slice", v: item.v.slice(idx[0] ?? 0, idx[1] ?? item.v.length) };
    if (item.k === "string" || item.k === "number") return goString(item.v.slice(idx[0] ?? 0, idx[1] ?? item.v.length));
    throw new Error(`can't slice item of type ${typeOf(item)}`);
  },
  print: (a) => goString(sprint(a)),
  println: (a) => goString(a.map(formatValue).join(" ") + "\n"),
  printf: (a) => {
    const f = a[0];
    if (f?.k !== "string") throw new Error("wrong type for value; expected string");
    return goString(goSprintf(f.v, a.slice(1).map(toGoArg)));
  },
  eq: (a) => goBool(eq(a[0] ?? INVALID, ...a.slice(1))),
  ne: (a) => goBool(!eq(a[0] ?? INVALID, a[1] ?? INVALID)),
  lt: (a) => goBool(lt(a[0] ?? INVALID, a[1] ?? INVALID)),
  le: (a) => goBool(lt(a[0] ?? INVALID, a[1] ?? INVALID) || eq(a[0] ?? INVALID, a[1] ?? INVALID)),
  gt: (a) => goBool(!(lt(a[0] ?? INVALID, a[1] ?? INVALID) || eq(a[0] ?? INVALID, a[1] ?? INVALID))),
  ge: (a) => goBool(!lt(a[0] ?? INVALID, a[1] ?? INVALID)),
  html: (a) => goString(htmlEscape(evalArgs(a))),
  js: (a) => goString(jsEscape(evalArgs(a))),
  urlquery: (a) => goString(queryEscape(evalArgs(a))),
  // and/or are evaluated lazily by the executor; these are never called.
  and: (a) => a[a.length - 1] ?? INVALID,
  or: (a) => a[a.length - 1] ?? INVALID,
  call: () => {
    throw new Error("call of nil");
  },
};

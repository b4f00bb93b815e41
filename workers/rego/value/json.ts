/**
 * JSON in and out. `parseJSON` keeps integers of any size exact (JSON.parse
 * would round them to doubles); `fromJS` lifts plain JavaScript data (what
 * JSON.parse returns, or what the STS builds) into Rego values; `toJS` and
 * `toJSONText` turn values back into JSON, sets leaving as arrays.
 */
import type { Value } from "./types.js";
import { RObject, RSet } from "./types.js";
import { formatNumber, normalizeInt, parseNumber } from "./number.js";
import { compareStrings } from "./compare.js";
import { quoteJSON } from "../goruntime/json.js";

export class JSONSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export function parseJSON(text: string): Value {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const fail = (what: string): never => {
    throw new JSONSyntaxError(`${what} at offset ${i}`, i);
  };
  const str = (): string => {
    const start = ++i;
    let escaped = false;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c < 32) fail("invalid character in string");
      i++;
    }
    if (i >= n) fail("unterminated string");
    const raw = text.slice(start, i++);
    if (!escaped) return raw;
    try {
      return JSON.parse('"' + raw + '"') as string;
    } catch {
      return fail("invalid escape in string");
    }
  };
  const value = (depth: number): Value => {
    if (depth > 10000) fail("nesting too deep");
    ws();
    const c = text[i];
    switch (c) {
      case "{": {
        i++;
        const o = new RObject();
        ws();
        if (text[i] === "}") {
          i++;
          return o;
        }
        for (;;) {
          ws();
          if (text[i] !== '"') fail("expected string key");
          const k = str();
          ws();
          if (text[i++] !== ":") fail("expected ':'");
          o.set(k, value(depth + 1));
          ws();
          const d = text[i++];
          if (d === "}") return o;
          if (d !== ",") fail("expected ',' or '}'");
        }
      }
      case "[": {
        i++;
        const a: Value[] = [];
        ws();
        if (text[i] === "]") {
          i++;
          return a;
        }
        for (;;) {
          a.push(value(depth + 1));
          ws();
          const d = text[i++];
          if (d === "]") return a;
          if (d !== ",") fail("expected ',' or ']'");
        }
      }
      case '"':
        return str();
      case "t":
        if (text.startsWith("true", i)) {
          i += 4;
          return true;
        }
        break;
      case "f":
        if (text.startsWith("false", i)) {
          i += 5;
          return false;
        }
        break;
      case "n":
        if (text.startsWith("null", i)) {
          i += 4;
          return null;
        }
        break;
      default: {
        const m = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
        m.lastIndex = i;
        const r = m.exec(text);
        if (r && r[0] !== "-" && r[0].length > 0) {
          i += r[0].length;
          const num = parseNumber(r[0]);
          if (num === undefined) fail("number out of range");
          return num as Value;
        }
      }
    }
    return fail("unexpected " + (i < n ? `'${text[i]}'` : "end of input"));
  };
  const v = value(0);
  ws();
  if (i < n) fail("unexpected trailing data");
  return v;
}

/** Lifts plain JavaScript data into a Rego value. */
export function fromJS(x: unknown): Value {
  switch (typeof x) {
    case "string":
    case "boolean":
      return x;
    case "number":
      if (!Number.isFinite(x)) throw new TypeError("non-finite number");
      return x;
    case "bigint":
      return normalizeInt(x);
    case "undefined":
      return null;
    case "object": {
      if (x === null) return null;
      if (Array.isArray(x)) return x.map(fromJS);
      if (x instanceof RObject || x instanceof RSet) return x;
      if (x instanceof Set) return RSet.from([...x].map(fromJS));
      const o = new RObject();
      for (const k of Object.keys(x)) {
        const v = (x as Record<string, unknown>)[k];
        if (v !== undefined) o.set(k, fromJS(v));
      }
      return o;
    }
    default:
      throw new TypeError(`cannot convert ${typeof x} to a Rego value`);
  }
}

/** The key a non-string object key takes in JSON: its own compact JSON text, as OPA writes it. */
export function jsonKey(k: Value): string {
  return typeof k === "string" ? k : toJSONText(k);
}

export type JSONValue = null | boolean | number | bigint | string | JSONValue[] | { [k: string]: JSONValue };

/** Lowers a value to plain JavaScript data; big integers stay `bigint`. */
export function toJS(v: Value): JSONValue {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(toJS);
  if (v instanceof RSet) return v.values().map(toJS);
  const o: { [k: string]: JSONValue } = {};
  for (const [k, val] of v.entries()) o[jsonKey(k)] = toJS(val);
  return o;
}

/** Compact JSON text, as OPA writes a value with Go's encoding/json (json.marshal, decisions, plans). */
export function toJSONText(v: Value): string {
  return marshal(v, undefined, 0);
}

/** json.MarshalIndent's layout (empty collections stay `{}` and `[]`); the first line is not prefixed. */
export function toIndentedJSONText(v: Value, prefix: string, indent: string): string {
  return marshal(v, { prefix, indent }, 0);
}

/**
 * encoding/json output for a Rego value: objects with keys sorted as Go sorts
 * strings (by code point), sets as arrays, strings quoted as Go quotes them.
 */
function marshal(v: Value, indent: { prefix: string; indent: string } | undefined, depth: number): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "number":
    case "bigint":
      return formatNumber(v);
    case "string":
      return quoteJSON(v);
  }
  const nl = (d: number) => (indent ? "\n" + indent.prefix + indent.indent.repeat(d) : "");
  const items: string[] = [];
  let open = "[";
  let close = "]";
  if (Array.isArray(v) || v instanceof RSet) {
    for (const x of Array.isArray(v) ? v : v.values()) items.push(marshal(x, indent, depth + 1));
  } else {
    open = "{";
    close = "}";
    // Keys that collide after conversion keep the value that comes last in Rego's order.
    const byKey = new Map<string, Value>();
    for (const [k, x] of v.entries()) byKey.set(jsonKey(k), x);
    const keys = [...byKey.keys()].sort(compareStrings);
    for (const k of keys) items.push(quoteJSON(k) + (indent ? ": " : ":") + marshal(byKey.get(k) as Value, indent, depth + 1));
  }
  if (items.length === 0) return open + close;
  return open + items.map((s) => nl(depth + 1) + s).join(",") + nl(depth) + close;
}

/** JSON.stringify for `toJS` output: big integers are written exactly. */
export function stringifyJS(x: JSONValue, indent = 0): string {
  const pad = (d: number) => (indent ? "\n" + " ".repeat(indent * d) : "");
  const sep = indent ? ": " : ":";
  const walk = (v: JSONValue, d: number): string => {
    if (typeof v === "bigint") return v.toString();
    if (v === null || typeof v !== "object") return JSON.stringify(v);
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      return "[" + v.map((e) => pad(d + 1) + walk(e, d + 1)).join(",") + pad(d) + "]";
    }
    const keys = Object.keys(v);
    if (keys.length === 0) return "{}";
    return "{" + keys.map((k) => pad(d + 1) + JSON.stringify(k) + sep + walk(v[k] as JSONValue, d + 1)).join(",") + pad(d) + "}";
  };
  return walk(x, 0);
}

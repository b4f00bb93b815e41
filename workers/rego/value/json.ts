/**
 * JSON in and out. `parseJSON` keeps integers of any size exact (JSON.parse
 * would round them to doubles); `fromJS` lifts plain JavaScript data (what
 * JSON.parse returns, or what the STS builds) into Rego values; `toJS` and
 * `toJSONText` turn values back into JSON, sets leaving as arrays.
 */
import type { Value } from "./types.js";
import { RObject, RSet } from "./types.js";
import { formatNumber, isFloatForm, normalizeInt, parseNumber } from "./number.js";
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

/** Go's encoding/json nesting limit, which json.unmarshal and the base documents read to. */
const MAX_JSON_DEPTH = 10_000;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

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
  const key = (): string => {
    ws();
    if (text[i] !== '"') fail("expected string key");
    const k = str();
    ws();
    if (text[i++] !== ":") fail("expected ':'");
    return k;
  };
  const scalar = (): Value => {
    const c = text[i];
    switch (c) {
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
        NUMBER.lastIndex = i;
        const r = NUMBER.exec(text);
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
  // The containers being read, innermost last (an explicit stack: a text of any depth costs no JavaScript stack).
  const open: ({ array: Value[] } | { object: RObject; key: string })[] = [];
  let v: Value;
  for (;;) {
    if (open.length > MAX_JSON_DEPTH) fail("nesting too deep");
    ws();
    const c = text[i];
    if (c === "{" || c === "[") {
      i++;
      ws();
      if (text[i] === (c === "{" ? "}" : "]")) {
        i++;
        v = c === "{" ? new RObject() : [];
      } else {
        open.push(c === "{" ? { object: new RObject(), key: key() } : { array: [] });
        continue;
      }
    } else v = scalar();
    // v is complete: add it to its container and close the containers it completes.
    let more = false;
    while (!more && open.length > 0) {
      const top = open[open.length - 1] as (typeof open)[number];
      ws();
      const d = text[i++];
      if ("array" in top) {
        top.array.push(v);
        if (d === ",") more = true;
        else if (d !== "]") fail("expected ',' or ']'");
        else v = top.array;
      } else {
        top.object.set(top.key, v);
        if (d === ",") {
          top.key = key();
          more = true;
        } else if (d !== "}") fail("expected ',' or '}'");
        else v = top.object;
      }
      if (!more) open.pop();
    }
    if (!more) break;
  }
  ws();
  if (i < n) fail("unexpected trailing data");
  return v;
}

/**
 * Values nested deeper than this are converted by the explicit-stack versions
 * below rather than by recursion, so input of any depth (JSON nested 100,000
 * deep) converts without exhausting the JavaScript stack; shallow values keep
 * the cheaper recursive path.
 */
const DIRECT_DEPTH = 200;

/** Lifts plain JavaScript data into a Rego value. */
export function fromJS(x: unknown): Value {
  return fromJSAt(x, 0);
}

function fromJSAt(x: unknown, depth: number): Value {
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
      if (x instanceof RObject || x instanceof RSet) return x;
      if (depth > DIRECT_DEPTH) return fromJSDeep(x);
      if (Array.isArray(x)) {
        const out: Value[] = new Array(x.length);
        for (let i = 0; i < x.length; i++) out[i] = fromJSAt(x[i], depth + 1);
        return out;
      }
      if (x instanceof Set) return RSet.from([...x].map((m) => fromJSAt(m, depth + 1)));
      const keys = Object.keys(x);
      const values: Value[] = [];
      const present: string[] = [];
      for (const k of keys) {
        const v = (x as Record<string, unknown>)[k];
        if (v !== undefined) {
          present.push(k);
          values.push(fromJSAt(v, depth + 1));
        }
      }
      return RObject.fromKeysValues(present, values);
    }
    default:
      throw new TypeError(`cannot convert ${typeof x} to a Rego value`);
  }
}

/** A collection being converted: its members (or an object's keys) and what has been built so far. */
interface JSFrame {
  /** array or set members; for an object, its keys */
  items: unknown[];
  obj: Record<string, unknown> | null;
  isSet: boolean;
  i: number;
  out: Value[] | RObject;
  /** the key this collection goes under in its parent object */
  key: string;
}

function jsFrame(x: object, key: string): JSFrame {
  if (Array.isArray(x)) return { items: x, obj: null, isSet: false, i: 0, out: [], key };
  if (x instanceof Set) return { items: [...x], obj: null, isSet: true, i: 0, out: [], key };
  return { items: Object.keys(x), obj: x as Record<string, unknown>, isSet: false, i: 0, out: new RObject(), key };
}

function isPlainComposite(x: unknown): x is object {
  return typeof x === "object" && x !== null && !(x instanceof RObject) && !(x instanceof RSet);
}

/** fromJS with an explicit stack: depth costs heap, not call stack. */
function fromJSDeep(root: object): Value {
  const stack: JSFrame[] = [jsFrame(root, "")];
  for (;;) {
    const f = stack[stack.length - 1] as JSFrame;
    if (f.i < f.items.length) {
      const idx = f.i++;
      let key = "";
      let child: unknown;
      if (f.obj) {
        key = f.items[idx] as string;
        child = f.obj[key];
        if (child === undefined) continue;
      } else child = f.items[idx];
      if (isPlainComposite(child)) stack.push(jsFrame(child, key));
      else placeJS(f, key, fromJSAt(child, 0));
      continue;
    }
    stack.pop();
    const v: Value = f.isSet ? RSet.from(f.out as Value[]) : f.out;
    const parent = stack[stack.length - 1];
    if (!parent) return v;
    placeJS(parent, f.key, v);
  }
}

function placeJS(f: JSFrame, key: string, v: Value): void {
  if (f.obj) (f.out as RObject).set(key, v);
  else (f.out as Value[]).push(v);
}

/** The key a non-string object key takes in JSON: its own compact JSON text, as OPA writes it. */
export function jsonKey(k: Value): string {
  return typeof k === "string" ? k : toJSONText(k);
}

export type JSONValue = null | boolean | number | bigint | string | JSONValue[] | { [k: string]: JSONValue };

/** Lowers a value to plain JavaScript data; big integers stay `bigint`. */
export function toJS(v: Value): JSONValue {
  return toJSAt(v, 0);
}

/**
 * Sets an own property, also for the key `__proto__`, which plain assignment would take as the
 * object's prototype: the key would be lost (and its value would become what the object inherits).
 */
function setOwn(o: { [k: string]: JSONValue }, key: string, value: JSONValue): void {
  if (key === "__proto__") Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/** A scalar as JavaScript: a float-form integer (number.ts) is the plain number. */
function scalarToJS(v: null | boolean | number | bigint | string): JSONValue {
  return typeof v === "bigint" && isFloatForm(v) ? Number(v) : v;
}

function toJSAt(v: Value, depth: number): JSONValue {
  if (v === null || typeof v !== "object") return scalarToJS(v);
  if (depth > DIRECT_DEPTH) return toJSDeep(v);
  const members = Array.isArray(v) ? v : v instanceof RSet ? v.values() : null;
  if (members) {
    const out: JSONValue[] = new Array(members.length);
    for (let i = 0; i < members.length; i++) out[i] = toJSAt(members[i] as Value, depth + 1);
    return out;
  }
  const o: { [k: string]: JSONValue } = {};
  for (const [k, val] of (v as RObject).entries()) setOwn(o, jsonKey(k), toJSAt(val, depth + 1));
  return o;
}

/** A collection being lowered or written: its members (objects: keys and values in key order). */
interface ValueFrame {
  keys: Value[] | null;
  vals: Value[];
  i: number;
  out: JSONValue[] | { [k: string]: JSONValue };
  key: string;
}

function valueFrame(v: Value[] | RObject | RSet, key: string): ValueFrame {
  if (Array.isArray(v)) return { keys: null, vals: v, i: 0, out: [], key };
  if (v instanceof RSet) return { keys: null, vals: v.values(), i: 0, out: [], key };
  return { keys: v.keys(), vals: v.valuesInKeyOrder(), i: 0, out: {}, key };
}

/** toJS with an explicit stack. */
function toJSDeep(root: Value[] | RObject | RSet): JSONValue {
  const stack: ValueFrame[] = [valueFrame(root, "")];
  const place = (f: ValueFrame, key: string, x: JSONValue) => {
    if (f.keys) setOwn(f.out as { [k: string]: JSONValue }, key, x);
    else (f.out as JSONValue[]).push(x);
  };
  for (;;) {
    const f = stack[stack.length - 1] as ValueFrame;
    if (f.i < f.vals.length) {
      const idx = f.i++;
      const key = f.keys ? jsonKey(f.keys[idx] as Value) : "";
      const child = f.vals[idx] as Value;
      if (child !== null && typeof child === "object") stack.push(valueFrame(child, key));
      else place(f, key, scalarToJS(child));
      continue;
    }
    stack.pop();
    const parent = stack[stack.length - 1];
    if (!parent) return f.out;
    place(parent, f.key, f.out);
  }
}

/** Compact JSON text, as OPA writes a value with Go's encoding/json (json.marshal, decisions, plans). */
export function toJSONText(v: Value): string {
  return marshal(v, undefined);
}

/** json.MarshalIndent's layout (empty collections stay `{}` and `[]`); the first line is not prefixed. */
/** `charge` pays for the indentation as it is written, one unit per 4 bytes: a value nested n deep indents its lines by up to n. */
export function toIndentedJSONText(v: Value, prefix: string, indent: string, charge?: (units: number) => void): string {
  return marshal(v, { prefix, indent, charge });
}

/**
 * encoding/json output for a Rego value: objects with keys sorted as Go sorts
 * strings (by code point), sets as arrays, strings quoted as Go quotes them.
 * An explicit stack, so a value of any depth is written without recursion.
 */
function marshal(
  root: Value,
  indent: { prefix: string; indent: string; charge?: ((units: number) => void) | undefined } | undefined,
): string {
  const nl = indent
    ? (d: number) => {
        const pad = indent.prefix.length + d * indent.indent.length;
        indent.charge?.(pad >> 2);
        return "\n" + indent.prefix + indent.indent.repeat(d);
      }
    : () => "";
  const sep = indent ? ": " : ":";
  interface Frame {
    /** an object's quoted keys with their separator, parallel to vals; null for arrays and sets */
    keys: string[] | null;
    vals: Value[];
    i: number;
    depth: number;
  }
  const parts: string[] = [];
  const stack: Frame[] = [];
  const scalar = (v: Value): string | undefined => {
    if (v === null) return "null";
    switch (typeof v) {
      case "boolean":
        return v ? "true" : "false";
      case "number":
      case "bigint":
        return formatNumber(v);
      case "string":
        return quoteJSON(v);
      default:
        return undefined;
    }
  };
  const open = (v: Value[] | RObject | RSet, depth: number): void => {
    let keys: string[] | null = null;
    let vals: Value[];
    if (Array.isArray(v) || v instanceof RSet) vals = Array.isArray(v) ? v : v.values();
    else {
      // Keys that collide after conversion keep the value that comes last in Rego's order.
      const byKey = new Map<string, Value>();
      for (const [k, x] of v.entries()) byKey.set(jsonKey(k), x);
      const sorted = [...byKey.keys()].sort(compareStrings);
      keys = sorted.map((k) => quoteJSON(k) + sep);
      vals = sorted.map((k) => byKey.get(k) as Value);
    }
    if (vals.length === 0) {
      parts.push(keys ? "{}" : "[]");
      return;
    }
    parts.push(keys ? "{" : "[");
    stack.push({ keys, vals, i: 0, depth });
  };
  const first = scalar(root);
  if (first !== undefined) return first;
  open(root as Value[] | RObject | RSet, 0);
  for (;;) {
    const f = stack[stack.length - 1];
    if (!f) return parts.join("");
    if (f.i < f.vals.length) {
      const i = f.i++;
      const x = f.vals[i] as Value;
      parts.push((i > 0 ? "," : "") + nl(f.depth + 1) + (f.keys ? (f.keys[i] as string) : ""));
      const text = scalar(x);
      if (text !== undefined) parts.push(text);
      else open(x as Value[] | RObject | RSet, f.depth + 1);
    } else {
      stack.pop();
      parts.push(nl(f.depth) + (f.keys ? "}" : "]"));
    }
  }
}

/**
 * JSON.stringify for `toJS` output: big integers are written exactly. From an
 * explicit stack, so a value nested however deep is written (as parseJSON reads it).
 */
export function stringifyJS(x: JSONValue, indent = 0): string {
  const pad = (d: number) => (indent ? "\n" + " ".repeat(indent * d) : "");
  const sep = indent ? ": " : ":";
  const out: string[] = [];
  /** a collection being written: its members (an object's keys), how many are written, its close */
  const stack: { v: JSONValue[] | { [k: string]: JSONValue }; keys: string[] | null; i: number; d: number }[] = [];
  // Writes a scalar or an empty collection whole; opens any other collection.
  const open = (v: JSONValue, d: number): void => {
    if (typeof v === "bigint") out.push(v.toString());
    else if (v === null || typeof v !== "object") out.push(JSON.stringify(v));
    else if (Array.isArray(v)) {
      if (v.length === 0) out.push("[]");
      else {
        out.push("[");
        stack.push({ v, keys: null, i: 0, d });
      }
    } else {
      const keys = Object.keys(v);
      if (keys.length === 0) out.push("{}");
      else {
        out.push("{");
        stack.push({ v, keys, i: 0, d });
      }
    }
  };
  open(x, 0);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as (typeof stack)[number];
    const n = top.keys === null ? (top.v as JSONValue[]).length : top.keys.length;
    if (top.i === n) {
      stack.pop();
      out.push(pad(top.d) + (top.keys === null ? "]" : "}"));
      continue;
    }
    if (top.i > 0) out.push(",");
    out.push(pad(top.d + 1));
    const i = top.i++;
    if (top.keys === null) open((top.v as JSONValue[])[i] as JSONValue, top.d + 1);
    else {
      const k = top.keys[i] as string;
      out.push(JSON.stringify(k) + sep);
      open((top.v as { [k: string]: JSONValue })[k] as JSONValue, top.d + 1);
    }
  }
  return out.join("");
}

/**
 * Encoding built-ins: base64, base64url, hex, urlquery, json and yaml.
 *
 * Byte-oriented encodings work on the UTF-8 bytes of strings, as Go does.
 * Decoded bytes that are not valid UTF-8 become a string the way Go's string
 * operations see them: each invalid byte reads as one U+FFFD.
 */
import type { Value } from "../value/index.js";
import { RObject, RSet, compareStrings, formatNumber, termString } from "../value/index.js";
import { builtinError, object, str, typeError } from "./args.js";
import { goQuote, isPrint } from "./gofmt.js";
import { GoJSONError, unmarshalJSON, validJSON } from "./gojson.js";
import { YAMLError, valueToYAML, yamlToValue } from "./goyaml.js";
import type { BuiltinTable } from "./types.js";

// ------------------------------------------------------------------ bytes

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Bytes to a string as Go reads them: each byte of an invalid sequence is one U+FFFD. */
export function goString(b: Uint8Array): string {
  try {
    return strictDecoder.decode(b);
  } catch {
    /* fall through to the byte-by-byte decoder */
  }
  let out = "";
  let i = 0;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const x = b[i + k];
    return x !== undefined && x >= lo && x <= hi;
  };
  while (i < b.length) {
    const c = b[i] as number;
    let n = 0;
    if (c < 0x80) n = 1;
    else if (c >= 0xc2 && c <= 0xdf && cont(1)) n = 2;
    else if (c === 0xe0 && cont(1, 0xa0) && cont(2)) n = 3;
    else if (((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) && cont(1) && cont(2)) n = 3;
    else if (c === 0xed && cont(1, 0x80, 0x9f) && cont(2)) n = 3;
    else if (c === 0xf0 && cont(1, 0x90) && cont(2) && cont(3)) n = 4;
    else if (c >= 0xf1 && c <= 0xf3 && cont(1) && cont(2) && cont(3)) n = 4;
    else if (c === 0xf4 && cont(1, 0x80, 0x8f) && cont(2) && cont(3)) n = 4;
    if (n === 0) {
      out += "\ufffd";
      i++;
    } else {
      out += strictDecoder.decode(b.subarray(i, i + n));
      i += n;
    }
  }
  return out;
}

// ----------------------------------------------------------------- base64

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function decodeMap(alphabet: string): Uint8Array {
  const m = new Uint8Array(256).fill(0xff);
  for (let i = 0; i < alphabet.length; i++) m[alphabet.charCodeAt(i)] = i;
  return m;
}
const STD_MAP = decodeMap(STD);
const URL_MAP = decodeMap(URL);

function base64Encode(b: Uint8Array, alphabet: string, pad: boolean): string {
  let out = "";
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const v = ((b[i] as number) << 16) | ((b[i + 1] as number) << 8) | (b[i + 2] as number);
    out += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + alphabet[(v >> 6) & 63]! + alphabet[v & 63]!;
  }
  const rest = b.length - i;
  if (rest > 0) {
    const v = ((b[i] as number) << 16) | (rest === 2 ? (b[i + 1] as number) << 8 : 0);
    out += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]!;
    if (rest === 2) out += alphabet[(v >> 6) & 63]!;
    if (pad) out += rest === 2 ? "=" : "==";
  }
  return out;
}

const corrupt = (offset: number) => builtinError(`illegal base64 data at input byte ${offset}`);

/** encoding/base64 (padded, not strict) decoding, with Go's error offsets; \r and \n are skipped. */
function base64Decode(src: Uint8Array, map: Uint8Array): Uint8Array {
  const out: number[] = [];
  const isNL = (c: number | undefined) => c === 0x0a || c === 0x0d;
  let si = 0;
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let trailing: number | undefined;
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Uint8Array.from(out);
        throw corrupt(si - j);
      }
      const c = src[si++] as number;
      const d = map[c] as number;
      if (d !== 0xff) {
        dbuf[j] = d;
        continue;
      }
      if (isNL(c)) {
        j--;
        continue;
      }
      if (c !== 0x3d) throw corrupt(si - 1);
      // Padding: only after two or three symbols, and nothing but newlines after it.
      if (j < 2) throw corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && isNL(src[si])) si++;
        if (si === src.length) throw corrupt(src.length);
        if (src[si] !== 0x3d) throw corrupt(si - 1);
        si++;
      }
      while (si < src.length && isNL(src[si])) si++;
      if (si < src.length) trailing = si;
      dlen = j;
      break;
    }
    const v = ((dbuf[0] as number) << 18) | ((dbuf[1] as number) << 12) | ((dbuf[2] as number) << 6) | (dbuf[3] as number);
    const bytes = [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
    for (let k = 0; k < dlen - 1; k++) out.push(bytes[k] as number);
    if (trailing !== undefined) throw corrupt(trailing);
  }
  return Uint8Array.from(out);
}

// -------------------------------------------------------------------- hex

function hexEncode(b: Uint8Array): string {
  let out = "";
  for (const x of b) out += x.toString(16).padStart(2, "0");
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Go's InvalidByteError text: %#U of the byte. */
function invalidHexByte(c: number) {
  const u = "U+" + c.toString(16).toUpperCase().padStart(4, "0");
  return builtinError(`encoding/hex: invalid byte: ${isPrint(c) ? `${u} '${String.fromCharCode(c)}'` : u}`);
}

function hexDecode(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length >> 1);
  let j = 1;
  for (; j < src.length; j += 2) {
    const a = hexValue(src[j - 1] as number);
    const b = hexValue(src[j] as number);
    if (a < 0) throw invalidHexByte(src[j - 1] as number);
    if (b < 0) throw invalidHexByte(src[j] as number);
    out[(j - 1) >> 1] = (a << 4) | b;
  }
  if (src.length % 2 === 1) {
    if (hexValue(src[j - 1] as number) < 0) throw invalidHexByte(src[j - 1] as number);
    throw builtinError("encoding/hex: odd length hex string");
  }
  return out;
}

// --------------------------------------------------------------- urlquery

/** url.QueryEscape. */
function queryEscape(s: string): string {
  let out = "";
  for (const b of utf8Bytes(s)) {
    if (
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      (b >= 0x30 && b <= 0x39) ||
      b === 0x2d ||
      b === 0x5f ||
      b === 0x2e ||
      b === 0x7e
    )
      out += String.fromCharCode(b);
    else if (b === 0x20) out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** url.QueryUnescape; errors as url.EscapeError. */
function queryUnescape(s: string): string {
  const b = utf8Bytes(s);
  const out: number[] = [];
  for (let i = 0; i < b.length; ) {
    const c = b[i] as number;
    if (c === 0x25) {
      const h = hexValue(b[i + 1] ?? -1);
      const l = hexValue(b[i + 2] ?? -1);
      if (i + 2 >= b.length || h < 0 || l < 0) {
        const bad = goString(b.subarray(i, Math.min(i + 3, b.length)));
        throw builtinError(`invalid URL escape ${goQuote(bad)}`);
      }
      out.push((h << 4) | l);
      i += 3;
    } else {
      out.push(c === 0x2b ? 0x20 : c);
      i++;
    }
  }
  return goString(Uint8Array.from(out));
}

/** url.ParseQuery: keys in order of first appearance, values in order. */
function parseQuery(query: string): RObject {
  const values = new Map<string, string[]>();
  let firstError: Error | undefined;
  for (const part of query.split("&")) {
    if (part.includes(";")) {
      firstError ??= builtinError("invalid semicolon separator in query");
      continue;
    }
    if (part === "") continue;
    const eq = part.indexOf("=");
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? "" : part.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = queryUnescape(rawKey);
      value = queryUnescape(rawValue);
    } catch (e) {
      firstError ??= e as Error;
      continue;
    }
    const list = values.get(key);
    if (list) list.push(value);
    else values.set(key, [value]);
  }
  if (firstError) throw firstError;
  const o = new RObject();
  for (const [k, vs] of values) o.set(k, vs);
  return o;
}

function encodeQueryObject(v: RObject): string {
  const bad = () => typeError("operand 1 values must be string, array[string], or set[string]");
  const params = new Map<string, string[]>();
  for (const [k, x] of v.entries()) {
    const key = jsonKey(k);
    if (typeof x === "string") params.set(key, [x]);
    else if (Array.isArray(x) || x instanceof RSet) {
      const items = Array.isArray(x) ? x : x.values();
      const strs = items.map((s) => {
        if (typeof s !== "string") throw bad();
        return s;
      });
      if (strs.length > 0) params.set(key, [...(params.get(key) ?? []), ...strs]);
    } else throw bad();
  }
  const keys = [...params.keys()].sort(compareStrings);
  const parts: string[] = [];
  for (const k of keys) for (const x of params.get(k) as string[]) parts.push(queryEscape(k) + "=" + queryEscape(x));
  return parts.join("&");
}

// ------------------------------------------------------------------- json

/** A string as encoding/json writes it: HTML-safe, U+2028/9 escaped, bad surrogates as \ufffd. */
function quoteJSON(s: string): string {
  return JSON.stringify(s)
    .replace(/\\ud[89a-f][0-9a-f]{2}/g, "\\ufffd")
    .replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/** A non-string object key becomes the compact JSON of that key, as OPA converts it. */
function jsonKey(k: Value): string {
  return typeof k === "string" ? k : marshalJSON(k, undefined);
}

/**
 * encoding/json output for a Rego value: objects with keys sorted as Go sorts
 * strings, sets as arrays. With `indent`, MarshalIndent's layout (empty
 * collections stay `{}` and `[]`).
 */
/** Go's json.Marshal (optionally MarshalIndent); an explicit stack, so any depth of value works. */
function marshalJSON(root: Value, indent: { prefix: string; indent: string } | undefined): string {
  const nl = indent ? (d: number) => "\n" + indent.prefix + indent.indent.repeat(d) : () => "";
  const sep = indent ? ": " : ":";
  interface Frame {
    /** an object's quoted keys, parallel to vals; null for arrays and sets */
    keys: string[] | null;
    vals: Value[];
    i: number;
    depth: number;
  }
  let out = "";
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
      out += keys ? "{}" : "[]";
      return;
    }
    out += keys ? "{" : "[";
    stack.push({ keys, vals, i: 0, depth });
  };
  const first = scalar(root);
  if (first !== undefined) return first;
  open(root as Value[] | RObject | RSet, 0);
  for (;;) {
    const f = stack[stack.length - 1];
    if (!f) return out;
    if (f.i < f.vals.length) {
      const i = f.i++;
      const x = f.vals[i] as Value;
      out += (i > 0 ? "," : "") + nl(f.depth + 1) + (f.keys ? (f.keys[i] as string) : "");
      const s = scalar(x);
      if (s !== undefined) out += s;
      else open(x as Value[] | RObject | RSet, f.depth + 1);
    } else {
      stack.pop();
      out += nl(f.depth) + (f.keys ? "}" : "]");
    }
  }
}

function marshalWithOptions(v: Value, opts: RObject): string {
  let indent = "\t";
  let prefix = "";
  let implicitPretty = false;
  let explicitPretty: boolean | undefined;
  opts.keys().forEach((k, idx) => {
    if (typeof k !== "string") {
      throw typeError(
        `operand 2 failed to stringify key ${termString(k)} at index ${idx}: operand ${idx} must be string but got ${typeNameOf(k)}`,
      );
    }
    const val = opts.get(k) as Value;
    switch (k) {
      case "prefix":
      case "indent":
        if (typeof val !== "string")
          throw typeError(`operand 2 key ${goQuote(k)} failed cast to string: operand ${idx} must be string but got ${typeNameOf(val)}`);
        if (k === "prefix") prefix = val;
        else indent = val;
        implicitPretty = true;
        break;
      case "pretty":
        if (typeof val !== "boolean") throw typeError(`operand 2 key ${goQuote(k)} failed cast to bool`);
        explicitPretty = val;
        break;
      default:
        throw typeError(`operand 2 object contained unknown key ${goQuote(k)}`);
    }
  });
  const pretty = explicitPretty ?? implicitPretty;
  if (!pretty) return marshalJSON(v, undefined);
  // MarshalIndent does not prefix the first line; OPA adds it.
  return prefix + marshalJSON(v, { prefix, indent });
}

function typeNameOf(v: Value): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (v instanceof RObject) return "object";
  if (v instanceof RSet) return "set";
  return typeof v === "bigint" ? "number" : typeof v;
}

function asBuiltinError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GoJSONError || e instanceof YAMLError) throw builtinError(e.message);
    throw e;
  }
}

// --------------------------------------------------------------- builtins

export const encodingBuiltins: BuiltinTable = {
  "base64.encode": (args) => base64Encode(utf8Bytes(str(args, 0)), STD, true),
  "base64.decode": (args) => goString(base64Decode(utf8Bytes(str(args, 0)), STD_MAP)),
  "base64.is_valid"(args) {
    const s = args[0];
    if (typeof s !== "string") return false;
    try {
      base64Decode(utf8Bytes(s), STD_MAP);
      return true;
    } catch {
      return false;
    }
  },

  "base64url.encode": (args) => base64Encode(utf8Bytes(str(args, 0)), URL, true),
  "base64url.encode_no_pad": (args) => base64Encode(utf8Bytes(str(args, 0)), URL, false),
  "base64url.decode"(args) {
    let s = str(args, 0);
    // Restore padding that some encoders omit (RFC 7515 appendix C).
    if (!s.endsWith("=")) {
      const n = utf8Bytes(s).length % 4;
      if (n === 2) s += "==";
      else if (n === 3) s += "=";
      else if (n === 1) throw builtinError(`illegal base64url string: ${s}`);
    }
    return goString(base64Decode(utf8Bytes(s), URL_MAP));
  },

  "hex.encode": (args) => hexEncode(utf8Bytes(str(args, 0))),
  "hex.decode": (args) => goString(hexDecode(utf8Bytes(str(args, 0)))),

  "urlquery.encode": (args) => queryEscape(str(args, 0)),
  "urlquery.decode": (args) => queryUnescape(str(args, 0)),
  "urlquery.encode_object": (args) => encodeQueryObject(object(args, 0)),
  "urlquery.decode_object": (args) => parseQuery(str(args, 0)),

  "json.marshal": (args) => marshalJSON(args[0] as Value, undefined),
  "json.marshal_with_options": (args) => marshalWithOptions(args[0] as Value, object(args, 1)),
  "json.unmarshal": (args) => asBuiltinError(() => unmarshalJSON(str(args, 0))),
  "json.is_valid": (args) => typeof args[0] === "string" && validJSON(args[0]),

  "yaml.marshal": (args) => valueToYAML(args[0] as Value),
  "yaml.unmarshal": (args) => asBuiltinError(() => yamlToValue(str(args, 0))),
  "yaml.is_valid"(args) {
    const s = args[0];
    if (typeof s !== "string") return false;
    try {
      yamlToValue(s);
      return true;
    } catch {
      return false;
    }
  },
};

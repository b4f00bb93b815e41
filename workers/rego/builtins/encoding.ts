/**
 * Encoding built-ins: base64, base64url, hex, urlquery, json and yaml.
 *
 * Byte-oriented encodings work on the UTF-8 bytes of strings, as Go does.
 * Decoded bytes that are not valid UTF-8 become a string the way Go's string
 * operations see them: each invalid byte reads as one U+FFFD.
 */
import { RegoError } from "../errors.js";
import type { Value } from "../value/index.js";
import { RObject, RSet, compareStrings, jsonKey, termString, toIndentedJSONText, toJSONText } from "../value/index.js";
import { builtinError, goErrors, object, str, typeError } from "./args.js";
import { decodeStd, decodeURLPadded, encodeRawURL, encodeStd, encodeURL } from "../goruntime/base64.js";
import { decodeHex, encodeHex } from "../goruntime/hex.js";
import { quote } from "../goruntime/strconv.js";
import { parseQuery, queryEscape, queryUnescape } from "../goruntime/url.js";
import { decodeUTF8, encodeUTF8 } from "../goruntime/utf8.js";
import { unmarshalJSON, validJSON } from "../goruntime/json.js";
import { REGO_JSON, valueToYAML, yamlToValue } from "./govalues.js";
import type { BuiltinTable } from "./types.js";

/**
 * OPA's base64url.decode, which the JWT built-ins use for every segment too:
 * missing padding is restored (RFC 7515 appendix C) before a padded decode.
 */
export function base64urlDecode(s: string): Uint8Array {
  if (!s.endsWith("=")) {
    const n = encodeUTF8(s).length % 4;
    if (n === 2) s += "==";
    else if (n === 3) s += "=";
    else if (n === 1) throw builtinError(`illegal base64url string: ${s}`);
  }
  return decodeURLPadded(s);
}

/** url.ParseQuery as a Rego object of string arrays. */
function parseQueryObject(query: string): RObject {
  const o = new RObject();
  for (const [k, vs] of goErrors(() => parseQuery(query))) o.set(k, vs);
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

function marshalWithOptions(v: Value, opts: RObject, charge: (units: number) => void): string {
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
          throw typeError(`operand 2 key ${quote(k)} failed cast to string: operand ${idx} must be string but got ${typeNameOf(val)}`);
        if (k === "prefix") prefix = val;
        else indent = val;
        implicitPretty = true;
        break;
      case "pretty":
        if (typeof val !== "boolean") throw typeError(`operand 2 key ${quote(k)} failed cast to bool`);
        explicitPretty = val;
        break;
      default:
        throw typeError(`operand 2 object contained unknown key ${quote(k)}`);
    }
  });
  const pretty = explicitPretty ?? implicitPretty;
  if (!pretty) return toJSONText(v);
  // MarshalIndent does not prefix the first line; OPA adds it.
  return prefix + toIndentedJSONText(v, prefix, indent, charge);
}

function typeNameOf(v: Value): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (v instanceof RObject) return "object";
  if (v instanceof RSet) return "set";
  return typeof v === "bigint" ? "number" : typeof v;
}

// --------------------------------------------------------------- builtins

export const encodingBuiltins: BuiltinTable = {
  "base64.encode": (args) => encodeStd(encodeUTF8(str(args, 0))),
  "base64.decode": (args) => decodeUTF8(goErrors(() => decodeStd(str(args, 0)))),
  "base64.is_valid"(args) {
    const s = args[0];
    if (typeof s !== "string") return false;
    try {
      decodeStd(s);
      return true;
    } catch {
      return false;
    }
  },

  "base64url.encode": (args) => encodeURL(encodeUTF8(str(args, 0))),
  "base64url.encode_no_pad": (args) => encodeRawURL(encodeUTF8(str(args, 0))),
  "base64url.decode": (args) => decodeUTF8(goErrors(() => base64urlDecode(str(args, 0)))),

  "hex.encode": (args) => encodeHex(encodeUTF8(str(args, 0))),
  "hex.decode": (args) => decodeUTF8(goErrors(() => decodeHex(encodeUTF8(str(args, 0))))),

  "urlquery.encode": (args) => queryEscape(str(args, 0)),
  "urlquery.decode": (args) => goErrors(() => queryUnescape(str(args, 0))),
  "urlquery.encode_object": (args) => encodeQueryObject(object(args, 0)),
  "urlquery.decode_object": (args) => parseQueryObject(str(args, 0)),

  "json.marshal": (args) => toJSONText(args[0] as Value),
  // Deep values indent every line: one step per 4 bytes of indentation (see toIndentedJSONText).
  "json.marshal_with_options": (args, ctx) => marshalWithOptions(args[0] as Value, object(args, 1), (n) => ctx.charge(n)),
  "json.unmarshal": (args) => goErrors(() => unmarshalJSON(str(args, 0), REGO_JSON)),
  "json.is_valid": (args) => typeof args[0] === "string" && validJSON(args[0], REGO_JSON),

  // Deep values pad every line: one step per 4 bytes of padding (the rest of the text is charged after the call).
  "yaml.marshal": (args, ctx) => valueToYAML(args[0] as Value, (n) => ctx.charge(Math.ceil(n / 4))),
  // Aliases expand: each node converted is charged (16 steps a unit: building a Go and a Rego value; see parseYAML).
  "yaml.unmarshal": (args, ctx) => goErrors(() => yamlToValue(str(args, 0), (n) => ctx.charge(16 * n))),
  "yaml.is_valid"(args, ctx) {
    const s = args[0];
    if (typeof s !== "string") return false;
    try {
      yamlToValue(s, (n) => ctx.charge(16 * n));
      return true;
    } catch (e) {
      // An exhausted budget is not an invalid document.
      if (e instanceof RegoError) throw e;
      return false;
    }
  },
};

/** The parts of Go's net/url that OPA's built-ins and text/template reach: query escaping and parsing. */
import { GoError } from "./errors.js";
import { hexValue } from "./hex.js";
import { quote } from "./strconv.js";
import { decodeUTF8, encodeUTF8 } from "./utf8.js";

/** A url.EscapeError or a url.ParseQuery failure; the message is Go's. */
export class URLError extends GoError {}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of encodeUTF8(s)) {
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
export function queryUnescape(s: string): string {
  const b = encodeUTF8(s);
  const out: number[] = [];
  for (let i = 0; i < b.length; ) {
    const c = b[i] as number;
    if (c === 0x25) {
      const h = hexValue(b[i + 1] ?? -1);
      const l = hexValue(b[i + 2] ?? -1);
      if (i + 2 >= b.length || h < 0 || l < 0) {
        const bad = decodeUTF8(b.subarray(i, Math.min(i + 3, b.length)));
        throw new URLError(`invalid URL escape ${quote(bad)}`);
      }
      out.push((h << 4) | l);
      i += 3;
    } else {
      out.push(c === 0x2b ? 0x20 : c);
      i++;
    }
  }
  return decodeUTF8(Uint8Array.from(out));
}

/** url.ParseQuery: keys in order of first appearance, values in order; the first error is thrown after the whole query is read. */
export function parseQuery(query: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  let firstError: Error | undefined;
  for (const part of query.split("&")) {
    if (part.includes(";")) {
      firstError ??= new URLError("invalid semicolon separator in query");
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
  return values;
}

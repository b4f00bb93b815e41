/**
 * Decoding of literal text: JSON string escapes (as OPA's scanner accepts
 * them) and number literals. Kept apart from the scanner so the rules for
 * what a literal means live in one place.
 */
import { parseNumber, type RNumber } from "../value/number.js";

const HEX = /^[0-9a-fA-F]{4}$/;

/** Result of decoding the inside of a quoted string (without the quotes). */
export interface Decoded {
  value: string;
  /** scanner-level error: an escape OPA's scanner rejects */
  error?: string;
  /** the text is not valid JSON (OPA: "illegal string literal") */
  invalid?: boolean;
}

/**
 * Decodes JSON escapes in `inner`. With `templateBraces`, `\{` stands for a
 * literal `{` (template strings). Lone UTF-16 surrogates become U+FFFD, as
 * Go's encoding/json does.
 */
export function decodeEscapes(inner: string, templateBraces: boolean): Decoded {
  if (inner.indexOf("\\") < 0) return { value: inner };
  let out = "";
  let invalid = false;
  // raw control characters only matter once a JSON escape sends the text
  // through Go's JSON decoder (OPA skips decoding when there is none)
  let control = false;
  let jsonEscape = false;
  let error: string | undefined;
  let i = 0;
  const n = inner.length;
  while (i < n) {
    const c = inner.charCodeAt(i);
    if (c !== 0x5c) {
      // Go decodes strings with escapes through encoding/json, which rejects
      // raw control characters.
      if (c < 0x20) control = true;
      out += inner[i];
      i++;
      continue;
    }
    const e = inner[i + 1];
    i += 2;
    if (e !== "{") jsonEscape = true;
    switch (e) {
      case '"':
        out += '"';
        break;
      case "\\":
        out += "\\";
        break;
      case "/":
        out += "/";
        break;
      case "b":
        out += "\b";
        break;
      case "f":
        out += "\f";
        break;
      case "n":
        out += "\n";
        break;
      case "r":
        out += "\r";
        break;
      case "t":
        out += "\t";
        break;
      case "{":
        if (templateBraces) out += "{";
        else error ??= "illegal escape sequence";
        break;
      case "u": {
        const hex = inner.slice(i, i + 4);
        if (!HEX.test(hex)) {
          invalid = true;
          break;
        }
        i += 4;
        let cp = parseInt(hex, 16);
        if (cp >= 0xd800 && cp <= 0xdbff) {
          const lo = inner.slice(i + 2, i + 6);
          if (inner[i] === "\\" && inner[i + 1] === "u" && HEX.test(lo)) {
            const lc = parseInt(lo, 16);
            if (lc >= 0xdc00 && lc <= 0xdfff) {
              i += 6;
              out += String.fromCharCode(cp, lc);
              break;
            }
          }
          cp = 0xfffd;
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
          cp = 0xfffd;
        }
        out += String.fromCharCode(cp);
        break;
      }
      default:
        error ??= "illegal escape sequence";
        if (e !== undefined) out += e;
    }
  }
  const r: Decoded = { value: out };
  if (error) r.error = error;
  if (invalid || (control && jsonEscape)) r.invalid = true;
  return r;
}

/** Outcome of reading a number literal (with its optional sign and leading dot). */
export type NumberResult = { value: RNumber } | { error: string };

/**
 * Largest decimal magnitude accepted. OPA rejects literals whose binary
 * exponent exceeds 1e5 ("number too big"); exact integers beyond 10^10000
 * are also more than our number model keeps, so the bound is the smaller one.
 */
const MAX_DECIMAL_EXPONENT = 10000;

/** Reads the value of `text` (e.g. `-12`, `.5`, `1e3`, `-.5e-2`). */
export function numberValue(text: string): NumberResult {
  let t = text;
  if (t.startsWith("-.")) t = "-0." + t.slice(2);
  else if (t.startsWith(".")) t = "0." + t.slice(1);
  const m = /^-?([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/.exec(t);
  if (!m) return { error: "invalid float" };
  const digits = (m[1] as string) + (m[2] ?? "");
  const firstNonZero = digits.search(/[1-9]/);
  if (firstNonZero >= 0) {
    // decimal exponent of the leading significant digit
    const magnitude = (m[1] as string).length - 1 - firstNonZero + Number(m[3] ?? "0");
    if (Math.abs(magnitude) > MAX_DECIMAL_EXPONENT) return { error: "number too big" };
  }
  const value = parseNumber(t);
  if (value === undefined) return { error: "number too big" };
  return { value };
}

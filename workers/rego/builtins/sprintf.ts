/**
 * sprintf: Go's fmt.Sprintf (../goruntime/fmt.ts) as OPA calls it. OPA hands
 * Go an `int` for integers that fit in int64, a `*big.Int` for larger
 * integers, a `float64` for other numbers, a `string` for strings, and for
 * every other value its Rego term text as a *string* — so `%v` of an array
 * prints `["a", 1]`, and `%t` of `true` prints `%!t(string=true)` exactly as
 * OPA does.
 */
import type { Value } from "../value/index.js";
import { formatNumber, isFloatForm, termString } from "../value/index.js";
import { type GoArg, goSprintf } from "../goruntime/fmt.js";
import { RecentCache } from "../goruntime/recent-cache.js";
import { array, str } from "./args.js";
import type { BuiltinTable } from "./types.js";

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
/** The largest finite float64, as an integer. */
const FLOAT_MAX = BigInt(
  "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368",
);

export function toGoArg(v: Value): GoArg {
  if (typeof v === "string") return { kind: "string", v };
  if (typeof v === "number") {
    if (!Number.isInteger(v)) return { kind: "float", v };
    const b = BigInt(v);
    return b >= INT64_MIN && b <= INT64_MAX ? { kind: "int", v: b } : { kind: "big", v: b };
  }
  if (typeof v === "bigint") {
    // OPA reads an int from the number's text; `1e2`, which is none and has no point, goes to fmt as that text.
    if (isFloatForm(v)) return { kind: "string", v: formatNumber(v) };
    if (v >= INT64_MIN && v <= INT64_MAX) return { kind: "int", v };
    // An integer beyond float64 range can only have come from a literal in
    // exponent form (1e400); OPA passes such a number as its literal text.
    if (v > FLOAT_MAX || v < -FLOAT_MAX) return { kind: "string", v: exponentLiteral(v) };
    return { kind: "big", v };
  }
  return { kind: "string", v: termString(v) };
}

/** 2000…0 → "2e308": the shortest exponent form of a huge integer. */
function exponentLiteral(v: bigint): string {
  const s = (v < 0n ? -v : v).toString();
  const digits = s.replace(/0+$/, "");
  const exp = s.length - 1;
  const mant = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
  return (v < 0n ? "-" : "") + mant + "e" + exp;
}

/**
 * Formats made only of text, `%%` and bare `%s`, `%d`, `%v` verbs, split into
 * [text, verb, text, verb, …, text]; null for any other format. Most policies
 * format messages this way, so the common case skips Go's general printer.
 */
const simpleFormats = new RecentCache<string, string[] | null>(500);

function simpleFormat(format: string): string[] | null {
  let parts = simpleFormats.get(format);
  if (parts !== undefined) return parts;
  parts = [];
  let text = "";
  let i = 0;
  for (let j = format.indexOf("%"); j >= 0; j = format.indexOf("%", i)) {
    text += format.slice(i, j);
    const verb = format[j + 1];
    i = j + 2;
    if (verb === "%") text += "%";
    else if (verb === "s" || verb === "d" || verb === "v") {
      parts.push(text, verb);
      text = "";
    } else {
      parts = null;
      break;
    }
  }
  if (parts !== null) parts.push(text + format.slice(i));
  simpleFormats.set(format, parts);
  return parts;
}

/** What Go prints for `v` under a bare verb, when that is the value's plain text; undefined where fmt would do more (floats, big integers, a verb that does not fit). */
function simpleOperand(verb: string, v: Value): string | undefined {
  if (typeof v === "number") return verb !== "s" && Number.isSafeInteger(v) ? String(v === 0 ? 0 : v) : undefined;
  if (typeof v === "bigint") return verb !== "s" && !isFloatForm(v) && v >= INT64_MIN && v <= INT64_MAX ? v.toString() : undefined;
  if (verb === "d") return undefined;
  return typeof v === "string" ? v : termString(v);
}

/** sprintf of a simple format (see simpleFormat) whose every value prints as plain text; undefined otherwise. */
function simpleSprintf(format: string, values: Value[]): string | undefined {
  const parts = simpleFormat(format);
  if (parts === null || parts.length >> 1 !== values.length) return undefined;
  let out = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) {
    const s = simpleOperand(parts[i] as string, values[i >> 1] as Value);
    if (s === undefined) return undefined;
    out += s + (parts[i + 1] as string);
  }
  return out;
}

export const sprintfBuiltins: BuiltinTable = {
  sprintf(args) {
    const format = str(args, 0);
    const values = array(args, 1);
    return simpleSprintf(format, values) ?? goSprintf(format, values.map(toGoArg));
  },
};

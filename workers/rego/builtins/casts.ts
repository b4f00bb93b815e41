/** to_number: null, booleans, numbers and numeric strings to a number. */
import type { Value } from "../value/index.js";
import { parseNumber, typeName } from "../value/index.js";
import { quote } from "../goruntime/strconv.js";
import type { BuiltinTable } from "./types.js";
import { builtinError, typeError } from "./args.js";

/** Decimal syntax Go's strconv.ParseFloat accepts (sign, bare ".5" and "5." included). */
const DECIMAL_RE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;
/** Hexadecimal floats, which Go requires to carry a binary exponent. */
const HEX_RE = /^([+-]?)0[xX]((?:_?[0-9a-fA-F])*)(?:\.((?:[0-9a-fA-F]_?)*))?[pP]([+-]?[0-9]+)$/;

function syntaxError(s: string): never {
  throw builtinError(`strconv.ParseFloat: parsing ${quote(s)}: invalid syntax`);
}

function rangeError(s: string): never {
  throw builtinError(`strconv.ParseFloat: parsing ${quote(s)}: value out of range`);
}

/** Up to 15 decimal digits: exactly a JavaScript number, as the general path below would give. */
const SHORT_INT_RE = /^[+-]?[0-9]{1,15}$/;

function parseNumberString(s: string): Value {
  if (SHORT_INT_RE.test(s)) return Number(s);
  const lower = s.replace(/^[+-]+/, "").toLowerCase();
  if (lower === "inf" || lower === "infinity" || lower === "nan") {
    throw typeError(`operand 1 must be valid number string but got ${typeName(s)}`);
  }
  const dec = DECIMAL_RE.exec(s);
  if (dec) {
    const [, sign, intPart = "", frac = "", exp] = dec;
    if (intPart === "" && frac === "") syntaxError(s);
    // Rewrite into JSON's grammar so integers of any size stay exact.
    const digits = intPart.replace(/^0+(?=[0-9])/, "") || "0";
    const text = (sign === "-" ? "-" : "") + digits + (frac ? "." + frac : "") + (exp !== undefined ? "e" + exp : "");
    const n = parseNumber(text);
    if (n === undefined || (typeof n === "number" && !Number.isFinite(n))) rangeError(s);
    return n;
  }
  const hex = HEX_RE.exec(s);
  if (hex) {
    const [, sign, intPart = "", frac = "", exp = "0"] = hex;
    const mantissa = (intPart + frac).replace(/_/g, "");
    if (mantissa === "") syntaxError(s);
    const n = parseInt(mantissa, 16) * 2 ** (Number(exp) - 4 * frac.replace(/_/g, "").length);
    if (!Number.isFinite(n)) rangeError(s);
    return sign === "-" ? -n : n;
  }
  return syntaxError(s);
}

export const castsBuiltins: BuiltinTable = {
  to_number: (args) => {
    const v = args[0] as Value;
    if (v === null) return 0;
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "number" || typeof v === "bigint") return v;
    if (typeof v === "string") return parseNumberString(v);
    throw typeError(`operand 1 must be one of {null, boolean, number, string} but got ${typeName(v)}`);
  },
};

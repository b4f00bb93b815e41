/**
 * Template built-ins.
 *
 * internal.template_string renders Rego's string interpolation $"…{expr}…".
 * The planner passes an array of parts: literal text as strings, and each
 * {expr} as the set of the values it produced (empty when undefined). A
 * string value renders as itself, anything else in Rego term syntax, and an
 * undefined expression as "<undefined>".
 *
 * strings.render_template runs a Go text/template (see ../goruntime/template/) over
 * the variables object after the JSON round trip OPA applies to it.
 */
import type { Value } from "../value/index.js";
import { RObject, RSet, formatNumber, termString } from "../value/index.js";
import { array, builtinError, goErrors, object, str, typeError } from "./args.js";
import { checkValueNesting } from "./nesting.js";
import { decodeFirst } from "../goruntime/json.js";
import { renderGoTemplate } from "../goruntime/template/exec.js";
import type { GoVal } from "../goruntime/template/value.js";
import { REGO_JSON } from "./govalues.js";
import type { BuiltinTable } from "./types.js";

function renderPart(v: Value): string {
  return typeof v === "string" ? v : termString(v);
}

function templateString(parts: Value[]): string {
  let out = "";
  for (const part of parts) {
    if (typeof part === "string") out += part;
    else if (typeof part === "number" || typeof part === "bigint") out += formatNumber(part);
    else if (typeof part === "boolean" || part === null) out += String(part);
    else if (part instanceof RSet) {
      if (part.size === 0) out += "<undefined>";
      else if (part.size > 1) throw builtinError("template-strings must not produce multiple outputs");
      else out += renderPart(part.values()[0] as Value);
    } else throw typeError(`illegal argument type: ${Array.isArray(part) ? "array" : "object"}`);
  }
  return out;
}

/** True when the value survives OPA's JSON round trip (no sets, only string keys). */
function isJSONShaped(v: Value): boolean {
  if (Array.isArray(v)) return v.every(isJSONShaped);
  if (v instanceof RSet) return false;
  if (v instanceof RObject) {
    for (const [k, x] of v.entries()) if (typeof k !== "string" || !isJSONShaped(x)) return false;
  }
  return true;
}

/** The Go value OPA's ast.As produces: numbers become json.Number (their text). */
function toGoValue(v: Value): GoVal {
  if (v === null) return { k: "nil" };
  switch (typeof v) {
    case "string":
      return { k: "string", v };
    case "boolean":
      return { k: "bool", v };
    case "number":
    case "bigint":
      return { k: "number", v: formatNumber(v) };
  }
  if (Array.isArray(v)) return { k: "slice", v: v.map(toGoValue) };
  const m = new Map<string, GoVal>();
  for (const [k, x] of (v as RObject).entries()) m.set(k as string, toGoValue(x));
  return { k: "map", v: m };
}

function renderTemplate(text: string, vars: RObject, charge: (steps: number) => void): string {
  // The conversions below and the template's printing recurse over the variables.
  checkValueNesting(vars, "template variables");
  if (!isJSONShaped(vars)) {
    // OPA decodes the variables' Rego text as JSON; sets and non-string keys
    // make that fail, with the decoder's message.
    goErrors(() => decodeFirst(termString(vars), REGO_JSON));
  }
  return goErrors(() => renderGoTemplate(text, toGoValue(vars), charge));
}

export const templatesBuiltins: BuiltinTable = {
  "internal.template_string": (args) => templateString(array(args, 0)),
  // 24 steps a template node: it runs an action and writes its text (measured with `npm run bench -- hostile`).
  "strings.render_template": (args, ctx) => renderTemplate(str(args, 0), object(args, 1), (n) => ctx.charge(24 * n)),
};

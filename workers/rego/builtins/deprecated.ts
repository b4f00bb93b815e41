/**
 * The built-ins OPA deprecated (capabilities mark them `deprecated`): still
 * callable from Rego v0 modules, refused in Rego v1 ones by the compiler
 * ("deprecated built-in function calls in expression"). Those that are an old
 * name of a current built-in run that built-in.
 */
import type { Value } from "../value/index.js";
import { RObject, RSet } from "../value/index.js";
import type { BuiltinFn, BuiltinTable } from "./types.js";
import { operandError, set } from "./args.js";
import { netBuiltins } from "./net.js";
import { regexBuiltins } from "./regex.js";

/** Elements of an array or set operand, or OPA's error naming both. */
function elements(v: Value): Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof RSet) return v.values();
  throw operandError(1, v, "array", "set");
}

/** A cast that only lets a value of its type through. */
function identityCast(type: string, is: (v: Value) => boolean): BuiltinFn {
  return (args) => {
    const v = args[0] as Value;
    if (!is(v)) throw operandError(1, v, type);
    return v;
  };
}

export const deprecatedBuiltins: BuiltinTable = {
  re_match: regexBuiltins["regex.match"] as BuiltinFn,
  "net.cidr_overlap": netBuiltins["net.cidr_contains"] as BuiltinFn,
  set_diff: (args) => set(args, 0).minus(set(args, 1)),
  any: (args) => elements(args[0] as Value).some((v) => v === true),
  all: (args) => elements(args[0] as Value).every((v) => v === true),
  cast_array: (args) => {
    const v = args[0] as Value;
    // A set's members come from its cached order: the array is a copy of it.
    return Array.isArray(v) ? v : [...elements(v)];
  },
  cast_set: (args) => {
    const v = args[0] as Value;
    return v instanceof RSet ? v : RSet.from(elements(v));
  },
  cast_string: identityCast("string", (v) => typeof v === "string"),
  cast_boolean: identityCast("boolean", (v) => typeof v === "boolean"),
  cast_null: identityCast("null", (v) => v === null),
  cast_object: identityCast("object", (v) => v instanceof RObject),
};

/** Names of the deprecated built-ins, which Rego v1 modules may not call. */
export const DEPRECATED_BUILTINS: ReadonlySet<string> = new Set(Object.keys(deprecatedBuiltins));

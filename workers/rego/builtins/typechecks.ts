/** is_* and type_name. Type tests are never errors: a mismatch is false. */
import type { Value } from "../value/index.js";
import { RObject, RSet, typeName } from "../value/index.js";
import type { BuiltinTable } from "./types.js";

export const typechecksBuiltins: BuiltinTable = {
  is_array: (args) => Array.isArray(args[0]),
  is_boolean: (args) => typeof args[0] === "boolean",
  is_null: (args) => args[0] === null,
  is_number: (args) => typeof args[0] === "number" || typeof args[0] === "bigint",
  is_object: (args) => args[0] instanceof RObject,
  is_set: (args) => args[0] instanceof RSet,
  is_string: (args) => typeof args[0] === "string",
  type_name: (args) => typeName(args[0] as Value),
};

/**
 * json.filter, json.remove, json.patch, json.match_schema and
 * json.verify_schema, with OPA's semantics (topdown/json.go, jsonschema.go).
 */
import type { Value } from "../value/index.js";
import { RObject, canonical } from "../value/index.js";
import { array, builtinError, object } from "./args.js";
import type { BuiltinTable } from "./types.js";
import { filterByTree, parsePaths, pathsToTree, removeByTree } from "./json/paths.js";
import { applyPatch } from "./json/patch.js";
import type { JNode } from "./jsonschema/document.js";
import { fromValue, parseJSONText } from "./jsonschema/document.js";
import type { SubSchema } from "./jsonschema/compile.js";
import { SchemaError, compileSchema } from "./jsonschema/compile.js";
import { validate } from "./jsonschema/validate.js";
import { checkValueNesting } from "./nesting.js";

/** A schema or document operand: JSON text, an object or an array (OPA's astValueToJSONSchemaLoader). */
function loadJSON(v: Value): JNode {
  if (typeof v === "string") {
    const parsed = parseJSONText(v);
    if (parsed === undefined) throw new SchemaError("invalid JSON string");
    v = parsed;
  } else if (!(v instanceof RObject || Array.isArray(v))) throw new SchemaError("wrong type, expected string or object");
  // Converting, compiling and validating recurse as deep as the value nests.
  checkValueNesting(v, "value");
  return fromValue(v);
}

/**
 * Compiled schemas by value. Compiling is pure, so, as OPA caches them across
 * queries, they are kept for the isolate's lifetime (bounded).
 */
const schemaCache = new Map<string, SubSchema>();
const SCHEMA_CACHE_LIMIT = 256;

function compiled(schema: Value): SubSchema {
  const key = canonical(schema);
  let root = schemaCache.get(key);
  if (root === undefined) {
    root = compileSchema(loadJSON(schema)).root;
    if (schemaCache.size >= SCHEMA_CACHE_LIMIT) schemaCache.delete(schemaCache.keys().next().value as string);
    schemaCache.set(key, root);
  }
  return root;
}

function asBuiltinError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SchemaError) throw builtinError(e.message);
    throw e;
  }
}

export const jsonBuiltins: BuiltinTable = {
  "json.filter": (args) => {
    const obj = object(args, 0);
    return filterByTree(obj, pathsToTree(parsePaths(args[1] as Value)));
  },

  "json.remove": (args) => {
    const obj = object(args, 0);
    return removeByTree(obj, pathsToTree(parsePaths(args[1] as Value)));
  },

  "json.patch": (args) => {
    const operations = array(args, 1);
    return applyPatch(args[0] as Value, operations);
  },

  "json.verify_schema": (args) => {
    try {
      compiled(args[0] as Value);
    } catch (e) {
      if (e instanceof SchemaError) return [false, "jsonschema: " + e.message];
      throw e;
    }
    return [true, null];
  },

  "json.match_schema": (args) =>
    asBuiltinError(() => {
      const doc = loadJSON(args[0] as Value);
      const root = compiled(args[1] as Value);
      const violations = validate(root, doc);
      const errors = violations.map((v) =>
        RObject.fromRecord({
          error: `${v.field}: ${v.description}`,
          type: v.type,
          field: v.field,
          desc: v.description,
        }),
      );
      return [violations.length === 0, errors];
    }),
};

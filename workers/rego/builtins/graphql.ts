/**
 * graphql.* built-ins, with OPA's semantics (topdown/graphql.go) over our own
 * port of the Go library OPA uses, vektah/gqlparser v2 (./graphql/): the
 * same parser, schema and query validation rules, error texts, and ASTs as
 * OPA's JSON (gqlparser structs marshalled, Positions and empty values
 * pruned).
 *
 * Queries and schemas are GraphQL text or such AST objects. Parse and
 * validation errors become eval_builtin_error for graphql.parse*; the
 * predicates (is_valid, schema_is_valid, parse_and_verify) answer false
 * instead. Inputs over the size limits (./graphql/limits.ts) are an error
 * for every one of them.
 */
import type { BuiltinContext, BuiltinTable } from "./types.js";
import type { Value } from "../value/index.js";
import { RObject } from "../value/index.js";
import { builtinError, operandError, str } from "./args.js";
import type { QueryDocument, Schema } from "./graphql/ast.js";
import { DecodeError, decodeQueryDocument, encodeQueryDocument } from "./graphql/codec.js";
import { GqlError, GqlLimitError, listText, opaMessage } from "./graphql/errors.js";
import { Meter } from "./graphql/limits.js";
import { parseQuery } from "./graphql/query-parser.js";
import { type SchemaEntry, schemaEntry } from "./graphql/schema-cache.js";
import { validateQuery } from "./graphql/validate.js";

/**
 * Charges parsing to the evaluation: one step per 64 characters. Parsing is
 * linear and bounded by the size limits; the charge keeps it visible.
 */
function chargeText(ctx: BuiltinContext, length: number): void {
  ctx.charge(Math.ceil(length / 64));
}

/** A query operand: text to parse, or an AST object; undefined for other types. */
function loadQuery(v: Value, ctx: BuiltinContext): QueryDocument | undefined {
  if (typeof v === "string") {
    chargeText(ctx, v.length);
    return parseQuery(v);
  }
  if (v instanceof RObject) return decodeQueryDocument(v);
  return undefined;
}

/** A schema operand's cache entry (see ./graphql/schema-cache.ts); undefined for other types. */
function loadSchema(v: Value, ctx: BuiltinContext): SchemaEntry | undefined {
  return schemaEntry(v, (length) => chargeText(ctx, length));
}

/** OPA's wording for errors from parsing or decoding a document. */
function loadError(e: unknown): never {
  if (e instanceof GqlError) throw builtinError(opaMessage(e.text()));
  if (e instanceof DecodeError) throw builtinError(e.message);
  throw e;
}

/** OPA's convertSchema error, which it reports without rewording. */
function schemaOf(entry: SchemaEntry): Schema {
  try {
    return entry.schema();
  } catch (e) {
    if (e instanceof GqlError) throw builtinError(`Error in gqlparser SchemaDocument to Schema conversion: ${e.text()}`);
    throw e;
  }
}

/** Validation errors, or null when the query is valid. */
function verify(schema: Schema, doc: QueryDocument, ctx: BuiltinContext): GqlError[] | null {
  const errors = validateQuery(schema, doc, new Meter((n) => ctx.charge(n)));
  return errors.length > 0 ? errors : null;
}

/**
 * Runs a predicate: GraphQL and AST errors mean "not valid", while a size
 * limit is reported as an error.
 */
function predicate<T>(invalid: T, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GqlLimitError) throw builtinError(e.message);
    if (e instanceof GqlError || e instanceof DecodeError) return invalid;
    throw e;
  }
}

/** Runs a parsing built-in: size limits become eval_builtin_error. */
function parsing<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GqlLimitError) throw builtinError(e.message);
    throw e;
  }
}

export const graphqlBuiltins: BuiltinTable = {
  "graphql.parse_query": (args, ctx) =>
    parsing(() => {
      const text = str(args, 0);
      chargeText(ctx, text.length);
      let doc: QueryDocument;
      try {
        doc = parseQuery(text);
      } catch (e) {
        loadError(e);
      }
      return encodeQueryDocument(doc);
    }),

  "graphql.parse_schema": (args, ctx) =>
    parsing(() => {
      const entry = loadSchema(str(args, 0), ctx) as SchemaEntry;
      try {
        return entry.ast();
      } catch (e) {
        loadError(e);
      }
    }),

  "graphql.parse": (args, ctx) =>
    parsing(() => {
      const [q, s] = args as [Value, Value];
      let queryDoc: QueryDocument | undefined;
      let schemaAST: RObject | undefined;
      try {
        queryDoc = loadQuery(q, ctx);
      } catch (e) {
        loadError(e);
      }
      // OPA numbers these operands from 0.
      if (queryDoc === undefined) throw operandError(0, q, "string", "object");
      const entry = loadSchema(s, ctx);
      if (entry === undefined) throw operandError(1, s, "string", "object");
      try {
        schemaAST = entry.ast();
      } catch (e) {
        loadError(e);
      }
      const schema = schemaOf(entry);
      const queryAST = encodeQueryDocument(queryDoc);
      const errors = verify(schema, queryDoc, ctx);
      if (errors !== null) throw builtinError(opaMessage(listText(errors)));
      return [queryAST, schemaAST];
    }),

  "graphql.parse_and_verify": (args, ctx) => {
    const unverified = (): Value => [false, new RObject(), new RObject()];
    return predicate(unverified(), () => {
      const queryDoc = loadQuery(args[0] as Value, ctx);
      if (queryDoc === undefined) return unverified();
      const queryAST = encodeQueryDocument(queryDoc);
      const entry = loadSchema(args[1] as Value, ctx);
      if (entry === undefined) return unverified();
      const schemaAST = entry.ast();
      if (verify(entry.schema(), queryDoc, ctx) !== null) return unverified();
      return [true, queryAST, schemaAST];
    });
  },

  "graphql.is_valid": (args, ctx) =>
    predicate(false, () => {
      const queryDoc = loadQuery(args[0] as Value, ctx);
      if (queryDoc === undefined) return false;
      const entry = loadSchema(args[1] as Value, ctx);
      if (entry === undefined) return false;
      return verify(entry.schema(), queryDoc, ctx) === null;
    }),

  "graphql.schema_is_valid": (args, ctx) =>
    predicate(false, () => {
      const entry = loadSchema(args[0] as Value, ctx);
      if (entry === undefined) return false;
      entry.schema();
      return true;
    }),
};

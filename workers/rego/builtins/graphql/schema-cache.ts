/**
 * Schemas by value, so that a policy validating many queries against one
 * schema parses and checks it once. OPA keeps parsed schemas in its
 * inter-query cache for the same reason.
 *
 * An entry holds the schema document's OPA JSON and the validated schema,
 * each made on first use. Both are immutable once made (validating queries
 * does not touch the schema), so entries are shared across evaluations:
 * schema text in a small LRU, AST objects by identity.
 */
import type { Value } from "../../value/index.js";
import { RObject } from "../../value/index.js";
import type { Schema, SchemaDocument } from "./ast.js";
import { DecodeError, decodeSchemaDocument, encodeSchemaDocument } from "./codec.js";
import { GqlError } from "./errors.js";
import { buildSchema } from "./schema.js";
import { parseSchema } from "./schema-parser.js";

export class SchemaEntry {
  private doc: SchemaDocument | null = null;
  private error: GqlError | DecodeError | null = null;
  private encoded: RObject | null = null;
  private built: Schema | GqlError | null = null;

  constructor(load: () => SchemaDocument) {
    try {
      this.doc = load();
    } catch (e) {
      if (e instanceof GqlError || e instanceof DecodeError) this.error = e;
      else throw e;
    }
  }

  /** The parsed document, or its parse/decode error. */
  private document(): SchemaDocument {
    if (this.error !== null) throw this.error;
    return this.doc as SchemaDocument;
  }

  /** The schema document as OPA's JSON; throws the parse/decode error. */
  ast(): RObject {
    this.encoded ??= encodeSchemaDocument(this.document());
    return this.encoded;
  }

  /** The validated schema; throws the parse/decode or validation error. */
  schema(): Schema {
    if (this.built === null) {
      try {
        this.built = buildSchema(this.document());
      } catch (e) {
        if (!(e instanceof GqlError)) throw e;
        this.built = e;
      }
    }
    if (this.built instanceof GqlError) throw this.built;
    return this.built;
  }
}

const MAX_TEXT_ENTRIES = 8;
/** Longer schema texts are not kept: their ASTs would hold too much memory. */
const MAX_CACHED_LENGTH = 128 * 1024;

const byText = new Map<string, SchemaEntry>();
const byObject = new WeakMap<RObject, SchemaEntry>();

/**
 * The entry for a schema operand (text or AST object), or undefined for an
 * operand of another type. `onParse` is told the length of text it parses.
 */
export function schemaEntry(v: Value, onParse: (length: number) => void): SchemaEntry | undefined {
  if (typeof v === "string") {
    const hit = byText.get(v);
    if (hit !== undefined) {
      byText.delete(v);
      byText.set(v, hit);
      return hit;
    }
    onParse(v.length);
    const entry = new SchemaEntry(() => parseSchema(v));
    if (v.length <= MAX_CACHED_LENGTH) {
      if (byText.size >= MAX_TEXT_ENTRIES) byText.delete(byText.keys().next().value as string);
      byText.set(v, entry);
    }
    return entry;
  }
  if (v instanceof RObject) {
    let entry = byObject.get(v);
    if (entry === undefined) {
      entry = new SchemaEntry(() => decodeSchemaDocument(v));
      byObject.set(v, entry);
    }
    return entry;
  }
  return undefined;
}

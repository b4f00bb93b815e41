/**
 * AST ⇄ Rego values, as OPA does it: Go's encoding/json over gqlparser's
 * structs, then OPA's pruneIrrelevantGraphQLASTNodes.
 *
 * Encoding writes every exported field, then prunes: "Position" keys, nulls
 * and empty arrays/objects disappear (empty strings and false stay).
 *
 * Decoding (policy-built ASTs, OPA's objectToQueryDocument/SchemaDocument)
 * follows json.Unmarshal: unknown keys are ignored, keys match fields
 * case-insensitively, and a type mismatch is an error, except for the four
 * structs with hand-written UnmarshalJSON in gqlparser (ast/decode.go), which
 * match keys exactly. Their selection-set decoder tries Field first, and a
 * Field accepts any object, so every decoded selection is a Field.
 *
 * Deviations, to keep the validator from dereferencing nothing (gqlparser
 * would panic): a null element in a list of nodes, a missing Type or Value
 * where one is required, or an unknown value kind or operation is rejected.
 * Positions are never decoded.
 */
import type { Value as RValue } from "../../value/index.js";
import { RObject, RSet } from "../../value/index.js";
import type { QueryDocument, Selection, SchemaDocument } from "./ast.js";
import { MAX_DEPTH, MAX_NODES, tooDeep, tooManyNodes } from "./limits.js";

type Kind =
  | { t: "string"; go: string }
  | { t: "bool" }
  | { t: "int"; go: string }
  | { t: "struct"; name: StructName; required?: true }
  | { t: "list"; of: Kind }
  | { t: "selections" };

type StructName =
  | "QueryDocument"
  | "OperationDefinition"
  | "VariableDefinition"
  | "FragmentDefinition"
  | "Field"
  | "FragmentSpread"
  | "InlineFragment"
  | "Argument"
  | "Directive"
  | "Value"
  | "ChildValue"
  | "Type"
  | "CommentGroup"
  | "Comment"
  | "SchemaDocument"
  | "SchemaDefinition"
  | "OperationTypeDefinition"
  | "Definition"
  | "FieldDefinition"
  | "ArgumentDefinition"
  | "EnumValueDefinition"
  | "DirectiveDefinition";

const str = (go = "string"): Kind => ({ t: "string", go });
const bool: Kind = { t: "bool" };
const ptr = (name: StructName): Kind => ({ t: "struct", name });
const req = (name: StructName): Kind => ({ t: "struct", name, required: true });
const list = (of: Kind): Kind => ({ t: "list", of });
const comments = ptr("CommentGroup");

interface StructSpec {
  fields: [string, Kind][];
  /** gqlparser decodes it with a hand-written UnmarshalJSON: exact keys only. */
  exact?: true;
  /** A selection's Go type, recorded in `sel`. */
  sel?: Selection["sel"];
}

/** Every exported field of each struct, as json.Marshal writes them (Position left out: OPA prunes it). */
const STRUCTS: Record<StructName, StructSpec> = {
  QueryDocument: {
    fields: [
      ["Operations", list(ptr("OperationDefinition"))],
      ["Fragments", list(ptr("FragmentDefinition"))],
      ["Comment", comments],
    ],
  },
  OperationDefinition: {
    exact: true,
    fields: [
      ["Operation", str("ast.Operation")],
      ["Name", str()],
      ["VariableDefinitions", list(ptr("VariableDefinition"))],
      ["Directives", list(ptr("Directive"))],
      ["SelectionSet", { t: "selections" }],
    ],
  },
  VariableDefinition: {
    fields: [
      ["Variable", str()],
      ["Type", req("Type")],
      ["DefaultValue", ptr("Value")],
      ["Directives", list(ptr("Directive"))],
      ["Comment", comments],
      ["Definition", ptr("Definition")],
      ["Used", bool],
    ],
  },
  FragmentDefinition: {
    exact: true,
    fields: [
      ["Name", str()],
      ["VariableDefinition", list(ptr("VariableDefinition"))],
      ["TypeCondition", str()],
      ["Directives", list(ptr("Directive"))],
      ["SelectionSet", { t: "selections" }],
      ["Definition", ptr("Definition")],
    ],
  },
  Field: {
    exact: true,
    sel: "field",
    fields: [
      ["Alias", str()],
      ["Name", str()],
      ["Arguments", list(ptr("Argument"))],
      ["Directives", list(ptr("Directive"))],
      ["SelectionSet", { t: "selections" }],
      ["Definition", ptr("FieldDefinition")],
      ["ObjectDefinition", ptr("Definition")],
    ],
  },
  FragmentSpread: {
    sel: "spread",
    fields: [
      ["Name", str()],
      ["Directives", list(ptr("Directive"))],
      ["ObjectDefinition", ptr("Definition")],
      ["Definition", ptr("FragmentDefinition")],
      ["Comment", comments],
    ],
  },
  InlineFragment: {
    exact: true,
    sel: "inline",
    fields: [
      ["TypeCondition", str()],
      ["Directives", list(ptr("Directive"))],
      ["SelectionSet", { t: "selections" }],
      ["ObjectDefinition", ptr("Definition")],
    ],
  },
  Argument: {
    fields: [
      ["Name", str()],
      ["Value", req("Value")],
      ["Comment", comments],
    ],
  },
  Directive: {
    fields: [
      ["Name", str()],
      ["Arguments", list(ptr("Argument"))],
      ["ParentDefinition", ptr("Definition")],
      ["Definition", ptr("DirectiveDefinition")],
      ["Location", str("ast.DirectiveLocation")],
    ],
  },
  Value: {
    fields: [
      ["Raw", str()],
      ["Children", list(ptr("ChildValue"))],
      ["Kind", { t: "int", go: "ast.ValueKind" }],
      ["Comment", comments],
      ["Definition", ptr("Definition")],
      ["VariableDefinition", ptr("VariableDefinition")],
      ["ExpectedType", ptr("Type")],
      ["ExpectedTypeHasDefault", bool],
    ],
  },
  ChildValue: {
    fields: [
      ["Name", str()],
      ["Value", req("Value")],
      ["Comment", comments],
    ],
  },
  Type: {
    fields: [
      ["NamedType", str()],
      ["Elem", ptr("Type")],
      ["NonNull", bool],
    ],
  },
  CommentGroup: { fields: [["List", list(ptr("Comment"))]] },
  Comment: { fields: [["Value", str()]] },
  SchemaDocument: {
    fields: [
      ["Schema", list(ptr("SchemaDefinition"))],
      ["SchemaExtension", list(ptr("SchemaDefinition"))],
      ["Directives", list(ptr("DirectiveDefinition"))],
      ["Definitions", list(ptr("Definition"))],
      ["Extensions", list(ptr("Definition"))],
      ["Comment", comments],
    ],
  },
  SchemaDefinition: {
    fields: [
      ["Description", str()],
      ["Directives", list(ptr("Directive"))],
      ["OperationTypes", list(ptr("OperationTypeDefinition"))],
      ["BeforeDescriptionComment", comments],
      ["AfterDescriptionComment", comments],
      ["EndOfDefinitionComment", comments],
    ],
  },
  OperationTypeDefinition: {
    fields: [
      ["Operation", str("ast.Operation")],
      ["Type", str()],
      ["Comment", comments],
    ],
  },
  Definition: {
    fields: [
      ["Kind", str("ast.DefinitionKind")],
      ["Description", str()],
      ["Name", str()],
      ["Directives", list(ptr("Directive"))],
      ["Interfaces", list(str())],
      ["Fields", list(ptr("FieldDefinition"))],
      ["Types", list(str())],
      ["EnumValues", list(ptr("EnumValueDefinition"))],
      ["BuiltIn", bool],
      ["BeforeDescriptionComment", comments],
      ["AfterDescriptionComment", comments],
      ["EndOfDefinitionComment", comments],
    ],
  },
  FieldDefinition: {
    fields: [
      ["Description", str()],
      ["Name", str()],
      ["Arguments", list(ptr("ArgumentDefinition"))],
      ["DefaultValue", ptr("Value")],
      ["Type", req("Type")],
      ["Directives", list(ptr("Directive"))],
      ["BeforeDescriptionComment", comments],
      ["AfterDescriptionComment", comments],
    ],
  },
  ArgumentDefinition: {
    fields: [
      ["Description", str()],
      ["Name", str()],
      ["DefaultValue", ptr("Value")],
      ["Type", req("Type")],
      ["Directives", list(ptr("Directive"))],
      ["BeforeDescriptionComment", comments],
      ["AfterDescriptionComment", comments],
    ],
  },
  EnumValueDefinition: {
    fields: [
      ["Description", str()],
      ["Name", str()],
      ["Directives", list(ptr("Directive"))],
      ["BeforeDescriptionComment", comments],
      ["AfterDescriptionComment", comments],
    ],
  },
  DirectiveDefinition: {
    fields: [
      ["Description", str()],
      ["Name", str()],
      ["Arguments", list(ptr("ArgumentDefinition"))],
      ["Locations", list(str("ast.DirectiveLocation"))],
      ["IsRepeatable", bool],
      ["BeforeDescriptionComment", comments],
      ["AfterDescriptionComment", comments],
    ],
  },
};

const SELECTION_STRUCT: Record<Selection["sel"], StructName> = {
  field: "Field",
  spread: "FragmentSpread",
  inline: "InlineFragment",
};

// ---- encoding ------------------------------------------------------------

type Node = Record<string, unknown>;

export function encodeQueryDocument(doc: QueryDocument): RObject {
  return encodeStruct("QueryDocument", doc as unknown as Node, 0) ?? new RObject();
}

export function encodeSchemaDocument(doc: SchemaDocument): RObject {
  return encodeStruct("SchemaDocument", doc as unknown as Node, 0) ?? new RObject();
}

/** A struct as a pruned object, or null when pruning leaves nothing. */
function encodeStruct(name: StructName, node: Node, depth: number): RObject | null {
  if (depth > MAX_DEPTH * 4) throw tooDeep();
  const out = new RObject();
  for (const [field, kind] of STRUCTS[name].fields) {
    const v = encodeField(kind, node[field], depth + 1);
    if (v !== null) out.set(field, v);
  }
  return out.size > 0 ? out : null;
}

/** A field's value, or null when it is pruned away. */
function encodeField(kind: Kind, v: unknown, depth: number): RValue | null {
  switch (kind.t) {
    case "string":
      return typeof v === "string" ? v : "";
    case "bool":
      return v === true;
    case "int":
      return typeof v === "number" ? v : 0;
    case "struct":
      return v === null || v === undefined ? null : encodeStruct(kind.name, v as Node, depth);
    case "list": {
      if (!Array.isArray(v)) return null;
      const items: RValue[] = [];
      for (const item of v) {
        const e = encodeField(kind.of, item, depth);
        if (e !== null) items.push(e);
      }
      return items.length > 0 ? items : null;
    }
    case "selections": {
      if (!Array.isArray(v)) return null;
      const items: RValue[] = [];
      for (const sel of v as Selection[]) {
        const e = encodeStruct(SELECTION_STRUCT[sel.sel], sel as unknown as Node, depth);
        if (e !== null) items.push(e);
      }
      return items.length > 0 ? items : null;
    }
  }
}

// ---- decoding ------------------------------------------------------------

/** A policy-built AST that json.Unmarshal (or our stricter checks) rejects. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecodeError";
  }
}

export function decodeQueryDocument(v: RObject): QueryDocument {
  return new Decoder().struct("QueryDocument", v, []) as unknown as QueryDocument;
}

export function decodeSchemaDocument(v: RObject): SchemaDocument {
  return new Decoder().struct("SchemaDocument", v, []) as unknown as SchemaDocument;
}

/** The zero value of a struct: what Go allocates before unmarshalling into it. */
function zero(name: StructName): Node {
  const spec = STRUCTS[name];
  // Position and Comment exist on most structs but are never decoded.
  const node: Node = { Position: null, Comment: null };
  if (spec.sel !== undefined) node["sel"] = spec.sel;
  for (const [field, kind] of spec.fields) {
    node[field] = kind.t === "string" ? "" : kind.t === "bool" ? false : kind.t === "int" ? 0 : null;
  }
  return node;
}

function jsonType(v: RValue): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
    case "bigint":
      return "number";
    default:
      return Array.isArray(v) || v instanceof RSet ? "array" : "object";
  }
}

function goType(kind: Kind): string {
  switch (kind.t) {
    case "string":
    case "int":
      return kind.go;
    case "bool":
      return "bool";
    case "struct":
      return `*ast.${kind.name}`;
    case "list":
      return `[]${goType(kind.of)}`;
    case "selections":
      return "ast.SelectionSet";
  }
}

class Decoder {
  private nodes = 0;

  struct(name: StructName, v: RValue, path: string[]): Node {
    if (path.length > MAX_DEPTH * 4) throw tooDeep();
    if (++this.nodes > MAX_NODES) throw tooManyNodes();
    const spec = STRUCTS[name];
    const node = zero(name);
    if (v === null) return node;
    if (!(v instanceof RObject)) throw this.mismatch(v, `ast.${name}`, path, name);
    for (const [key, value] of v.entries()) {
      if (typeof key !== "string") continue;
      const field = spec.exact ? spec.fields.find(([f]) => f === key) : this.match(spec, key);
      if (field === undefined) continue;
      const [fname, kind] = field;
      const decoded = this.field(kind, value, [...path, fname], name);
      if (decoded !== undefined) node[fname] = decoded;
    }
    this.check(name, node, path);
    return node;
  }

  /** encoding/json's key matching: exact, else case-insensitive. */
  private match(spec: StructSpec, key: string): [string, Kind] | undefined {
    const exact = spec.fields.find(([f]) => f === key);
    if (exact !== undefined) return exact;
    const folded = key.toLowerCase();
    return spec.fields.find(([f]) => f.toLowerCase() === folded);
  }

  /** The decoded field value; undefined leaves the zero value (JSON null into a non-pointer). */
  private field(kind: Kind, v: RValue, path: string[], owner: StructName): unknown {
    switch (kind.t) {
      case "string":
        if (v === null) return undefined;
        if (typeof v !== "string") throw this.mismatch(v, kind.go, path, owner);
        return v;
      case "bool":
        if (v === null) return undefined;
        if (typeof v !== "boolean") throw this.mismatch(v, "bool", path, owner);
        return v;
      case "int":
        if (v === null) return undefined;
        if (typeof v !== "number" || !Number.isInteger(v)) throw this.mismatch(v, kind.go, path, owner);
        return v;
      case "struct":
        if (v === null) {
          if (kind.required) throw new DecodeError(`GraphQL AST ${owner}.${path[path.length - 1]} must not be null`);
          return null;
        }
        return this.struct(kind.name, v, path);
      case "list": {
        if (v === null) return null;
        const items = Array.isArray(v) ? v : v instanceof RSet ? v.values() : undefined;
        if (items === undefined) throw this.mismatch(v, goType(kind), path, owner);
        return items.map((item) => {
          if (item === null && kind.of.t === "struct") {
            throw new DecodeError(`GraphQL AST ${owner}.${path[path.length - 1]} must not contain null`);
          }
          return this.field(kind.of, item, path, owner) ?? (kind.of.t === "string" ? "" : null);
        });
      }
      case "selections":
        return this.selections(v, path);
    }
  }

  /**
   * gqlparser's UnmarshalSelectionSet: each item becomes the first of Field,
   * FragmentSpread, InlineFragment that decodes; items none accept are dropped.
   */
  private selections(v: RValue, path: string[]): Selection[] {
    if (v === null) return [];
    const items = Array.isArray(v) ? v : v instanceof RSet ? v.values() : undefined;
    if (items === undefined) throw new DecodeError(`json: cannot unmarshal ${jsonType(v)} into Go value of type []json.RawMessage`);
    const out: Selection[] = [];
    for (const item of items) {
      for (const name of ["Field", "FragmentSpread", "InlineFragment"] as const) {
        try {
          out.push(this.struct(name, item, path) as unknown as Selection);
          break;
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }
    }
    return out;
  }

  private mismatch(v: RValue, type: string, path: string[], owner: StructName): DecodeError {
    if (path.length === 0) return new DecodeError(`json: cannot unmarshal ${jsonType(v)} into Go value of type ${type}`);
    return new DecodeError(`json: cannot unmarshal ${jsonType(v)} into Go struct field ${owner}.${path.join(".")} of type ${type}`);
  }

  /** Rejects what gqlparser would crash on. */
  private check(name: StructName, node: Node, path: string[]): void {
    const where = path.length > 0 ? path.join(".") : name;
    if (name === "Type" && node["NamedType"] === "" && node["Elem"] === null) {
      throw new DecodeError(`GraphQL AST ${where}: a type needs a NamedType or an Elem`);
    }
    if (name === "Value") {
      const kind = node["Kind"] as number;
      if (kind < 0 || kind > 9) throw new DecodeError(`GraphQL AST ${where}: unknown value kind ${kind}`);
    }
    if (name === "OperationDefinition" && !["", "query", "mutation", "subscription"].includes(node["Operation"] as string)) {
      throw new DecodeError(`GraphQL AST ${where}: unknown operation type ${JSON.stringify(node["Operation"])}`);
    }
    if ((name === "VariableDefinition" || name === "FieldDefinition" || name === "ArgumentDefinition") && node["Type"] === null) {
      throw new DecodeError(`GraphQL AST ${where}: Type must not be null`);
    }
    if ((name === "Argument" || name === "ChildValue") && node["Value"] === null) {
      throw new DecodeError(`GraphQL AST ${where}: Value must not be null`);
    }
  }
}

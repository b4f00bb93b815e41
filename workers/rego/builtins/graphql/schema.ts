/**
 * Schema documents to validated schemas, after gqlparser's
 * validator/schema.go (ValidateSchemaDocument): merge extensions (creating
 * the type when only extensions exist), resolve root operation types, then
 * check every type and directive definition, in name order; the first
 * problem is the error.
 *
 * The document is not modified: definitions are copied before extensions are
 * merged into them, and list fields are reassigned, never mutated in place
 * (the prelude's parsed definitions are shared, see ./prelude.ts).
 */
import type {
  ArgumentDefinition,
  Definition,
  Directive,
  DirectiveDefinition,
  FieldDefinition,
  Position,
  Schema,
  SchemaDocument,
  Type,
} from "./ast.js";
import {
  Enum,
  InputObject,
  Interface,
  ObjectKind,
  Scalar,
  Union,
  forName,
  isCompatible,
  isInputType,
  namedType,
  newDefinition,
  typeName,
  typeString,
} from "./ast.js";
import { quote } from "../../goruntime/strconv.js";
import { GqlError } from "./errors.js";
import { preludeDocument } from "./prelude.js";

/** OPA's convertSchema: the prelude, then the policy's schema, validated. */
export function buildSchema(doc: SchemaDocument): Schema {
  const prelude = preludeDocument();
  return validateSchemaDocument({
    Schema: [...(prelude.Schema ?? []), ...(doc.Schema ?? [])],
    SchemaExtension: [...(prelude.SchemaExtension ?? []), ...(doc.SchemaExtension ?? [])],
    Directives: [...(prelude.Directives ?? []), ...(doc.Directives ?? [])],
    // copies: building reassigns some definitions' lists, and the document must stay as parsed
    Definitions: [...(prelude.Definitions ?? []), ...(doc.Definitions ?? []).map((d) => ({ ...d }))],
    Extensions: [...(prelude.Extensions ?? []), ...(doc.Extensions ?? [])],
    Position: null,
    Comment: null,
  });
}

function fail(pos: Position | null, message: string): never {
  throw new GqlError(message, pos);
}

const cat = <T>(a: T[] | null, b: T[] | null): T[] | null => (b === null || b.length === 0 ? a : [...(a ?? []), ...b]);

function addTo(map: Map<string, Definition[]>, name: string, def: Definition | undefined): void {
  // gqlparser appends even a missing (nil) type; validation reports it later.
  if (def === undefined) return;
  const list = map.get(name);
  if (list === undefined) map.set(name, [def]);
  else list.push(def);
}

export function validateSchemaDocument(ast: SchemaDocument): Schema {
  const schema: Schema = {
    Query: null,
    Mutation: null,
    Subscription: null,
    Types: new Map(),
    Directives: new Map(),
    PossibleTypes: new Map(),
    Implements: new Map(),
  };

  for (const def of ast.Definitions ?? []) {
    if (schema.Types.has(def.Name)) fail(def.Position, `Cannot redeclare type ${def.Name}.`);
    schema.Types.set(def.Name, def);
  }

  const defs = [...(ast.Definitions ?? [])];
  for (const ext of ast.Extensions ?? []) {
    let def = schema.Types.get(ext.Name);
    if (def === undefined) {
      def = newDefinition(ext.Kind, ext.Name, ext.Position);
      schema.Types.set(ext.Name, def);
      defs.push(def);
    }
    if (def.Kind !== ext.Kind) {
      fail(ext.Position, `Cannot extend type ${ext.Name} because the base type is a ${def.Kind}, not ${ext.Kind}.`);
    }
    def.Directives = cat(def.Directives, ext.Directives);
    def.Interfaces = cat(def.Interfaces, ext.Interfaces);
    def.Fields = cat(def.Fields, ext.Fields);
    def.Types = cat(def.Types, ext.Types);
    def.EnumValues = cat(def.EnumValues, ext.EnumValues);
  }

  for (const def of defs) {
    switch (def.Kind) {
      case Union:
        for (const t of def.Types ?? []) {
          addTo(schema.PossibleTypes, def.Name, schema.Types.get(t));
          addTo(schema.Implements, t, def);
        }
        break;
      case InputObject:
      case ObjectKind:
        for (const intf of def.Interfaces ?? []) {
          addTo(schema.PossibleTypes, intf, def);
          addTo(schema.Implements, def.Name, schema.Types.get(intf));
        }
        addTo(schema.PossibleTypes, def.Name, def);
        break;
      case Interface:
        for (const intf of def.Interfaces ?? []) {
          addTo(schema.PossibleTypes, intf, def);
          addTo(schema.Implements, def.Name, schema.Types.get(intf));
        }
        break;
    }
  }

  for (const dir of ast.Directives ?? []) {
    if (schema.Directives.has(dir.Name) && !["include", "skip", "deprecated", "specifiedBy"].includes(dir.Name)) {
      fail(dir.Position, `Cannot redeclare directive ${dir.Name}.`);
    }
    schema.Directives.set(dir.Name, dir);
  }

  const schemaDefs = ast.Schema ?? [];
  if (schemaDefs.length > 1) {
    fail(schemaDefs[1]?.Position ?? null, "Cannot have multiple schema entry points, consider schema extensions instead.");
  }
  for (const sd of [...schemaDefs, ...(ast.SchemaExtension ?? [])]) {
    for (const entry of sd.OperationTypes ?? []) {
      const def = schema.Types.get(entry.Type);
      if (def === undefined) {
        fail(entry.Position, `Schema root ${entry.Operation} refers to a type ${entry.Type} that does not exist.`);
      }
      if (entry.Operation === "query") schema.Query = def;
      else if (entry.Operation === "mutation") schema.Mutation = def;
      else if (entry.Operation === "subscription") schema.Subscription = def;
    }
  }

  for (const name of [...schema.Types.keys()].sort()) validateDefinition(schema, schema.Types.get(name) as Definition);
  for (const name of [...schema.Directives.keys()].sort())
    validateDirectiveDefinition(schema, schema.Directives.get(name) as DirectiveDefinition);

  // Root types are inferred from their names only without a schema definition.
  if (schemaDefs.length === 0) {
    schema.Query ??= schema.Types.get("Query") ?? null;
    schema.Mutation ??= schema.Types.get("Mutation") ?? null;
    schema.Subscription ??= schema.Types.get("Subscription") ?? null;
  }

  if (schema.Query !== null) {
    const typeArg: ArgumentDefinition = {
      Description: "",
      Name: "name",
      DefaultValue: null,
      Type: namedType("String", true),
      Directives: null,
      Position: null,
      BeforeDescriptionComment: null,
      AfterDescriptionComment: null,
    };
    const field = (name: string, type: Type, args: ArgumentDefinition[] | null) => ({
      Description: "",
      Name: name,
      Arguments: args,
      DefaultValue: null,
      Type: type,
      Directives: null,
      Position: null,
      BeforeDescriptionComment: null,
      AfterDescriptionComment: null,
    });
    schema.Query.Fields = [
      ...(schema.Query.Fields ?? []),
      field("__schema", namedType("__Schema", true), null),
      field("__type", namedType("__Type"), [typeArg]),
    ];
  }
  return schema;
}

function validateDirectiveDefinition(schema: Schema, def: DirectiveDefinition): void {
  validateName(def.Position, def.Name);
  validateArgs(schema, def.Arguments, def);
}

const OUTPUT_KINDS = [Scalar, ObjectKind, Interface, Union, Enum];
const INPUT_KINDS = [Scalar, Enum, InputObject];

function validateDefinition(schema: Schema, def: Definition): void {
  for (const field of def.Fields ?? []) {
    validateName(field.Position, field.Name);
    validateTypeRef(schema, field.Type);
    validateArgs(schema, field.Arguments, null);
    validateDirectives(schema, field.Directives, def.Kind === InputObject ? "INPUT_FIELD_DEFINITION" : "FIELD_DEFINITION", null);
  }

  for (const typ of def.Types ?? []) {
    const typDef = schema.Types.get(typ);
    if (typDef === undefined) fail(def.Position, `Undefined type ${quote(typ)}.`);
    if (typDef.Kind !== ObjectKind) fail(def.Position, `${def.Kind} type ${quote(typ)} must be ${ObjectKind}.`);
  }

  for (const intf of def.Interfaces ?? []) validateImplements(schema, def, intf);

  switch (def.Kind) {
    case ObjectKind:
    case Interface:
      if ((def.Fields ?? []).length === 0) fail(def.Position, `${def.Kind} ${def.Name}: must define one or more fields.`);
      for (const field of def.Fields ?? []) {
        const typ = schema.Types.get(typeName(field.Type));
        if (typ !== undefined && !OUTPUT_KINDS.includes(typ.Kind)) {
          fail(field.Position, `${def.Kind} ${def.Name}: field must be one of ${OUTPUT_KINDS.join(", ")}.`);
        }
      }
      break;
    case Enum:
      if ((def.EnumValues ?? []).length === 0) fail(def.Position, `${def.Kind} ${def.Name}: must define one or more unique enum values.`);
      for (const value of def.EnumValues ?? []) {
        if (value.Name === "true" || value.Name === "false" || value.Name === "null") {
          fail(def.Position, `${def.Kind} ${def.Name}: non-enum value ${value.Name}.`);
        }
      }
      break;
    case InputObject:
      if ((def.Fields ?? []).length === 0) fail(def.Position, `${def.Kind} ${def.Name}: must define one or more input fields.`);
      for (const field of def.Fields ?? []) {
        const typ = schema.Types.get(typeName(field.Type));
        if (typ !== undefined && !INPUT_KINDS.includes(typ.Kind)) {
          fail(field.Position, `${typ.Kind} ${field.Name}: field must be one of ${INPUT_KINDS.join(", ")}.`);
        }
      }
      break;
  }

  // gqlparser compares every pair of fields and reports, for the first field
  // that has a namesake, that namesake's next occurrence: the same in linear time.
  const seen = new Map<string, number>();
  let dup: FieldDefinition | null = null;
  let dupFirst = Infinity;
  (def.Fields ?? []).forEach((field, i) => {
    const first = seen.get(field.Name);
    if (first === undefined) seen.set(field.Name, i);
    else if (first < dupFirst) {
      dupFirst = first;
      dup = field;
    }
  });
  if (dup !== null) fail((dup as FieldDefinition).Position, `Field ${def.Name}.${(dup as FieldDefinition).Name} can only be defined once.`);

  if (!def.BuiltIn) validateName(def.Position, def.Name);
  validateDirectives(schema, def.Directives, def.Kind, null);
}

function validateTypeRef(schema: Schema, typ: Type): void {
  if (!schema.Types.has(typeName(typ))) fail(typ.Position, `Undefined type ${typeName(typ)}.`);
}

function validateArgs(schema: Schema, args: ArgumentDefinition[] | null, current: DirectiveDefinition | null): void {
  for (const arg of args ?? []) {
    validateName(arg.Position, arg.Name);
    validateTypeRef(schema, arg.Type);
    const def = schema.Types.get(typeName(arg.Type)) as Definition;
    if (!isInputType(def)) {
      fail(arg.Position, `cannot use ${typeString(arg.Type)} as argument ${arg.Name} because ${def.Kind} is not a valid input type`);
    }
    validateDirectives(schema, arg.Directives, "ARGUMENT_DEFINITION", current);
  }
}

function validateDirectives(schema: Schema, dirs: Directive[] | null, location: string, current: DirectiveDefinition | null): void {
  for (const dir of dirs ?? []) {
    validateName(dir.Position, dir.Name);
    if (current !== null && dir.Name === current.Name) fail(dir.Position, `Directive ${current.Name} cannot refer to itself.`);
    const def = schema.Directives.get(dir.Name);
    if (def === undefined) fail(dir.Position, `Undefined directive ${dir.Name}.`);
    if (!(def.Locations ?? []).includes(location)) fail(dir.Position, `Directive ${dir.Name} is not applicable on ${location}.`);
    // gqlparser also records the definition on the directive; nothing reads it
    // later, and leaving the document untouched lets it be marshalled any time.
  }
}

/** Object and interface implementations (spec §3.6, "IsValidImplementation"). */
function validateImplements(schema: Schema, def: Definition, intfName: string): void {
  const intf = schema.Types.get(intfName);
  if (intf === undefined) fail(def.Position, `Undefined type ${quote(intfName)}.`);
  if (intf.Kind !== Interface) fail(def.Position, `${quote(intfName)} is a non interface type ${intf.Kind}.`);
  for (const required of intf.Fields ?? []) {
    const found = forName(def.Fields, required.Name);
    if (found === undefined) {
      fail(def.Position, `For ${def.Name} to implement ${intf.Name} it must have a field called ${required.Name}.`);
    }
    if (!isCovariant(schema, required.Type, found.Type)) {
      fail(
        found.Position,
        `For ${def.Name} to implement ${intf.Name} the field ${required.Name} must have type ${typeString(required.Type)}.`,
      );
    }
    for (const requiredArg of required.Arguments ?? []) {
      const foundArg = forName(found.Arguments, requiredArg.Name);
      if (foundArg === undefined) {
        fail(
          found.Position,
          `For ${def.Name} to implement ${intf.Name} the field ${required.Name} must have the same arguments but it is missing ${requiredArg.Name}.`,
        );
      }
      if (!isCompatible(requiredArg.Type, foundArg.Type)) {
        fail(
          foundArg.Position,
          `For ${def.Name} to implement ${intf.Name} the field ${required.Name} must have the same arguments but ${requiredArg.Name} has the wrong type.`,
        );
      }
    }
    for (const arg of found.Arguments ?? []) {
      if (forName(required.Arguments, arg.Name) === undefined && arg.Type.NonNull && arg.DefaultValue === null) {
        fail(
          arg.Position,
          `For ${def.Name} to implement ${intf.Name} any additional arguments on ${found.Name} must be optional or have a default value but ${arg.Name} is required.`,
        );
      }
    }
  }
  // An implementation must also implement what the interface implements.
  for (const transitive of intf.Interfaces ?? []) {
    if ((def.Interfaces ?? []).includes(transitive)) continue;
    if (transitive === def.Name) {
      fail(def.Position, `Type ${def.Name} cannot implement ${intfName} because it would create a circular reference.`);
    }
    fail(def.Position, `Type ${def.Name} must implement ${transitive} because it is implemented by ${intfName}.`);
  }
}

function isCovariant(schema: Schema, required: Type, actual: Type): boolean {
  if (required.NonNull && !actual.NonNull) return false;
  if (required.NamedType !== "") {
    if (required.NamedType === actual.NamedType) return true;
    return (schema.PossibleTypes.get(required.NamedType) ?? []).some((pt) => pt.Name === actual.NamedType);
  }
  if (required.Elem !== null && actual.Elem === null) return false;
  return required.Elem !== null && actual.Elem !== null && isCovariant(schema, required.Elem, actual.Elem);
}

function validateName(pos: Position | null, name: string): void {
  if (name.startsWith("__")) {
    fail(pos, `Name "${name}" must not begin with "__", which is reserved by GraphQL introspection.`);
  }
}

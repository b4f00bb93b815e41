/**
 * Schema definition language, after gqlparser's parser/schema.go (including
 * its leniencies: an `extend` may not carry a description; an extension must
 * add something).
 */
import type {
  ArgumentDefinition,
  Definition,
  DirectiveDefinition,
  EnumValueDefinition,
  FieldDefinition,
  OperationTypeDefinition,
  SchemaDefinition,
  SchemaDocument,
} from "./ast.js";
import { Enum, InputObject, Interface, ObjectKind, Scalar, Union, newDefinition } from "./ast.js";
import { Parser } from "./parser.js";

/** Parses SDL; `builtIn` marks the definitions as the prelude's. */
export function parseSchema(input: string, builtIn = false): SchemaDocument {
  const p = new Parser(input);
  const doc = parseSchemaDocument(p);
  for (const def of doc.Definitions ?? []) def.BuiltIn = builtIn;
  for (const def of doc.Extensions ?? []) def.BuiltIn = builtIn;
  return doc;
}

function parseSchemaDocument(p: Parser): SchemaDocument {
  const doc: SchemaDocument = {
    Schema: null,
    SchemaExtension: null,
    Directives: null,
    Definitions: null,
    Extensions: null,
    Position: p.peekPos(),
    Comment: null,
  };
  while (p.peek().kind !== "<EOF>") {
    const description = parseDescription(p);
    if (p.peek().kind !== "Name") p.unexpectedError();
    switch (p.peek().value) {
      case "scalar":
      case "type":
      case "interface":
      case "union":
      case "enum":
      case "input":
        (doc.Definitions ??= []).push(parseTypeSystemDefinition(p, description));
        break;
      case "schema":
        (doc.Schema ??= []).push(parseSchemaDefinition(p, description));
        break;
      case "directive":
        (doc.Directives ??= []).push(parseDirectiveDefinition(p, description));
        break;
      case "extend":
        if (description !== "") p.unexpectedToken(p.prev);
        parseTypeSystemExtension(p, doc);
        break;
      default:
        p.unexpectedError();
    }
  }
  return doc;
}

function parseDescription(p: Parser): string {
  const kind = p.peek().kind;
  return kind === "String" || kind === "BlockString" ? p.next().value : "";
}

function parseTypeSystemDefinition(p: Parser, description: string): Definition {
  const keyword = p.next().value;
  const def = newDefinition("", "", p.peekPos());
  def.Description = description;
  switch (keyword) {
    case "scalar":
      def.Kind = Scalar;
      def.Name = p.parseName();
      def.Directives = p.parseDirectives(true);
      break;
    case "type":
    case "interface":
      def.Kind = keyword === "type" ? ObjectKind : Interface;
      def.Name = p.parseName();
      def.Interfaces = parseImplementsInterfaces(p);
      def.Directives = p.parseDirectives(true);
      def.Fields = parseFieldsDefinition(p);
      break;
    case "union":
      def.Kind = Union;
      def.Name = p.parseName();
      def.Directives = p.parseDirectives(true);
      def.Types = parseUnionMemberTypes(p);
      break;
    case "enum":
      def.Kind = Enum;
      def.Name = p.parseName();
      def.Directives = p.parseDirectives(true);
      def.EnumValues = parseEnumValuesDefinition(p);
      break;
    default:
      def.Kind = InputObject;
      def.Name = p.parseName();
      def.Directives = p.parseDirectives(true);
      def.Fields = parseInputFieldsDefinition(p);
  }
  return def;
}

function parseSchemaDefinition(p: Parser, description: string): SchemaDefinition {
  p.expectKeyword("schema");
  const def: SchemaDefinition = {
    Description: description,
    Directives: null,
    OperationTypes: null,
    Position: p.peekPos(),
    BeforeDescriptionComment: null,
    AfterDescriptionComment: null,
    EndOfDefinitionComment: null,
  };
  def.Directives = p.parseDirectives(true);
  p.some("{", "}", () => (def.OperationTypes ??= []).push(parseOperationTypeDefinition(p)));
  return def;
}

function parseOperationTypeDefinition(p: Parser): OperationTypeDefinition {
  const pos = p.peekPos();
  const operation = p.parseOperationType();
  p.expect(":");
  return { Operation: operation, Type: p.parseName(), Position: pos, Comment: null };
}

/** `implements A & B`, with an optional leading `&`. gqlparser tests only the token's text. */
function parseImplementsInterfaces(p: Parser): string[] | null {
  if (p.peek().value !== "implements") return null;
  p.next();
  p.skip("&");
  const types = [p.parseName()];
  while (p.skip("&")) types.push(p.parseName());
  return types;
}

function parseFieldsDefinition(p: Parser): FieldDefinition[] | null {
  const defs: FieldDefinition[] = [];
  p.some("{", "}", () => defs.push(parseFieldDefinition(p)));
  return defs.length > 0 ? defs : null;
}

function parseFieldDefinition(p: Parser): FieldDefinition {
  const pos = p.peekPos();
  const description = parseDescription(p);
  const name = p.parseName();
  const args = parseArgumentDefs(p);
  p.expect(":");
  const type = p.parseTypeReference();
  return {
    Description: description,
    Name: name,
    Arguments: args,
    DefaultValue: null,
    Type: type,
    Directives: p.parseDirectives(true),
    Position: pos,
    BeforeDescriptionComment: null,
    AfterDescriptionComment: null,
  };
}

function parseArgumentDefs(p: Parser): ArgumentDefinition[] | null {
  const args: ArgumentDefinition[] = [];
  p.some("(", ")", () => args.push(parseInputValue(p)));
  return args.length > 0 ? args : null;
}

/** An argument or input field: `"desc"? name: Type = default? @directives`. */
function parseInputValue(p: Parser): ArgumentDefinition {
  const pos = p.peekPos();
  const description = parseDescription(p);
  const name = p.parseName();
  p.expect(":");
  const type = p.parseTypeReference();
  const defaultValue = p.skip("=") ? p.parseValueLiteral(true) : null;
  return {
    Description: description,
    Name: name,
    DefaultValue: defaultValue,
    Type: type,
    Directives: p.parseDirectives(true),
    Position: pos,
    BeforeDescriptionComment: null,
    AfterDescriptionComment: null,
  };
}

function parseInputFieldsDefinition(p: Parser): FieldDefinition[] | null {
  const defs: FieldDefinition[] = [];
  p.some("{", "}", () => defs.push({ ...parseInputValue(p), Arguments: null }));
  return defs.length > 0 ? defs : null;
}

function parseUnionMemberTypes(p: Parser): string[] | null {
  if (!p.skip("=")) return null;
  p.skip("|");
  const types = [p.parseName()];
  while (p.skip("|")) types.push(p.parseName());
  return types;
}

function parseEnumValuesDefinition(p: Parser): EnumValueDefinition[] | null {
  const values: EnumValueDefinition[] = [];
  p.some("{", "}", () => {
    const pos = p.peekPos();
    const description = parseDescription(p);
    const name = p.parseName();
    values.push({
      Description: description,
      Name: name,
      Directives: p.parseDirectives(true),
      Position: pos,
      BeforeDescriptionComment: null,
      AfterDescriptionComment: null,
    });
  });
  return values.length > 0 ? values : null;
}

function parseTypeSystemExtension(p: Parser, doc: SchemaDocument): void {
  p.expectKeyword("extend");
  const keyword = p.peek().value;
  if (keyword === "schema") {
    (doc.SchemaExtension ??= []).push(parseSchemaExtension(p));
    return;
  }
  if (!["scalar", "type", "interface", "union", "enum", "input"].includes(keyword)) p.unexpectedError();
  p.next();
  const def = newDefinition("", "", p.peekPos());
  def.Name = p.parseName();
  let empty: boolean;
  switch (keyword) {
    case "scalar":
      def.Kind = Scalar;
      def.Directives = p.parseDirectives(true);
      empty = def.Directives === null;
      break;
    case "type":
      def.Kind = ObjectKind;
      def.Interfaces = parseImplementsInterfaces(p);
      def.Directives = p.parseDirectives(true);
      def.Fields = parseFieldsDefinition(p);
      empty = def.Interfaces === null && def.Directives === null && def.Fields === null;
      break;
    case "interface":
      def.Kind = Interface;
      def.Directives = p.parseDirectives(true);
      def.Fields = parseFieldsDefinition(p);
      empty = def.Directives === null && def.Fields === null;
      break;
    case "union":
      def.Kind = Union;
      def.Directives = p.parseDirectives(true);
      def.Types = parseUnionMemberTypes(p);
      empty = def.Directives === null && def.Types === null;
      break;
    case "enum":
      def.Kind = Enum;
      def.Directives = p.parseDirectives(true);
      def.EnumValues = parseEnumValuesDefinition(p);
      empty = def.Directives === null && def.EnumValues === null;
      break;
    default:
      def.Kind = InputObject;
      def.Directives = p.parseDirectives(false);
      def.Fields = parseInputFieldsDefinition(p);
      empty = def.Directives === null && def.Fields === null;
  }
  if (empty) p.unexpectedError();
  (doc.Extensions ??= []).push(def);
}

function parseSchemaExtension(p: Parser): SchemaDefinition {
  p.expectKeyword("schema");
  const def: SchemaDefinition = {
    Description: "",
    Directives: null,
    OperationTypes: null,
    Position: p.peekPos(),
    BeforeDescriptionComment: null,
    AfterDescriptionComment: null,
    EndOfDefinitionComment: null,
  };
  def.Directives = p.parseDirectives(true);
  p.some("{", "}", () => (def.OperationTypes ??= []).push(parseOperationTypeDefinition(p)));
  if (def.Directives === null && def.OperationTypes === null) p.unexpectedError();
  return def;
}

const LOCATIONS = new Set([
  "QUERY",
  "MUTATION",
  "SUBSCRIPTION",
  "FIELD",
  "FRAGMENT_DEFINITION",
  "FRAGMENT_SPREAD",
  "INLINE_FRAGMENT",
  "VARIABLE_DEFINITION",
  "SCHEMA",
  "SCALAR",
  "OBJECT",
  "FIELD_DEFINITION",
  "ARGUMENT_DEFINITION",
  "INTERFACE",
  "UNION",
  "ENUM",
  "ENUM_VALUE",
  "INPUT_OBJECT",
  "INPUT_FIELD_DEFINITION",
]);

function parseDirectiveDefinition(p: Parser, description: string): DirectiveDefinition {
  p.expectKeyword("directive");
  p.expect("@");
  const pos = p.peekPos();
  const name = p.parseName();
  const args = parseArgumentDefs(p);
  let repeatable = false;
  const peek = p.peek();
  if (peek.kind === "Name" && peek.value === "repeatable") {
    repeatable = true;
    p.next();
  }
  p.expectKeyword("on");
  p.skip("|");
  const locations = [parseDirectiveLocation(p)];
  while (p.skip("|")) locations.push(parseDirectiveLocation(p));
  return {
    Description: description,
    Name: name,
    Arguments: args,
    Locations: locations,
    IsRepeatable: repeatable,
    Position: pos,
    BeforeDescriptionComment: null,
    AfterDescriptionComment: null,
  };
}

function parseDirectiveLocation(p: Parser): string {
  const tok = p.expect("Name");
  if (LOCATIONS.has(tok.value)) return tok.value;
  p.unexpectedToken(tok);
}

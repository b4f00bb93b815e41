/**
 * The GraphQL AST, shaped like gqlparser's (github.com/vektah/gqlparser/v2/ast)
 * Go structs: OPA hands policies these structs marshalled to JSON, so the
 * property names here are the Go field names and ./codec.ts can turn a node
 * into OPA's JSON (and policy-built objects back into nodes) field by field.
 *
 * Fields under "set by validation" are filled in by the walker (./walk.ts);
 * OPA marshals documents before validating them, so they are null in output.
 */
import { quote } from "../../goruntime/strconv.js";

/** Where a node starts: 1-based line and column (columns count code points). */
export interface Position {
  Line: number;
  Column: number;
}

export type ValueKind = number;
export const VariableKind = 0;
export const IntValue = 1;
export const FloatValue = 2;
export const StringValue = 3;
export const BlockValue = 4;
export const BooleanValue = 5;
export const NullValue = 6;
export const EnumValue = 7;
export const ListValue = 8;
export const ObjectValue = 9;

export interface Comment {
  Value: string;
}

export interface CommentGroup {
  List: Comment[] | null;
}

export interface Type {
  NamedType: string;
  Elem: Type | null;
  NonNull: boolean;
  Position: Position | null;
}

export interface Value {
  Raw: string;
  Children: ChildValue[] | null;
  Kind: ValueKind;
  Position: Position | null;
  Comment: CommentGroup | null;
  // set by validation
  Definition: Definition | null;
  VariableDefinition: VariableDefinition | null;
  ExpectedType: Type | null;
  ExpectedTypeHasDefault: boolean;
}

export interface ChildValue {
  Name: string;
  Value: Value;
  Position: Position | null;
  Comment: CommentGroup | null;
}

export interface Argument {
  Name: string;
  Value: Value;
  Position: Position | null;
  Comment: CommentGroup | null;
}

export type DirectiveLocation = string;

export interface Directive {
  Name: string;
  Arguments: Argument[] | null;
  Position: Position | null;
  // set by validation
  ParentDefinition: Definition | null;
  Definition: DirectiveDefinition | null;
  Location: DirectiveLocation;
}

export type Operation = string;

export interface VariableDefinition {
  Variable: string;
  Type: Type;
  DefaultValue: Value | null;
  Directives: Directive[] | null;
  Position: Position | null;
  Comment: CommentGroup | null;
  // set by validation
  Definition: Definition | null;
  Used: boolean;
}

/** The three kinds of selection; `sel` stands in for Go's dynamic type and is never marshalled. */
export interface Field {
  sel: "field";
  Alias: string;
  Name: string;
  Arguments: Argument[] | null;
  Directives: Directive[] | null;
  SelectionSet: Selection[] | null;
  Position: Position | null;
  Comment: CommentGroup | null;
  // set by validation
  Definition: FieldDefinition | null;
  ObjectDefinition: Definition | null;
}

export interface FragmentSpread {
  sel: "spread";
  Name: string;
  Directives: Directive[] | null;
  Position: Position | null;
  Comment: CommentGroup | null;
  // set by validation
  ObjectDefinition: Definition | null;
  Definition: FragmentDefinition | null;
}

export interface InlineFragment {
  sel: "inline";
  TypeCondition: string;
  Directives: Directive[] | null;
  SelectionSet: Selection[] | null;
  Position: Position | null;
  Comment: CommentGroup | null;
  // set by validation
  ObjectDefinition: Definition | null;
}

export type Selection = Field | FragmentSpread | InlineFragment;

export interface OperationDefinition {
  Operation: Operation;
  Name: string;
  VariableDefinitions: VariableDefinition[] | null;
  Directives: Directive[] | null;
  SelectionSet: Selection[] | null;
  Position: Position | null;
  Comment: CommentGroup | null;
}

export interface FragmentDefinition {
  Name: string;
  /** Experimental fragment variables; Go's field name is singular. */
  VariableDefinition: VariableDefinition[] | null;
  TypeCondition: string;
  Directives: Directive[] | null;
  SelectionSet: Selection[] | null;
  Position: Position | null;
  Comment: CommentGroup | null;
  // set by validation
  Definition: Definition | null;
}

export interface QueryDocument {
  Operations: OperationDefinition[] | null;
  Fragments: FragmentDefinition[] | null;
  Position: Position | null;
  Comment: CommentGroup | null;
}

export type DefinitionKind = string;
export const Scalar = "SCALAR";
export const ObjectKind = "OBJECT";
export const Interface = "INTERFACE";
export const Union = "UNION";
export const Enum = "ENUM";
export const InputObject = "INPUT_OBJECT";

export interface Definition {
  Kind: DefinitionKind;
  Description: string;
  Name: string;
  Directives: Directive[] | null;
  Interfaces: string[] | null;
  Fields: FieldDefinition[] | null;
  Types: string[] | null;
  EnumValues: EnumValueDefinition[] | null;
  Position: Position | null;
  BuiltIn: boolean;
  BeforeDescriptionComment: CommentGroup | null;
  AfterDescriptionComment: CommentGroup | null;
  EndOfDefinitionComment: CommentGroup | null;
}

export interface FieldDefinition {
  Description: string;
  Name: string;
  Arguments: ArgumentDefinition[] | null;
  DefaultValue: Value | null;
  Type: Type;
  Directives: Directive[] | null;
  Position: Position | null;
  BeforeDescriptionComment: CommentGroup | null;
  AfterDescriptionComment: CommentGroup | null;
}

export interface ArgumentDefinition {
  Description: string;
  Name: string;
  DefaultValue: Value | null;
  Type: Type;
  Directives: Directive[] | null;
  Position: Position | null;
  BeforeDescriptionComment: CommentGroup | null;
  AfterDescriptionComment: CommentGroup | null;
}

export interface EnumValueDefinition {
  Description: string;
  Name: string;
  Directives: Directive[] | null;
  Position: Position | null;
  BeforeDescriptionComment: CommentGroup | null;
  AfterDescriptionComment: CommentGroup | null;
}

export interface DirectiveDefinition {
  Description: string;
  Name: string;
  Arguments: ArgumentDefinition[] | null;
  Locations: DirectiveLocation[] | null;
  IsRepeatable: boolean;
  Position: Position | null;
  BeforeDescriptionComment: CommentGroup | null;
  AfterDescriptionComment: CommentGroup | null;
}

export interface SchemaDefinition {
  Description: string;
  Directives: Directive[] | null;
  OperationTypes: OperationTypeDefinition[] | null;
  Position: Position | null;
  BeforeDescriptionComment: CommentGroup | null;
  AfterDescriptionComment: CommentGroup | null;
  EndOfDefinitionComment: CommentGroup | null;
}

export interface OperationTypeDefinition {
  Operation: Operation;
  Type: string;
  Position: Position | null;
  Comment: CommentGroup | null;
}

export interface SchemaDocument {
  Schema: SchemaDefinition[] | null;
  SchemaExtension: SchemaDefinition[] | null;
  Directives: DirectiveDefinition[] | null;
  Definitions: Definition[] | null;
  Extensions: Definition[] | null;
  Position: Position | null;
  Comment: CommentGroup | null;
}

/** A validated schema: gqlparser's ast.Schema. */
export interface Schema {
  Query: Definition | null;
  Mutation: Definition | null;
  Subscription: Definition | null;
  Types: Map<string, Definition>;
  Directives: Map<string, DirectiveDefinition>;
  PossibleTypes: Map<string, Definition[]>;
  Implements: Map<string, Definition[]>;
}

// ---- helpers with gqlparser's semantics ------------------------------------

/** Type.Name(): the innermost named type. */
export function typeName(t: Type): string {
  let cur: Type = t;
  while (cur.NamedType === "" && cur.Elem !== null) cur = cur.Elem;
  return cur.NamedType;
}

/** Type.String(): `[Foo!]!` notation. */
export function typeString(t: Type): string {
  const nn = t.NonNull ? "!" : "";
  return t.Elem !== null ? `[${typeString(t.Elem)}]${nn}` : t.NamedType + nn;
}

/** Type.IsCompatible: can a value of type `t` be used where `other` is expected? */
export function isCompatible(t: Type, other: Type): boolean {
  if (t.NamedType !== other.NamedType) return false;
  if (t.Elem !== null && other.Elem === null) return false;
  if (t.Elem !== null && other.Elem !== null && !isCompatible(t.Elem, other.Elem)) return false;
  if (other.NonNull) return t.NonNull;
  return true;
}

export function namedType(name: string, nonNull = false): Type {
  return { NamedType: name, Elem: null, NonNull: nonNull, Position: null };
}

/** Name indexes of long lists, built on first lookup: lists are never mutated in place. */
const nameIndexes = new WeakMap<object, Map<string, unknown>>();

/** The first element of a list whose `Name` matches (gqlparser's ForName methods). */
export function forName<T extends { Name: string }>(list: T[] | null, name: string): T | undefined {
  if (list === null) return undefined;
  if (list.length <= 8) {
    for (const item of list) if (item.Name === name) return item;
    return undefined;
  }
  let index = nameIndexes.get(list) as Map<string, T> | undefined;
  if (index === undefined) {
    index = new Map();
    for (const item of list) if (!index.has(item.Name)) index.set(item.Name, item);
    nameIndexes.set(list, index);
  }
  return index.get(name);
}

export function isLeafType(d: Definition): boolean {
  return d.Kind === Enum || d.Kind === Scalar;
}

export function isAbstractType(d: Definition): boolean {
  return d.Kind === Interface || d.Kind === Union;
}

export function isCompositeType(d: Definition): boolean {
  return d.Kind === ObjectKind || d.Kind === Interface || d.Kind === Union;
}

export function isInputType(d: Definition): boolean {
  return d.Kind === Scalar || d.Kind === Enum || d.Kind === InputObject;
}

export function newValue(kind: ValueKind, raw: string, pos: Position | null): Value {
  return {
    Raw: raw,
    Children: null,
    Kind: kind,
    Position: pos,
    Comment: null,
    Definition: null,
    VariableDefinition: null,
    ExpectedType: null,
    ExpectedTypeHasDefault: false,
  };
}

export function newDefinition(kind: DefinitionKind, name: string, pos: Position | null): Definition {
  return {
    Kind: kind,
    Description: "",
    Name: name,
    Directives: null,
    Interfaces: null,
    Fields: null,
    Types: null,
    EnumValues: null,
    Position: pos,
    BuiltIn: false,
    BeforeDescriptionComment: null,
    AfterDescriptionComment: null,
    EndOfDefinitionComment: null,
  };
}

/** Value.String(), as validation messages print values. */
export function valueString(v: Value): string {
  switch (v.Kind) {
    case VariableKind:
      return "$" + v.Raw;
    case StringValue:
    case BlockValue:
      return quote(v.Raw);
    case ListValue:
      return "[" + (v.Children ?? []).map((c) => valueString(c.Value)).join(",") + "]";
    case ObjectValue:
      return "{" + (v.Children ?? []).map((c) => c.Name + ":" + valueString(c.Value)).join(",") + "}";
    default:
      return v.Raw;
  }
}

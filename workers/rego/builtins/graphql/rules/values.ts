/**
 * Literal values against their expected types (gqlparser's
 * validator/rules/values_of_correct_type.go and unique_input_field_names.go),
 * with gqlparser's quirks: custom scalars accept anything, and a value Go
 * cannot convert (an Int beyond 64 bits, a Float beyond float64) is
 * reported as of the wrong type.
 */
import type { Value } from "../ast.js";
import {
  BlockValue,
  BooleanValue,
  Enum,
  EnumValue,
  FloatValue,
  IntValue,
  ListValue,
  NullValue,
  ObjectValue,
  Scalar,
  StringValue,
  VariableKind,
  forName,
  typeString,
  valueString,
} from "../ast.js";
import { type Charge, suggestQuoted, suggestUnquoted } from "../suggest.js";
import type { Report, Rule } from "./rule.js";

const BUILTIN_SCALARS = ["Int", "Float", "String", "Boolean", "ID"];
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const GO_INT = /^[+-]?[0-9]+$/;
const GO_FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const GO_BOOL = new Set(["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"]);

function intInRange(raw: string, min: bigint, max: bigint): boolean | "syntax" {
  if (!GO_INT.test(raw)) return "syntax";
  const n = BigInt(raw);
  return n >= min && n <= max;
}

/** Whether gqlparser's Value.Value(nil), the conversion to a Go value, fails. */
function conversionFails(v: Value, depth = 0): boolean {
  if (depth > 1000) return false;
  switch (v.Kind) {
    case VariableKind: {
      const dflt = v.VariableDefinition?.DefaultValue ?? null;
      return dflt !== null && conversionFails(dflt, depth + 1);
    }
    case IntValue:
      return intInRange(v.Raw, INT64_MIN, INT64_MAX) !== true;
    case FloatValue:
      return !GO_FLOAT.test(v.Raw) || !Number.isFinite(Number(v.Raw));
    case BooleanValue:
      return !GO_BOOL.has(v.Raw);
    case ListValue:
    case ObjectValue:
      return (v.Children ?? []).some((c) => conversionFails(c.Value, depth + 1));
    default:
      return false;
  }
}

/** The wording for a value of the wrong type, by expected type. */
function unexpectedTypeMessage(v: Value): string {
  const expected = typeString(v.ExpectedType as NonNullable<Value["ExpectedType"]>);
  const shown = valueString(v);
  switch (expected) {
    case "Int":
    case "Int!":
      if (intInRange(v.Raw, -(2n ** 31n), 2n ** 31n - 1n) === false)
        return `Int cannot represent non 32-bit signed integer value: ${shown}`;
      return `Int cannot represent non-integer value: ${shown}`;
    case "String":
    case "String!":
    case "[String]":
      return `String cannot represent a non string value: ${shown}`;
    case "Boolean":
    case "Boolean!":
      return `Boolean cannot represent a non boolean value: ${shown}`;
    case "Float":
    case "Float!":
      return `Float cannot represent non numeric value: ${shown}`;
    case "ID":
    case "ID!":
      return `ID cannot represent a non-string and non-integer value: ${shown}`;
    default:
      if (v.Definition?.Kind === Enum) return `Enum "${expected}" cannot represent non-enum value: ${shown}.`;
      return `Expected value of type "${expected}", found ${shown}.`;
  }
}

function checkValue(value: Value, report: Report, charge: Charge): void {
  const def = value.Definition;
  const expected = value.ExpectedType;
  if (def === null || expected === null) return;
  const wrongType = () => report(unexpectedTypeMessage(value), value.Position);

  if (value.Kind === NullValue && expected.NonNull) {
    report(`Expected value of type "${typeString(expected)}", found ${valueString(value)}.`, value.Position);
  }
  // Custom scalars validate themselves.
  if (def.Kind === Scalar && !BUILTIN_SCALARS.includes(def.Name)) return;
  const enumValues = def.Kind === Enum ? (def.EnumValues ?? []).map((e) => e.Name) : [];
  if (conversionFails(value)) wrongType();

  switch (value.Kind) {
    case NullValue:
    case VariableKind:
      return;
    case ListValue:
      if (expected.Elem === null) wrongType();
      return;
    case IntValue:
      if (!["Int", "Float", "ID"].includes(def.Name)) wrongType();
      return;
    case FloatValue:
      if (def.Name !== "Float") wrongType();
      return;
    case StringValue:
    case BlockValue:
      if (def.Kind === Enum) {
        report(
          `Enum "${typeString(expected)}" cannot represent non-enum value: ${valueString(value)}.` +
            suggestQuoted("Did you mean the enum value", value.Raw, enumValues, charge),
          value.Position,
        );
      } else if (def.Name !== "String" && def.Name !== "ID") {
        wrongType();
      }
      return;
    case EnumValue:
      if (def.Kind !== Enum) {
        report(
          unexpectedTypeMessage(value) + suggestUnquoted("Did you mean the enum value", value.Raw, enumValues, charge),
          value.Position,
        );
      } else if (forName(def.EnumValues, value.Raw) === undefined) {
        report(
          `Value "${valueString(value)}" does not exist in "${typeString(expected)}" enum.` +
            suggestQuoted("Did you mean the enum value", value.Raw, enumValues, charge),
          value.Position,
        );
      }
      return;
    case BooleanValue:
      if (def.Name !== "Boolean") wrongType();
      return;
    case ObjectValue: {
      for (const field of def.Fields ?? []) {
        if (!field.Type.NonNull) continue;
        if (forName(value.Children, field.Name) === undefined && field.DefaultValue === null) {
          report(`Field "${def.Name}.${field.Name}" of required type "${typeString(field.Type)}" was not provided.`, value.Position);
        }
      }
      const names = (def.Fields ?? []).map((f) => f.Name);
      for (const child of value.Children ?? []) {
        if (forName(def.Fields, child.Name) !== undefined) continue;
        report(
          `Field "${child.Name}" is not defined by type "${def.Name}".` + suggestQuoted("Did you mean", child.Name, names, charge),
          child.Position,
        );
      }
      return;
    }
  }
}

export const valuesOfCorrectType: Rule = {
  name: "ValuesOfCorrectType",
  register(events, report) {
    events.value.push((w, value) => checkValue(value, report, (n) => w.meter.add(n)));
  },
};

export const uniqueInputFieldNames: Rule = {
  name: "UniqueInputFieldNames",
  register(events, report) {
    events.value.push((_w, value) => {
      if (value.Kind !== ObjectValue) return;
      const seen = new Set<string>();
      for (const child of value.Children ?? []) {
        if (seen.has(child.Name)) report(`There can be only one input field named "${child.Name}".`, child.Position);
        seen.add(child.Name);
      }
    });
  },
};

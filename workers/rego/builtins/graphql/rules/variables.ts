/**
 * Variable rules: defined, used, unique, of input types, and used where
 * their type fits (gqlparser's validator/rules: no_undefined_variables,
 * no_unused_variables, unique_variable_names, variables_are_input_types,
 * variables_in_allowed_position).
 */
import type { Type } from "../ast.js";
import { NullValue, VariableKind, isCompatible, isInputType, typeString, valueString } from "../ast.js";
import type { Rule } from "./rule.js";

export const noUndefinedVariables: Rule = {
  name: "NoUndefinedVariables",
  register(events, report) {
    events.value.push((w, value) => {
      const op = w.currentOperation;
      if (op === null || value.Kind !== VariableKind || value.VariableDefinition !== null) return;
      if (op.Name !== "") report(`Variable "${valueString(value)}" is not defined by operation "${op.Name}".`, value.Position);
      else report(`Variable "${valueString(value)}" is not defined.`, value.Position);
    });
  },
};

export const noUnusedVariables: Rule = {
  name: "NoUnusedVariables",
  register(events, report) {
    events.operation.push((_w, op) => {
      for (const v of op.VariableDefinitions ?? []) {
        if (v.Used) continue;
        if (op.Name !== "") report(`Variable "$${v.Variable}" is never used in operation "${op.Name}".`, v.Position);
        else report(`Variable "$${v.Variable}" is never used.`, v.Position);
      }
    });
  },
};

export const uniqueVariableNames: Rule = {
  name: "UniqueVariableNames",
  register(events, report) {
    events.operation.push((_w, op) => {
      const seen = new Set<string>();
      for (const v of op.VariableDefinitions ?? []) {
        if (seen.has(v.Variable)) report(`There can be only one variable named "$${v.Variable}".`, v.Position);
        seen.add(v.Variable);
      }
    });
  },
};

export const variablesAreInputTypes: Rule = {
  name: "VariablesAreInputTypes",
  register(events, report) {
    events.operation.push((_w, op) => {
      for (const v of op.VariableDefinitions ?? []) {
        if (v.Definition === null || isInputType(v.Definition)) continue;
        report(`Variable "$${v.Variable}" cannot be non-input type "${typeString(v.Type)}".`, v.Position);
      }
    });
  },
};

export const variablesInAllowedPosition: Rule = {
  name: "VariablesInAllowedPosition",
  register(events, report) {
    events.value.push((w, value) => {
      const varDef = value.VariableDefinition;
      if (value.Kind !== VariableKind || value.ExpectedType === null || varDef === null || w.currentOperation === null) return;
      // A default (the variable's or the position's) lets a nullable variable fill a non-null position.
      let expected: Type = value.ExpectedType;
      const hasDefault = (varDef.DefaultValue !== null && varDef.DefaultValue.Kind !== NullValue) || value.ExpectedTypeHasDefault;
      if (hasDefault && expected.NonNull) expected = { ...expected, NonNull: false };
      if (!isCompatible(varDef.Type, expected)) {
        report(
          `Variable "${valueString(value)}" of type "${typeString(varDef.Type)}" used in position expecting type "${typeString(expected)}".`,
          value.Position,
        );
      }
    });
  },
};

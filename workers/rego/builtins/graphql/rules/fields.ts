/**
 * Field rules: the field exists on its parent type, its arguments are known,
 * unique and complete, and leaf and composite types are selected correctly
 * (gqlparser's validator/rules: fields_on_correct_type, known_argument_names,
 * provided_required_arguments, scalar_leafs, unique_argument_names).
 */
import type { Argument, Definition } from "../ast.js";
import { Interface, ObjectKind, forName, isAbstractType, isLeafType, typeName, typeString } from "../ast.js";
import { quotedOrList, suggestQuoted, suggestionList } from "../suggest.js";
import type { Walker } from "../walk.js";
import type { Report, Rule } from "./rule.js";

export const fieldsOnCorrectType: Rule = {
  name: "FieldsOnCorrectType",
  register(events, report) {
    events.field.push((w, field) => {
      if (field.ObjectDefinition === null || field.Definition !== null) return;
      let message = `Cannot query field "${field.Name}" on type "${field.ObjectDefinition.Name}".`;
      const types = suggestedTypeNames(w, field.ObjectDefinition, field.Name);
      if (types.length > 0) {
        message += ` Did you mean to use an inline fragment on ${quotedOrList(types)}?`;
      } else {
        const fields = suggestedFieldNames(w, field.ObjectDefinition, field.Name);
        if (fields.length > 0) message += ` Did you mean ${quotedOrList(fields)}?`;
      }
      report(message, field.Position);
    });
  },
};

/**
 * For an abstract parent: the interfaces (most used first) and then the
 * object types among its possible types that do have the field.
 */
function suggestedTypeNames(w: Walker, parent: Definition, name: string): string[] {
  if (!isAbstractType(parent)) return [];
  const objects: string[] = [];
  const interfaces: string[] = [];
  const usage = new Map<string, number>();
  for (const possible of w.schema.PossibleTypes.get(parent.Name) ?? []) {
    w.meter.add();
    if (forName(possible.Fields, name) === undefined) continue;
    objects.push(possible.Name);
    for (const intf of possible.Interfaces ?? []) {
      const intfDef = w.schema.Types.get(intf);
      if (intfDef !== undefined && forName(intfDef.Fields, name) !== undefined) {
        if (!usage.has(intf)) interfaces.push(intf);
        usage.set(intf, (usage.get(intf) ?? 0) + 1);
      }
    }
  }
  interfaces.sort((a, b) => (usage.get(b) as number) - (usage.get(a) as number));
  return [...interfaces, ...objects];
}

function suggestedFieldNames(w: Walker, parent: Definition, name: string): string[] {
  if (parent.Kind !== ObjectKind && parent.Kind !== Interface) return [];
  return suggestionList(
    name,
    (parent.Fields ?? []).map((f) => f.Name),
    (n) => w.meter.add(n),
  );
}

export const knownArgumentNames: Rule = {
  name: "KnownArgumentNames",
  register(events, report) {
    events.field.push((w, field) => {
      if (field.Definition === null || field.ObjectDefinition === null) return;
      for (const arg of field.Arguments ?? []) {
        if (forName(field.Definition.Arguments, arg.Name) !== undefined) continue;
        const options = (field.Definition.Arguments ?? []).map((a) => a.Name);
        report(
          `Unknown argument "${arg.Name}" on field "${field.ObjectDefinition.Name}.${field.Name}".` +
            suggestQuoted("Did you mean", arg.Name, options, (n) => w.meter.add(n)),
          field.Position,
        );
      }
    });
    events.directive.push((w, dir) => {
      if (dir.Definition === null) return;
      for (const arg of dir.Arguments ?? []) {
        if (forName(dir.Definition.Arguments, arg.Name) !== undefined) continue;
        const options = (dir.Definition.Arguments ?? []).map((a) => a.Name);
        report(
          `Unknown argument "${arg.Name}" on directive "@${dir.Name}".` +
            suggestQuoted("Did you mean", arg.Name, options, (n) => w.meter.add(n)),
          dir.Position,
        );
      }
    });
  },
};

export const providedRequiredArguments: Rule = {
  name: "ProvidedRequiredArguments",
  register(events, report) {
    events.field.push((_w, field) => {
      if (field.Definition === null) return;
      for (const argDef of field.Definition.Arguments ?? []) {
        if (!argDef.Type.NonNull || argDef.DefaultValue !== null) continue;
        if (forName(field.Arguments, argDef.Name) !== undefined) continue;
        report(
          `Field "${field.Name}" argument "${argDef.Name}" of type "${typeString(argDef.Type)}" is required, but it was not provided.`,
          field.Position,
        );
      }
    });
    events.directive.push((_w, dir) => {
      if (dir.Definition === null) return;
      for (const argDef of dir.Definition.Arguments ?? []) {
        if (!argDef.Type.NonNull || argDef.DefaultValue !== null) continue;
        if (forName(dir.Arguments, argDef.Name) !== undefined) continue;
        report(
          `Directive "@${dir.Definition.Name}" argument "${argDef.Name}" of type "${typeString(argDef.Type)}" is required, but it was not provided.`,
          dir.Position,
        );
      }
    });
  },
};

export const scalarLeafs: Rule = {
  name: "ScalarLeafs",
  register(events, report) {
    events.field.push((w, field) => {
      if (field.Definition === null) return;
      const fieldType = w.schema.Types.get(typeName(field.Definition.Type));
      if (fieldType === undefined) return;
      const hasSelection = (field.SelectionSet ?? []).length > 0;
      if (isLeafType(fieldType) && hasSelection) {
        report(`Field "${field.Name}" must not have a selection since type "${fieldType.Name}" has no subfields.`, field.Position);
      }
      if (!isLeafType(fieldType) && !hasSelection) {
        report(
          `Field "${field.Name}" of type "${typeString(field.Definition.Type)}" must have a selection of subfields. Did you mean "${field.Name} { ... }"?`,
          field.Position,
        );
      }
    });
  },
};

function checkUniqueArgs(args: Argument[] | null, report: Report): void {
  const seen = new Set<string>();
  for (const arg of args ?? []) {
    if (seen.has(arg.Name)) report(`There can be only one argument named "${arg.Name}".`, arg.Position);
    seen.add(arg.Name);
  }
}

export const uniqueArgumentNames: Rule = {
  name: "UniqueArgumentNames",
  register(events, report) {
    events.field.push((_w, field) => checkUniqueArgs(field.Arguments, report));
    events.directive.push((_w, dir) => checkUniqueArgs(dir.Arguments, report));
  },
};

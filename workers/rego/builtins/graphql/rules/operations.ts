/**
 * Operation, type and directive rules (gqlparser's validator/rules:
 * known_root_type, lone_anonymous_operation, single_field_subscriptions,
 * unique_operation_names, max_introspection_depth, known_type_names,
 * known_directives, unique_directives_per_location).
 */
import type { Field, Position, Selection } from "../ast.js";
import { quote } from "../../../goruntime/strconv.js";
import { typeName } from "../ast.js";
import { MAX_DEPTH, type Meter, tooDeep as tooDeepError } from "../limits.js";
import { suggestQuoted } from "../suggest.js";
import type { Rule } from "./rule.js";

export const knownRootType: Rule = {
  name: "KnownRootType",
  register(events, report) {
    events.operation.push((w, op) => {
      const def =
        op.Operation === "mutation" ? w.schema.Mutation : op.Operation === "subscription" ? w.schema.Subscription : w.schema.Query;
      if (def === null) report(`Schema does not support operation type "${op.Operation}"`, op.Position);
    });
  },
};

export const loneAnonymousOperation: Rule = {
  name: "LoneAnonymousOperation",
  register(events, report) {
    events.operation.push((w, op) => {
      if (op.Name === "" && (w.document.Operations ?? []).length > 1) {
        report("This anonymous operation must be the only defined operation.", op.Position);
      }
    });
  },
};

export const singleFieldSubscriptions: Rule = {
  name: "SingleFieldSubscriptions",
  register(events, report) {
    events.operation.push((w, op) => {
      if (w.schema.Subscription === null || op.Operation !== "subscription") return;
      const fields = topFields(op.SelectionSet);
      const name = op.Name !== "" ? `Subscription ${quote(op.Name)}` : "Anonymous Subscription";
      if (fields.length > 1) report(`${name} must select only one top level field.`, fields[1]?.pos ?? null);
      for (const field of fields) {
        if (field.name.startsWith("__")) report(`${name} must not select an introspection top level field.`, field.pos);
      }
    });
  },
};

/** The distinct response fields at the top of a selection set, through fragments. */
function topFields(set: Selection[] | null): { name: string; pos: Position | null }[] {
  const fields: { name: string; pos: Position | null }[] = [];
  const seenFragments = new Set<string>();
  const walk = (s: Selection[] | null): void => {
    for (const sel of s ?? []) {
      if (sel.sel === "field") fields.push({ name: sel.Name, pos: sel.Position });
      else if (sel.sel === "inline") walk(sel.SelectionSet);
      else {
        if (sel.Definition === null) return;
        if (!seenFragments.has(sel.Definition.Name)) {
          seenFragments.add(sel.Definition.Name);
          walk(sel.Definition.SelectionSet);
        }
      }
    }
  };
  walk(set);
  const seen = new Set<string>();
  return fields.filter((f) => {
    const first = !seen.has(f.name);
    seen.add(f.name);
    return first;
  });
}

export const uniqueOperationNames: Rule = {
  name: "UniqueOperationNames",
  register(events, report) {
    const seen = new Set<string>();
    events.operation.push((_w, op) => {
      if (seen.has(op.Name)) report(`There can be only one operation named "${op.Name}".`, op.Position);
      seen.add(op.Name);
    });
  },
};

/** Lists of __Type nested this deep under __schema/__type are rejected. */
const MAX_LISTS_DEPTH = 3;
const LIST_FIELDS = new Set(["fields", "interfaces", "possibleTypes", "inputFields"]);

export const maxIntrospectionDepth: Rule = {
  name: "MaxIntrospectionDepth",
  register(events, report) {
    events.field.push((w, field) => {
      if (field.Name !== "__schema" && field.Name !== "__type") return;
      if (new IntrospectionDepth(w.meter).field(field, new Set(), 0)) report("Maximum introspection depth exceeded", field.Position);
    });
  },
};

/**
 * Counts nested list fields of __Type through fields and fragments. A
 * fragment is only kept from recursing into itself, so the same fragment can
 * be visited many times: the work is metered and the recursion bounded.
 */
class IntrospectionDepth {
  private nesting = 0;

  constructor(private readonly meter: Meter) {}

  field(field: Field, visited: Set<string>, depth: number): boolean {
    if (LIST_FIELDS.has(field.Name) && ++depth >= MAX_LISTS_DEPTH) return true;
    return this.set(field.SelectionSet, visited, depth);
  }

  private set(set: Selection[] | null, visited: Set<string>, depth: number): boolean {
    if (++this.nesting > MAX_DEPTH * 4) throw tooDeepError();
    try {
      for (const sel of set ?? []) {
        this.meter.add();
        if (sel.sel === "field") {
          if (this.field(sel, visited, depth)) return true;
        } else if (sel.sel === "inline") {
          if (this.set(sel.SelectionSet, visited, depth)) return true;
        } else {
          // cycles are NoFragmentCycles' business; unknown fragments KnownFragmentNames'
          if (visited.has(sel.Name) || sel.Definition === null) continue;
          visited.add(sel.Name);
          const deep = this.set(sel.Definition.SelectionSet, visited, depth);
          visited.delete(sel.Name);
          if (deep) return true;
        }
      }
      return false;
    } finally {
      this.nesting--;
    }
  }
}

export const knownTypeNames: Rule = {
  name: "KnownTypeNames",
  register(events, report) {
    events.variable.push((w, v) => {
      const name = typeName(v.Type);
      if (!w.schema.Types.has(name)) report(`Unknown type "${name}".`, v.Position);
    });
    events.inlineFragment.push((w, inline) => {
      if (inline.TypeCondition === "" || w.schema.Types.has(inline.TypeCondition)) return;
      report(`Unknown type "${inline.TypeCondition}".`, inline.Position);
    });
    events.fragment.push((w, fragment) => {
      if (w.schema.Types.has(fragment.TypeCondition)) return;
      // gqlparser offers the types in Go's (random) map order; sorted, ties are deterministic
      const names = [...w.schema.Types.keys()].sort();
      report(
        `Unknown type "${fragment.TypeCondition}".` + suggestQuoted("Did you mean", fragment.TypeCondition, names, (n) => w.meter.add(n)),
        fragment.Position,
      );
    });
  },
};

export const knownDirectives: Rule = {
  name: "KnownDirectives",
  register(events, report) {
    events.directive.push((_w, dir) => {
      if (dir.Definition === null) {
        report(`Unknown directive "@${dir.Name}".`, dir.Position);
        return;
      }
      if ((dir.Definition.Locations ?? []).includes(dir.Location)) return;
      report(`Directive "@${dir.Name}" may not be used on ${dir.Location}.`, dir.Position);
    });
  },
};

export const uniqueDirectivesPerLocation: Rule = {
  name: "UniqueDirectivesPerLocation",
  register(events, report) {
    events.directiveList.push((_w, dirs) => {
      const seen = new Set<string>();
      for (const dir of dirs) {
        if (seen.has(dir.Name) && dir.Definition?.IsRepeatable !== true) {
          report(`The directive "@${dir.Name}" can only be used once at this location.`, dir.Position);
        }
        seen.add(dir.Name);
      }
    });
  },
};

/**
 * Fragment rules: fragments exist, are used, are uniquely named, condition
 * on composite types that can apply where they are spread, and do not spread
 * themselves (gqlparser's validator/rules: fragments_on_composite_types,
 * known_fragment_names, no_fragment_cycles, no_unused_fragments,
 * possible_fragment_spreads, unique_fragment_names).
 */
import type { Definition, FragmentDefinition, FragmentSpread, Selection } from "../ast.js";
import { Interface, ObjectKind, Union, isCompositeType } from "../ast.js";
import { MAX_DEPTH, tooDeep } from "../limits.js";
import type { Walker } from "../walk.js";
import type { Rule } from "./rule.js";

export const fragmentsOnCompositeTypes: Rule = {
  name: "FragmentsOnCompositeTypes",
  register(events, report) {
    events.inlineFragment.push((w, inline) => {
      const type = w.schema.Types.get(inline.TypeCondition);
      if (type === undefined || isCompositeType(type)) return;
      report(`Fragment cannot condition on non composite type "${inline.TypeCondition}".`, inline.Position);
    });
    events.fragment.push((_w, fragment) => {
      if (fragment.Definition === null || fragment.TypeCondition === "" || isCompositeType(fragment.Definition)) return;
      report(`Fragment "${fragment.Name}" cannot condition on non composite type "${fragment.TypeCondition}".`, fragment.Position);
    });
  },
};

export const knownFragmentNames: Rule = {
  name: "KnownFragmentNames",
  register(events, report) {
    events.fragmentSpread.push((_w, spread) => {
      if (spread.Definition === null) report(`Unknown fragment "${spread.Name}".`, spread.Position);
    });
  },
};

/** Every fragment spread in a selection set, however deeply nested in fields and inline fragments. */
export function fragmentSpreads(set: Selection[] | null): FragmentSpread[] {
  const spreads: FragmentSpread[] = [];
  const toVisit: (Selection[] | null)[] = [set];
  while (toVisit.length > 0) {
    const current = toVisit.pop() ?? null;
    for (const sel of current ?? []) {
      if (sel.sel === "spread") spreads.push(sel);
      else toVisit.push(sel.SelectionSet);
    }
  }
  return spreads;
}

export const noFragmentCycles: Rule = {
  name: "NoFragmentCycles",
  register(events, report) {
    const visited = new Set<string>();
    events.fragment.push((w, fragment) => {
      const spreadPath: FragmentSpread[] = [];
      const indexByName = new Map<string, number>();
      let nesting = 0;
      const recurse = (frag: FragmentDefinition): void => {
        if (visited.has(frag.Name)) return;
        if (++nesting > MAX_DEPTH * 4) throw tooDeep();
        visited.add(frag.Name);
        const spreads = fragmentSpreads(frag.SelectionSet);
        if (spreads.length === 0) {
          nesting--;
          return;
        }
        indexByName.set(frag.Name, spreadPath.length);
        for (const spread of spreads) {
          w.meter.add();
          const cycleIndex = indexByName.get(spread.Name);
          spreadPath.push(spread);
          if (cycleIndex === undefined) {
            const next = w.fragmentNamed(spread.Name);
            if (next !== undefined) recurse(next);
          } else {
            const names = spreadPath.slice(cycleIndex, spreadPath.length - 1).map((s) => `"${s.Name}"`);
            const via = names.length > 0 ? ` via ${names.join(", ")}` : "";
            report(`Cannot spread fragment "${spread.Name}" within itself${via}.`, spread.Position);
          }
          spreadPath.pop();
        }
        indexByName.delete(frag.Name);
        nesting--;
      };
      recurse(fragment);
    });
  },
};

export const noUnusedFragments: Rule = {
  name: "NoUnusedFragments",
  register(events, report) {
    // The walker visits operations (and the fragments they spread) first.
    let inFragmentDefinition = false;
    const used = new Set<string>();
    events.fragmentSpread.push((_w, spread) => {
      if (!inFragmentDefinition) used.add(spread.Name);
    });
    events.fragment.push((_w, fragment) => {
      inFragmentDefinition = true;
      if (!used.has(fragment.Name)) report(`Fragment "${fragment.Name}" is never used.`, fragment.Position);
    });
  },
};

export const possibleFragmentSpreads: Rule = {
  name: "PossibleFragmentSpreads",
  register(events, report) {
    /** Whether a fragment on `fragmentType` can apply where `parent` is expected. */
    const possible = (w: Walker, parent: Definition | null, fragmentType: string): boolean => {
      if (parent === null) return true;
      let parentTypes: Definition[];
      if (parent.Kind === ObjectKind) parentTypes = [parent];
      else if (parent.Kind === Interface || parent.Kind === Union) parentTypes = w.schema.PossibleTypes.get(parent.Name) ?? [];
      else return true;
      const fragmentDef = w.schema.Types.get(fragmentType);
      if (fragmentDef === undefined || !isCompositeType(fragmentDef)) return true;
      const fragmentTypes = w.schema.PossibleTypes.get(fragmentDef.Name) ?? [];
      w.meter.add(Math.ceil((fragmentTypes.length * parentTypes.length) / 16));
      return fragmentTypes.some((f) => parentTypes.some((p) => p.Name === f.Name));
    };
    events.inlineFragment.push((w, inline) => {
      if (possible(w, inline.ObjectDefinition, inline.TypeCondition)) return;
      report(
        `Fragment cannot be spread here as objects of type "${inline.ObjectDefinition?.Name}" can never be of type "${inline.TypeCondition}".`,
        inline.Position,
      );
    });
    events.fragmentSpread.push((w, spread) => {
      if (spread.Definition === null) return;
      if (possible(w, spread.ObjectDefinition, spread.Definition.TypeCondition)) return;
      report(
        `Fragment "${spread.Name}" cannot be spread here as objects of type "${spread.ObjectDefinition?.Name}" can never be of type "${spread.Definition.TypeCondition}".`,
        spread.Position,
      );
    });
  },
};

export const uniqueFragmentNames: Rule = {
  name: "UniqueFragmentNames",
  register(events, report) {
    const seen = new Set<string>();
    events.fragment.push((_w, fragment) => {
      if (seen.has(fragment.Name)) report(`There can be only one fragment named "${fragment.Name}".`, fragment.Position);
      seen.add(fragment.Name);
    });
  },
};

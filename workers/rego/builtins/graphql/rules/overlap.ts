/**
 * Fields that share a response name must be mergeable: same field, same
 * arguments, compatible types, mergeable sub-selections. After gqlparser's
 * validator/rules/overlapping_fields_can_be_merged.go (graphql-js's
 * algorithm: compare within each selection set, then between it and the
 * fragments it spreads, remembering fragment pairs already compared).
 */
import type { Argument, Field, FragmentSpread, Position, Selection, Type } from "../ast.js";
import { Enum, ObjectKind, Scalar, typeString } from "../ast.js";
import { MAX_DEPTH, tooDeep } from "../limits.js";
import type { Walker } from "../walk.js";
import type { Report, Rule } from "./rule.js";

interface Conflict {
  responseName: string;
  message: string;
  sub: Conflict[];
  pos: Position | null;
}

/** Fields by response name, in first-seen order, plus the fragments spread alongside. */
interface Collected {
  fields: Map<string, Field[]>;
  spreads: FragmentSpread[];
}

function collect(set: Selection[] | null): Collected {
  const fields = new Map<string, Field[]>();
  const spreads: FragmentSpread[] = [];
  const walk = (s: Selection[] | null): void => {
    for (const sel of s ?? []) {
      if (sel.sel === "field") {
        const name = sel.Alias !== "" ? sel.Alias : sel.Name;
        const list = fields.get(name);
        if (list === undefined) fields.set(name, [sel]);
        else list.push(sel);
      } else if (sel.sel === "inline") {
        walk(sel.SelectionSet);
      } else {
        spreads.push(sel);
      }
    }
  };
  walk(set);
  return { fields, spreads };
}

/** reflect.DeepEqual on two collections, as far as it matters: the very same fields. */
function sameFields(a: Collected, b: Collected): boolean {
  if (a.fields.size !== b.fields.size) return false;
  for (const [name, list] of a.fields) {
    const other = b.fields.get(name);
    if (other === undefined || other.length !== list.length || list.some((f, i) => f !== other[i])) return false;
  }
  return true;
}

function conflictText(c: Conflict): string {
  if (c.sub.length === 0) return c.message;
  return c.sub.map((s) => `subfields "${s.responseName}" conflict because ${conflictText(s)}`).join(" and ");
}

class Checker {
  /** Fragment pairs compared so far, with whether they were mutually exclusive. */
  private readonly comparedPairs = new Map<string, Map<string, boolean>>();
  private comparedFragments = new Set<string>();
  /** Depth of findConflict's recursion through sub-selections. */
  private nesting = 0;

  constructor(private readonly w: Walker) {}

  withinSelectionSet(set: Selection[] | null): Conflict[] {
    if (set === null || set.length === 0) return [];
    const collected = collect(set);
    const conflicts: Conflict[] = [];
    this.within(conflicts, collected);
    this.comparedFragments = new Set();
    collected.spreads.forEach((a, i) => {
      this.betweenFieldsAndFragment(conflicts, false, collected, a);
      for (const b of collected.spreads.slice(i + 1)) this.betweenFragments(conflicts, false, a, b);
    });
    return conflicts;
  }

  private within(conflicts: Conflict[], collected: Collected): void {
    for (const fields of collected.fields.values()) {
      for (let i = 0; i < fields.length; i++) {
        for (let j = i + 1; j < fields.length; j++) {
          const c = this.findConflict(false, fields[i] as Field, fields[j] as Field);
          if (c !== null) conflicts.push(c);
        }
      }
    }
  }

  private between(conflicts: Conflict[], exclusive: boolean, a: Collected, b: Collected): void {
    for (const [name, fieldsA] of a.fields) {
      const fieldsB = b.fields.get(name);
      if (fieldsB === undefined) continue;
      for (const fa of fieldsA) {
        for (const fb of fieldsB) {
          const c = this.findConflict(exclusive, fa, fb);
          if (c !== null) conflicts.push(c);
        }
      }
    }
  }

  /** Runs a recursive step, bounding the recursion (fragment chains can be long). */
  private nested(f: () => void): void {
    if (++this.nesting > MAX_DEPTH * 4) throw tooDeep();
    try {
      f();
    } finally {
      this.nesting--;
    }
  }

  private betweenFieldsAndFragment(conflicts: Conflict[], exclusive: boolean, fields: Collected, spread: FragmentSpread): void {
    this.nested(() => this.fieldsAndFragment(conflicts, exclusive, fields, spread));
  }

  private fieldsAndFragment(conflicts: Conflict[], exclusive: boolean, fields: Collected, spread: FragmentSpread): void {
    if (this.comparedFragments.has(spread.Name)) return;
    this.comparedFragments.add(spread.Name);
    if (spread.Definition === null) return;
    const other = collect(spread.Definition.SelectionSet);
    if (sameFields(fields, other)) return;
    this.between(conflicts, exclusive, fields, other);
    for (const nested of other.spreads) {
      if (nested.Name === spread.Name) continue;
      this.betweenFieldsAndFragment(conflicts, exclusive, fields, nested);
    }
  }

  private betweenFragments(conflicts: Conflict[], exclusive: boolean, first: FragmentSpread, second: FragmentSpread): void {
    const check = (a: FragmentSpread, b: FragmentSpread): void => this.nested(() => compare(a, b));
    const compare = (a: FragmentSpread, b: FragmentSpread): void => {
      this.w.meter.add();
      if (a.Name === b.Name || this.hasPair(a.Name, b.Name, exclusive)) return;
      this.addPair(a.Name, b.Name, exclusive);
      if (a.Definition === null || b.Definition === null) return;
      const ca = collect(a.Definition.SelectionSet);
      const cb = collect(b.Definition.SelectionSet);
      this.between(conflicts, exclusive, ca, cb);
      for (const s of cb.spreads) check(a, s);
      for (const s of ca.spreads) check(s, b);
    };
    check(first, second);
  }

  private hasPair(a: string, b: string, exclusive: boolean): boolean {
    const result = this.comparedPairs.get(a)?.get(b);
    if (result === undefined) return false;
    // Compared as not mutually exclusive covers both cases.
    return exclusive ? true : !result;
  }

  private addPair(a: string, b: string, exclusive: boolean): void {
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      let m = this.comparedPairs.get(x);
      if (m === undefined) this.comparedPairs.set(x, (m = new Map()));
      m.set(y, exclusive);
    }
  }

  private betweenSubSelections(exclusive: boolean, a: Selection[] | null, b: Selection[] | null): Conflict[] {
    const conflicts: Conflict[] = [];
    const ca = collect(a);
    const cb = collect(b);
    this.between(conflicts, exclusive, ca, cb);
    for (const s of cb.spreads) {
      this.comparedFragments = new Set();
      this.betweenFieldsAndFragment(conflicts, exclusive, ca, s);
    }
    for (const s of ca.spreads) {
      this.comparedFragments = new Set();
      this.betweenFieldsAndFragment(conflicts, exclusive, cb, s);
    }
    for (const sa of ca.spreads) for (const sb of cb.spreads) this.betweenFragments(conflicts, exclusive, sa, sb);
    return conflicts;
  }

  private findConflict(parentExclusive: boolean, a: Field, b: Field): Conflict | null {
    // each comparison collects both sub-selections: far more work than a walked node
    this.w.meter.add(10);
    if (++this.nesting > MAX_DEPTH * 4) throw tooDeep();
    try {
      return this.conflictOf(parentExclusive, a, b);
    } finally {
      this.nesting--;
    }
  }

  private conflictOf(parentExclusive: boolean, a: Field, b: Field): Conflict | null {
    if (a.Definition === null || a.ObjectDefinition === null || b.Definition === null || b.ObjectDefinition === null) return null;
    // Fields on two different object types never both apply.
    const exclusive =
      parentExclusive ||
      (a.ObjectDefinition.Name !== b.ObjectDefinition.Name &&
        a.ObjectDefinition.Kind === ObjectKind &&
        b.ObjectDefinition.Kind === ObjectKind);
    const responseName = a.Alias !== "" ? a.Alias : a.Name;
    const conflict = (message: string, sub: Conflict[] = []): Conflict => ({ responseName, message, sub, pos: b.Position });
    if (!exclusive) {
      if (a.Name !== b.Name) return conflict(`${a.Name} and ${b.Name} are different fields`);
      if (!sameArguments(a.Arguments, b.Arguments)) return conflict("they have differing arguments");
    }
    if (this.typesConflict(a.Definition.Type, b.Definition.Type)) {
      return conflict(`they return conflicting types ${typeString(a.Definition.Type)} and ${typeString(b.Definition.Type)}`);
    }
    const sub = this.betweenSubSelections(exclusive, a.SelectionSet, b.SelectionSet);
    return sub.length > 0 ? conflict("", sub) : null;
  }

  private typesConflict(t1: Type, t2: Type): boolean {
    if (t1.Elem !== null) return t2.Elem !== null ? this.typesConflict(t1.Elem, t2.Elem) : true;
    if (t2.Elem !== null) return true;
    if (t1.NonNull !== t2.NonNull) return true;
    const d1 = this.w.schema.Types.get(t1.NamedType);
    const d2 = this.w.schema.Types.get(t2.NamedType);
    if (d1 === undefined || d2 === undefined) return false;
    const leaf = (k: string) => k === Scalar || k === Enum;
    return leaf(d1.Kind) && leaf(d2.Kind) ? d1.Name !== d2.Name : false;
  }
}

function sameArguments(a: Argument[] | null, b: Argument[] | null): boolean {
  const la = a ?? [];
  const lb = b ?? [];
  if (la.length !== lb.length) return false;
  return la.every((x) => lb.some((y) => x.Name === y.Name && x.Value.Kind === y.Value.Kind && x.Value.Raw === y.Value.Raw));
}

export const overlappingFieldsCanBeMerged: Rule = {
  name: "OverlappingFieldsCanBeMerged",
  register(events, report) {
    let checker: Checker | null = null;
    const run = (w: Walker, set: Selection[] | null, rep: Report): void => {
      checker ??= new Checker(w);
      for (const c of checker.withinSelectionSet(set)) {
        rep(
          `Fields "${c.responseName}" conflict because ${conflictText(c)}. Use different aliases on the fields to fetch both if this was intentional.`,
          c.pos,
        );
      }
    };
    events.operation.push((w, op) => run(w, op.SelectionSet, report));
    events.field.push((w, field) => {
      // Fragments are checked on their own; checking them again inside operations would repeat errors.
      if (w.currentOperation === null) return;
      run(w, field.SelectionSet, report);
    });
    events.inlineFragment.push((w, inline) => run(w, inline.SelectionSet, report));
    events.fragment.push((w, fragment) => run(w, fragment.SelectionSet, report));
  },
};

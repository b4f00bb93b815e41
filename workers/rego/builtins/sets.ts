/** Set operators `&` (and), `|` (or), and intersection/union over a set of sets. */
import type { Value } from "../value/index.js";
import { RSet } from "../value/index.js";
import type { BuiltinTable } from "./types.js";
import { operandError, set } from "./args.js";

export function unite(a: RSet, b: RSet): RSet {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  const out = a.clone();
  out.addAll(b);
  return out;
}

/** The members of a set of sets; OPA reports a non-set member as operand 1. */
function setsOf(args: Value[]): RSet[] {
  const outer = set(args, 0);
  const sets: RSet[] = [];
  for (const m of outer.unorderedValues()) {
    if (!(m instanceof RSet)) throw operandError(1, m, "set");
    sets.push(m);
  }
  return sets;
}

function intersection(args: Value[]): Value {
  const sets = setsOf(args);
  if (sets.length === 0) return new RSet();
  // Start from the smallest set: the result can only shrink from there.
  sets.sort((x, y) => x.size - y.size);
  let result = sets[0] as RSet;
  for (let i = 1; i < sets.length && result.size > 0; i++) result = result.intersect(sets[i] as RSet);
  return result;
}

function union(args: Value[]): Value {
  const out = new RSet();
  for (const s of setsOf(args)) out.addAll(s);
  return out;
}

export const setsBuiltins: BuiltinTable = {
  and: (args) => set(args, 0).intersect(set(args, 1)),
  or: (args) => unite(set(args, 0), set(args, 1)),
  intersection,
  union,
};

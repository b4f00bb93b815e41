/**
 * Collection literals made only of constants, `{"pci", "pii", "hipaa"}`: the
 * planner writes them as `MakeSet t` followed by one `SetAdd t "…"` per
 * member, which inside a loop builds and hashes the same set for every
 * element. Lowering builds such a literal once, as a constant: the Make
 * becomes an assignment of it and the adds do nothing.
 *
 * A run qualifies when the adds follow the Make directly, each adds a
 * constant, and nothing else in the function extends t or a copy of it in
 * place (so the collection is complete when the run ends and never changes
 * after; constants are shared by every evaluation and, like every value the
 * engine hands on, never changed), and t is not the function's result (whose
 * adds provenance reports). Object literals are left to run: a repeated
 * key's conflict is an error of the evaluation.
 */
import type { Operand, Stmt } from "../plan/types.js";
import { RSet, type Value } from "../value/index.js";
import { type FunctionLocals, forEachStmt } from "./plan-locals.js";

export interface ConstantLiterals {
  /** the Make statements that become constants, with the value each builds */
  values: Map<Stmt, Value>;
  /** the add statements those constants stand for */
  folded: Set<Stmt>;
}

/** `results`: the function's result locals, whose literals stay as written (their adds are what provenance reports). */
export function constantLiteralsOf(fn: FunctionLocals, strings: string[], results: Set<number>): ConstantLiterals {
  const out: ConstantLiterals = { values: new Map(), folded: new Set() };
  forEachStmt(fn.blocks, (stmts, i) => {
    const st = stmts[i] as Stmt;
    if (st.type !== "MakeSetStmt" && st.type !== "MakeArrayStmt") return;
    const target = st.stmt.target;
    if (results.has(target)) return;
    const members: Value[] = [];
    const adds = new Set<Stmt>();
    for (let j = i + 1; j < stmts.length; j++) {
      const add = stmts[j] as Stmt;
      const operand =
        st.type === "MakeSetStmt"
          ? add.type === "SetAddStmt" && add.stmt.set === target && add.stmt.value
          : add.type === "ArrayAppendStmt" && add.stmt.array === target && add.stmt.value;
      const v = operand ? constantOf(operand, strings) : undefined;
      if (v === undefined) break;
      members.push(v);
      adds.add(add);
    }
    if (adds.size === 0 || fn.extendedElsewhere(target, adds)) return;
    out.values.set(st, st.type === "MakeSetStmt" ? RSet.from(members) : members);
    for (const add of adds) out.folded.add(add);
  });
  return out;
}

function constantOf(o: Operand, strings: string[]): Value | undefined {
  if (o.type === "bool") return o.value;
  if (o.type === "string_index") return strings[o.value];
  return undefined;
}

/**
 * Which functions never look at their input: their value depends only on
 * data and their other arguments. A rule of that kind (a table derived from
 * data, a report over it) gives the same value for every request against the
 * same data document, so rule-cache.ts keeps it from one evaluation to the
 * next.
 *
 * A function is input-free when no statement of it uses its input parameter,
 * except to pass it on as the input of a call to an input-free function
 * (every plan function takes input and data first). A dynamic call could
 * reach any function, so it counts as a use. Statements that read the clock
 * or the evaluation's per-query cache are caught as they run (rule-cache.ts),
 * not here.
 */
import { Op, type Instr, type ProgramFunc } from "./program.js";

/** Whether `f` never uses its input (lowering it, and what it calls, on the way). */
export function isInputFree(f: ProgramFunc): boolean {
  if (f.inputFree !== undefined) return f.inputFree;
  // Post-order over the call graph with an explicit stack: call chains as long as the policy.
  const stack: ProgramFunc[] = [f];
  const open = new Set<ProgramFunc>();
  while (stack.length > 0) {
    const g = stack[stack.length - 1] as ProgramFunc;
    if (g.inputFree !== undefined) {
      stack.pop();
      continue;
    }
    if (g.lower !== null) g.lower();
    const pending = open.has(g) ? null : undecidedCallees(g);
    if (pending !== null && pending.length > 0) {
      open.add(g);
      for (const c of pending) {
        // A call cycle (a plan from elsewhere; the front end refuses recursion) decides nothing: a use.
        if (open.has(c)) c.inputFree = false;
        else stack.push(c);
      }
      continue;
    }
    stack.pop();
    open.delete(g);
    g.inputFree = !usesInput(g);
  }
  return f.inputFree === true;
}

/** The functions `g` calls with its input whose answer is not known yet. */
function undecidedCallees(g: ProgramFunc): ProgramFunc[] {
  const out: ProgramFunc[] = [];
  const input = g.params[0];
  forEachInstr(g.blocks, (s) => {
    if (s.op === Op.CallFunc && s.args?.[0] === input && s.func !== null && s.func.inputFree === undefined) out.push(s.func);
  });
  return out;
}

/** Whether a statement of `g` (its callees decided) uses its input. */
function usesInput(g: ProgramFunc): boolean {
  const input = g.params[0];
  if (input === undefined) return false;
  let uses = false;
  forEachInstr(g.blocks, (s) => {
    if (!uses && instrUses(s, input)) uses = true;
  });
  return uses;
}

function instrUses(s: Instr, local: number): boolean {
  switch (s.op) {
    case Op.CallDynamic:
      return true;
    case Op.CallFunc: {
      const args = s.args as number[];
      if (args[0] === local && !(s.func as ProgramFunc).inputFree) return true;
      return s.c === local || args.indexOf(local, 1) >= 0;
    }
    case Op.CallBuiltin:
    case Op.CallBuiltinTest:
      return s.c === local || (s.args as number[]).includes(local);
    case Op.Comprehension:
      // `a` is the kind of collection; `args` the block's free reads.
      return s.c === local || (s.args as number[]).includes(local);
    case Op.Break:
    case Op.Nop:
    case Op.Block:
    case Op.Not:
      return false;
    case Op.AssignConst:
    case Op.ResetLocal:
    case Op.MakeObject:
    case Op.MakeArray:
    case Op.MakeSet:
    case Op.MakeNull:
      return s.c === local;
    case Op.IsDefined:
    case Op.IsUndefined:
    case Op.IsArray:
    case Op.IsObject:
    case Op.IsSet:
    case Op.ReturnLocal:
    case Op.ResultSetAdd:
      return s.a === local;
    case Op.AssignVar:
    case Op.AssignVarOnce:
    case Op.Len:
    case Op.SetAdd:
      return s.a === local || s.c === local;
    case Op.Equal:
    case Op.NotEqual:
    case Op.ArrayAppend:
    case Op.With:
      return s.a === local || s.b === local;
    case Op.Dot:
    case Op.DataDot:
    case Op.Scan:
    case Op.ObjectInsert:
    case Op.ObjectInsertOnce:
    case Op.ObjectMerge:
    case Op.UnionNew:
    case Op.UnionInto:
      return s.a === local || s.b === local || s.c === local;
  }
}

/** Every statement of `blocks`, nested ones included (without recursion). */
function forEachInstr(blocks: Instr[][], visit: (s: Instr) => void): void {
  const stack: Instr[][] = [...blocks];
  while (stack.length > 0) {
    for (const s of stack.pop() as Instr[]) {
      visit(s);
      if (s.block !== null) stack.push(s.block);
      if (s.blocks !== null) for (const b of s.blocks) stack.push(b);
    }
  }
}

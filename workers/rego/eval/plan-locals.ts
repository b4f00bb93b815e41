/**
 * What plan statements do with locals, for the analyses lowering runs over a
 * function's blocks (comprehension-memo.ts, constant-literals.ts). The
 * planner numbers locals per function but reuses numbers from one rule body
 * (top-level block) to the next, each body writing a local before it reads it;
 * a collection is changed in place only by the statements that extend it.
 */
import type { Block, Operand, Stmt } from "../plan/types.js";
import { writesOf } from "./scan-index.js";

/** Statement nesting beyond which analyses give up (and the shortcut is not taken). */
export const MAX_NESTING = 64;

/** Calls `fn` for every statement at any depth, with the list holding it, its index there and its nesting depth. */
export function forEachStmt(blocks: Block[], fn: (stmts: Stmt[], i: number, depth: number) => void): void {
  const stack: { stmts: Stmt[]; depth: number }[] = blocks.map((b) => ({ stmts: b.stmts, depth: 0 }));
  while (stack.length > 0) {
    const { stmts, depth } = stack.pop() as { stmts: Stmt[]; depth: number };
    for (let i = 0; i < stmts.length; i++) {
      fn(stmts, i, depth);
      const nested = (stmts[i] as Stmt).stmt as { block?: Block; blocks?: Block[] };
      if (nested.block) stack.push({ stmts: nested.block.stmts, depth: depth + 1 });
      if (nested.blocks) for (const b of nested.blocks) stack.push({ stmts: b.stmts, depth: depth + 1 });
    }
  }
}

const local = (o: Operand): number[] => (o.type === "local" ? [o.value] : []);

/** The locals one statement (not counting the statements nested in it) reads. */
export function readsOf(st: Stmt): number[] {
  switch (st.type) {
    case "ArrayAppendStmt":
      return [st.stmt.array, ...local(st.stmt.value)];
    case "AssignVarOnceStmt":
      // compares with the value the target already holds
      return [...local(st.stmt.source), st.stmt.target];
    case "AssignVarStmt":
      return local(st.stmt.source);
    case "CallDynamicStmt":
      return [...st.stmt.args, ...st.stmt.path.flatMap(local)];
    case "CallStmt":
      return st.stmt.args.flatMap(local);
    case "DotStmt":
      return [...local(st.stmt.source), ...local(st.stmt.key)];
    case "EqualStmt":
    case "NotEqualStmt":
      return [...local(st.stmt.a), ...local(st.stmt.b)];
    case "IsArrayStmt":
    case "IsObjectStmt":
    case "IsSetStmt":
    case "LenStmt":
      return local(st.stmt.source);
    case "IsDefinedStmt":
    case "IsUndefinedStmt":
    case "ReturnLocalStmt":
    case "ScanStmt":
      return [st.stmt.source];
    case "ObjectInsertOnceStmt":
    case "ObjectInsertStmt":
      return [st.stmt.object, ...local(st.stmt.key), ...local(st.stmt.value)];
    case "ObjectMergeStmt":
      return [st.stmt.a, st.stmt.b];
    case "ResultSetAddStmt":
      return [st.stmt.value];
    case "SetAddStmt":
      return [st.stmt.set, ...local(st.stmt.value)];
    case "WithStmt":
      return [st.stmt.local, ...local(st.stmt.value)];
    default:
      return [];
  }
}

/** The collection a statement extends in place, if it is one that does. */
export function extendedBy(st: Stmt): number | undefined {
  switch (st.type) {
    case "ArrayAppendStmt":
      return st.stmt.array;
    case "SetAddStmt":
      return st.stmt.set;
    case "ObjectInsertStmt":
    case "ObjectInsertOnceStmt":
      return st.stmt.object;
    default:
      return undefined;
  }
}

/**
 * Whether a collection in `target` can be changed in place by a statement
 * of `blocks` other than those in `except`: one extending `target`, or
 * extending a local that `target` was copied into.
 */
export function extendedElsewhere(blocks: Block[], target: number, except: Set<Stmt>): boolean {
  const extended = new Set<number>();
  const copies = new Set<number>([target]);
  forEachStmt(blocks, (stmts, i) => {
    const st = stmts[i] as Stmt;
    const e = extendedBy(st);
    if (e !== undefined && !except.has(st)) extended.add(e);
    if (
      (st.type === "AssignVarStmt" || st.type === "AssignVarOnceStmt") &&
      st.stmt.source.type === "local" &&
      st.stmt.source.value === target
    )
      copies.add(st.stmt.target);
  });
  for (const c of copies) if (extended.has(c)) return true;
  return false;
}

/**
 * Whether every read in `st` of a local of `locals` follows a write of it on
 * every path. `written` holds the locals surely written before `st`; it is
 * extended with what `st` surely writes.
 */
export function writtenBeforeRead(st: Stmt, locals: Set<number>, written: Set<number>, depth = 0): boolean {
  if (depth > MAX_NESTING) return false;
  for (const l of readsOf(st)) if (locals.has(l) && !written.has(l)) return false;
  // A Scan binds its key and value before its body runs.
  if (st.type === "ScanStmt") {
    const body = new Set(written).add(st.stmt.key).add(st.stmt.value);
    return blockWrittenBeforeRead(st.stmt.block, locals, body, depth + 1);
  }
  const nested = st.type === "BlockStmt" ? st.stmt.blocks : st.type === "NotStmt" || st.type === "WithStmt" ? [st.stmt.block] : [];
  // What a nested block writes may not happen (it can stop early), so it does not count after it.
  for (const b of nested) if (!blockWrittenBeforeRead(b, locals, new Set(written), depth + 1)) return false;
  for (const l of writesOf(st)) written.add(l);
  return true;
}

export function blockWrittenBeforeRead(b: Block, locals: Set<number>, written: Set<number>, depth = 0): boolean {
  for (const st of b.stmts) if (!writtenBeforeRead(st, locals, written, depth)) return false;
  return true;
}

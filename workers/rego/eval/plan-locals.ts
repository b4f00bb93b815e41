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
 * One pass over a function's blocks, so that the questions the analyses ask
 * per candidate cost the size of the candidate, not of the function.
 */
export class FunctionLocals {
  /** per local: how many statements extend it in place */
  private readonly extensions = new Map<number, number>();
  /** per local: the locals it is copied into */
  private readonly copies = new Map<number, number[]>();
  /** per rule body (top-level block): the locals it may read before writing them; null if too deeply nested to tell */
  readonly readFirst: (Set<number> | null)[];

  constructor(readonly blocks: Block[]) {
    forEachStmt(blocks, (stmts, i) => {
      const st = stmts[i] as Stmt;
      const e = extendedBy(st);
      if (e !== undefined) this.extensions.set(e, (this.extensions.get(e) ?? 0) + 1);
      if ((st.type === "AssignVarStmt" || st.type === "AssignVarOnceStmt") && st.stmt.source.type === "local") {
        const from = st.stmt.source.value;
        this.copies.set(from, [...(this.copies.get(from) ?? []), st.stmt.target]);
      }
    });
    this.readFirst = blocks.map((b) => {
      const found = new Set<number>();
      return readBeforeWritten(b.stmts, new Set(), found, 0) ? found : null;
    });
  }

  /**
   * Whether a collection in `target` can be changed in place by a statement
   * other than those in `own`: one extending `target`, or a local it was copied into.
   */
  extendedElsewhere(target: number, own: Iterable<Stmt>): boolean {
    const inside = new Map<number, number>();
    for (const st of own) {
      const e = extendedBy(st);
      if (e !== undefined) inside.set(e, (inside.get(e) ?? 0) + 1);
    }
    const outside = (l: number) => (this.extensions.get(l) ?? 0) - (inside.get(l) ?? 0) > 0;
    return outside(target) || (this.copies.get(target) ?? []).some((c) => (this.extensions.get(c) ?? 0) > 0);
  }

  /** Whether a rule body other than `k` may read one of `locals` before writing it. */
  readFirstElsewhere(k: number, locals: Set<number>): boolean {
    return this.readFirst.some((found, j) => j !== k && (found === null || [...locals].some((l) => found.has(l))));
  }
}

/**
 * Collects into `found` the locals a statement list may read before a write
 * of them on some path; `written` holds the locals surely written before it
 * and is extended with what the list surely writes. False if nested too deeply to tell.
 */
export function readBeforeWritten(stmts: Stmt[], written: Set<number>, found: Set<number>, depth: number): boolean {
  if (depth > MAX_NESTING) return false;
  for (const st of stmts) {
    for (const l of readsOf(st)) if (!written.has(l)) found.add(l);
    let nested: Block[] = [];
    let inner = written;
    // A Scan binds its key and value before its body runs; what nested blocks write may not happen.
    if (st.type === "ScanStmt") {
      nested = [st.stmt.block];
      inner = new Set(written).add(st.stmt.key).add(st.stmt.value);
    } else if (st.type === "BlockStmt") nested = st.stmt.blocks;
    else if (st.type === "NotStmt" || st.type === "WithStmt") nested = [st.stmt.block];
    for (const b of nested) if (!readBeforeWritten(b.stmts, new Set(inner), found, depth + 1)) return false;
    if (st.type !== "ScanStmt") for (const l of writesOf(st)) written.add(l);
  }
  return true;
}

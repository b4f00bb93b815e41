/**
 * What plan statements do with locals, for the analyses lowering runs over a
 * function's blocks (comprehension-memo.ts, constant-literals.ts). The
 * planner numbers locals per function but reuses numbers from one rule body
 * (top-level block) to the next, each body writing a local before it reads it;
 * a collection is changed in place only by the statements that extend it.
 */
import type { Block, Operand, Stmt } from "../plan/types.js";

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

/** Appends an operand's local, if it is one. */
function local(o: Operand, out: number[]): void {
  if (o.type === "local") out.push(o.value);
}

/** Appends to `out` the locals one statement (not counting the statements nested in it) reads. */
export function readsInto(st: Stmt, out: number[]): void {
  switch (st.type) {
    case "ArrayAppendStmt":
      out.push(st.stmt.array);
      return local(st.stmt.value, out);
    case "AssignVarOnceStmt":
      // compares with the value the target already holds
      out.push(st.stmt.target);
      return local(st.stmt.source, out);
    case "AssignVarStmt":
      return local(st.stmt.source, out);
    case "CallDynamicStmt":
      out.push(...st.stmt.args);
      for (const o of st.stmt.path) local(o, out);
      return;
    case "CallStmt":
      for (const o of st.stmt.args) local(o, out);
      return;
    case "DotStmt":
      local(st.stmt.source, out);
      return local(st.stmt.key, out);
    case "EqualStmt":
    case "NotEqualStmt":
      local(st.stmt.a, out);
      return local(st.stmt.b, out);
    case "IsArrayStmt":
    case "IsObjectStmt":
    case "IsSetStmt":
    case "LenStmt":
      return local(st.stmt.source, out);
    case "IsDefinedStmt":
    case "IsUndefinedStmt":
    case "ReturnLocalStmt":
    case "ScanStmt":
      out.push(st.stmt.source);
      return;
    case "ObjectInsertOnceStmt":
    case "ObjectInsertStmt":
      out.push(st.stmt.object);
      local(st.stmt.key, out);
      return local(st.stmt.value, out);
    case "ObjectMergeStmt":
      out.push(st.stmt.a, st.stmt.b);
      return;
    case "ResultSetAddStmt":
      out.push(st.stmt.value);
      return;
    case "SetAddStmt":
      out.push(st.stmt.set);
      return local(st.stmt.value, out);
    case "WithStmt":
      out.push(st.stmt.local);
      return local(st.stmt.value, out);
    default:
      return;
  }
}

/** Appends to `out` the locals one statement (not counting the statements nested in it) assigns or changes in place. */
export function writesInto(st: Stmt, out: number[]): void {
  switch (st.type) {
    case "ScanStmt":
      out.push(st.stmt.key, st.stmt.value);
      return;
    case "CallStmt":
    case "CallDynamicStmt":
      out.push(st.stmt.result);
      return;
    case "ArrayAppendStmt":
      out.push(st.stmt.array);
      return;
    case "SetAddStmt":
      out.push(st.stmt.set);
      return;
    case "ObjectInsertStmt":
    case "ObjectInsertOnceStmt":
      out.push(st.stmt.object);
      return;
    case "WithStmt":
      out.push(st.stmt.local);
      return;
    default: {
      const target = (st.stmt as { target?: unknown }).target;
      if (typeof target === "number") out.push(target);
    }
  }
}

/** The locals one statement (not counting the statements nested in it) assigns or changes in place. */
export function writesOf(st: Stmt): number[] {
  const out: number[] = [];
  writesInto(st, out);
  return out;
}

/** The collection a statement extends in place, if it is one that does. */
function extendedBy(st: Stmt): number | undefined {
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
 * A function's blocks, with what the analyses ask about them counted in one
 * pass on first use (functions without a candidate never pay for it), so a
 * question about one candidate costs the size of the candidate, not of the function.
 */
export class FunctionLocals {
  /** per local: how many statements extend it in place, and the locals it is copied into; made on first use */
  private tables: { extensions: Map<number, number>; copies: Map<number, number[]> } | undefined;
  /** per rule body (top-level block): the locals it may read before writing them, null if too deeply nested to tell; made on first use */
  private readFirst: (Set<number> | null)[] | undefined;
  /** per local: in how many bodies it may be read before it is written (bodies too deep to tell count under -1) */
  private readFirstCounts: Map<number, number> | undefined;

  constructor(readonly blocks: Block[]) {}

  /**
   * Whether a collection in `target` can be changed in place by a statement
   * other than those in `own`: one extending `target`, or a local it was copied into.
   */
  extendedElsewhere(target: number, own: Iterable<Stmt>): boolean {
    const { extensions, copies } = this.scanned();
    const inside = new Map<number, number>();
    for (const st of own) {
      const e = extendedBy(st);
      if (e !== undefined) inside.set(e, (inside.get(e) ?? 0) + 1);
    }
    if ((extensions.get(target) ?? 0) - (inside.get(target) ?? 0) > 0) return true;
    return (copies.get(target) ?? []).some((c) => (extensions.get(c) ?? 0) > 0);
  }

  /** Whether a rule body other than `k` may read one of `locals` before writing it. */
  readFirstElsewhere(k: number, locals: Set<number>): boolean {
    if (this.readFirst === undefined || this.readFirstCounts === undefined) {
      const counts = new Map<number, number>();
      this.readFirst = this.blocks.map((b) => {
        const found = new Set<number>();
        if (!readBeforeWritten(b.stmts, new Set(), found, 0)) {
          counts.set(-1, (counts.get(-1) ?? 0) + 1);
          return null;
        }
        for (const l of found) counts.set(l, (counts.get(l) ?? 0) + 1);
        return found;
      });
      this.readFirstCounts = counts;
    }
    const own = this.readFirst[k];
    const elsewhere = (l: number, inOwn: boolean) => (this.readFirstCounts?.get(l) ?? 0) - (inOwn ? 1 : 0) > 0;
    if (elsewhere(-1, own === null)) return true;
    for (const l of locals) if (elsewhere(l, own?.has(l) ?? false)) return true;
    return false;
  }

  private scanned(): { extensions: Map<number, number>; copies: Map<number, number[]> } {
    if (this.tables === undefined) {
      const extensions = new Map<number, number>();
      const copies = new Map<number, number[]>();
      forEachStmt(this.blocks, (stmts, i) => {
        const st = stmts[i] as Stmt;
        const e = extendedBy(st);
        if (e !== undefined) extensions.set(e, (extensions.get(e) ?? 0) + 1);
        if ((st.type === "AssignVarStmt" || st.type === "AssignVarOnceStmt") && st.stmt.source.type === "local") {
          const from = st.stmt.source.value;
          const to = copies.get(from);
          if (to === undefined) copies.set(from, [st.stmt.target]);
          else to.push(st.stmt.target);
        }
      });
      this.tables = { extensions, copies };
    }
    return this.tables;
  }
}

/**
 * Collects into `found` the locals a statement list may read before a write
 * of them on some path; `written` holds the locals surely written before it
 * and is extended with what the list surely writes. False if nested too
 * deeply to tell. One set and an undo log serve every nested block (what a
 * nested block writes may not happen, so it is taken back when the block ends).
 */
export function readBeforeWritten(stmts: Stmt[], written: Set<number>, found: Set<number>, depth: number): boolean {
  const log: number[] = [];
  const write = (l: number) => {
    if (!written.has(l)) {
      written.add(l);
      log.push(l);
    }
  };
  const undo = (mark: number) => {
    while (log.length > mark) written.delete(log.pop() as number);
  };
  const walk = (list: Stmt[], d: number): boolean => {
    if (d > MAX_NESTING) return false;
    for (const st of list) {
      const reads: number[] = [];
      readsInto(st, reads);
      for (const l of reads) if (!written.has(l)) found.add(l);
      const mark = log.length;
      // A Scan binds its key and value, and `with` its local, before their block runs.
      let nested: Block[] = [];
      if (st.type === "ScanStmt") {
        write(st.stmt.key);
        write(st.stmt.value);
        nested = [st.stmt.block];
      } else if (st.type === "WithStmt") {
        write(st.stmt.local);
        nested = [st.stmt.block];
      } else if (st.type === "BlockStmt") nested = st.stmt.blocks;
      else if (st.type === "NotStmt") nested = [st.stmt.block];
      for (const b of nested) {
        const inner = log.length;
        if (!walk(b.stmts, d + 1)) return false;
        undo(inner);
      }
      undo(mark);
      if (st.type !== "ScanStmt") {
        const writes: number[] = [];
        writesInto(st, writes);
        for (const l of writes) write(l);
      }
    }
    return true;
  };
  return walk(stmts, depth);
}

/**
 * Comprehensions that need not be rebuilt. The planner writes a
 * comprehension as `Make… t` followed by a `BlockStmt` that fills t; inside a
 * loop it runs again for every element, although a comprehension that does
 * not read the loop's variables (`allowed := {p | some p in data.ports}` in a
 * body iterating records) gives the same value each time.
 *
 * Within an evaluation the block is a pure function of the locals it reads
 * from outside itself (its free reads): built-ins are deterministic per
 * evaluation, functions are (see call-memo.ts), and `with` replaces input or
 * data by a new value. So each such statement keeps the values its free
 * reads had when it last ran to the end and the collection it built, and
 * hands that collection out again while they are the same (scalars by value,
 * composites by identity, as values the engine has made visible never
 * change). A run that leaves early (undefined, a break) or throws keeps
 * nothing.
 *
 * Lowering accepts a comprehension only when that reasoning holds for the
 * statements as written:
 * - t is written by nothing but the Make and statements inside the block;
 * - every other local the block writes is private to it: no statement
 *   outside the block reads or writes it, and inside the block every read of
 *   it follows a write on every path (so leftovers of an earlier run are
 *   never read).
 */
import type { Block, Operand, Stmt } from "../plan/types.js";
import type { Value } from "../value/index.js";
import { writesOf } from "./scan-index.js";

/** Statement nesting beyond which a block is not analysed (it is simply rebuilt each time). */
const MAX_NESTING = 64;

type MakeStmt = Extract<Stmt, { type: "MakeSetStmt" | "MakeArrayStmt" | "MakeObjectStmt" }>;

/** Per Make statement that starts a reusable comprehension: its block's free reads. */
export type ComprehensionReads = Map<Stmt, number[]>;

/** The reusable comprehensions among a function's (or plan's) blocks. */
export function comprehensionsOf(blocks: Block[]): ComprehensionReads {
  const candidates: { make: MakeStmt; block: Stmt }[] = [];
  const reads = new Map<number, number>();
  const writes = new Map<number, number>();
  const count = (m: Map<number, number>, ls: number[]) => {
    for (const l of ls) m.set(l, (m.get(l) ?? 0) + 1);
  };
  forEachStmt(blocks, (stmts, i) => {
    const st = stmts[i] as Stmt;
    count(reads, readsOf(st));
    count(writes, writesOf(st));
    const next = stmts[i + 1];
    if ((st.type === "MakeSetStmt" || st.type === "MakeArrayStmt" || st.type === "MakeObjectStmt") && next?.type === "BlockStmt")
      candidates.push({ make: st, block: next });
  });
  const out: ComprehensionReads = new Map();
  for (const { make, block } of candidates) {
    const free = freeReads(make.stmt.target, block, reads, writes);
    if (free !== null) out.set(make, free);
  }
  return out;
}

/** The block's free reads if it fills `target` as a reusable comprehension (see above), else null. */
function freeReads(target: number, block: Stmt, reads: Map<number, number>, writes: Map<number, number>): number[] | null {
  const inner = { reads: new Map<number, number>(), writes: new Map<number, number>() };
  let nestedTooDeep = false;
  forEachStmt([{ stmts: [block] }], (stmts, i, depth) => {
    if (depth > MAX_NESTING) nestedTooDeep = true;
    const st = stmts[i] as Stmt;
    for (const l of readsOf(st)) inner.reads.set(l, (inner.reads.get(l) ?? 0) + 1);
    for (const l of writesOf(st)) inner.writes.set(l, (inner.writes.get(l) ?? 0) + 1);
  });
  if (nestedTooDeep) return null;
  // The Make is t's one write outside the block.
  if ((writes.get(target) ?? 0) !== (inner.writes.get(target) ?? 0) + 1) return null;
  for (const [l, n] of inner.writes) {
    if (l === target) continue;
    if ((writes.get(l) ?? 0) !== n || (reads.get(l) ?? 0) !== (inner.reads.get(l) ?? 0)) return null;
  }
  const privates = new Set([...inner.writes.keys()].filter((l) => l !== target));
  if (!writtenBeforeRead(block, privates, new Set(), 0)) return null;
  return [...inner.reads.keys()].filter((l) => !inner.writes.has(l)).sort((a, b) => a - b);
}

/**
 * Whether every read of a private local in `st` follows a write of it on
 * every path. `written` holds the locals surely written before `st`; it is
 * extended with what `st` surely writes.
 */
function writtenBeforeRead(st: Stmt, privates: Set<number>, written: Set<number>, depth: number): boolean {
  if (depth > MAX_NESTING) return false;
  // A Scan binds its key and value before its body runs.
  if (st.type === "ScanStmt") {
    if (readsPrivate(st, privates, written)) return false;
    const body = new Set(written).add(st.stmt.key).add(st.stmt.value);
    return blockWrittenBeforeRead(st.stmt.block, privates, body, depth + 1);
  }
  if (readsPrivate(st, privates, written)) return false;
  const nested = st.type === "BlockStmt" ? st.stmt.blocks : st.type === "NotStmt" || st.type === "WithStmt" ? [st.stmt.block] : [];
  // What a nested block writes may not happen (it can stop early), so it does not count after it.
  for (const b of nested) if (!blockWrittenBeforeRead(b, privates, new Set(written), depth + 1)) return false;
  for (const l of writesOf(st)) written.add(l);
  return true;
}

function blockWrittenBeforeRead(b: Block, privates: Set<number>, written: Set<number>, depth: number): boolean {
  for (const st of b.stmts) if (!writtenBeforeRead(st, privates, written, depth)) return false;
  return true;
}

/** Whether `st` itself reads a private local not yet written. */
function readsPrivate(st: Stmt, privates: Set<number>, written: Set<number>): boolean {
  for (const l of readsOf(st)) if (privates.has(l) && !written.has(l)) return true;
  return false;
}

/** Calls `fn` for every statement at any depth, with the list holding it, its index there and its nesting depth. */
function forEachStmt(blocks: Block[], fn: (stmts: Stmt[], i: number, depth: number) => void): void {
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

/**
 * Per evaluation: for each reusable comprehension statement, the values its
 * free reads had when it last ran to the end, followed by what it built.
 */
export class ComprehensionMemo {
  private readonly last = new Map<object, Value[]>();

  /** The collection built last time, if the free reads still hold the values they held then. */
  lookup(stmt: object, reads: number[], L: (Value | undefined)[]): Value | undefined {
    const m = this.last.get(stmt);
    if (m === undefined) return undefined;
    for (let i = 0; i < reads.length; i++) if (m[i] !== L[reads[i] as number]) return undefined;
    return m[reads.length];
  }

  store(stmt: object, reads: number[], L: (Value | undefined)[], built: Value): void {
    const m: (Value | undefined)[] = new Array(reads.length + 1);
    for (let i = 0; i < reads.length; i++) m[i] = L[reads[i] as number];
    m[reads.length] = built;
    this.last.set(stmt, m as Value[]);
  }
}

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
 * statements as written (see plan-locals.ts for how the planner uses locals):
 * - nothing outside the block extends t (or a copy of it) in place;
 * - every other local the block writes is private to it: inside the block
 *   every read of it follows a write on every path (so leftovers of an
 *   earlier run are never read), nothing else in its rule body reads it, and
 *   the other bodies write it before they read it.
 */
import type { Block, Stmt } from "../plan/types.js";
import type { Value } from "../value/index.js";
import { type FunctionLocals, MAX_NESTING, forEachStmt, readBeforeWritten, readsInto, writesInto } from "./plan-locals.js";

/** Per Make statement that starts a reusable comprehension: its block's free reads. */
export type ComprehensionReads = Map<Stmt, number[]>;

/**
 * The reusable comprehensions among a function's (or plan's) blocks.
 * `loopsOnly`: only those inside a Scan — for rules and plans, which run once
 * per evaluation (a rule's value is memoized), a comprehension outside any
 * loop is built once anyway.
 */
export function comprehensionsOf(fn: FunctionLocals, loopsOnly: boolean): ComprehensionReads {
  const out: ComprehensionReads = new Map();
  fn.blocks.forEach((body, k) => {
    const candidates: { make: Stmt & { stmt: { target: number } }; block: Stmt }[] = [];
    const stack: { stmts: Stmt[]; inLoop: boolean }[] = [{ stmts: body.stmts, inLoop: false }];
    while (stack.length > 0) {
      const { stmts, inLoop } = stack.pop() as { stmts: Stmt[]; inLoop: boolean };
      for (let i = 0; i < stmts.length; i++) {
        const make = stmts[i] as Stmt;
        const block = stmts[i + 1];
        if ((make.type === "MakeSetStmt" || make.type === "MakeArrayStmt" || make.type === "MakeObjectStmt") && block?.type === "BlockStmt")
          if (inLoop || !loopsOnly) candidates.push({ make, block });
        const nested = make.stmt as { block?: Block; blocks?: Block[] };
        const loop = inLoop || make.type === "ScanStmt";
        if (nested.block) stack.push({ stmts: nested.block.stmts, inLoop: loop });
        if (nested.blocks) for (const b of nested.blocks) stack.push({ stmts: b.stmts, inLoop: loop });
      }
    }
    if (candidates.length === 0) return;
    const reads = new Map<number, number>();
    forEachStmt([body], (stmts, i) => count(reads, stmts[i] as Stmt, readsInto));
    for (const { make, block } of candidates) {
      const free = freeReads(fn, k, make.stmt.target, block, reads);
      if (free !== null) out.set(make, free);
    }
  });
  return out;
}

/** Counts in `m` each local that `into` appends for `st`. */
function count(m: Map<number, number>, st: Stmt, into: (st: Stmt, out: number[]) => void): void {
  const ls: number[] = [];
  into(st, ls);
  for (const l of ls) m.set(l, (m.get(l) ?? 0) + 1);
}

/** The free reads of `block` (in rule body k) if it fills `target` as a reusable comprehension (see above), else null. */
function freeReads(fn: FunctionLocals, k: number, target: number, block: Stmt, bodyReads: Map<number, number>): number[] | null {
  let deepest = 0;
  const own: Stmt[] = [];
  const reads = new Map<number, number>();
  const writes = new Map<number, number>();
  forEachStmt([{ stmts: [block] }], (stmts, i, depth) => {
    const st = stmts[i] as Stmt;
    deepest = Math.max(deepest, depth);
    own.push(st);
    count(reads, st, readsInto);
    count(writes, st, writesInto);
  });
  if (deepest > MAX_NESTING || fn.extendedElsewhere(target, own)) return null;
  const privates = new Set([...writes.keys()].filter((l) => l !== target));
  for (const l of privates) if ((bodyReads.get(l) ?? 0) !== (reads.get(l) ?? 0)) return null;
  const readFirst = new Set<number>();
  if (!readBeforeWritten([block], new Set(), readFirst, 0) || [...privates].some((l) => readFirst.has(l))) return null;
  if (fn.readFirstElsewhere(k, privates)) return null;
  return [...reads.keys()].filter((l) => !writes.has(l)).sort((a, b) => a - b);
}

/**
 * Per evaluation: for each reusable comprehension statement, the values its
 * free reads had when it last ran to the end, followed by what it built.
 */
export class ComprehensionMemo {
  /** made on the first store: most evaluations of small policies reuse no comprehension */
  private last: Map<object, Value[]> | undefined;

  /** The collection built last time, if the free reads still hold the values they held then. */
  lookup(stmt: object, reads: number[], L: (Value | undefined)[]): Value | undefined {
    const m = this.last?.get(stmt);
    if (m === undefined) return undefined;
    for (let i = 0; i < reads.length; i++) if (m[i] !== L[reads[i] as number]) return undefined;
    return m[reads.length];
  }

  store(stmt: object, reads: number[], L: (Value | undefined)[], built: Value): void {
    // Overwritten in place: a comprehension that reads a loop's variable misses every time.
    const last = (this.last ??= new Map());
    let m = last.get(stmt) as (Value | undefined)[] | undefined;
    if (m === undefined) last.set(stmt, (m = new Array(reads.length + 1)) as Value[]);
    for (let i = 0; i < reads.length; i++) m[i] = L[reads[i] as number];
    m[reads.length] = built;
  }
}

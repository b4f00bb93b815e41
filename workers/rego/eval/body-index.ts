/**
 * Rule indexing, as OPA's ast/index.go selects the bodies of a rule that can
 * match: a rule (or function) with many bodies that each begin by comparing
 * the same path into an argument with a different constant,
 *
 *   allow if { input.client.id == "c1"; … }
 *   allow if { input.client.id == "c2"; … }   (hundreds of them)
 *
 * runs every body's path and comparison in turn. The planner writes each body
 * as a block `ResetLocal/IsUndefined guards; Dot chain; Equal chain const; …`.
 * Lowering finds the largest group of such blocks that share a chain; at each
 * call the chain is followed once and the group's blocks whose constant is not
 * its value are not run, since they would stop at their comparison.
 *
 * A skipped block still runs its guards (they reset the body's result local,
 * which the block after it reads), so what it leaves out is exactly its chain
 * and comparison. That is exact only if nothing later reads what the chain
 * wrote: lowering checks that no block reads a chain's target before writing
 * it, and that the argument the chain starts from is written by no statement
 * but `with` (which restores it within its block).
 *
 * The planner follows each body with a block that commits its result,
 * `IsDefined r; …`, where r is the local the body's first guard resets. When
 * the commit blocks are the only blocks that read such an r before writing it,
 * a skipped body and its commit block are passed over together without running
 * the guards: the commit would stop at its first statement, and no other block
 * can see that r was not reset.
 */
import type { Block, Func, Stmt } from "../plan/types.js";
import { RObject, RSet, type Value } from "../value/index.js";
import { forEachStmt, readBeforeWritten, writesOf } from "./plan-locals.js";

/** Groups smaller than this are not worth the check. */
const MIN_BODIES = 4;

export class BodyIndex {
  constructor(
    /** the argument (a local) the chain starts from */
    readonly source: number,
    /** the constant keys the chain follows */
    readonly keys: string[],
    /** per block: the constant its comparison needs, or undefined for blocks outside the group */
    readonly wants: (string | boolean | undefined)[],
    /** per block of the group: how many guard statements (ResetLocal, IsUndefined) come before its chain */
    readonly guards: number[],
    /** per block of the group: whether it is passed over together with the commit block after it */
    readonly pairs: boolean[],
  ) {}

  /** The chain's value in frame L, following the keys as Dot statements with constant string keys do. */
  probe(L: (Value | undefined)[]): Value | undefined {
    let v = L[this.source];
    for (const k of this.keys) {
      if (v instanceof RObject) v = v.getString(k);
      else if (v instanceof RSet) v = v.has(k) ? k : undefined;
      else return undefined;
      if (v === undefined) return undefined;
    }
    return v;
  }

  /** Whether block i would stop at its comparison with the chain's value `probe` (Rego equality: only an equal string or boolean passes). */
  skips(i: number, probe: Value | undefined): boolean {
    const want = this.wants[i];
    return want !== undefined && want !== probe;
  }
}

interface Head {
  signature: string;
  source: number;
  keys: string[];
  want: string | boolean;
  guards: number;
  /** the local the first guard resets, if the first guard is a ResetLocal */
  reset: number | undefined;
  /** locals the chain writes */
  writes: number[];
}

/** A body's guards, chain and constant comparison, if it begins with them. */
function headOf(block: Block, params: Set<number>, strings: string[]): Head | null {
  const writes: number[] = [];
  const stmts = block.stmts;
  let i = 0;
  while (i < stmts.length && (stmts[i]?.type === "ResetLocalStmt" || stmts[i]?.type === "IsUndefinedStmt")) i++;
  const guards = i;
  const reset = stmts[0]?.type === "ResetLocalStmt" ? stmts[0].stmt.target : undefined;
  const first = stmts[i];
  if (first === undefined || first.type !== "DotStmt" || first.stmt.source.type !== "local" || !params.has(first.stmt.source.value))
    return null;
  const source = first.stmt.source.value;
  const keys: string[] = [];
  let chain = source;
  for (; i < stmts.length; i++) {
    const st = stmts[i] as Stmt;
    if (st.type !== "DotStmt") break;
    const { source: s, key } = st.stmt;
    if (s.type !== "local" || s.value !== chain || key.type !== "string_index") return null;
    keys.push(strings[key.value] as string);
    chain = st.stmt.target;
    writes.push(chain);
  }
  const eq = stmts[i];
  if (eq === undefined || eq.type !== "EqualStmt") return null;
  const { a, b } = eq.stmt;
  const other = a.type === "local" && a.value === chain ? b : b.type === "local" && b.value === chain ? a : null;
  if (other === null || other.type === "local") return null;
  const want = other.type === "bool" ? other.value : (strings[other.value] as string);
  return { signature: `${source}\u0000${keys.join("\u0000")}`, source, keys, want, guards, reset, writes };
}

/** The index of f's bodies, or null when no group of at least MIN_BODIES blocks shares a chain or skipping could be seen. */
export function bodyIndexOf(f: Func, strings: string[]): BodyIndex | null {
  const params = new Set(f.params);
  const heads = f.blocks.map((b) => headOf(b, params, strings));
  const sizes = new Map<string, number>();
  for (const h of heads) if (h) sizes.set(h.signature, (sizes.get(h.signature) ?? 0) + 1);
  let best: string | undefined;
  for (const [sig, n] of sizes) if (n >= MIN_BODIES && (best === undefined || n > (sizes.get(best) as number))) best = sig;
  if (best === undefined) return null;
  const group = heads.map((h) => (h?.signature === best ? h : null));
  const head = group.find((h) => h !== null) as Head;
  const hidden = new Set(group.flatMap((h) => h?.writes ?? []));
  const exposed: Set<number>[] = [];
  for (const b of f.blocks) {
    const e = new Set<number>();
    if (!readBeforeWritten(b.stmts, new Set(), e, 0)) return null; // too deeply nested to tell
    for (const l of e) if (hidden.has(l)) return null;
    exposed.push(e);
  }
  if (writtenOutsideWith(f.blocks).has(head.source)) return null;
  // Commit blocks: right after a body of the group, starting with IsDefined of the local its first guard resets.
  const commitOf = group.map((h, i) => {
    const next = f.blocks[i + 1]?.stmts[0];
    return h?.reset !== undefined && group[i + 1] === null && next?.type === "IsDefinedStmt" && next.stmt.source === h.reset;
  });
  const resets = new Set(group.flatMap((h) => (h?.reset === undefined ? [] : [h.reset])));
  const onlyCommitsSee = exposed.every((e, j) => commitOf[j - 1] === true || ![...e].some((l) => resets.has(l)));
  return new BodyIndex(
    head.source,
    head.keys,
    group.map((h) => h?.want),
    group.map((h) => h?.guards ?? 0),
    commitOf.map((c) => c && onlyCommitsSee),
  );
}

/** Every local some statement other than `with` writes, at any depth. */
function writtenOutsideWith(blocks: Block[]): Set<number> {
  const out = new Set<number>();
  forEachStmt(blocks, (stmts, i) => {
    const st = stmts[i] as Stmt;
    if (st.type !== "WithStmt") for (const l of writesOf(st)) out.add(l);
  });
  return out;
}

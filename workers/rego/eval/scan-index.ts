/**
 * Join indexes for scans, as OPA's topdown indexes comprehensions: a scan
 * whose body starts by following constant keys from the element and
 * comparing the result with a value fixed for the whole scan,
 *
 *   Scan xs → i, x { Dot x "team" → t; Dot t "id" → u; Equal u y; … }
 *
 * (`[x | some x in xs; x.team.id == y]`, `some i; xs[i].team.id == y`), runs
 * once per value of `y` when it sits inside another loop: n × m iterations
 * for a join of n outer rows with m inner ones. The second time such a scan
 * meets the same collection it records, while iterating as usual, which
 * elements each key value selects; from then on it runs its body only for
 * the elements whose key equals `y`, in their original order.
 *
 * The body runs unchanged for those elements, so answers, errors, conflicts
 * and ordering are the plain scan's; the elements skipped are exactly those
 * whose body would have stopped at the comparison (or at a key they lack),
 * and their statements are not charged because they are not run.
 */
import type { Operand, Stmt } from "../plan/types.js";
import { RObject, RSet, type Value } from "../value/index.js";
import { forEachStmt, writesOf } from "./plan-locals.js";

/** What lowering found: a scan body of `prefix` Dot statements, then `Equal chain probe`. */
export interface JoinSpec {
  /** number of Dot statements before the Equal */
  readonly prefix: number;
  /** the local holding the element's key value once the prefix ran (the element itself when prefix is 0) */
  readonly chain: number;
  /** the value compared with it: a local no statement of the scan writes, or `~k` for constant k */
  readonly probe: number;
}

/**
 * The join shape of a ScanStmt's body, or null. `operand` encodes an operand
 * as lowering does (a local's number, or `~k` for a constant).
 */
export function joinSpecOf(scan: Extract<Stmt, { type: "ScanStmt" }>, operand: (o: Operand) => number): JoinSpec | null {
  const stmts = scan.stmt.block.stmts;
  let chain = scan.stmt.value;
  let i = 0;
  for (; i < stmts.length; i++) {
    const st = stmts[i] as Stmt;
    if (st.type !== "DotStmt") break;
    const { source, key } = st.stmt;
    if (source.type !== "local" || source.value !== chain || key.type !== "string_index") return null;
    chain = st.stmt.target;
  }
  const eq = stmts[i];
  if (eq === undefined || eq.type !== "EqualStmt") return null;
  const { a, b } = eq.stmt;
  const other = a.type === "local" && a.value === chain ? b : b.type === "local" && b.value === chain ? a : null;
  if (other === null) return null;
  if (other.type === "local") {
    const written = writtenLocals(scan);
    if (written.has(other.value)) return null;
  }
  return { prefix: i, chain, probe: operand(other) };
}

/** Every local a statement of the scan (at any depth, the scan itself included) assigns or changes in place. */
function writtenLocals(scan: Stmt): Set<number> {
  const out = new Set<number>();
  forEachStmt([{ stmts: [scan] }], (stmts, i) => {
    for (const l of writesOf(stmts[i] as Stmt)) out.add(l);
  });
  return out;
}

/**
 * A key under which equal scalars meet: Rego compares numbers by value, so an
 * integer beyond 2^53 held as a float and the same integer as a bigint are
 * one key. Undefined for composites, which the index does not hold.
 */
export function joinKey(v: Value): unknown {
  switch (typeof v) {
    case "number":
      return Number.isInteger(v) && !Number.isSafeInteger(v) ? BigInt(v) : v;
    case "bigint":
      return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
    case "string":
    case "boolean":
      return v;
    default:
      return v === null ? null : undefined;
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/** Elements of one collection grouped by their key value: pairs of (scan key, element), in scan order. */
export type JoinRows = Map<unknown, Value[]>;

/**
 * Per evaluation and scan statement: the collection last scanned, whether it
 * has been met before, and its index once built. A collection is recognised
 * by identity and size (the engine extends collections only while building
 * them, never after another statement can scan them; the size check keeps a
 * stale index from ever being used regardless).
 */
export class JoinState {
  source!: Value;
  size!: number;
  rows!: JoinRows | null;
  /** false once an element's key value was a composite: the scan then stays plain for this collection */
  indexable!: boolean;

  constructor(source: Value) {
    this.meet(source);
  }

  /** The scan met another collection: start over with it (met once, no index). */
  meet(source: Value): void {
    this.source = source;
    this.size = sizeOf(source);
    this.rows = null;
    this.indexable = true;
  }

  matches(source: Value): boolean {
    return this.source === source && this.size === sizeOf(source);
  }
}

function sizeOf(v: Value): number {
  if (Array.isArray(v)) return v.length;
  if (v instanceof RObject || v instanceof RSet) return v.size;
  return -1;
}

/**
 * Which paths into the base documents (`data.roles.alice`) an evaluation
 * read, for explain (docs/architecture.md §7). Recorded only when tracing: the
 * interpreter calls `read` for every Dot statement, and `read` knows a
 * source's path only if the source is the data document or a value an
 * earlier read took out of it (tracked by identity, so a value copied to
 * another local, `r := data.roles; r[x]`, still counts). A value rebuilt on
 * the way (a `with data…` replacement, a merge of base and virtual
 * documents) has no path and is not followed.
 *
 * Only the most specific paths are kept (reading `data.roles.alice` replaces
 * `data.roles`), at most MAX_DATA_PATHS of them, each cut at MAX_PATH_CHARS;
 * beyond that `truncated` says so. Reads are kept as links to the read they
 * extend and spelled out as text only when the result is asked for, so a
 * traced evaluation pays little per read. Paths looked up and not found are listed
 * apart: they often explain a deny (the user has no role entry).
 */
import type { Value } from "../value/index.js";
import { formatNumber } from "../value/index.js";

export const MAX_DATA_PATHS = 50;
export const MAX_PATH_CHARS = 256;
/** Distinct reads recorded before listing stops (a repeated read is never recorded twice). */
const MAX_READS = 1000;

export interface DataPaths {
  /** paths read that had a value, in the order first read */
  paths: string[];
  /** paths looked up that had none */
  missing: string[];
  /** more than MAX_DATA_PATHS distinct paths were read (or MAX_READS distinct reads): the rest are not listed */
  truncated: boolean;
}

/**
 * A read as a kept record logs it (rule-cache.ts): three entries, the id of
 * the source (ROOT for the data document), the key, and the value's code —
 * an id for a composite, FOUND or MISSING for a scalar. Replaying ids never
 * touches the values themselves: most sources a record logged are elements
 * a loop reached, no longer in the processor's caches, and explain follows
 * only the few an evaluation reached through reads.
 */
export type ReadLog = Value[];

/** Where a record being written logs the data reads its computation makes. */
export interface ReadSink {
  log(src: number, key: Value, code: number): void;
}

const ROOT = 0;
const KNOWN_BITS = 1 << 16;
const FOUND = -1;
const MISSING = -2;

/**
 * Ids of the composite values traced reads met, per data document and shared
 * by the evaluations against it (kept records name values by them). Weak: a
 * value the policy built during one evaluation is not kept alive by its id.
 */
export class ValueIds {
  private readonly ids = new WeakMap<object, number>();
  private next = ROOT + 1;

  get(v: object): number | undefined {
    return this.ids.get(v);
  }

  of(v: object): number {
    let id = this.ids.get(v);
    if (id === undefined) this.ids.set(v, (id = this.next++));
    return id;
  }
}

const idsByDocument = new WeakMap<object, ValueIds>();

/** One read: `parent[key]`. Paths are spelled out only when the result is asked for. */
interface Read {
  parent: Read | null;
  key: Value;
  found: boolean;
  /** a read went further into this value (then the more specific path stands for it) */
  extended: boolean;
  /** the keys of the scalar and missing reads made from this value */
  scalars: Set<Value> | undefined;
}

export class DataReads {
  /** null when data is not a composite: then nothing is read from it */
  readonly ids: ValueIds | null;
  /**
   * Ids of the values taken out of data → the read that took them. A plain Map made on the first
   * read: it lives only as long as one evaluation.
   */
  private readOf: Map<number, Read> | undefined;
  /**
   * A bit per id modulo KNOWN_BITS, set for the ids in readOf: most reads a
   * record replays are from values explain does not follow, and this answers
   * them without a Map lookup (an evaluation takes out at most MAX_READS values).
   */
  private known: Uint32Array | undefined;
  private reads: Read[] | undefined;
  /** the keys of the scalar and missing reads made from the data document itself */
  private rootScalars: Set<Value> | undefined;
  private overflow = false;

  constructor(private readonly root: Value) {
    if (root === null || typeof root !== "object") this.ids = null;
    else {
      let ids = idsByDocument.get(root);
      if (ids === undefined) idsByDocument.set(root, (ids = new ValueIds()));
      this.ids = ids;
    }
  }

  /**
   * `src[key]` was looked up and gave `v` (undefined: not found). With `sink`
   * (a record being written), the read is logged there too, whether or not
   * it names a path in this evaluation: it may in one that replays it.
   */
  read(src: Value, key: Value, v: Value | undefined, sink: ReadSink | null): void {
    const ids = this.ids;
    if (ids === null || src === null || typeof src !== "object") return;
    if (sink !== null) {
      const s = src === this.root ? ROOT : ids.of(src);
      const code = valueCode(v, ids);
      sink.log(s, key, code);
      this.apply(s, key, code);
      return;
    }
    if (this.overflow) return;
    const s = src === this.root ? ROOT : ids.get(src);
    // A value with no id was never taken out of data by a read.
    if (s === undefined || (s !== ROOT && !this.taken(s))) return;
    this.apply(s, key, valueCode(v, ids));
  }

  /** Reads a kept record logged, in order, as if made again. */
  replay(log: ReadLog): void {
    for (let j = 0; j < log.length && !this.overflow; j += 3) this.apply(log[j] as number, log[j + 1] as Value, log[j + 2] as number);
  }

  /** Whether the value with this id may have been taken out of data (false: certainly not). */
  private taken(id: number): boolean {
    const known = this.known;
    return known !== undefined && ((known[(id & (KNOWN_BITS - 1)) >> 5] as number) & (1 << (id & 31))) !== 0;
  }

  private apply(src: number, key: Value, code: number): void {
    if (this.overflow) return;
    let parent: Read | null = null;
    if (src !== ROOT) {
      const p = this.taken(src) ? this.readOf?.get(src) : undefined;
      if (p === undefined) return;
      parent = p;
      p.extended = true;
    }
    let read: Read;
    if (code > 0) {
      const readOf = (this.readOf ??= new Map());
      // The same value reached again is the same path, already recorded.
      if (readOf.has(code)) return;
      read = { parent, key, found: true, extended: false, scalars: undefined };
      readOf.set(code, read);
      const known = (this.known ??= new Uint32Array(KNOWN_BITS >> 5));
      const word = (code & (KNOWN_BITS - 1)) >> 5;
      known[word] = (known[word] as number) | (1 << (code & 31));
    } else {
      // A scalar (or missing) read repeated (a loop reading `data.limits.max` each time) is the same path.
      const keys = parent === null ? (this.rootScalars ??= new Set()) : (parent.scalars ??= new Set());
      if (keys.has(key)) return;
      keys.add(key);
      read = { parent, key, found: code === FOUND, extended: false, scalars: undefined };
    }
    const reads = (this.reads ??= []);
    if (reads.length >= MAX_READS) this.overflow = true;
    else reads.push(read);
  }

  result(): DataPaths {
    const paths: string[] = [];
    const missing: string[] = [];
    const reads = this.reads;
    if (reads === undefined) return { paths, missing, truncated: false };
    let truncated = this.overflow;
    let listed = 0;
    for (let i = 0; i < reads.length; i++) {
      const r = reads[i] as Read;
      if (r.extended) continue;
      const path = spell(r);
      // Few paths: a linear look for a repeat is cheaper than a Set.
      if (paths.includes(path) || missing.includes(path)) continue;
      if (listed >= MAX_DATA_PATHS) {
        truncated = true;
        break;
      }
      listed++;
      (r.found ? paths : missing).push(path);
    }
    return { paths, missing, truncated };
  }
}

function valueCode(v: Value | undefined, ids: ValueIds): number {
  if (v === undefined) return MISSING;
  return v !== null && typeof v === "object" ? ids.of(v) : FOUND;
}

function spell(r: Read): string {
  const keys: Value[] = [];
  for (let x: Read | null = r; x !== null; x = x.parent) keys.push(x.key);
  let path = "data";
  for (let i = keys.length - 1; i >= 0 && path.length < MAX_PATH_CHARS; i--) path += segment(keys[i] as Value);
  return path.length <= MAX_PATH_CHARS ? path : `${path.slice(0, MAX_PATH_CHARS - 1)}…`;
}

function segment(key: Value): string {
  if (typeof key === "string") {
    // Scanned by hand: most keys are plain, and JSON.stringify costs more than the rest of a path.
    let ident = key.length > 0;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return `[${JSON.stringify(key)}]`;
      if (ident && !(c === 0x5f || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (i > 0 && c >= 0x30 && c <= 0x39)))
        ident = false;
    }
    return ident ? `.${key}` : `["${key}"]`;
  }
  if (typeof key === "number" || typeof key === "bigint") return `[${formatNumber(key)}]`;
  if (typeof key === "boolean" || key === null) return `[${String(key)}]`;
  return "[…]";
}

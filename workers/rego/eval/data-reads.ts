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

/** One read: `parent[key]`. Paths are spelled out only when the result is asked for. */
interface Read {
  parent: Read | null;
  key: Value;
  found: boolean;
  /** a read went further into this value (then the more specific path stands for it) */
  extended: boolean;
}

export class DataReads {
  /**
   * Values taken out of data → the read that took them. A plain Map made on the first read: it
   * lives only as long as one evaluation (cheaper than a WeakMap; most decision rules read no data).
   */
  private readOf: Map<object, Read> | undefined;
  private reads: Read[] | undefined;
  /** the keys of the scalar and missing reads made per parent read (null: from the root) */
  private scalars: Map<Read | null, Set<Value>> | undefined;
  private overflow = false;

  constructor(private readonly root: Value) {}

  /** No more reads are recorded: MAX_READS distinct ones are (the result says it is truncated). */
  get full(): boolean {
    return this.overflow;
  }

  /** `src[key]` was looked up and gave `v` (undefined: not found). */
  read(src: Value, key: Value, v: Value | undefined): void {
    if (this.overflow || src === null || typeof src !== "object") return;
    let parent: Read | null = null;
    if (src !== this.root) {
      const p = this.readOf?.get(src);
      if (p === undefined) return;
      parent = p;
      p.extended = true;
    }
    let read: Read;
    if (v !== undefined && v !== null && typeof v === "object") {
      const readOf = (this.readOf ??= new Map());
      // The same value reached again is the same path, already recorded.
      if (readOf.has(v)) return;
      read = { parent, key, found: true, extended: false };
      readOf.set(v, read);
    } else {
      // A scalar (or missing) read repeated (a loop reading `data.limits.max` each time) is the same path.
      const seen = (this.scalars ??= new Map());
      let keys = seen.get(parent);
      if (keys === undefined) seen.set(parent, (keys = new Set()));
      if (keys.has(key)) return;
      keys.add(key);
      read = { parent, key, found: v !== undefined, extended: false };
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

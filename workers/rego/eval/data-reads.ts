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
 * beyond that `truncated` says so. Paths looked up and not found are listed
 * apart: they often explain a deny (the user has no role entry).
 */
import type { Value } from "../value/index.js";
import { formatNumber, RObject, RSet } from "../value/index.js";

export const MAX_DATA_PATHS = 50;
export const MAX_PATH_CHARS = 256;

export interface DataPaths {
  /** paths read that had a value, in the order first read */
  paths: string[];
  /** paths looked up that had none */
  missing: string[];
  /** more than MAX_DATA_PATHS distinct paths were read: the rest are not listed */
  truncated: boolean;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class DataReads {
  private readonly pathOf = new WeakMap<object, string>();
  /** path → whether it had a value */
  private readonly seen = new Map<string, boolean>();
  private truncated = false;

  constructor(data: Value) {
    if (data !== null && typeof data === "object") this.pathOf.set(data, "data");
  }

  /** `src[key]` was looked up and gave `v` (undefined: not found). */
  read(src: Value, key: Value, v: Value | undefined): void {
    if (!(src instanceof RObject || Array.isArray(src) || src instanceof RSet)) return;
    const parent = this.pathOf.get(src);
    if (parent === undefined) return;
    const path = parent.length >= MAX_PATH_CHARS ? parent : cut(parent + segment(key));
    if (v !== undefined && v !== null && typeof v === "object" && !this.pathOf.has(v)) this.pathOf.set(v, path);
    const seen = this.seen;
    if (seen.has(path)) return;
    // The more specific path replaces its parent.
    if (seen.get(parent) === true) seen.delete(parent);
    if (seen.size >= MAX_DATA_PATHS) {
      this.truncated = true;
      return;
    }
    seen.set(path, v !== undefined);
  }

  result(): DataPaths {
    const paths: string[] = [];
    const missing: string[] = [];
    for (const [p, found] of this.seen) (found ? paths : missing).push(p);
    return { paths, missing, truncated: this.truncated };
  }
}

function segment(key: Value): string {
  if (typeof key === "string") return IDENT.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  if (typeof key === "number" || typeof key === "bigint") return `[${formatNumber(key)}]`;
  if (typeof key === "boolean" || key === null) return `[${String(key)}]`;
  return "[…]";
}

function cut(path: string): string {
  return path.length <= MAX_PATH_CHARS ? path : `${path.slice(0, MAX_PATH_CHARS - 1)}…`;
}

/**
 * Decoder and validator for plan JSON. Everything the evaluator later relies
 * on is checked here once — field types, local and string indexes, break
 * depths, call targets — so evaluation never meets a malformed plan. A
 * problem is reported with the JSON path where it was found.
 */
import type { Block, Func, Operand, Plan, Policy, Static, Stmt, StmtType } from "./types.js";
import { STMT_TYPES } from "./types.js";
import { decodeCompactPlanText, isCompactPlanText } from "./compact.js";
import { STMT_FIELDS, type FieldKind } from "./fields.js";
import { checkNames, planError, type PlanUses } from "./checks.js";

/** Fields that may be `null` or absent in OPA's output, meaning empty. */
const NULLABLE_ARRAYS = new Set<FieldKind>(["blocks", "locals", "operands", "strindexes"]);

const MAX_LOCAL = 1 << 20;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function isIndex(x: unknown): x is number {
  return typeof x === "number" && Number.isInteger(x) && x >= 0;
}

class Decoder {
  private strings = 0;
  private files = 0;

  policy(raw: unknown): Policy {
    if (!isRecord(raw)) throw planError("plan", "expected an object");
    const stat = this.static(raw.static, "plan.static");
    this.strings = stat.strings.length;
    this.files = stat.files.length;
    const plans = this.list(raw.plans, "plan.plans", "plans").map((p, i) => this.plan(p, `plan.plans.plans[${i}]`));
    const funcs = this.list(raw.funcs, "plan.funcs", "funcs").map((f, i) => this.func(f, `plan.funcs.funcs[${i}]`));
    const policy: Policy = { static: stat, plans: { plans }, funcs: { funcs } };
    checkNames(policy);
    return policy;
  }

  /** `{plans: [...]}` / `{funcs: [...]}` wrappers; absent or null means none. */
  private list(raw: unknown, path: string, key: string): unknown[] {
    if (raw === undefined || raw === null) return [];
    if (!isRecord(raw)) throw planError(path, "expected an object");
    const items = raw[key];
    if (items === undefined || items === null) return [];
    if (!Array.isArray(items)) throw planError(`${path}.${key}`, "expected an array");
    return items;
  }

  private static(raw: unknown, path: string): Static {
    if (raw === undefined || raw === null) return { strings: [], builtin_funcs: [], files: [] };
    if (!isRecord(raw)) throw planError(path, "expected an object");
    const values = (key: string): { value: string }[] => {
      const arr = raw[key];
      if (arr === undefined || arr === null) return [];
      if (!Array.isArray(arr)) throw planError(`${path}.${key}`, "expected an array");
      return arr.map((e, i) => {
        if (!isRecord(e) || typeof e.value !== "string") throw planError(`${path}.${key}[${i}]`, "expected {value: string}");
        return { value: e.value };
      });
    };
    const builtins = raw.builtin_funcs;
    if (builtins !== undefined && builtins !== null && !Array.isArray(builtins))
      throw planError(`${path}.builtin_funcs`, "expected an array");
    const builtin_funcs = ((builtins as unknown[] | null | undefined) ?? []).map((b, i) => {
      if (!isRecord(b) || typeof b.name !== "string") throw planError(`${path}.builtin_funcs[${i}]`, "expected {name: string, decl}");
      return { name: b.name, decl: b.decl };
    });
    return { strings: values("strings"), builtin_funcs, files: values("files") };
  }

  private plan(raw: unknown, path: string): Plan {
    if (!isRecord(raw)) throw planError(path, "expected an object");
    if (typeof raw.name !== "string") throw planError(`${path}.name`, "expected a string");
    return { name: raw.name, blocks: this.blocks(raw.blocks, `${path}.blocks`, 0) };
  }

  private func(raw: unknown, path: string): Func {
    if (!isRecord(raw)) throw planError(path, "expected an object");
    if (typeof raw.name !== "string") throw planError(`${path}.name`, "expected a string");
    const params = this.locals(raw.params, `${path}.params`);
    const ret = this.local(raw.return, `${path}.return`);
    const func: Func = { name: raw.name, params, return: ret, blocks: this.blocks(raw.blocks, `${path}.blocks`, 0) };
    if (Array.isArray(raw.path) && raw.path.every((s) => typeof s === "string")) func.path = raw.path as string[];
    return func;
  }

  private blocks(raw: unknown, path: string, depth: number): Block[] {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) throw planError(path, "expected an array of blocks");
    return raw.map((b, i) => this.block(b, `${path}[${i}]`, depth + 1));
  }

  /** `depth` counts the blocks enclosing a statement, for checking breaks. */
  private block(raw: unknown, path: string, depth: number): Block {
    if (!isRecord(raw)) throw planError(path, "expected a block object");
    const stmts = raw.stmts;
    if (stmts === undefined || stmts === null) return { stmts: [] };
    if (!Array.isArray(stmts)) throw planError(`${path}.stmts`, "expected an array");
    return { stmts: stmts.map((s, i) => this.stmt(s, `${path}.stmts[${i}]`, depth)) };
  }

  private stmt(raw: unknown, path: string, depth: number): Stmt {
    if (!isRecord(raw)) throw planError(path, "expected a statement object");
    const type = raw.type;
    if (typeof type !== "string" || !(STMT_TYPES as readonly string[]).includes(type))
      throw planError(`${path}.type`, `unknown statement type ${JSON.stringify(type)}`);
    const body = raw.stmt ?? {};
    if (!isRecord(body)) throw planError(`${path}.stmt`, "expected an object");
    const spec = STMT_FIELDS[type as StmtType];
    const out: Record<string, unknown> = {};
    for (const [field, kind] of Object.entries(spec)) {
      const p = `${path}.stmt.${field}`;
      const v = body[field];
      if ((v === undefined || v === null) && NULLABLE_ARRAYS.has(kind)) {
        out[field] = [];
        continue;
      }
      out[field] = this.field(kind, v, p, depth);
    }
    if (type === "BreakStmt" && (out.index as number) >= depth)
      throw planError(`${path}.stmt.index`, `break leaves ${(out.index as number) + 1} blocks but only ${depth} enclose it`);
    for (const k of ["file", "row", "col"] as const) {
      const v = body[k];
      if (v !== undefined && !isIndex(v)) throw planError(`${path}.stmt.${k}`, "expected a non-negative integer");
      if (v !== undefined) out[k] = v;
    }
    if (out.file !== undefined && (out.file as number) >= this.files && this.files > 0)
      throw planError(`${path}.stmt.file`, `file index ${out.file as number} out of range`);
    return { type, stmt: out } as Stmt;
  }

  private field(kind: FieldKind, v: unknown, path: string, depth: number): unknown {
    switch (kind) {
      case "local":
        return this.local(v, path);
      case "operand":
        return this.operand(v, path);
      case "int":
        if (typeof v !== "number" || !Number.isInteger(v)) throw planError(path, "expected an integer");
        return v;
      case "string":
        if (typeof v !== "string") throw planError(path, "expected a string");
        return v;
      case "block":
        return this.block(v, path, depth + 1);
      case "inlineBlock":
        // A with block is not a block of its own: breaks inside count the enclosing ones.
        return this.block(v, path, depth);
      case "blocks":
        return this.blocks(v, path, depth);
      case "locals":
        return this.locals(v, path);
      case "operands":
        if (!Array.isArray(v)) throw planError(path, "expected an array of operands");
        return v.map((o, i) => this.operand(o, `${path}[${i}]`));
      case "strindexes":
        if (!Array.isArray(v)) throw planError(path, "expected an array of string indexes");
        return v.map((s, i) => this.stringIndex(s, `${path}[${i}]`));
    }
  }

  private local(v: unknown, path: string): number {
    if (!isIndex(v) || v > MAX_LOCAL) throw planError(path, "expected a local index");
    return v;
  }

  private locals(v: unknown, path: string): number[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw planError(path, "expected an array of locals");
    return v.map((l, i) => this.local(l, `${path}[${i}]`));
  }

  private stringIndex(v: unknown, path: string): number {
    if (!isIndex(v) || v >= this.strings) throw planError(path, `string index ${JSON.stringify(v)} out of range`);
    return v;
  }

  private operand(v: unknown, path: string): Operand {
    if (!isRecord(v)) throw planError(path, "expected an operand object");
    switch (v.type) {
      case "local":
        return { type: "local", value: this.local(v.value, `${path}.value`) };
      case "bool":
        if (typeof v.value !== "boolean") throw planError(`${path}.value`, "expected a boolean");
        return { type: "bool", value: v.value };
      case "string_index":
        return { type: "string_index", value: this.stringIndex(v.value, `${path}.value`) };
      default:
        throw planError(`${path}.type`, `unknown operand type ${JSON.stringify(v.type)}`);
    }
  }
}

/** Thrown by the fast checker at the first problem; the path-tracking Decoder then says what and where. */
const INVALID = new Error("invalid plan");

const STMT_SPECS = new Map<string, [string, FieldKind, boolean][]>(
  Object.entries(STMT_FIELDS).map(([type, spec]) => [
    type,
    Object.entries(spec).map(([field, kind]): [string, FieldKind, boolean] => [field, kind, NULLABLE_ARRAYS.has(kind)]),
  ]),
);

/**
 * The checks of Decoder without its copies and JSON paths: validates plan
 * data parsed from text by the caller (so no one else holds it) in place,
 * filling absent or null arrays as Decoder does. A 5 MB plan is checked in a
 * fraction of the time the copying decoder needs; on a problem the copying
 * decoder runs on a fresh parse to report it with its path.
 */
class InPlaceChecker {
  private strings = 0;
  private files = 0;
  readonly uses: PlanUses = { calls: new Set(), numberRefs: new Set() };

  policy(raw: unknown): Policy {
    if (!isRecord(raw)) throw INVALID;
    const stat = this.static(raw);
    this.strings = stat.strings.length;
    this.files = stat.files.length;
    const plans = this.list(raw, "plans");
    for (const p of plans) {
      if (!isRecord(p) || typeof p.name !== "string") throw INVALID;
      p.blocks = this.blocks(p.blocks, 0);
    }
    const funcs = this.list(raw, "funcs");
    for (const f of funcs) {
      if (!isRecord(f) || typeof f.name !== "string") throw INVALID;
      f.params = this.locals(f.params);
      this.local(f.return);
      f.blocks = this.blocks(f.blocks, 0);
      if (f.path !== undefined && !(Array.isArray(f.path) && f.path.every((s) => typeof s === "string"))) delete f.path;
    }
    return raw as unknown as Policy;
  }

  private list(raw: Record<string, unknown>, key: string): unknown[] {
    const w = raw[key];
    if (w === undefined || w === null) {
      raw[key] = { [key]: [] };
      return [];
    }
    if (!isRecord(w)) throw INVALID;
    const items = w[key];
    if (items === undefined || items === null) return (w[key] = []) as unknown[];
    if (!Array.isArray(items)) throw INVALID;
    return items;
  }

  private static(raw: Record<string, unknown>): Static {
    let st = raw.static;
    if (st === undefined || st === null) st = raw.static = {};
    if (!isRecord(st)) throw INVALID;
    for (const key of ["strings", "files"]) {
      const arr = st[key];
      if (arr === undefined || arr === null) st[key] = [];
      else if (!Array.isArray(arr)) throw INVALID;
      else for (const e of arr) if (!isRecord(e) || typeof e.value !== "string") throw INVALID;
    }
    const b = st.builtin_funcs;
    if (b === undefined || b === null) st.builtin_funcs = [];
    else if (!Array.isArray(b)) throw INVALID;
    else for (const e of b) if (!isRecord(e) || typeof e.name !== "string") throw INVALID;
    return st as unknown as Static;
  }

  private blocks(raw: unknown, depth: number): unknown[] {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) throw INVALID;
    for (const b of raw) this.block(b, depth + 1);
    return raw;
  }

  private block(raw: unknown, depth: number): void {
    if (!isRecord(raw)) throw INVALID;
    const stmts = raw.stmts;
    if (stmts === undefined || stmts === null) {
      raw.stmts = [];
      return;
    }
    if (!Array.isArray(stmts)) throw INVALID;
    for (let i = 0; i < stmts.length; i++) this.stmt(stmts[i], depth);
  }

  private stmt(raw: unknown, depth: number): void {
    if (!isRecord(raw)) throw INVALID;
    const type = raw.type;
    const spec = typeof type === "string" ? STMT_SPECS.get(type) : undefined;
    if (spec === undefined) throw INVALID;
    let body = raw.stmt;
    if (body === undefined || body === null) body = raw.stmt = {};
    if (!isRecord(body)) throw INVALID;
    for (let i = 0; i < spec.length; i++) {
      const [field, kind, nullable] = spec[i] as [string, FieldKind, boolean];
      const v = body[field];
      if (nullable && (v === undefined || v === null)) body[field] = [];
      else this.field(kind, v, depth);
    }
    if (type === "BreakStmt" && (body.index as number) >= depth) throw INVALID;
    if (type === "CallStmt") this.uses.calls.add(`${body.func as string}/${(body.args as unknown[]).length}`);
    else if (type === "MakeNumberRefStmt") this.uses.numberRefs.add(body.Index as number);
    const { file, row, col } = body;
    if ((file !== undefined && !isIndex(file)) || (row !== undefined && !isIndex(row)) || (col !== undefined && !isIndex(col)))
      throw INVALID;
    if (file !== undefined && file >= this.files && this.files > 0) throw INVALID;
  }

  private field(kind: FieldKind, v: unknown, depth: number): void {
    switch (kind) {
      case "local":
        return this.local(v);
      case "operand":
        return this.operand(v);
      case "int":
        if (typeof v !== "number" || !Number.isInteger(v)) throw INVALID;
        return;
      case "string":
        if (typeof v !== "string") throw INVALID;
        return;
      case "block":
        return this.block(v, depth + 1);
      case "inlineBlock":
        return this.block(v, depth);
      case "blocks":
        this.blocks(v, depth);
        return;
      case "locals":
        this.locals(v);
        return;
      case "operands":
        if (!Array.isArray(v)) throw INVALID;
        for (const o of v) this.operand(o);
        return;
      case "strindexes":
        if (!Array.isArray(v)) throw INVALID;
        for (const s of v) if (!isIndex(s) || s >= this.strings) throw INVALID;
    }
  }

  private local(v: unknown): void {
    if (!isIndex(v) || v > MAX_LOCAL) throw INVALID;
  }

  private locals(v: unknown): number[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw INVALID;
    for (const l of v) this.local(l);
    return v;
  }

  private operand(v: unknown): void {
    if (!isRecord(v)) throw INVALID;
    switch (v.type) {
      case "local":
        return this.local(v.value);
      case "bool":
        if (typeof v.value !== "boolean") throw INVALID;
        return;
      case "string_index":
        if (!isIndex(v.value) || v.value >= this.strings) throw INVALID;
        return;
      default:
        throw INVALID;
    }
  }
}

/**
 * Decodes and validates plan JSON text as `decodePlan` does (same checks, same
 * errors), reusing the parsed data instead of copying it, and reports what
 * lowering will look up. The compact form (plan/compact.ts), which is what a
 * policy version stores, is recognised by its first key and decoded by its own reader.
 */
export function decodePlanText(text: string): { policy: Policy; uses: PlanUses } {
  if (isCompactPlanText(text)) return decodeCompactPlanText(text);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw planError("plan", `invalid JSON: ${(e as Error).message}`);
  }
  const checker = new InPlaceChecker();
  try {
    const policy = checker.policy(raw);
    checkNames(policy);
    return { policy, uses: checker.uses };
  } catch (e) {
    if (e !== INVALID) throw e;
    new Decoder().policy(JSON.parse(text));
    throw planError("plan", "invalid plan"); // unreachable: the decoder finds what the checker found
  }
}

/** Decodes and validates plan JSON (a string or already-parsed data). */
export function decodePlan(raw: unknown): Policy {
  if (typeof raw === "string") {
    if (isCompactPlanText(raw)) return decodeCompactPlanText(raw).policy;
    try {
      raw = JSON.parse(raw);
    } catch (e) {
      throw planError("plan", `invalid JSON: ${(e as Error).message}`);
    }
  }
  return new Decoder().policy(raw);
}

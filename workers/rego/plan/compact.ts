/**
 * The compact stored form of a plan (issue 11, items 5 and 6): the same IR as
 * plan JSON (plan/types.ts), written as string tables and one flat array of
 * integers instead of an object per statement and operand. A big policy's
 * plan is a fraction of the JSON's size and `JSON.parse` of it allocates
 * almost nothing, which is most of what `prepare` paid for plan JSON (see
 * docs/architecture.md on plans and prepare).
 *
 * Text: a JSON object whose first key is `caracal_compact_plan` (the format
 * version; `isCompactPlanText` looks only at that prefix):
 *
 *   strings, files   the plan's static strings and file names, as plain arrays
 *   builtin_funcs    as in plan JSON (`{name, decl}`)
 *   names            function names, call targets and function path segments
 *   plans            `[name, start, end]`: the plan's blocks are code[start, end)
 *   funcs            `[nameIndex, params, return, start, end, path | null]`
 *   code             integers: blocks, statements and operands (below)
 *
 * In `code`, a block list is its length then each block; a block is its
 * statement count then each statement; a statement is its index in
 * STMT_TYPES, its location, then its fields in the order of STMT_FIELDS
 * (decode.ts). A location is a mask (1 file, 2 row, 4 col, each followed by
 * its value; 8 alone: the previous statement's location, counting from the
 * start of the function or plan). An operand is one integer: `local * 4`,
 * `string_index * 4 + 1`, `bool * 4 + 2`; lists of locals, operands or string
 * indexes are their length then the items.
 *
 * Decoding checks everything `decodePlanText` checks, in one pass over the
 * integers without building statements; a function's statements are built
 * only when lowering first asks for its blocks. A malformed compact plan is a
 * `plan_error` naming the position in `code`.
 */
import { checkNames, planError, type PlanUses } from "./checks.js";
import { STMT_FIELDS, type FieldKind } from "./fields.js";
import type { Block, Func, Operand, Plan, Policy, Static, Stmt, StmtType } from "./types.js";
import { STMT_TYPES } from "./types.js";

export const COMPACT_PLAN_VERSION = 1;
const PREFIX = '{"caracal_compact_plan":';
const MAX_LOCAL = 1 << 20;

const LOC_FILE = 1;
const LOC_ROW = 2;
const LOC_COL = 4;
const LOC_SAME = 8;

/** Whether `text` is a compact plan (as opposed to plan JSON): a prefix check, no parsing. */
export function isCompactPlanText(text: string): boolean {
  return text.startsWith(PREFIX);
}

/** Field kinds per statement type, indexed like STMT_TYPES. */
const SPECS: FieldKind[][] = STMT_TYPES.map((t) => Object.values(STMT_FIELDS[t]));
const FIELD_NAMES: string[][] = STMT_TYPES.map((t) => Object.keys(STMT_FIELDS[t]));
const OPCODE = new Map<string, number>(STMT_TYPES.map((t, i) => [t, i]));
const BREAK = OPCODE.get("BreakStmt") as number;
const CALL = OPCODE.get("CallStmt") as number;
const NUMBER_REF = OPCODE.get("MakeNumberRefStmt") as number;

// ---------------------------------------------------------------- encoding

/** Writes a decoded plan (or one the planner made) in the compact form. */
export function encodeCompactPlan(policy: Policy): string {
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const name = (s: string): number => {
    let i = nameIndex.get(s);
    if (i === undefined) {
      i = names.length;
      names.push(s);
      nameIndex.set(s, i);
    }
    return i;
  };
  const code: number[] = [];
  // The previous statement's location (-1: absent; `hasPrev` false at the start of each function or plan).
  let hasPrev = false;
  let prevFile = -1;
  let prevRow = -1;
  let prevCol = -1;

  const operand = (o: Operand): number => {
    switch (o.type) {
      case "local":
        return o.value * 4;
      case "string_index":
        return o.value * 4 + 1;
      case "bool":
        return (o.value ? 4 : 0) + 2;
    }
  };
  const list = (xs: readonly number[] | null | undefined) => {
    const items = xs ?? [];
    code.push(items.length);
    for (const x of items) code.push(x);
  };
  const blocks = (bs: readonly Block[] | null | undefined) => {
    const items = bs ?? [];
    code.push(items.length);
    for (const b of items) block(b);
  };
  const block = (b: Block) => {
    const stmts = b.stmts ?? [];
    code.push(stmts.length);
    for (const s of stmts) stmt(s);
  };
  const op = (o: Operand) => code.push(operand(o));
  const operands = (os: readonly Operand[] | null | undefined) => {
    const items = os ?? [];
    code.push(items.length);
    for (const o of items) code.push(operand(o));
  };
  // Fields are written in the order of STMT_FIELDS (fields.ts), one case per type: direct
  // property reads keep the encoder a small part of compile time.
  const stmt = (s: Stmt) => {
    const at = code.length;
    code.push(0);
    const { file = -1, row = -1, col = -1 } = s.stmt;
    if (hasPrev && file === prevFile && row === prevRow && col === prevCol) code.push(LOC_SAME);
    else {
      const mask = (file >= 0 ? LOC_FILE : 0) | (row >= 0 ? LOC_ROW : 0) | (col >= 0 ? LOC_COL : 0);
      code.push(mask);
      if (file >= 0) code.push(file);
      if (row >= 0) code.push(row);
      if (col >= 0) code.push(col);
      hasPrev = true;
      prevFile = file;
      prevRow = row;
      prevCol = col;
    }
    switch (s.type) {
      case "ArrayAppendStmt":
        code.push(s.stmt.array);
        op(s.stmt.value);
        break;
      case "AssignIntStmt":
      case "MakeNumberIntStmt":
        code.push(s.stmt.value, s.stmt.target);
        break;
      case "AssignVarOnceStmt":
      case "AssignVarStmt":
        op(s.stmt.source);
        code.push(s.stmt.target);
        break;
      case "BlockStmt":
        blocks(s.stmt.blocks);
        break;
      case "BreakStmt":
        code.push(s.stmt.index);
        break;
      case "CallDynamicStmt":
        list(s.stmt.args);
        code.push(s.stmt.result);
        operands(s.stmt.path);
        break;
      case "CallStmt":
        code.push(name(s.stmt.func));
        operands(s.stmt.args);
        code.push(s.stmt.result);
        break;
      case "DotStmt":
        op(s.stmt.source);
        op(s.stmt.key);
        code.push(s.stmt.target);
        break;
      case "EqualStmt":
      case "NotEqualStmt":
        op(s.stmt.a);
        op(s.stmt.b);
        break;
      case "IsArrayStmt":
      case "IsObjectStmt":
      case "IsSetStmt":
        op(s.stmt.source);
        break;
      case "IsDefinedStmt":
      case "IsUndefinedStmt":
      case "ReturnLocalStmt":
        code.push(s.stmt.source);
        break;
      case "LenStmt":
        op(s.stmt.source);
        code.push(s.stmt.target);
        break;
      case "MakeArrayStmt":
        code.push(s.stmt.capacity, s.stmt.target);
        break;
      case "MakeNumberRefStmt":
        code.push(s.stmt.Index, s.stmt.target);
        break;
      case "MakeNullStmt":
      case "MakeObjectStmt":
      case "MakeSetStmt":
      case "ResetLocalStmt":
        code.push(s.stmt.target);
        break;
      case "NopStmt":
        break;
      case "NotStmt":
        block(s.stmt.block);
        break;
      case "ObjectInsertOnceStmt":
      case "ObjectInsertStmt":
        op(s.stmt.key);
        op(s.stmt.value);
        code.push(s.stmt.object);
        break;
      case "ObjectMergeStmt":
        code.push(s.stmt.a, s.stmt.b, s.stmt.target);
        break;
      case "ResultSetAddStmt":
        code.push(s.stmt.value);
        break;
      case "ScanStmt":
        code.push(s.stmt.source, s.stmt.key, s.stmt.value);
        block(s.stmt.block);
        break;
      case "SetAddStmt":
        op(s.stmt.value);
        code.push(s.stmt.set);
        break;
      case "WithStmt":
        code.push(s.stmt.local);
        list(s.stmt.path);
        op(s.stmt.value);
        block(s.stmt.block);
        break;
      default:
        throw planError("plan", `unknown statement type ${JSON.stringify((s as { type: unknown }).type)}`);
    }
    code[at] = OPCODE.get(s.type) as number;
  };
  const range = (bs: Block[]): [number, number] => {
    const start = code.length;
    hasPrev = false;
    blocks(bs);
    return [start, code.length];
  };

  const plans = policy.plans.plans.map((p) => [p.name, ...range(p.blocks)]);
  const funcs = policy.funcs.funcs.map((f) => {
    const [start, end] = range(f.blocks);
    return [name(f.name), f.params, f.return, start, end, f.path ? f.path.map(name) : null];
  });
  const st = policy.static;
  return JSON.stringify({
    caracal_compact_plan: COMPACT_PLAN_VERSION,
    strings: st.strings.map((s) => s.value),
    files: st.files.map((f) => f.value),
    builtin_funcs: st.builtin_funcs,
    names,
    plans,
    funcs,
    code,
  });
}

// ---------------------------------------------------------------- decoding

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function isIndex(x: unknown): x is number {
  return typeof x === "number" && Number.isInteger(x) && x >= 0;
}

function stringArray(raw: unknown, path: string): string[] {
  if (!Array.isArray(raw)) throw planError(path, "expected an array of strings");
  for (let i = 0; i < raw.length; i++) if (typeof raw[i] !== "string") throw planError(`${path}[${i}]`, "expected a string");
  return raw as string[];
}

/**
 * One pass over `code` per function or plan: `check` validates and gathers
 * what lowering will look up; `build` (run only on checked ranges) makes the
 * plan/types.ts statements.
 */
class Code {
  private pos = 0;
  private end = 0;
  private prevLoc: Partial<Record<"file" | "row" | "col", number>> | undefined;
  /** during check: the location seen last, for LOC_SAME */
  private hasPrev = false;

  constructor(
    private readonly code: number[],
    private readonly nstrings: number,
    private readonly nfiles: number,
    private readonly names: string[],
    readonly uses: PlanUses,
  ) {}

  private fail(message: string, at = this.pos): never {
    throw planError(`plan.code[${at}]`, message);
  }

  /** The next integer, which must be an index (non-negative) inside the range being read. */
  private next(): number {
    if (this.pos >= this.end) this.fail("unexpected end of the code range");
    const v = this.code[this.pos++];
    if (!isIndex(v)) this.fail("expected a non-negative integer", this.pos - 1);
    return v;
  }

  private local(): number {
    const v = this.next();
    if (v > MAX_LOCAL) this.fail("expected a local index", this.pos - 1);
    return v;
  }

  private stringIndex(): number {
    const v = this.next();
    if (v >= this.nstrings) this.fail(`string index ${v} out of range`, this.pos - 1);
    return v;
  }

  private operand(): void {
    const v = this.next();
    const kind = v % 4;
    const value = (v - kind) / 4;
    if (kind === 0 ? value > MAX_LOCAL : kind === 1 ? value >= this.nstrings : kind === 2 ? value > 1 : true)
      this.fail(`invalid operand ${v}`, this.pos - 1);
  }

  /** Validates code[start, end) as a block list. */
  checkRange(start: unknown, end: unknown, path: string): void {
    if (!isIndex(start) || !isIndex(end) || start > end || end > this.code.length)
      throw planError(path, "expected a code range inside plan.code");
    this.pos = start;
    this.end = end;
    this.hasPrev = false;
    this.checkBlocks(0);
    if (this.pos !== end) this.fail("code range has trailing integers");
  }

  private checkBlocks(depth: number): void {
    const n = this.next();
    for (let i = 0; i < n; i++) this.checkBlock(depth + 1);
  }

  /** `depth` counts the blocks enclosing a statement, for checking breaks (as decode.ts). */
  private checkBlock(depth: number): void {
    const n = this.next();
    for (let i = 0; i < n; i++) this.checkStmt(depth);
  }

  private checkStmt(depth: number): void {
    const at = this.pos;
    const op = this.next();
    const spec = SPECS[op];
    if (spec === undefined) this.fail(`unknown statement type ${op}`, at);
    const mask = this.next();
    if (mask === LOC_SAME) {
      if (!this.hasPrev) this.fail("no previous location to repeat", this.pos - 1);
    } else {
      if (mask > 7) this.fail(`invalid location mask ${mask}`, this.pos - 1);
      if (mask & LOC_FILE) {
        const file = this.next();
        if (file >= this.nfiles && this.nfiles > 0) this.fail(`file index ${file} out of range`, this.pos - 1);
      }
      if (mask & LOC_ROW) this.next();
      if (mask & LOC_COL) this.next();
      this.hasPrev = true;
    }
    for (let i = 0; i < spec.length; i++) {
      switch (spec[i] as FieldKind) {
        case "local":
          this.local();
          break;
        case "operand":
          this.operand();
          break;
        case "int": {
          // Integers that may be negative (AssignIntStmt values); a break's index is checked below.
          if (this.pos >= this.end) this.fail("unexpected end of the code range");
          const v = this.code[this.pos++];
          if (typeof v !== "number" || !Number.isInteger(v)) this.fail("expected an integer", this.pos - 1);
          if (op === BREAK && (v < 0 || v >= depth)) this.fail(`break leaves ${v + 1} blocks but only ${depth} enclose it`, this.pos - 1);
          if (op === NUMBER_REF) this.uses.numberRefs.add(v);
          break;
        }
        case "string": {
          const v = this.next();
          const target = this.names[v];
          if (target === undefined) this.fail(`name index ${v} out of range`, this.pos - 1);
          // CallStmt's func, followed by its args.
          if (op === CALL) this.uses.calls.add(`${target}/${this.code[this.pos]}`);
          break;
        }
        case "block":
          this.checkBlock(depth + 1);
          break;
        case "inlineBlock":
          // A with block is not a block of its own: breaks inside count the enclosing ones.
          this.checkBlock(depth);
          break;
        case "blocks":
          this.checkBlocks(depth);
          break;
        case "locals": {
          const n = this.next();
          for (let j = 0; j < n; j++) this.local();
          break;
        }
        case "operands": {
          const n = this.next();
          for (let j = 0; j < n; j++) this.operand();
          break;
        }
        case "strindexes": {
          const n = this.next();
          for (let j = 0; j < n; j++) this.stringIndex();
          break;
        }
      }
    }
  }

  // -- building (code already checked: no checks repeated)

  buildRange(start: number): Block[] {
    this.pos = start;
    this.prevLoc = undefined;
    return this.buildBlocks();
  }

  private buildBlocks(): Block[] {
    const n = this.code[this.pos++] as number;
    const out: Block[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.buildBlock();
    return out;
  }

  private buildBlock(): Block {
    const n = this.code[this.pos++] as number;
    const stmts: Stmt[] = new Array(n);
    for (let i = 0; i < n; i++) stmts[i] = this.buildStmt();
    return { stmts };
  }

  private buildOperand(): Operand {
    const v = this.code[this.pos++] as number;
    const kind = v % 4;
    const value = (v - kind) / 4;
    return kind === 0 ? { type: "local", value } : kind === 1 ? { type: "string_index", value } : { type: "bool", value: value === 1 };
  }

  private buildList(): number[] {
    const n = this.code[this.pos++] as number;
    const out: number[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.code[this.pos++] as number;
    return out;
  }

  private buildStmt(): Stmt {
    const c = this.code;
    const op = c[this.pos++] as number;
    const mask = c[this.pos++] as number;
    const body: Record<string, unknown> = {};
    let loc = this.prevLoc;
    if (mask !== LOC_SAME) {
      loc = {};
      if (mask & LOC_FILE) loc.file = c[this.pos++] as number;
      if (mask & LOC_ROW) loc.row = c[this.pos++] as number;
      if (mask & LOC_COL) loc.col = c[this.pos++] as number;
      this.prevLoc = loc;
    }
    const spec = SPECS[op] as FieldKind[];
    const fields = FIELD_NAMES[op] as string[];
    for (let i = 0; i < spec.length; i++) {
      const field = fields[i] as string;
      switch (spec[i] as FieldKind) {
        case "local":
        case "int":
          body[field] = c[this.pos++];
          break;
        case "operand":
          body[field] = this.buildOperand();
          break;
        case "string":
          body[field] = this.names[c[this.pos++] as number];
          break;
        case "block":
        case "inlineBlock":
          body[field] = this.buildBlock();
          break;
        case "blocks":
          body[field] = this.buildBlocks();
          break;
        case "locals":
        case "strindexes":
          body[field] = this.buildList();
          break;
        case "operands": {
          const n = c[this.pos++] as number;
          const ops: Operand[] = new Array(n);
          for (let j = 0; j < n; j++) ops[j] = this.buildOperand();
          body[field] = ops;
          break;
        }
      }
    }
    if (loc) {
      if (loc.file !== undefined) body.file = loc.file;
      if (loc.row !== undefined) body.row = loc.row;
      if (loc.col !== undefined) body.col = loc.col;
    }
    return { type: STMT_TYPES[op] as StmtType, stmt: body } as Stmt;
  }
}

/** A function whose statements are built from the checked code when lowering first reads `blocks`. */
class CompactFunc implements Func {
  declare path?: string[];
  readonly return: number;
  private built: Block[] | undefined;

  constructor(
    readonly name: string,
    readonly params: number[],
    ret: number,
    private readonly code: Code,
    private readonly start: number,
  ) {
    this.return = ret;
  }

  get blocks(): Block[] {
    if (this.built === undefined) this.built = this.code.buildRange(this.start);
    return this.built;
  }

  /** As plan JSON writes a function (its blocks built), not the reader's internals. */
  toJSON(): Func {
    const f: Func = { name: this.name, params: this.params, return: this.return, blocks: this.blocks };
    if (this.path) f.path = this.path;
    return f;
  }
}

/**
 * Decodes and validates a compact plan's text: the checks `decodePlanText`
 * makes on plan JSON, and the same `uses` for lazy lowering. Plans are built
 * at once, functions when their blocks are first read.
 */
export function decodeCompactPlanText(text: string): { policy: Policy; uses: PlanUses } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw planError("plan", `invalid JSON: ${(e as Error).message}`);
  }
  if (!isRecord(raw)) throw planError("plan", "expected an object");
  if (raw.caracal_compact_plan !== COMPACT_PLAN_VERSION)
    throw planError("plan.caracal_compact_plan", `unsupported compact plan version ${JSON.stringify(raw.caracal_compact_plan)}`);
  const strings = stringArray(raw.strings, "plan.strings");
  const files = stringArray(raw.files, "plan.files");
  const names = stringArray(raw.names, "plan.names");
  if (!Array.isArray(raw.builtin_funcs)) throw planError("plan.builtin_funcs", "expected an array");
  const builtin_funcs = raw.builtin_funcs.map((b: unknown, i) => {
    if (!isRecord(b) || typeof b.name !== "string") throw planError(`plan.builtin_funcs[${i}]`, "expected {name: string, decl}");
    return { name: b.name, decl: b.decl };
  });
  const code = raw.code;
  if (!Array.isArray(code)) throw planError("plan.code", "expected an array of integers");
  const uses: PlanUses = { calls: new Set(), numberRefs: new Set() };
  const reader = new Code(code as number[], strings.length, files.length, names, uses);

  if (!Array.isArray(raw.plans)) throw planError("plan.plans", "expected an array");
  const plans: Plan[] = raw.plans.map((p: unknown, i): Plan => {
    const path = `plan.plans[${i}]`;
    if (!Array.isArray(p) || p.length !== 3 || typeof p[0] !== "string") throw planError(path, "expected [name, start, end]");
    reader.checkRange(p[1], p[2], path);
    return { name: p[0], blocks: reader.buildRange(p[1] as number) };
  });

  if (!Array.isArray(raw.funcs)) throw planError("plan.funcs", "expected an array");
  const funcs: Func[] = raw.funcs.map((f: unknown, i): Func => {
    const path = `plan.funcs[${i}]`;
    if (!Array.isArray(f) || f.length !== 6) throw planError(path, "expected [name, params, return, start, end, path]");
    const [nameAt, params, ret, start, end, fpath] = f as unknown[];
    const fname = isIndex(nameAt) ? names[nameAt] : undefined;
    if (fname === undefined) throw planError(`${path}[0]`, "expected a name index");
    if (!Array.isArray(params) || !params.every((l) => isIndex(l) && l <= MAX_LOCAL))
      throw planError(`${path}[1]`, "expected an array of locals");
    if (!isIndex(ret) || ret > MAX_LOCAL) throw planError(`${path}[2]`, "expected a local index");
    reader.checkRange(start, end, path);
    const func = new CompactFunc(fname, params as number[], ret, reader, start as number);
    if (fpath !== null) {
      if (!Array.isArray(fpath)) throw planError(`${path}[5]`, "expected an array of name indexes or null");
      func.path = fpath.map((n, j) => {
        const s = isIndex(n) ? names[n] : undefined;
        if (s === undefined) throw planError(`${path}[5][${j}]`, "expected a name index");
        return s;
      });
    }
    return func;
  });

  const stat: Static = {
    strings: strings.map((value) => ({ value })),
    builtin_funcs,
    files: files.map((value) => ({ value })),
  };
  const policy: Policy = { static: stat, plans: { plans }, funcs: { funcs } };
  checkNames(policy);
  return { policy, uses };
}

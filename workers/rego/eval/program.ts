/**
 * Lowers a decoded plan into the evaluator's program: one `Instr` shape for
 * every statement (so the interpreter's dispatch stays monomorphic), operands
 * pre-resolved to numbers (a local index, or `~k` for constant k), number
 * literals parsed once, and calls bound to their function or built-in.
 */
import { RegoError, type Location } from "../errors.js";
import type { Value } from "../value/index.js";
import { parseNumber } from "../value/index.js";
import { FORBIDDEN_BUILTINS, getBuiltin, type BuiltinFn } from "../builtins/index.js";
import type { Block, Func, Operand, Policy, Stmt } from "../plan/types.js";
import { planError, type PlanUses } from "../plan/checks.js";
import { BLOCK_FRAMES, CALL_FRAMES, SCAN_FRAMES } from "./depth.js";
import { type JoinSpec, joinSpecOf } from "./scan-index.js";
import { type BodyIndex, bodyIndexOf } from "./body-index.js";
import { type ComprehensionReads, comprehensionsOf } from "./comprehension-memo.js";
import { type ConstantLiterals, constantLiteralsOf } from "./constant-literals.js";
import { FunctionLocals, forEachStmt } from "./plan-locals.js";
import type { CallRecord } from "./rule-cache.js";

export const enum Op {
  ArrayAppend,
  AssignConst,
  AssignVarOnce,
  AssignVar,
  Block,
  Break,
  CallDynamic,
  CallFunc,
  CallBuiltin,
  /** CallBuiltin followed by the planner's `NotEqualStmt result false`: undefined when the call gives false */
  CallBuiltinTest,
  Dot,
  /** A DotStmt into the base documents: a number key also finds the JSON key "2". */
  DataDot,
  Equal,
  IsArray,
  IsDefined,
  IsObject,
  IsSet,
  IsUndefined,
  Len,
  MakeArray,
  MakeNull,
  MakeObject,
  MakeSet,
  Nop,
  NotEqual,
  Not,
  ObjectInsertOnce,
  ObjectInsert,
  ObjectMerge,
  ResetLocal,
  ResultSetAdd,
  ReturnLocal,
  Scan,
  SetAdd,
  With,
  /** `or(a, b)` into a new set that later UnionInto statements may extend in place (see unionChains) */
  UnionNew,
  /** `or(a, b)` whose first operand is a set only this statement reads: extended in place */
  UnionInto,
  /**
   * A Make statement and the BlockStmt after it that fills the collection,
   * reused while its free reads (`args`) are unchanged (comprehension-memo.ts);
   * `a` is the collection's kind, `blocks` the block's, and the BlockStmt is lowered as a Nop
   */
  Comprehension,
}

/**
 * Built-ins the interpreter answers inline for their common operands (two
 * numbers, a scalar in a set, a collection's size), with what the built-in
 * would charge; any other operands take the built-in's own path.
 */
export const enum Inline {
  None,
  Lt,
  Lte,
  Gt,
  Gte,
  Member,
  Count,
}

const INLINE: ReadonlyMap<string, Inline> = new Map([
  ["lt", Inline.Lt],
  ["lte", Inline.Lte],
  ["gt", Inline.Gt],
  ["gte", Inline.Gte],
  ["internal.member_2", Inline.Member],
  ["count", Inline.Count],
]);

/** Op.Comprehension: what kind of collection it builds. */
export const enum Collection {
  Set,
  Array,
  Object,
}

/**
 * One statement. Field use per op (operands are encoded as described above):
 * a, b, c — operands or locals; args — operand list; path — constant strings
 * (With) or path operands (CallDynamic); func/builtin — the call target.
 */
export class Instr {
  constructor(
    readonly op: Op,
    readonly a: number,
    readonly b: number,
    readonly c: number,
    readonly args: number[] | null,
    readonly path: (string | number)[] | null,
    readonly block: Instr[] | null,
    readonly blocks: Instr[][] | null,
    readonly func: ProgramFunc | null,
    readonly builtin: BuiltinFn | null,
    readonly name: string,
    /** index into Program.locations, -1 when the plan gave none */
    readonly loc: number,
    /** statement writes a value of its function's result (for provenance) */
    readonly produces: boolean,
    /** for calls: the evaluation depth the call adds (eval/depth.ts) */
    readonly weight: number,
    /** Scan: the join its body starts with, which an index can answer (see scan-index.ts) */
    readonly join: JoinSpec | null,
    /** CallBuiltin(Test): the built-in answered inline for common operands */
    readonly inline: Inline,
  ) {}
  /** Dot: where the key was last found in a small object (RObject.getStringHinted) */
  slot = 0;
}

export class ProgramFunc {
  blocks: Instr[][] = [];
  nlocals = 0;
  /**
   * Locals reused from call to call: rules cannot recurse and evaluations do
   * not interleave, so a function has at most one live frame (`busy` guards
   * the assumption for plans from elsewhere).
   */
  frame: (Value | undefined)[] | undefined;
  busy = false;
  /** the rule's value in evaluation `memoEval` for this (input, data) */
  memoEval = -1;
  memoInput: Value | undefined;
  memoData: Value | undefined;
  memoValue: Value | undefined;
  /** the record of that value (rule-cache.ts), null when it was not kept */
  memoRecord: CallRecord | null = null;
  /** the rule's value kept across evaluations (rule-cache.ts) */
  shared: CallRecord | null = null;
  /** the last evaluation that set `frame`'s locals or the memo, which releases them when it ends */
  touchedBy = -1;
  /** whether the function never uses its input (data-only.ts); undefined until asked */
  inputFree: boolean | undefined;
  /** lowers `blocks` on the function's first call (see buildProgram); null once lowered */
  lower: (() => void) | null = null;
  /** which blocks a call can skip by the value of a path into an argument (see body-index.ts) */
  bodies: BodyIndex | null = null;
  constructor(
    readonly index: number,
    readonly name: string,
    readonly params: number[],
    readonly ret: number,
    /** rule functions take only input and data and can be memoized per evaluation */
    readonly isRule: boolean,
  ) {}
}

export interface Program {
  consts: Value[];
  locations: Location[];
  funcs: ProgramFunc[];
  funcsByName: Map<string, ProgramFunc>;
  /** functions by their `path` joined with "." — what CallDynamicStmt names */
  funcsByPath: Map<string, ProgramFunc>;
  plans: Map<string, { blocks: Instr[][]; nlocals: number }>;
  /** data reads held by the records its rules keep across evaluations (rule-cache.ts bounds them) */
  keptReads: number;
  /** the value nodes those records hold (rule-cache.ts MAX_KEPT_NODES) */
  keptNodes: number;
}

const NO_ARGS: number[] = [];

/**
 * `uses` (from decodePlanText) lets functions be lowered lazily, on their
 * first call: a big policy's activation then pays only for checking the
 * plan, and each evaluation lowers what it reaches. Everything lowering can
 * refuse (unknown or forbidden calls, arity, number literals) is checked
 * up front from `uses`; if any of it fails, everything is lowered at once so
 * the error is the one eager lowering reports.
 */
export function buildProgram(policy: Policy, uses?: PlanUses): Program {
  const strings = policy.static.strings.map((s) => s.value);
  const files = policy.static.files.map((f) => f.value);
  const consts: Value[] = [];
  const constIndex = new Map<unknown, number>();
  const locations: Location[] = [];

  const constant = (v: Value, key: unknown = v): number => {
    let k = constIndex.get(key);
    if (k === undefined) {
      k = consts.length;
      consts.push(v);
      constIndex.set(key, k);
    }
    return ~k;
  };
  const TRUE = constant(true);
  const FALSE = constant(false);
  // By string index, without building a key per operand.
  const stringConsts: number[] = [];
  const stringConst = (i: number): number => (stringConsts[i] ??= constant(strings[i] as string, "s:" + i));

  const funcs = policy.funcs.funcs.map((f, i) => new ProgramFunc(i, f.name, f.params, f.return, f.params.length === 2));
  const funcsByName = new Map(funcs.map((f) => [f.name, f]));
  const funcsByPath = new Map(policy.funcs.funcs.map((f, i) => [(f.path ?? f.name.split(".")).join("."), funcs[i] as ProgramFunc]));

  // Per function (or plan) being lowered: the largest local seen, the locals
  // whose values become the function's result, and the locals holding refs into data.
  let maxLocal = 0;
  let resultLocals = new Set<number>();
  let dataLocals = new Set<number>();
  let chains = new Map<Stmt, Op>();
  let comprehensions: ComprehensionReads = new Map();
  let literals: ConstantLiterals = { values: new Map(), folded: new Set() };
  const seeLocal = (l: number) => {
    if (l > maxLocal) maxLocal = l;
    return l;
  };
  const operand = (o: Operand): number => {
    switch (o.type) {
      case "local":
        return seeLocal(o.value);
      case "bool":
        return o.value ? TRUE : FALSE;
      case "string_index":
        return stringConst(o.value);
    }
  };
  // Keyed by file, then by row and column in one number (a string key per statement costs more than the rest of it).
  const locIndexes: Map<number | string, number>[] = [];
  const location = (s: Stmt["stmt"]): number => {
    if (s.row === undefined) return -1;
    const col = s.col ?? 0;
    const byPos = (locIndexes[s.file ?? 0] ??= new Map());
    const key = col < 0x10000 && s.row < 2 ** 36 ? s.row * 0x10000 + col : `${s.row}:${col}`;
    let i = byPos.get(key);
    if (i === undefined) {
      i = locations.length;
      locations.push({ file: files[s.file ?? 0] ?? "", row: s.row, col });
      byPos.set(key, i);
    }
    return i;
  };

  // The interpreter frames of the blocks enclosing the statement being lowered in its function (eval/depth.ts).
  let enclosingFrames = 0;
  const lowerBlock = (b: Block, path: string, frames = 0): Instr[] => {
    enclosingFrames += frames;
    try {
      return lowerStmts(b.stmts, path);
    } finally {
      enclosingFrames -= frames;
    }
  };
  const lowerStmts = (stmts: Stmt[], path: string): Instr[] => {
    const out: Instr[] = [];
    for (let i = 0; i < stmts.length; i++) {
      const reads = comprehensions.get(stmts[i] as Stmt);
      if (reads !== undefined) {
        const st = stmts[i] as Stmt & { stmt: { target: number } };
        const block = stmts[i + 1] as Extract<Stmt, { type: "BlockStmt" }>;
        out.push(
          make(Op.Comprehension, st.stmt, {
            a: st.type === "MakeSetStmt" ? Collection.Set : st.type === "MakeArrayStmt" ? Collection.Array : Collection.Object,
            c: seeLocal(st.stmt.target),
            args: reads.map(seeLocal),
            blocks: lowerBlocks(block.stmt.blocks, `${path}.stmts[${i + 1}].stmt.blocks`, BLOCK_FRAMES),
          }),
          make(Op.Nop, block.stmt, {}),
        );
        i++;
        continue;
      }
      const literal = literals.values.get(stmts[i] as Stmt);
      if (literal !== undefined) {
        const st = stmts[i] as Stmt & { stmt: { target: number } };
        out.push(make(Op.AssignConst, st.stmt, { a: constant(literal, st), c: seeLocal(st.stmt.target) }));
        continue;
      }
      if (literals.folded.has(stmts[i] as Stmt)) {
        out.push(make(Op.Nop, (stmts[i] as Stmt).stmt, {}));
        continue;
      }
      const instr = lower(stmts[i] as Stmt, `${path}.stmts[${i}]`);
      // A built-in call whose result the next statement tests against false (how
      // the planner writes a call used as a condition) runs as one statement.
      if (instr.op === Op.CallBuiltin && isFalseTestOf(stmts[i + 1], instr.c)) {
        out.push(
          make(Op.CallBuiltinTest, (stmts[i] as Stmt).stmt, {
            args: instr.args ?? NO_ARGS,
            c: instr.c,
            builtin: instr.builtin,
            name: instr.name,
            inline: instr.inline,
          }),
        );
        i++;
      } else out.push(instr);
    }
    return out;
  };
  const lowerBlocks = (bs: Block[], path: string, frames = 0): Instr[][] => bs.map((b, i) => lowerBlock(b, `${path}[${i}]`, frames));

  const make = (
    op: Op,
    s: Stmt["stmt"],
    f: Partial<
      Pick<Instr, "a" | "b" | "c" | "args" | "path" | "block" | "blocks" | "func" | "builtin" | "name" | "produces" | "join" | "inline">
    >,
  ) =>
    new Instr(
      op,
      f.a ?? 0,
      f.b ?? 0,
      f.c ?? 0,
      f.args ?? null,
      f.path ?? null,
      f.block ?? null,
      f.blocks ?? null,
      f.func ?? null,
      f.builtin ?? null,
      f.name ?? "",
      location(s),
      f.produces ?? false,
      op === Op.CallFunc || op === Op.CallDynamic ? CALL_FRAMES + enclosingFrames : 0,
      f.join ?? null,
      f.inline ?? Inline.None,
    );

  function lower(st: Stmt, path: string): Instr {
    switch (st.type) {
      case "ArrayAppendStmt":
        return make(Op.ArrayAppend, st.stmt, { a: seeLocal(st.stmt.array), b: operand(st.stmt.value) });
      case "AssignIntStmt":
      case "MakeNumberIntStmt":
        return make(Op.AssignConst, st.stmt, { a: constant(st.stmt.value, "i:" + st.stmt.value), c: seeLocal(st.stmt.target) });
      case "MakeNumberRefStmt": {
        const text = strings[st.stmt.Index];
        const n = text === undefined ? undefined : parseNumber(text);
        if (n === undefined) throw planError(`${path}.stmt.Index`, `not a number literal: ${JSON.stringify(text)}`);
        return make(Op.AssignConst, st.stmt, { a: constant(n, "n:" + text), c: seeLocal(st.stmt.target) });
      }
      case "AssignVarOnceStmt":
      case "AssignVarStmt": {
        const target = seeLocal(st.stmt.target);
        const src = operand(st.stmt.source);
        return make(st.type === "AssignVarStmt" ? Op.AssignVar : Op.AssignVarOnce, st.stmt, {
          a: src,
          c: target,
          produces: resultLocals.has(target) && !(src >= 0 && resultLocals.has(src)),
        });
      }
      case "BlockStmt":
        return make(Op.Block, st.stmt, { blocks: lowerBlocks(st.stmt.blocks, `${path}.stmt.blocks`, BLOCK_FRAMES) });
      case "BreakStmt":
        return make(Op.Break, st.stmt, { a: st.stmt.index });
      case "CallDynamicStmt":
        return make(Op.CallDynamic, st.stmt, {
          args: st.stmt.args.map(seeLocal),
          path: st.stmt.path.map(operand),
          c: seeLocal(st.stmt.result),
        });
      case "CallStmt": {
        const args = st.stmt.args.length ? st.stmt.args.map(operand) : NO_ARGS;
        const c = seeLocal(st.stmt.result);
        const name = st.stmt.func;
        const func = funcsByName.get(name);
        if (func) {
          if (func.params.length !== args.length)
            throw planError(`${path}.stmt.args`, `${name} takes ${func.params.length} arguments, got ${args.length}`);
          return make(Op.CallFunc, st.stmt, { args, c, func, name });
        }
        const forbidden = FORBIDDEN_BUILTINS.get(name);
        if (forbidden) throw new RegoError("rego_type_error", `${name}: ${forbidden}`, locations[location(st.stmt)]);
        const builtin = getBuiltin(name);
        if (!builtin) throw planError(`${path}.stmt.func`, `unknown function ${name}`);
        const union = chains.get(st);
        if (union !== undefined) return make(union, st.stmt, { a: args[0], b: args[1], args, c, builtin, name });
        const inline = INLINE.get(name) ?? Inline.None;
        return make(Op.CallBuiltin, st.stmt, {
          args,
          c,
          builtin,
          name,
          inline: args.length === (inline === Inline.Count ? 1 : 2) ? inline : Inline.None,
        });
      }
      case "DotStmt": {
        const target = seeLocal(st.stmt.target);
        const source = st.stmt.source;
        // OPA reads a ref straight into data from its store, whose paths are strings, so
        // `data.nested[2]` finds "2"; a value copied out of data first (`obj := data.nested;
        // obj[2]`) is a plain object and does not. Track which locals are still such refs.
        const intoData = source.type === "local" && dataLocals.has(source.value);
        if (intoData) dataLocals.add(target);
        return make(intoData ? Op.DataDot : Op.Dot, st.stmt, { a: operand(source), b: operand(st.stmt.key), c: target });
      }
      case "EqualStmt":
        return make(Op.Equal, st.stmt, { a: operand(st.stmt.a), b: operand(st.stmt.b) });
      case "NotEqualStmt":
        return make(Op.NotEqual, st.stmt, { a: operand(st.stmt.a), b: operand(st.stmt.b) });
      case "IsArrayStmt":
        return make(Op.IsArray, st.stmt, { a: operand(st.stmt.source) });
      case "IsObjectStmt":
        return make(Op.IsObject, st.stmt, { a: operand(st.stmt.source) });
      case "IsSetStmt":
        return make(Op.IsSet, st.stmt, { a: operand(st.stmt.source) });
      case "IsDefinedStmt":
        return make(Op.IsDefined, st.stmt, { a: seeLocal(st.stmt.source) });
      case "IsUndefinedStmt":
        return make(Op.IsUndefined, st.stmt, { a: seeLocal(st.stmt.source) });
      case "LenStmt":
        return make(Op.Len, st.stmt, { a: operand(st.stmt.source), c: seeLocal(st.stmt.target) });
      case "MakeArrayStmt":
        return make(Op.MakeArray, st.stmt, { c: seeLocal(st.stmt.target) });
      case "MakeNullStmt":
        return make(Op.MakeNull, st.stmt, { c: seeLocal(st.stmt.target) });
      case "MakeObjectStmt":
        return make(Op.MakeObject, st.stmt, { c: seeLocal(st.stmt.target) });
      case "MakeSetStmt":
        return make(Op.MakeSet, st.stmt, { c: seeLocal(st.stmt.target) });
      case "NopStmt":
        return make(Op.Nop, st.stmt, {});
      case "NotStmt":
        return make(Op.Not, st.stmt, { block: lowerBlock(st.stmt.block, `${path}.stmt.block`, BLOCK_FRAMES) });
      case "ObjectInsertOnceStmt":
      case "ObjectInsertStmt": {
        const obj = seeLocal(st.stmt.object);
        return make(st.type === "ObjectInsertStmt" ? Op.ObjectInsert : Op.ObjectInsertOnce, st.stmt, {
          a: operand(st.stmt.key),
          b: operand(st.stmt.value),
          c: obj,
          produces: resultLocals.has(obj),
        });
      }
      case "ObjectMergeStmt":
        return make(Op.ObjectMerge, st.stmt, { a: seeLocal(st.stmt.a), b: seeLocal(st.stmt.b), c: seeLocal(st.stmt.target) });
      case "ResetLocalStmt":
        return make(Op.ResetLocal, st.stmt, { c: seeLocal(st.stmt.target) });
      case "ResultSetAddStmt":
        return make(Op.ResultSetAdd, st.stmt, { a: seeLocal(st.stmt.value) });
      case "ReturnLocalStmt":
        return make(Op.ReturnLocal, st.stmt, { a: seeLocal(st.stmt.source) });
      case "ScanStmt":
        return make(Op.Scan, st.stmt, {
          a: seeLocal(st.stmt.source),
          b: seeLocal(st.stmt.key),
          c: seeLocal(st.stmt.value),
          block: lowerBlock(st.stmt.block, `${path}.stmt.block`, SCAN_FRAMES),
          join: joinSpecOf(st, operand),
        });
      case "SetAddStmt": {
        const set = seeLocal(st.stmt.set);
        return make(Op.SetAdd, st.stmt, { a: operand(st.stmt.value), c: set, produces: resultLocals.has(set) });
      }
      case "WithStmt":
        return make(Op.With, st.stmt, {
          a: seeLocal(st.stmt.local),
          b: operand(st.stmt.value),
          path: st.stmt.path.map((i) => strings[i] as string),
          block: lowerBlock(st.stmt.block, `${path}.stmt.block`, BLOCK_FRAMES),
        });
    }
  }

  const lowerFunc = (f: Func, i: number) => {
    const pf = funcs[i] as ProgramFunc;
    pf.lower = null;
    maxLocal = 0;
    f.params.forEach(seeLocal);
    seeLocal(f.return);
    resultLocals = findResultLocals(f);
    dataLocals = new Set(f.params.slice(1, 2)); // every function's second parameter is data
    chains = unionChains(f.blocks);
    const fnLocals = new FunctionLocals(f.blocks);
    comprehensions = comprehensionsOf(fnLocals, pf.isRule);
    literals = constantLiteralsOf(fnLocals, strings, resultLocals);
    pf.blocks = lowerBlocks(f.blocks, `plan.funcs.funcs[${i}].blocks`);
    pf.bodies = bodyIndexOf(f, strings);
    pf.nlocals = maxLocal + 1;
  };
  const lazy = uses !== undefined && lowersCleanly(uses, funcsByName, strings);
  policy.funcs.funcs.forEach((f: Func, i) => {
    if (lazy) (funcs[i] as ProgramFunc).lower = () => lowerFunc(f, i);
    else lowerFunc(f, i);
  });

  const plans = new Map<string, { blocks: Instr[][]; nlocals: number }>();
  policy.plans.plans.forEach((p, i) => {
    maxLocal = 1;
    resultLocals = new Set();
    dataLocals = new Set([1]); // plans receive input in local 0, data in local 1
    chains = unionChains(p.blocks);
    const planLocals = new FunctionLocals(p.blocks);
    comprehensions = comprehensionsOf(planLocals, true);
    literals = constantLiteralsOf(planLocals, strings, resultLocals);
    const blocks = lowerBlocks(p.blocks, `plan.plans.plans[${i}].blocks`);
    plans.set(p.name, { blocks, nlocals: maxLocal + 1 });
  });

  return { consts, locations, funcs, funcsByName, funcsByPath, plans, keptReads: 0, keptNodes: 0 };
}

/** Whether lowering would accept every call and number literal the plan has. */
function lowersCleanly(uses: PlanUses, funcsByName: Map<string, ProgramFunc>, strings: string[]): boolean {
  for (const call of uses.calls) {
    const slash = call.lastIndexOf("/");
    const name = call.slice(0, slash);
    const arity = Number(call.slice(slash + 1));
    const func = funcsByName.get(name);
    if (func ? func.params.length !== arity : FORBIDDEN_BUILTINS.has(name) || !getBuiltin(name)) return false;
  }
  for (const i of uses.numberRefs) {
    const text = strings[i];
    if (text === undefined || parseNumber(text) === undefined) return false;
  }
  return true;
}

/**
 * The locals whose values become a function's result: its return local and,
 * transitively, the locals copied into one of those at the top level of the
 * function's blocks that are themselves assigned by some statement (how the
 * planner joins rule bodies through a result local). Statements that write
 * them from anything else are the "producers" that provenance reports.
 */
function findResultLocals(f: Func): Set<number> {
  const assigned = new Set<number>();
  const visit = (blocks: Block[]) => {
    for (const b of blocks)
      for (const s of b.stmts) {
        if (s.type === "AssignVarOnceStmt" || s.type === "AssignVarStmt") assigned.add(s.stmt.target);
        const nested = s.stmt as { block?: Block; blocks?: Block[] };
        if (nested.block) visit([nested.block]);
        if (nested.blocks) visit(nested.blocks);
      }
  };
  visit(f.blocks);
  const result = new Set([f.return]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const b of f.blocks)
      for (const s of b.stmts)
        if ((s.type === "AssignVarOnceStmt" || s.type === "AssignVarStmt") && result.has(s.stmt.target)) {
          const src = s.stmt.source;
          if (src.type === "local" && assigned.has(src.value) && !result.has(src.value)) {
            result.add(src.value);
            changed = true;
          }
        }
  }
  return result;
}

/** Whether `st` is `NotEqualStmt local false` on `local`. */
function isFalseTestOf(st: Stmt | undefined, local: number): boolean {
  if (st === undefined || st.type !== "NotEqualStmt") return false;
  const { a, b } = st.stmt;
  return a.type === "local" && a.value === local && b.type === "bool" && b.value === false;
}

const LOCATION_KEYS = new Set(["file", "row", "col"]);

/**
 * Chains of set unions, `a | b | c | …`, which the planner writes as
 * `or(a, b) → t1; or(t1, c) → t2; …`: copying the growing set at every step
 * makes a rule that unions n sets quadratic. A step whose first operand is a
 * local written by another `or` and read by nothing else (that local occurs
 * exactly twice in the function: its definition and this read) extends that
 * set in place (UnionInto); the chain's first union always builds a new set
 * (UnionNew), so no set that anything else can see is ever changed.
 */
function unionChains(blocks: Block[]): Map<Stmt, Op> {
  const out = new Map<Stmt, Op>();
  // Most functions have no `or` call: only those need their locals counted.
  let callsOr = false;
  forEachStmt(blocks, (stmts, i) => {
    const st = stmts[i] as Stmt;
    if (st.type === "CallStmt" && st.stmt.func === "or") callsOr = true;
  });
  if (!callsOr) return out;
  const occurrences = new Map<number, number>();
  const defs = new Map<number, Stmt>();
  const orCalls: Stmt[] = [];
  const see = (n: number) => occurrences.set(n, (occurrences.get(n) ?? 0) + 1);
  // Counts every number a statement holds as a possible local (over-counting only forgoes a chain).
  const countIn = (x: unknown): void => {
    if (typeof x === "number") see(x);
    else if (Array.isArray(x)) for (const e of x) countIn(e);
    else if (x !== null && typeof x === "object") {
      const o = x as Record<string, unknown>;
      if (o.type === "local" && typeof o.value === "number") see(o.value);
      else if (o.type !== "bool" && o.type !== "string_index") for (const k in o) if (!LOCATION_KEYS.has(k)) countIn(o[k]);
    }
  };
  const stack: Block[] = [...blocks];
  while (stack.length > 0) {
    const b = stack.pop() as Block;
    for (const st of b.stmts) {
      if (st.type === "CallStmt" && st.stmt.func === "or" && st.stmt.args.length === 2) {
        orCalls.push(st);
        defs.set(st.stmt.result, st);
      }
      const nested = st.stmt as { block?: Block; blocks?: Block[] };
      for (const k in st.stmt)
        if (k !== "block" && k !== "blocks" && !LOCATION_KEYS.has(k)) countIn((st.stmt as Record<string, unknown>)[k]);
      if (nested.block) stack.push(nested.block);
      if (nested.blocks) stack.push(...nested.blocks);
    }
  }
  for (const st of orCalls) {
    if (st.type !== "CallStmt") continue;
    const first = st.stmt.args[0] as Operand;
    if (first.type !== "local" || occurrences.get(first.value) !== 2) continue;
    const def = defs.get(first.value);
    if (def === undefined || def === st) continue;
    out.set(st, Op.UnionInto);
    if (!out.has(def)) out.set(def, Op.UnionNew);
  }
  return out;
}

/**
 * Executes a lowered plan. Semantics follow OPA's IR: a block runs its
 * statements in order and stops at the first undefined one; `BreakStmt i`
 * leaves the current block and i enclosing ones; a function's value is what
 * its `ReturnLocalStmt` returns.
 *
 * Every statement returns a signal: CONTINUE, or n ≥ 0 meaning "leave the
 * current block and n more". Undefined is 0. `ReturnLocalStmt` returns a count
 * large enough to leave every block of its function.
 */
import { RegoError, isStackOverflow, type ErrorCode, type Location } from "../errors.js";
import type { Value } from "../value/index.js";
import { LONG_KEY, RObject, RSet, equals, formatNumber } from "../value/index.js";
import { BuiltinError, LimitError, Suspend, getBuiltin, type BuiltinContext, type CompileCache } from "../builtins/index.js";
import { Collection, Inline, type Instr, Op, type Program, type ProgramFunc } from "./program.js";
import { isMember } from "../builtins/membership.js";
import { COMPILES_REMEMBERED, deepSize, memberCost, scanned, setKeyCost } from "../builtins/costs.js";
import { mergeDeep } from "../value/deep.js";
import type { DataReads } from "./data-reads.js";
import { EVAL_DEPTH_LIMIT, depthExceeded } from "./depth.js";
import { CallMemo, MISS } from "./call-memo.js";
import { ComprehensionMemo } from "./comprehension-memo.js";
import { type JoinSpec, JoinState, joinKey } from "./scan-index.js";
import type { BodyIndex } from "./body-index.js";
import { isInputFree } from "./data-only.js";
import { CallRecord, CompileEvent, FiringEvent, MAX_KEPT_NODES, MAX_KEPT_READS, ReadEvents, Recording, Trace } from "./rule-cache.js";

const CONTINUE = -1;
/** Evaluation.memoized: no memo answers the call, which must run (and be recorded, see rule-cache.ts). */
const COMPUTE = Symbol("compute");
const RECORD = Symbol("compute and record");
type Memoized = Value | undefined | typeof COMPUTE | typeof RECORD;
/** Interpreter.inlined: the operands are the built-in's to handle. */
const NOT_INLINED = Symbol("not inlined");
/** Evaluations are numbered so memoized rule values from earlier ones are ignored. */
let nextEvaluationId = 0;
const RETURN = 0x3fffffff;

/**
 * A frame of `n` undefined locals, built by pushing so V8 keeps it a packed
 * array (`new Array(n)` makes a holey one, whose every read also checks for a
 * hole; filling it does not change its kind).
 */
function frame(n: number): (Value | undefined)[] {
  const L: (Value | undefined)[] = [];
  for (let i = 0; i < n; i++) L.push(undefined);
  return L;
}

/** `L` with every local undefined again: a loop, for frames of a few dozen locals several times faster than Array.prototype.fill. */
function cleared(L: (Value | undefined)[]): (Value | undefined)[] {
  for (let i = 0; i < L.length; i++) L[i] = undefined;
  return L;
}

export interface EvalLimits {
  strict: boolean;
  budget: number;
  trace: boolean;
  print?: ((message: string) => void) | undefined;
  /** when tracing: records the paths into data that Dot statements read (for explain) */
  dataReads?: DataReads | undefined;
  /** steps already used by this evaluation's earlier runs, suspended for asynchronous work (eval/index.ts) */
  spent?: number;
}

/**
 * The evaluation's clock: read on first use (most policies never ask) and
 * then fixed, also across the re-runs of a suspended evaluation.
 */
export interface Clock {
  nowNs?: bigint;
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

export class Evaluation implements BuiltinContext {
  readonly strict: boolean;
  readonly print: ((message: string) => void) | undefined;
  private readonly id = nextEvaluationId++;
  private cacheMap: Map<string, unknown> | undefined;
  /** the result set; few rows, so duplicates are found by comparison rather than hashing */
  readonly results: Value[] = [];
  /** rule name → indexes into program.locations of the statements that produced its value */
  readonly fired: Map<string, Set<number>> | null;
  private readonly dataReads: DataReads | null;

  private steps = 0;
  /** the functions whose frame or memo this evaluation has set (touch, release) */
  private readonly touched: ProgramFunc[] = [];
  private readonly budget: number;
  private readonly consts: Value[];
  private retval: Value | undefined = undefined;
  private current: ProgramFunc | null = null;
  private firing: Set<number> | null = null;
  /** the weights of the calls in progress (eval/depth.ts) */
  private depth = 0;
  /** function results by arguments; null with a print hook, whose lines each call must write */
  private readonly calls: CallMemo | null;
  /**
   * the records of the function calls made inside rules being recorded, by the same keys
   * (rule-cache.ts); null with a print hook, whose lines each evaluation must write, so no rule
   * value is kept across evaluations either
   */
  private readonly callRecords: CallMemo<CallRecord> | null;
  /** the records this evaluation kept, in use or about to be (see recountKept) */
  private readonly keptHere: CallRecord[] = [];
  /** whether this evaluation has made the policy's counts of kept records again */
  private recounted = false;
  /** comprehensions reused while their free reads are unchanged; null with a print hook or when tracing or recording reads, which must see every run */
  private readonly comprehensions: ComprehensionMemo | null;
  /** per join-shaped Scan statement: the collection it last met and its index (see scan-index.ts) */
  private joins: Map<Instr, JoinState> | undefined;
  /** what this evaluation traces, which a rule record kept across evaluations must include (rule-cache.ts) */
  private readonly trace: Trace;
  /** the input-free rule being computed innermost, whose record is being written */
  private recording: Recording | null = null;
  /** reads of the clock and the per-query cache so far: a computation that made any is not kept */
  private impure = 0;
  /** per compile cache, the patterns whose compile this evaluation has charged */
  private compiled: Map<CompileCache, Set<string>> | undefined;

  constructor(
    private readonly program: Program,
    limits: EvalLimits,
    private readonly settled: Map<string, Settled>,
    private readonly clock: Clock,
  ) {
    this.strict = limits.strict;
    this.print = limits.print;
    this.budget = limits.budget;
    this.steps = limits.spent ?? 0;
    this.fired = limits.trace ? new Map() : null;
    this.dataReads = limits.dataReads ?? null;
    this.consts = program.consts;
    this.calls = limits.print ? null : new CallMemo();
    this.callRecords = limits.print ? null : new CallMemo<CallRecord>();
    this.comprehensions = limits.print || limits.trace || limits.dataReads ? null : new ComprehensionMemo();
    this.trace = (this.fired !== null ? Trace.Firing : Trace.None) | (this.dataReads !== null ? Trace.Reads : Trace.None);
  }

  /** The steps used so far, this run's and those of the runs before it. */
  get stepsUsed(): number {
    return this.steps;
  }

  get nowNs(): bigint {
    this.impure++;
    return (this.clock.nowNs ??= BigInt(Date.now()) * 1_000_000n);
  }

  get cache(): Map<string, unknown> {
    this.impure++;
    return (this.cacheMap ??= new Map());
  }

  awaitAsync<T>(key: string, steps: number, start: () => Promise<T>): T {
    const s = this.settled.get(key);
    if (s) {
      if (s.ok) return s.value as T;
      throw s.error;
    }
    this.charge(steps);
    throw new Suspend(
      start().then(
        (value) => void this.settled.set(key, { ok: true, value }),
        (error) => void this.settled.set(key, { ok: false, error }),
      ),
    );
  }

  charge(steps: number): void {
    this.steps += steps;
    if (this.steps > this.budget) throw new RegoError("eval_budget_exceeded", `evaluation exceeded its budget of ${this.budget} steps`);
  }

  chargeCompile(cache: CompileCache, key: string, steps: number): void {
    if (!this.compiles(cache, key)) return;
    // Not one of the recorded computation's own steps: a reuse charges it only if the pattern is new to its evaluation.
    if (this.recording !== null) {
      this.recording.events.push(new CompileEvent(cache, key, steps));
      this.recording.nestedSteps += steps;
    }
    this.charge(steps);
  }

  /** Whether `key` is new to this evaluation's `cache` (it is not, from now on). */
  private compiles(cache: CompileCache, key: string): boolean {
    const compiled = (this.compiled ??= new Map());
    let keys = compiled.get(cache);
    if (keys === undefined) compiled.set(cache, (keys = new Set()));
    if (keys.has(key)) return false;
    if (keys.size >= COMPILES_REMEMBERED) keys.clear();
    keys.add(key);
    return true;
  }

  callBuiltin(name: string, args: Value[]): Value | undefined {
    const fn = getBuiltin(name);
    if (!fn) throw new Error(`unknown built-in ${name}`);
    return fn(args, this);
  }

  runPlan(blocks: Instr[][], nlocals: number, input: Value | undefined, data: Value): void {
    const L = frame(nlocals);
    L[0] = input;
    L[1] = data;
    try {
      for (let i = 0; i < blocks.length; i++) if (this.runBlock(blocks[i] as Instr[], L) > 0) break;
    } finally {
      this.release();
    }
  }

  /** Notes that `f`'s frame or memo now holds values of this evaluation (see release). */
  private touch(f: ProgramFunc): void {
    if (f.touchedBy === this.id) return;
    f.touchedBy = this.id;
    this.touched.push(f);
  }

  /**
   * Drops what the program's functions hold of this evaluation, their last frame's locals and
   * their memo: otherwise each function would keep its last values alive after the evaluation,
   * and a policy could pile up one big value per function over requests (kept records, which
   * are meant to stay, are bounded on their own: rule-cache.ts).
   */
  private release(): void {
    for (const f of this.touched) {
      if (f.frame !== undefined) cleared(f.frame);
      f.memoEval = -1;
      f.memoInput = undefined;
      f.memoData = undefined;
      f.memoValue = undefined;
      f.memoRecord = null;
    }
    this.touched.length = 0;
  }

  private error(code: ErrorCode, message: string, instr: Instr): RegoError {
    return new RegoError(code, message, this.location(instr));
  }

  private location(instr: Instr): Location | undefined {
    return instr.loc >= 0 ? this.program.locations[instr.loc] : undefined;
  }

  private runBlock(stmts: Instr[], L: (Value | undefined)[]): number {
    for (let i = 0; i < stmts.length; i++) {
      const r = this.exec(stmts[i] as Instr, L);
      if (r !== CONTINUE) return r;
    }
    return CONTINUE;
  }

  /** A BlockStmt's blocks: a break out of them leaves the enclosing block too. */
  private runBlocks(blocks: Instr[][], L: (Value | undefined)[]): number {
    for (let i = 0; i < blocks.length; i++) {
      const r = this.runBlock(blocks[i] as Instr[], L);
      if (r > 0) return r - 1;
    }
    return CONTINUE;
  }

  /**
   * The call's value if a memo has it: this evaluation's, or a record kept
   * from an earlier one (replayed here); else whether to compute it with a
   * record. The caller then calls compute() itself: every frame between two
   * calls of a deep policy takes stack that the depth limit counts on.
   */
  private memoized(f: ProgramFunc, args: (Value | undefined)[], call: Instr): Memoized {
    if (f.isRule) return this.memoizedRule(f, args, call);
    if (this.calls === null) return COMPUTE;
    // A function that never uses its input is called without it: its memo, and its record, then serve every input.
    if (args[0] !== undefined && isInputFree(f)) args[0] = undefined;
    const outer = this.recording;
    const memo = this.calls.lookup(f, args);
    if (memo !== MISS) {
      if (outer !== null) outer.nest(this.recordOf(f, args));
      return memo;
    }
    // Inside a rule being recorded, the call's record is one of its events.
    return outer === null ? COMPUTE : RECORD;
  }

  private memoizedRule(f: ProgramFunc, args: (Value | undefined)[], call: Instr): Memoized {
    const outer = this.recording;
    // As for functions: an input-free rule called from an input-free function gets no input, and is the same rule.
    const free = isInputFree(f);
    if (free) args[0] = undefined;
    if (f.memoEval === this.id && f.memoInput === args[0] && f.memoData === args[1]) {
      if (outer !== null) outer.nest(f.memoRecord);
      return f.memoValue;
    }
    if (this.callRecords === null || !free) return COMPUTE;
    const kept = f.shared;
    if (!kept?.serves(args[1], this.strict, this.trace, this.dataReads?.ids ?? null)) return RECORD;
    const before = this.steps;
    this.reuse(kept, args[0], call);
    if (outer !== null) {
      outer.nest(kept);
      outer.nestedSteps += this.steps - before;
    }
    return kept.value;
  }

  /** The record of function call `f(args)` memoized in this evaluation, null if it was made outside a recording or not kept. */
  private recordOf(f: ProgramFunc, args: (Value | undefined)[]): CallRecord | null {
    const r = this.callRecords?.lookup(f, args);
    return r instanceof CallRecord ? r : null;
  }

  /** Keeps the record of `f(args)` just computed, unless the computation read the clock or the per-query cache or missed events. */
  private finishRecord(f: ProgramFunc, args: (Value | undefined)[], recording: Recording, value: Value | undefined): void {
    const outer = this.recording;
    const steps = this.steps - recording.steps;
    const held = !recording.incomplete && this.impure === recording.impure ? this.hold(recording.reads, value) : -1;
    const record =
      held >= 0
        ? new CallRecord(
            f,
            f.isRule ? null : args,
            args[1],
            this.strict,
            value,
            steps - recording.nestedSteps,
            this.trace,
            this.dataReads?.ids ?? null,
            recording.events,
          )
        : null;
    if (record !== null) {
      record.heldNodes = held;
      record.heldReads = recording.reads;
      this.keptHere.push(record);
    }
    if (f.isRule) {
      if (record !== null) f.shared = record;
      f.memoRecord = record;
    } else if (record !== null) this.callRecords?.store(f, args, record);
    if (outer !== null) {
      outer.nest(record);
      outer.nestedSteps += steps;
    }
  }

  /**
   * Whether a record of `reads` data reads and `value` is kept: the value nodes it holds (counted
   * as held), or -1. Records stay for as long as the version is prepared, so what they hold is
   * bounded (rule-cache.ts). A record replaced by a newer one (another data document, traced
   * after untraced) is not taken off the counts as it goes, so when a record would pass a bound
   * the counts are made again, once per evaluation, from the records still in use.
   */
  private hold(reads: number, value: Value | undefined): number {
    const nodes = deepSize(value, MAX_KEPT_NODES + 1);
    if (reads > MAX_KEPT_READS || nodes > MAX_KEPT_NODES) return -1;
    const program = this.program;
    const fits = () => program.keptReads + reads <= MAX_KEPT_READS && program.keptNodes + nodes <= MAX_KEPT_NODES;
    if (!fits()) {
      if (this.recounted) return -1;
      this.recounted = true;
      this.recountKept();
      if (!fits()) return -1;
    }
    program.keptReads += reads;
    program.keptNodes += nodes;
    return nodes;
  }

  /** Sets the policy's counts to what the records in use hold: those of its rules, what they nest, and this evaluation's. */
  private recountKept(): void {
    const program = this.program;
    const stack: CallRecord[] = [...this.keptHere];
    for (const f of program.funcs) if (f.shared !== null) stack.push(f.shared);
    const seen = new Set<CallRecord>();
    let nodes = 0;
    let reads = 0;
    for (let r = stack.pop(); r !== undefined; r = stack.pop()) {
      if (seen.has(r)) continue;
      seen.add(r);
      nodes += r.heldNodes;
      reads += r.heldReads;
      for (const e of r.events) if (e instanceof CallRecord) stack.push(e);
    }
    program.keptNodes = nodes;
    program.keptReads = reads;
  }

  /**
   * Replays a kept record as if the rule had been computed: its steps charged,
   * its events traced, its value and those of the calls it made memoized for
   * the rest of this evaluation. Calls this evaluation has already made are
   * skipped, as a computation would have found them memoized. Iterative: the
   * records nest as deeply as the calls did.
   */
  private reuse(root: CallRecord, input: Value | undefined, call: Instr): void {
    this.enter(root, input, call);
    const records: CallRecord[] = [root];
    const next: number[] = [0];
    while (records.length > 0) {
      const top = records.length - 1;
      const r = records[top] as CallRecord;
      const i = next[top] as number;
      if (i >= r.events.length) {
        records.pop();
        next.pop();
        continue;
      }
      next[top] = i + 1;
      const e = r.events[i];
      if (e instanceof CallRecord) {
        if (this.made(e, input)) continue;
        this.enter(e, input, call);
        records.push(e);
        next.push(0);
      } else if (e instanceof ReadEvents) this.dataReads?.replay(e.reads);
      else if (e instanceof CompileEvent) {
        if (this.compiles(e.cache, e.key)) this.chargeWork(e.steps, call);
      } else if (this.fired !== null) this.mergeFiring((e as FiringEvent).name, (e as FiringEvent).locs);
    }
  }

  /** Whether this evaluation has already made the call `r` records. */
  private made(r: CallRecord, input: Value | undefined): boolean {
    const f = r.func;
    if (r.args === null) return f.memoEval === this.id && f.memoInput === input && f.memoData === r.data;
    return (this.calls as CallMemo).lookup(f, r.args) !== MISS;
  }

  /** A record replayed: its own steps charged and its value memoized for this evaluation. */
  private enter(r: CallRecord, input: Value | undefined, call: Instr): void {
    this.chargeWork(r.steps, call);
    const f = r.func;
    if (r.args !== null) {
      (this.calls as CallMemo).store(f, r.args, r.value);
      this.callRecords?.store(f, r.args, r);
      return;
    }
    this.touch(f);
    f.memoEval = this.id;
    f.memoInput = input;
    f.memoData = r.data;
    f.memoValue = r.value;
    f.memoRecord = r;
  }

  /**
   * Runs a function's bodies (no memo consulted) and memoizes the result for
   * this evaluation; with `record`, writes the call's record (rule-cache.ts).
   */
  private compute(f: ProgramFunc, args: (Value | undefined)[], call: Instr, record: boolean): Value | undefined {
    if (this.depth + call.weight > EVAL_DEPTH_LIMIT) throw depthExceeded(f.name, this.location(call));
    this.depth += call.weight;
    if (f.lower !== null) f.lower();
    this.touch(f);
    const cached = f.frame;
    const L = cached !== undefined && !f.busy ? cleared(cached) : frame(f.nlocals);
    if (cached === undefined) f.frame = L;
    for (let i = 0; i < f.params.length; i++) L[f.params[i] as number] = args[i];
    const prevFunc = this.current;
    const prevRet = this.retval;
    const prevFiring = this.firing;
    const prevBusy = f.busy;
    const outer = this.recording;
    const recording = record ? new Recording(this.steps, this.impure) : null;
    if (recording !== null) this.recording = recording;
    const firing = this.fired ? new Set<number>() : null;
    this.current = f;
    this.retval = undefined;
    this.firing = firing;
    f.busy = true;
    const blocks = f.blocks;
    // Explain records the data paths every body reads, so it runs them all.
    const bodies = this.dataReads === null ? f.bodies : null;
    const probe = bodies === null ? undefined : this.probeBodies(bodies, L);
    try {
      for (let i = 0; i < blocks.length; i++) {
        const block = blocks[i] as Instr[];
        if (bodies?.skips(i, probe)) {
          if (bodies.pairs[i])
            i++; // its commit block, which would stop at once
          else this.runGuards(block, bodies.guards[i] as number, L);
        } else if (this.runBlock(block, L) > 0) break;
      }
    } finally {
      this.current = prevFunc;
      this.firing = prevFiring;
      f.busy = prevBusy;
      this.depth -= call.weight;
      this.recording = outer;
    }
    const result = this.retval;
    this.retval = prevRet;
    if (f.isRule) {
      f.memoEval = this.id;
      f.memoInput = args[0];
      f.memoData = args[1];
      f.memoValue = result;
      f.memoRecord = null;
    } else if (this.calls !== null) this.calls.store(f, args, result);
    if (firing !== null && result !== undefined && firing.size > 0) this.recordFiring(f, firing, recording ?? outer);
    if (recording !== null) this.finishRecord(f, args, recording, result);
    return result;
  }

  /** The value a function's indexed bodies compare, charged as the Dot statements it stands for. */
  private probeBodies(bodies: BodyIndex, L: (Value | undefined)[]): Value | undefined {
    this.charge(bodies.keys.length);
    return bodies.probe(L);
  }

  /** The guard statements a skipped body starts with, up to the first that stops it (they only reset and test locals). */
  private runGuards(block: Instr[], n: number, L: (Value | undefined)[]): void {
    for (let i = 0; i < n; i++) if (this.exec(block[i] as Instr, L) !== CONTINUE) return;
  }

  /** `into`: the recording the call belongs to (its own, or the one it ran inside). */
  private recordFiring(f: ProgramFunc, firing: Set<number>, into: Recording | null): void {
    this.mergeFiring(f.name, firing);
    if (into !== null) into.events.push(new FiringEvent(f.name, firing));
  }

  private mergeFiring(name: string, firing: Set<number>): void {
    const fired = this.fired as Map<string, Set<number>>;
    let set = fired.get(name);
    if (!set) fired.set(name, (set = new Set()));
    for (const l of firing) set.add(l);
  }

  private callBuiltinInstr(instr: Instr, args: Value[]): Value | undefined {
    try {
      return (instr.builtin as NonNullable<Instr["builtin"]>)(args, this);
    } catch (e) {
      if (e instanceof Suspend) throw e;
      // A budget a built-in's charge() exhausted is located at the call.
      if (e instanceof RegoError) throw e.location ? e : this.error(e.code, e.message, instr);
      if (e instanceof LimitError) throw this.error("eval_builtin_error", `${instr.name}: ${e.message}`, instr);
      let err: RegoError;
      if (e instanceof BuiltinError) err = this.error(e.code, `${instr.name}: ${e.message}`, instr);
      else if (isStackOverflow(e)) throw this.error("eval_budget_exceeded", `${instr.name}: value nested too deeply`, instr);
      else err = this.error("eval_builtin_error", `${instr.name}: ${(e as Error)?.message ?? String(e)}`, instr);
      if (this.strict) throw err;
      return undefined;
    }
  }

  /**
   * An inlined built-in's answer for the operands it takes (x, and y for the
   * two-operand ones), charged as the built-in's cost says (builtins/costs.ts:
   * nothing for comparing two numbers or counting, the members a membership
   * scans and a composite member's size); NOT_INLINED leaves the call to the built-in.
   */
  private inlined(instr: Instr, x: Value, y: Value): Value | typeof NOT_INLINED {
    switch (instr.inline) {
      case Inline.Lt:
        return typeof x === "number" && typeof y === "number" ? x < y : NOT_INLINED;
      case Inline.Lte:
        return typeof x === "number" && typeof y === "number" ? x <= y : NOT_INLINED;
      case Inline.Gt:
        return typeof x === "number" && typeof y === "number" ? x > y : NOT_INLINED;
      case Inline.Gte:
        return typeof x === "number" && typeof y === "number" ? x >= y : NOT_INLINED;
      case Inline.Member:
        if (x !== null && typeof x === "object") {
          // A composite operand is hashed or compared by its contents.
          this.chargeWork(memberCost(x, y), instr);
          return isMember(x, y);
        }
        if (y instanceof RSet) {
          this.chargeLongKey(x, instr);
          return y.has(x);
        }
        if (scanned(y) > 0) this.chargeWork(scanned(y), instr);
        return isMember(x, y);
      case Inline.Count:
        return Array.isArray(x) ? x.length : x instanceof RSet || x instanceof RObject ? x.size : NOT_INLINED;
      default:
        return NOT_INLINED;
    }
  }

  /** A string longer than LONG_KEY is hashed by its whole content at each lookup or insertion (value/hash.ts): a step per 4 characters. */
  private chargeLongKey(v: Value, instr: Instr): void {
    if (typeof v === "string" && v.length > LONG_KEY) this.chargeWork(v.length >> 2, instr);
  }

  /** Charges evaluator work proportional to the size of what a statement copies or visits. */
  private chargeWork(n: number, instr: Instr): void {
    this.steps += n;
    if (this.steps > this.budget) throw this.error("eval_budget_exceeded", `evaluation exceeded its budget of ${this.budget} steps`, instr);
  }

  /**
   * Charged after equals(a, b): two composites were walked member by member
   * unless their lengths, or for objects and sets their sizes and structural
   * hashes (which equals() has just cached), told them apart at once. So a
   * policy comparing small fresh objects with its data pays nothing extra,
   * and a comparison of big equal values is charged once it is done (the
   * values themselves were charged as they were built, or are input).
   */
  /** equals(a, b), charged as chargeComparison says. */
  private equalCharged(a: Value, b: Value, instr: Instr): boolean {
    const eq = equals(a, b);
    if (a !== b && typeof a === "object" && typeof b === "object") this.chargeComparison(a, b, instr);
    return eq;
  }

  private chargeComparison(a: Value, b: Value, instr: Instr): void {
    if (a === null || b === null) return;
    if (Array.isArray(a)) {
      if (!Array.isArray(b) || a.length !== b.length) return;
    } else if (!((a instanceof RObject && b instanceof RObject) || (a instanceof RSet && b instanceof RSet))) return;
    else if (a.size !== b.size || a.hash !== b.hash) return;
    this.chargeWork(3 * deepSize(a, this.budget - this.steps), instr);
  }

  private exec(instr: Instr, L: (Value | undefined)[]): number {
    if (++this.steps > this.budget)
      throw this.error("eval_budget_exceeded", `evaluation exceeded its budget of ${this.budget} steps`, instr);
    const consts = this.consts;
    switch (instr.op) {
      case Op.AssignVar: {
        // Copies undefined too: the planner saves an absent input this way to restore it after `with`.
        const v = instr.a >= 0 ? L[instr.a] : consts[~instr.a];
        L[instr.c] = v;
        if (instr.produces && this.firing) this.firing.add(instr.loc);
        return CONTINUE;
      }
      case Op.AssignVarOnce: {
        const v = instr.a >= 0 ? L[instr.a] : consts[~instr.a];
        if (v === undefined) return 0;
        const cur = L[instr.c];
        if (cur !== undefined && !this.equalCharged(cur, v, instr)) {
          const f = this.current;
          throw this.error(
            "eval_conflict_error",
            f && !f.isRule
              ? "functions must not produce multiple outputs for same inputs"
              : "complete rules must not produce multiple outputs",
            instr,
          );
        }
        L[instr.c] = v;
        if (instr.produces && this.firing) this.firing.add(instr.loc);
        return CONTINUE;
      }
      case Op.AssignConst:
        L[instr.c] = consts[~instr.a];
        return CONTINUE;
      case Op.Dot:
      case Op.DataDot: {
        const src = instr.a >= 0 ? L[instr.a] : consts[~instr.a];
        const key = instr.b >= 0 ? L[instr.b] : consts[~instr.b];
        if (src === undefined || key === undefined) return 0;
        // A composite key is hashed by its contents to be looked up (an array's canonical text is not kept).
        if (key !== null && typeof key === "object") this.chargeWork(3 * deepSize(key, this.budget - this.steps), instr);
        else this.chargeLongKey(key, instr);
        let v: Value | undefined;
        if (src instanceof RObject) {
          v = typeof key === "string" ? src.getStringHinted(key, instr) : src.get(key);
          // Base documents come from JSON, whose keys are strings: `data[1]`
          // and `data[1.2]` find the keys "1" and "1.2", as OPA's storage paths do.
          if (v === undefined && instr.op === Op.DataDot && (typeof key === "number" || typeof key === "bigint"))
            v = src.getString(formatNumber(key));
        } else if (Array.isArray(src)) v = typeof key === "number" && Number.isInteger(key) && key >= 0 ? src[key] : undefined;
        else if (src instanceof RSet) v = src.has(key) ? key : undefined;
        if (this.dataReads !== null) {
          // A recording that can no longer be kept logs nothing more.
          const sink = this.recording;
          this.dataReads.read(src, key, v, sink !== null && !sink.incomplete ? sink : null);
        }
        if (v === undefined) return 0;
        L[instr.c] = v;
        return CONTINUE;
      }
      case Op.Equal: {
        const a = instr.a >= 0 ? L[instr.a] : consts[~instr.a];
        const b = instr.b >= 0 ? L[instr.b] : consts[~instr.b];
        if (a === undefined || b === undefined) return 0;
        return this.equalCharged(a, b, instr) ? CONTINUE : 0;
      }
      case Op.NotEqual: {
        const a = instr.a >= 0 ? L[instr.a] : consts[~instr.a];
        const b = instr.b >= 0 ? L[instr.b] : consts[~instr.b];
        if (a === undefined || b === undefined) return 0;
        return this.equalCharged(a, b, instr) ? 0 : CONTINUE;
      }
      case Op.IsDefined:
        return L[instr.a] === undefined ? 0 : CONTINUE;
      case Op.IsUndefined:
        return L[instr.a] === undefined ? CONTINUE : 0;
      case Op.IsArray:
        return Array.isArray(instr.a >= 0 ? L[instr.a] : consts[~instr.a]) ? CONTINUE : 0;
      case Op.IsObject:
        return (instr.a >= 0 ? L[instr.a] : consts[~instr.a]) instanceof RObject ? CONTINUE : 0;
      case Op.IsSet:
        return (instr.a >= 0 ? L[instr.a] : consts[~instr.a]) instanceof RSet ? CONTINUE : 0;
      case Op.ResetLocal:
        L[instr.c] = undefined;
        return CONTINUE;
      // Allocating a collection (and collecting it later) costs several plain statements' worth.
      case Op.MakeObject:
        this.steps += 10;
        L[instr.c] = new RObject();
        return CONTINUE;
      case Op.MakeArray:
        this.steps += 10;
        L[instr.c] = [];
        return CONTINUE;
      case Op.MakeSet:
        this.steps += 10;
        L[instr.c] = new RSet();
        return CONTINUE;
      case Op.MakeNull:
        L[instr.c] = null;
        return CONTINUE;
      case Op.Block:
        return this.runBlocks(instr.blocks as Instr[][], L);
      case Op.Break:
        return instr.a;
      case Op.CallFunc: {
        // Arguments may be undefined (input, when none was given): the
        // function decides what that means.
        const ops = instr.args as number[];
        const args: (Value | undefined)[] = new Array(ops.length);
        for (let i = 0; i < ops.length; i++) {
          const o = ops[i] as number;
          args[i] = o >= 0 ? L[o] : consts[~o];
        }
        this.steps++; // a call sets up a frame
        const f = instr.func as ProgramFunc;
        const m = this.memoized(f, args, instr);
        const r = m === COMPUTE || m === RECORD ? this.compute(f, args, instr, m === RECORD) : m;
        if (r === undefined) return 0;
        L[instr.c] = r;
        return CONTINUE;
      }
      case Op.CallBuiltin:
      case Op.CallBuiltinTest: {
        const ops = instr.args as number[];
        let r: Value | undefined;
        if (instr.inline === Inline.None) {
          const args: Value[] = new Array(ops.length);
          for (let i = 0; i < ops.length; i++) {
            const o = ops[i] as number;
            const v = o >= 0 ? L[o] : consts[~o];
            if (v === undefined) return 0;
            args[i] = v;
          }
          this.steps++; // the call's argument array
          r = this.callBuiltinInstr(instr, args);
        } else {
          // One operand (count) or two: x and y are then the same or the pair.
          const o0 = ops[0] as number;
          const o1 = ops[ops.length - 1] as number;
          const x = o0 >= 0 ? L[o0] : consts[~o0];
          const y = o1 >= 0 ? L[o1] : consts[~o1];
          if (x === undefined || y === undefined) return 0;
          this.steps++; // as the call's argument array
          const inlined = this.inlined(instr, x, y);
          r = inlined !== NOT_INLINED ? inlined : this.callBuiltinInstr(instr, ops.length === 1 ? [x] : [x, y]);
        }
        if (r === undefined) return 0;
        L[instr.c] = r;
        if (instr.op === Op.CallBuiltin) return CONTINUE;
        // CallBuiltinTest's fused NotEqualStmt: a statement of its own in the budget.
        if (++this.steps > this.budget) this.chargeWork(0, instr);
        return r === false ? 0 : CONTINUE;
      }
      case Op.CallDynamic: {
        const parts: string[] = [];
        for (const o of instr.path as number[]) {
          const p = o >= 0 ? L[o] : consts[~o];
          if (typeof p !== "string") return 0;
          parts.push(p);
        }
        const f = this.program.funcsByPath.get(parts.join("."));
        const locals = instr.args as number[];
        if (!f || f.params.length !== locals.length) return 0;
        const args: (Value | undefined)[] = new Array(locals.length);
        for (let i = 0; i < locals.length; i++) args[i] = L[locals[i] as number];
        const m = this.memoized(f, args, instr);
        const r = m === COMPUTE || m === RECORD ? this.compute(f, args, instr, m === RECORD) : m;
        if (r === undefined) return 0;
        L[instr.c] = r;
        return CONTINUE;
      }
      case Op.Scan:
        return this.scan(instr, L);
      case Op.Not: {
        const r = this.runBlock(instr.block as Instr[], L);
        if (r === CONTINUE) return 0;
        return r > 0 ? r - 1 : CONTINUE;
      }
      case Op.ArrayAppend: {
        const arr = L[instr.a];
        const v = instr.b >= 0 ? L[instr.b] : consts[~instr.b];
        if (arr === undefined || v === undefined) return 0;
        if (!Array.isArray(arr)) throw this.error("eval_internal_error", "ArrayAppendStmt target is not an array", instr);
        this.steps += 2; // the array grows (and is copied as it does)
        arr.push(v);
        return CONTINUE;
      }
      case Op.SetAdd: {
        const set = L[instr.c];
        const v = instr.a >= 0 ? L[instr.a] : consts[~instr.a];
        if (set === undefined || v === undefined) return 0;
        if (!(set instanceof RSet)) throw this.error("eval_internal_error", "SetAddStmt target is not a set", instr);
        this.steps += 3; // hashing and inserting
        // A composite member is hashed by its contents (only objects and sets cache theirs).
        if (v !== null && typeof v === "object") this.chargeWork(16 * deepSize(v, this.budget - this.steps), instr);
        else this.chargeLongKey(v, instr);
        set.add(v);
        if (instr.produces && this.firing) this.firing.add(instr.loc);
        return CONTINUE;
      }
      case Op.ObjectInsert:
      case Op.ObjectInsertOnce: {
        const obj = L[instr.c];
        const k = instr.a >= 0 ? L[instr.a] : consts[~instr.a];
        const v = instr.b >= 0 ? L[instr.b] : consts[~instr.b];
        if (obj === undefined || k === undefined || v === undefined) return 0;
        if (!(obj instanceof RObject)) throw this.error("eval_internal_error", "ObjectInsertStmt target is not an object", instr);
        this.steps += 16; // hashing and inserting (into a big object: a Map entry and a hash key)
        if (k !== null && typeof k === "object") this.chargeWork(4 * deepSize(k, this.budget - this.steps), instr);
        else this.chargeLongKey(k, instr);
        if (instr.op === Op.ObjectInsertOnce) {
          const cur = obj.get(k);
          if (cur !== undefined && !this.equalCharged(cur, v, instr))
            throw this.error("eval_conflict_error", "object keys must be unique", instr);
        }
        obj.set(k, v);
        if (instr.produces && this.firing) this.firing.add(instr.loc);
        return CONTINUE;
      }
      case Op.ObjectMerge: {
        const a = L[instr.a];
        const b = L[instr.b];
        // Merging with something that is not an object is undefined (as OPA's
        // opa_value_merge gives no value): a base document `{"a": 1}` under a
        // package `a.b` keeps its scalar, and the enclosing merge decides.
        if (a === undefined || b === undefined || !(a instanceof RObject) || !(b instanceof RObject)) return 0;
        // The merge copies a and walks b, and so for each pair of nested objects it merges (4 steps an entry, measured).
        L[instr.c] = mergeDeep(a, b, keepBase, (n) => this.chargeWork(4 * n, instr));
        return CONTINUE;
      }
      case Op.Len: {
        const v = instr.a >= 0 ? L[instr.a] : consts[~instr.a];
        let n: number;
        if (Array.isArray(v)) n = v.length;
        else if (v instanceof RObject || v instanceof RSet) n = v.size;
        else if (typeof v === "string") {
          this.chargeWork(v.length >> 4, instr);
          n = codePointLength(v);
        } else return 0;
        L[instr.c] = n;
        return CONTINUE;
      }
      case Op.ResultSetAdd: {
        const v = L[instr.a];
        if (v === undefined) return 0;
        const rows = this.results;
        this.chargeWork(rows.length, instr);
        for (let i = 0; i < rows.length; i++) if (equals(rows[i] as Value, v)) return CONTINUE;
        rows.push(v);
        return CONTINUE;
      }
      case Op.ReturnLocal:
        this.retval = L[instr.a];
        return RETURN;
      case Op.With: {
        const v = instr.b >= 0 ? L[instr.b] : consts[~instr.b];
        const path = instr.path as string[];
        // Restoring an undefined input (path empty) is allowed; upserting undefined is not.
        if (v === undefined && path.length > 0) return 0;
        const orig = L[instr.a];
        // The replacement copies each object along the path; memoized rule values are dropped.
        this.chargeWork(32 + (path.length > 0 ? 32 * upsertCost(orig, path) : 0), instr);
        L[instr.a] = path.length === 0 ? v : upsert(orig, path, 0, v as Value);
        // The with block is inline: undefined or a break inside it leaves the
        // enclosing block too, with the local restored on the way out.
        try {
          return this.runBlock(instr.block as Instr[], L);
        } finally {
          L[instr.a] = orig;
        }
      }
      case Op.UnionNew:
      case Op.UnionInto: {
        const x = instr.a >= 0 ? L[instr.a] : consts[~instr.a];
        const y = instr.b >= 0 ? L[instr.b] : consts[~instr.b];
        if (x === undefined || y === undefined) return 0;
        // Anything but two sets is the built-in's to refuse, with its error.
        if (!(x instanceof RSet) || !(y instanceof RSet)) {
          const r = this.callBuiltinInstr(instr, [x, y]);
          if (r === undefined) return 0;
          L[instr.c] = r;
          return CONTINUE;
        }
        // Charged as the built-in `or` is (see builtins/costs.ts): both sizes before, the result's after.
        this.charge(3 * (x.size + y.size) + setKeyCost(y));
        const out = instr.op === Op.UnionNew ? x.clone() : x;
        out.addAll(y);
        this.charge(out.size);
        L[instr.c] = out;
        return CONTINUE;
      }
      case Op.Nop:
        return CONTINUE;
      case Op.Comprehension:
        return this.comprehension(instr, L);
    }
  }

  /** A Make statement and the block filling the collection (see comprehension-memo.ts). */
  private comprehension(instr: Instr, L: (Value | undefined)[]): number {
    const memo = this.comprehensions;
    const reads = instr.args as number[];
    // Comparing the free reads with the kept ones is work of its own, hit or miss.
    this.chargeWork(reads.length, instr);
    if (memo !== null) {
      const built = memo.lookup(instr, reads, L);
      if (built !== undefined) {
        L[instr.c] = built;
        return CONTINUE;
      }
    }
    this.steps += 10; // as MakeSet, MakeArray, MakeObject
    const built = instr.a === Collection.Set ? new RSet() : instr.a === Collection.Array ? [] : new RObject();
    L[instr.c] = built;
    const r = this.runBlocks(instr.blocks as Instr[][], L);
    if (r === CONTINUE) memo?.store(instr, reads, L, built);
    return r;
  }

  private scan(instr: Instr, L: (Value | undefined)[]): number {
    const src = L[instr.a];
    // An index would skip the Dot reads explain records.
    if (instr.join !== null && this.dataReads === null && src !== undefined) {
      const joins = (this.joins ??= new Map());
      const state = joins.get(instr);
      if (state?.matches(src)) {
        if (state.rows !== null) return this.scanIndexed(instr, instr.join, state.rows, L);
        if (state.indexable) return this.scanIndexing(instr, instr.join, state, L);
      } else if (state !== undefined) state.meet(src);
      else joins.set(instr, new JoinState(src));
    }
    const body = instr.block as Instr[];
    if (Array.isArray(src)) {
      for (let i = 0; i < src.length; i++) {
        L[instr.b] = i;
        L[instr.c] = src[i];
        // Each iteration is two steps of its own (binding key and value), on top of its body's statements.
        if ((this.steps += 2) > this.budget) this.chargeWork(0, instr);
        const r = this.runBlock(body, L);
        if (r > 0) return r - 1;
      }
    } else if (src instanceof RObject) {
      const keys = src.keys();
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as Value;
        L[instr.b] = k;
        L[instr.c] = src.get(k);
        // Each iteration is two steps of its own (binding key and value), on top of its body's statements.
        if ((this.steps += 2) > this.budget) this.chargeWork(0, instr);
        const r = this.runBlock(body, L);
        if (r > 0) return r - 1;
      }
    } else if (src instanceof RSet) {
      const members = src.values();
      for (let i = 0; i < members.length; i++) {
        const m = members[i] as Value;
        L[instr.b] = m;
        L[instr.c] = m;
        // Each iteration is two steps of its own (binding key and value), on top of its body's statements.
        if ((this.steps += 2) > this.budget) this.chargeWork(0, instr);
        const r = this.runBlock(body, L);
        if (r > 0) return r - 1;
      }
    }
    return CONTINUE;
  }

  /** A join-shaped scan over a collection it has an index of: the body runs for the elements whose key equals the probe. */
  private scanIndexed(instr: Instr, join: JoinSpec, rows: Map<unknown, Value[]>, L: (Value | undefined)[]): number {
    const probe = join.probe >= 0 ? L[join.probe] : this.consts[~join.probe];
    // An undefined probe fails every element's comparison; a composite one equals none of the scalar keys.
    const hits = probe === undefined ? undefined : rows.get(joinKey(probe));
    if (hits === undefined) return CONTINUE;
    const body = instr.block as Instr[];
    for (let i = 0; i < hits.length; i += 2) {
      L[instr.b] = hits[i];
      L[instr.c] = hits[i + 1];
      if (++this.steps > this.budget) this.chargeWork(0, instr);
      const r = this.runBlock(body, L);
      if (r > 0) return r - 1;
    }
    return CONTINUE;
  }

  /**
   * A join-shaped scan meeting a collection the second time: a plain scan
   * that runs each body's key prefix on its own and files the element under
   * the key value it reached. The index is kept only if the scan ran to the
   * end and every key was a scalar.
   */
  private scanIndexing(instr: Instr, join: JoinSpec, state: JoinState, L: (Value | undefined)[]): number {
    const src = state.source;
    const elements: Value[] = [];
    if (Array.isArray(src)) for (let i = 0; i < src.length; i++) elements.push(i, src[i] as Value);
    else if (src instanceof RObject) for (const k of src.keys()) elements.push(k, src.get(k) as Value);
    else if (src instanceof RSet) for (const m of src.values()) elements.push(m, m);
    const rows = new Map<unknown, Value[]>();
    let indexable = true;
    const body = instr.block as Instr[];
    for (let i = 0; i < elements.length; i += 2) {
      L[instr.b] = elements[i];
      L[instr.c] = elements[i + 1];
      if (++this.steps > this.budget) this.chargeWork(0, instr);
      let r = CONTINUE;
      for (let j = 0; j < join.prefix && r === CONTINUE; j++) r = this.exec(body[j] as Instr, L);
      if (r !== CONTINUE) continue; // a key the element lacks: undefined, as the plain scan's body
      if (indexable) {
        const key = joinKey(L[join.chain] as Value);
        if (key === undefined) indexable = false;
        else {
          const hits = rows.get(key);
          if (hits === undefined) rows.set(key, [elements[i] as Value, elements[i + 1] as Value]);
          else hits.push(elements[i] as Value, elements[i + 1] as Value);
        }
      }
      for (let j = join.prefix; j < body.length && r === CONTINUE; j++) r = this.exec(body[j] as Instr, L);
      if (r > 0) return r - 1; // left early: what was filed is not the whole collection
    }
    state.indexable = indexable;
    if (indexable) state.rows = rows;
    return CONTINUE;
  }
}

/**
 * The pick of a recursive merge of a base document with a virtual one
 * (OPA's ObjectMergeStmt): objects merge key by key; on any other clash the
 * base document's value stays.
 */
function keepBase(av: Value | undefined, bv: Value): Value {
  return av === undefined ? bv : av;
}

/** Copy-on-write replacement of the value at `path` (for `with`). */
function upsert(base: Value | undefined, path: string[], i: number, v: Value): Value {
  if (i === path.length) return v;
  const key = path[i] as string;
  const obj = base instanceof RObject ? base.clone() : new RObject();
  obj.set(key, upsert(obj.getString(key), path, i + 1, v));
  return obj;
}

/** Members copied by upsert(base, path, …): the objects it clones along the path. */
function upsertCost(base: Value | undefined, path: string[]): number {
  let n = 0;
  let v = base;
  for (const key of path) {
    if (!(v instanceof RObject)) break;
    n += v.size;
    v = v.getString(key);
  }
  return n;
}

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 >= s.length) n++;
    else {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      n++;
    }
  }
  return n;
}

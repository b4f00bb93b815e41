/**
 * Rule values kept from one evaluation to the next. A rule that never looks
 * at its input (data-only.ts) — a table derived from data, a report over it —
 * has the same value in every evaluation against the same data document,
 * which the edge keeps decoded per policy version. Its record holds that
 * value for that document (by identity: values the engine has made visible
 * never change) and strictness, and what computing it did besides:
 *
 * - the steps it charged, which a reuse charges again, so the budget answers
 *   as it did when the rule was computed (a policy that exhausts it does not
 *   get further by being asked again);
 * - with tracing, the provenance it recorded and the data paths it read, in
 *   order, which a reuse replays, so explain lists what it would have listed;
 * - the records of the rules it used, replayed with it unless this
 *   evaluation has already used them (then they were charged, traced and
 *   memoized once, as when computed).
 *
 * A computation is not kept when it read the clock or the per-query cache
 * (time.now_ns, uuid.rfc4122 and the time checks of JWT and certificate
 * built-ins), when it used a rule whose record was not kept, when it failed,
 * or, traced, when it reused a function result (its events are then not all
 * its own), made more than MAX_RECORDED_READS data reads or would take the
 * policy's records past MAX_KEPT_READS or MAX_KEPT_NODES (counted over the
 * records in use: Evaluation.hold).
 */
import type { CompileCache } from "../builtins/index.js";
import type { Value } from "../value/index.js";
import type { ReadLog, ReadSink, ValueIds } from "./data-reads.js";
import type { ProgramFunc } from "./program.js";

/** What an evaluation records besides values: the bits of `Trace`. */
export const enum Trace {
  None = 0,
  Firing = 1,
  Reads = 2,
}

/** Consecutive data reads, as DataReads logs them. */
export class ReadEvents {
  readonly reads: ReadLog = [];
}

/** The statements that produced function `name`'s value (Evaluation.recordFiring's arguments). */
export class FiringEvent {
  constructor(
    readonly name: string,
    readonly locs: Set<number>,
  ) {}
}

/** A pattern compile the computation was charged for (BuiltinContext.chargeCompile's arguments). */
export class CompileEvent {
  constructor(
    readonly cache: CompileCache,
    readonly key: string,
    readonly steps: number,
  ) {}
}

export type CallEvent = CallRecord | ReadEvents | FiringEvent | CompileEvent;

export class CallRecord {
  constructor(
    readonly func: ProgramFunc,
    /** a function's arguments (its input left out: see Evaluation.callFunc); null for a rule */
    readonly args: (Value | undefined)[] | null,
    readonly data: Value | undefined,
    readonly strict: boolean,
    readonly value: Value | undefined,
    /** steps charged by the call's own statements (the calls it made charge theirs) */
    readonly steps: number,
    /** what the records' events include */
    readonly trace: Trace,
    /** the ids its data reads name values by (those of the data document the evaluation traced) */
    readonly ids: ValueIds | null,
    /** in the order they happened */
    readonly events: CallEvent[],
  ) {}

  /** value nodes and data reads this record holds itself, as counted towards MAX_KEPT_NODES and MAX_KEPT_READS */
  heldNodes = 0;
  heldReads = 0;

  /** Whether this record answers a call with `data` in an evaluation recording `trace`, its data reads naming values by `ids`. */
  serves(data: Value | undefined, strict: boolean, trace: Trace, ids: ValueIds | null): boolean {
    return (
      this.data === data && this.strict === strict && (this.trace & trace) === trace && ((trace & Trace.Reads) === 0 || this.ids === ids)
    );
  }
}

/**
 * Data reads one record makes at most, repeats included (it logs only those
 * a replay needs). A rule reading more (a scan of a big collection, traced)
 * is not kept: its events would hold the isolate's memory for a list explain
 * cuts to MAX_DATA_PATHS paths anyway, and each read it logs costs its
 * computation a lookup for repeats.
 */
export const MAX_RECORDED_READS = 4096;

/**
 * Data reads the records of one prepared policy hold at most (about 6 MB): past it, traced
 * computations that read data are no longer kept, however many rules a policy has.
 */
export const MAX_KEPT_READS = 1 << 18;

/**
 * Most value nodes (as costs.ts deepSize counts them) a policy's records hold: they stay for as
 * long as the version is prepared, which with one big value per rule, computed request by
 * request, would otherwise grow to what all its rules can build: about 20 MB of values (the big
 * bench policy keeps 442,000 nodes, traced and untraced records together).
 */
export const MAX_KEPT_NODES = 1 << 19;

/** A rule being computed with its record being written. */
export class Recording implements ReadSink {
  readonly events: CallEvent[] = [];
  /** steps charged inside the rules it used, not its own */
  nestedSteps = 0;
  /** its events are not all there (see the module comment) */
  incomplete = false;
  /** data reads among its events */
  reads = 0;
  /** data reads its computation made, repeats included */
  private made = 0;
  /**
   * Per source id, the keys read from it since the last event that could have
   * taken that source out of data: a replay finds such a read repeated
   * (DataReads keeps a value's path once it has one), so it is not logged.
   */
  private repeats: Map<number, Set<Value>> | undefined;

  constructor(
    /** the evaluation's steps and impure reads when it started */
    readonly steps: number,
    readonly impure: number,
  ) {}

  /** A call it made, by its record (null: none kept, so neither is this one). */
  nest(record: CallRecord | null): void {
    if (record === null) this.incomplete = true;
    else {
      this.events.push(record);
      // The call's reads replay in between and may take out any value.
      this.repeats = undefined;
    }
  }

  log(src: number, key: Value, code: number): void {
    if (this.incomplete) return;
    if (++this.made > MAX_RECORDED_READS) {
      this.incomplete = true;
      return;
    }
    const repeats = (this.repeats ??= new Map());
    let keys = repeats.get(src);
    if (keys === undefined) repeats.set(src, (keys = new Set()));
    else if (keys.has(key)) return;
    keys.add(key);
    // From here on the value read (if composite) may be a source explain follows.
    if (code > 0) repeats.delete(code);
    this.reads++;
    let run = this.events[this.events.length - 1];
    if (!(run instanceof ReadEvents)) this.events.push((run = new ReadEvents()));
    run.reads.push(src, key, code);
  }
}

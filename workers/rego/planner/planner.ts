/**
 * Plans compiled rules and queries into OPA's IR. Like OPA's own planner it
 * works in continuation-passing style: planning an expression takes the plan
 * of everything after it as a callback, so iteration (a ScanStmt) simply
 * nests the rest of the body inside its block. `ltarget` is the operand
 * holding the value of the term planned last.
 *
 * Rules become functions `g<gen>.data.<path>(input, data, …args)`. A `with`
 * that replaces a rule or a function starts a new generation, in which every
 * rule needed is planned again under the replacement.
 */
import { RegoError, type Location } from "../errors.js";
import { MAX_ERRORS } from "../syntax/parser-base.js";
import type { Body, Every, Expr, Loc, Logical, ObjectTerm, RefTerm, Term, TemplateStringTerm, VarTerm, With } from "../syntax/ast.js";
import { isCall, isEvery, isLogical, isSomeDecl, pushOperands, walkTerm } from "../syntax/walk.js";
import { BUILTIN_DECLS } from "../builtins/index.js";
import type { Block, Func, Operand, Policy } from "../plan/types.js";
import { improvedNegation, operatorRef, refName, refPath, ROOTS } from "../compile/names.js";
import { argumentTypeError } from "../compile/types-check.js";
import type { CompiledRule, QueryPlanSpec } from "../compile/types.js";
import { sameKey } from "../compile/safety.js";
import { Emitter, bool, local } from "./emit.js";
import { groundValue } from "../syntax/value.js";
import { termString } from "../value/index.js";
import type { RuleNode, RuleTree } from "../compile/ruletree.js";

type K = () => void;

const INPUT = 0;
const DATA = 1;

/**
 * A `with` replacement of a function: another function, or a value. A value is
 * captured: passed to every function of the generation as an extra parameter
 * (it may be a local of the rule that wrote the `with`).
 */
type Mock = { kind: "func"; name: string } | { kind: "value"; capture: number };

interface Generation {
  id: number;
  funcs: Map<string, string>;
  /** data paths whose rules a `with` has replaced by a value */
  shadowed: string[][];
  mocks: Map<string, Mock>;
  /** number of captured mock values every function of this generation takes */
  captures: number;
  /** the same generation without mocks: replacement functions run unmocked, as in OPA */
  unmocked?: Generation;
}

interface Callee {
  name: string;
  arity: number;
  /** leading arguments of rule functions: input and data */
  prefix: Operand[];
  /** trailing arguments of rule functions: the generation's captured values */
  suffix: Operand[];
}

/** Terms nested deeper than this are planned innermost first from an explicit stack (see planStraightTerm). */
const STRAIGHT_NESTING = 32;

/**
 * Rules that use rules that use rules… are planned on demand, each inside the
 * planning of its first user. Each rule planned so adds 1 plus the block
 * nesting of its use to the planning's nesting (a rule used from inside 16
 * iterating expressions holds the stack of 16 nested blocks while it is
 * planned); a rule that would take it past this is planned later instead, so
 * a chain of thousands of rules (`r1 := r0 + 1`, …) costs no stack in
 * proportion to its length, whatever their bodies nest.
 */
const DEFERRED_NESTING = 32;

/** One rule node on the planning path; `up` is the one whose planning needed it. */
interface PathNode {
  key: string;
  up: PathNode | undefined;
  /** its position on the path, from 1 */
  depth: number;
}

/** Built-ins whose output argument is matched against each element of their result. */
const RELATIONS = new Set(["walk"]);

export class Planner {
  private readonly out = new Emitter();
  private readonly funcs: Func[] = [];
  private vars: Map<string, number>[] = [];
  private lnext = 0;
  /**
   * Locals that hold a ref straight into data (`data.a.b`) in the function
   * being planned; the evaluator reads number keys of such refs as strings.
   */
  private dataRefs = new Set<number>();
  private ltarget: Operand = local(0);
  private generations = 0;
  private gen: Generation = { id: 0, funcs: new Map(), shadowed: [], mocks: new Map(), captures: 0 };
  /** operands of the generation's captured mock values in the function being planned */
  private captured: Operand[] = [];
  /** the rule nodes being planned, outermost first (a node met again is a cycle); their keys in `onPath` */
  private path: PathNode[] = [];
  private readonly onPath = new Set<string>();
  /**
   * Rule functions whose planning was put off because the rules being planned
   * nest deeper than DEFERRED_NESTING: planned later, from a loop, each with
   * the path that led to it (so cycles through it are still found).
   */
  private readonly deferred: { node: RuleNode; gen: Generation; at: PathNode | undefined }[] = [];
  /** how much of `path` a deferred function's path takes (its nodes are finished) */
  private pathBase = 0;
  /** the nesting of the rules being planned at once, each counted as nodeFunc adds it (see DEFERRED_NESTING) */
  private planNesting = 0;
  /**
   * Errors of rules planned so far. A rule that fails is left out and planning
   * goes on, so one compile reports every rule's error; a plan is only usable
   * while this is empty.
   */
  readonly errors: RegoError[] = [];

  constructor(private readonly tree: RuleTree) {}

  /** Plans each query as a plan of that name; returns the whole policy. */
  plan(queries: QueryPlanSpec[]): Policy {
    const plans = queries.map((q) => this.planQuerySpec(q));
    return {
      static: { strings: this.out.strings, builtin_funcs: this.builtinFuncs(), files: this.out.files },
      plans: { plans },
      funcs: { funcs: this.funcs },
    };
  }

  /** Plans every rule node (to surface planning errors of rules no entrypoint reaches). */
  planAllRules(): void {
    for (const node of this.tree.nodesWithRules()) this.collectingErrors(() => this.nodeFunc(node));
  }

  /** Runs `fn`, recording a Rego error it throws instead of letting it end the compile. */
  private collectingErrors(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof RegoError)) throw e;
      this.errors.push(e);
    }
  }

  private builtinFuncs(): Policy["static"]["builtin_funcs"] {
    const used = new Set<string>();
    const visit = (blocks: Block[]) => {
      for (const b of blocks)
        for (const s of b.stmts) {
          if (s.type === "CallStmt" && !s.stmt.func.startsWith("g")) used.add(s.stmt.func);
          const st = s.stmt as { block?: Block; blocks?: Block[] };
          if (st.block) visit([st.block]);
          if (st.blocks) visit(st.blocks);
        }
    };
    for (const f of this.funcs) visit(f.blocks);
    return [...used].sort().map((name) => ({ name, decl: BUILTIN_DECLS.get(name) }));
  }

  // ---- errors and locations -------------------------------------------------

  private fail(message: string, loc?: Loc, code: RegoError["code"] = "rego_compile_error"): never {
    const l = loc ?? this.out.loc;
    throw new RegoError(code, message, l ? toLocation(l) : undefined);
  }

  private at<T>(loc: Loc | undefined, fn: () => T): T {
    const prev = this.out.loc;
    if (loc) this.out.loc = loc;
    try {
      return fn();
    } finally {
      this.out.loc = prev;
    }
  }

  // ---- locals and variables -------------------------------------------------

  private newLocal(): number {
    return this.lnext++;
  }

  private lookup(name: string): number | undefined {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const l = (this.vars[i] as Map<string, number>).get(name);
      if (l !== undefined) return l;
    }
    return undefined;
  }

  private bind(name: string, l: number): void {
    (this.vars[this.vars.length - 1] as Map<string, number>).set(name, l);
  }

  /** Plans `fn` with bindings that are dropped afterwards (alternatives, closures). */
  private scoped(fn: () => void): void {
    this.vars.push(new Map());
    try {
      fn();
    } finally {
      this.vars.pop();
    }
  }

  private rootVars(): Map<string, number>[] {
    return [
      new Map([
        ["input", INPUT],
        ["data", DATA],
      ]),
    ];
  }

  private asLocal(o: Operand): number {
    if (o.type === "local") return o.value;
    const l = this.newLocal();
    this.out.emit("AssignVarStmt", { source: o, target: l });
    return l;
  }

  // ---- queries --------------------------------------------------------------

  private planQuerySpec(q: QueryPlanSpec): { name: string; blocks: Block[] } {
    this.vars = this.rootVars();
    this.lnext = 2;
    this.dataRefs = new Set();
    const loc = q.body[0]?.loc;
    const block = this.out.block(() =>
      this.at(loc, () =>
        this.planBody(q.body, 0, () => {
          const row = this.newLocal();
          this.out.emit("MakeObjectStmt", { target: row });
          for (const [key, v] of q.bindings) {
            const l = this.lookup(v);
            if (l !== undefined) this.out.emit("ObjectInsertStmt", { key: this.out.stringOperand(key), value: local(l), object: row });
          }
          this.out.emit("ResultSetAddStmt", { value: row });
        }),
      ),
    );
    return { name: q.name, blocks: [block] };
  }

  private planBody(body: Body, i: number, k: K): void {
    const outer = this.out.loc;
    // Straight-line expressions are planned one after another here instead of
    // each inside the previous one's continuation, so a long body costs no stack.
    while (i < body.length && this.isStraightExpr(body[i] as Expr)) {
      if (!this.planStraightExpr(body[i] as Expr)) return;
      i++;
    }
    if (i >= body.length) return this.at(outer, k);
    const e = body[i] as Expr;
    this.at(e.loc, () => {
      const hoisted = this.mayIterate(e) ? this.hoist(body, i + 1) : [];
      try {
        this.planExpr(e, () => {
          this.planBody(body, i + 1, () => this.at(outer, k));
        });
      } finally {
        // Hoisted values live in this block only.
        for (const t of hoisted) this.hoisted.delete(t);
      }
    });
  }

  /** Values computed once instead of on every iteration (see hoist). */
  private hoisted = new Map<Term, Operand>();

  /**
   * Before an expression that iterates, computes the literals of the
   * expressions after it that depend on nothing the iteration binds — in the
   * RBAC policy, `{"action": input.action, "object": input.object}` — so the
   * loop compares against one value instead of building it each time.
   */
  private hoist(body: Body, from: number): Term[] {
    const added: Term[] = [];
    for (let j = from; j < body.length; j++) {
      const e = body[j] as Expr;
      if (e.negated || (e.with && e.with.length > 0) || isEvery(e.terms) || isLogical(e.terms) || isSomeDecl(e.terms)) continue;
      // The expression's literals outside refs and closures, in walk order; a literal
      // hoisted (now or before) is taken whole, so the literals inside it are skipped.
      const { terms, ends } = this.literalsOf(e);
      for (let i = 0; i < terms.length; ) {
        const t = terms[i] as Term;
        if (this.hoisted.has(t)) i = ends[i] as number;
        else if (this.isInvariant(t)) {
          this.planTerm(t, () => this.hoisted.set(t, this.ltarget));
          added.push(t);
          i = ends[i] as number;
        } else i++;
      }
    }
    return added;
  }

  /**
   * The object, array and set literals of an expression that hoist considers
   * (not inside refs or closures), in pre-order, each with the index just past
   * the literals nested in it. Every iterating expression looks at all the
   * expressions after it, so this is computed once per expression.
   */
  private literalsOf(e: Expr): { terms: Term[]; ends: number[] } {
    let found = this.literals.get(e);
    if (found) return found;
    const terms: Term[] = [];
    const ends: number[] = [];
    const visit = (t: Term): void => {
      const literal = t.type === "object" || t.type === "array" || t.type === "set";
      const at = terms.length;
      if (literal) {
        terms.push(t);
        ends.push(0);
      }
      switch (t.type) {
        case "array":
        case "set":
          for (const x of t.value) visit(x);
          break;
        case "object":
          for (const [k, v] of t.value) {
            visit(k);
            visit(v);
          }
          break;
        case "call":
          for (let i = 1; i < t.value.length; i++) visit(t.value[i] as Term);
          break;
        case "templatestring":
          for (const x of t.value) visit(x);
          for (const ws of t.withs ?? []) for (const w of ws ?? []) visit(w.value);
          break;
      }
      if (literal) ends[at] = terms.length;
    };
    for (const root of isCall(e.terms) ? e.terms.slice(1) : [e.terms as Term]) visit(root);
    found = { terms, ends };
    this.literals.set(e, found);
    return found;
  }

  private readonly literals = new WeakMap<Expr, { terms: Term[]; ends: number[] }>();

  /** A term whose value is fixed before iteration: literals, bound vars, and input refs with constant keys. */
  private isInvariant(t: Term): boolean {
    switch (t.type) {
      case "null":
      case "boolean":
      case "number":
      case "string":
        return true;
      case "var":
        return this.lookup(t.value) !== undefined;
      case "ref": {
        const head = t.value[0] as Term;
        if (head.type !== "var" || head.value === "data" || this.lookup(head.value) === undefined) return false;
        return t.value.slice(1).every((p) => p.type === "string" || p.type === "number");
      }
      case "array":
      case "set":
        return t.value.every((x) => this.isInvariant(x));
      case "object":
        return t.value.every(([k, v]) => this.isInvariant(k) && this.isInvariant(v));
      default:
        return false;
    }
  }

  /** Whether planning the expression may start iterating (a ref over unbound variables, `some … in`). */
  private mayIterate(e: Expr): boolean {
    const t = e.terms;
    if (isSomeDecl(t)) return t.symbols.some((s) => s.type === "call");
    if (isEvery(t) || isLogical(t) || e.negated) return false;
    let iterates = false;
    const roots = isCall(t) ? t.slice(1) : [t];
    for (const root of roots)
      walkTerm(
        root,
        (x) => {
          if (x.type === "ref" && !this.isBound(x)) iterates = true;
          return !iterates;
        },
        false,
      );
    return iterates;
  }

  // ---- expressions ----------------------------------------------------------

  private planExpr(e: Expr, k: K): void {
    // `with` first: the calls a negation moves out in front of itself run under the same `with`.
    if (e.with && e.with.length > 0) return this.planWith(e, k);
    if (e.negated) return this.planNot(e, k);
    const t = e.terms;
    if (isSomeDecl(t)) {
      const member = t.symbols.find((s) => s.type === "call");
      if (member && member.type === "call") return this.planSomeIn(member.value.slice(1), k);
      return k();
    }
    if (isEvery(t)) return this.planEvery(t, k);
    if (isLogical(t)) {
      this.planLogical(t);
      return k();
    }
    if (isCall(t)) return this.planExprCall(t, k);
    this.planTerm(t, () => {
      this.out.emit("NotEqualStmt", { a: this.ltarget, b: bool(false) });
      k();
    });
  }

  private planNot(e: Expr, k: K): void {
    const calls = this.improvedNegation ? [] : nestedCalls(e.terms);
    if (calls.length === 0) {
      const block = this.planHolds((reached) => this.planExpr({ ...e, negated: false }, reached));
      this.out.emit("NotStmt", { block });
      return k();
    }
    // OPA's compiler moves the calls nested in a negated expression out in front of it
    // (`not f(g(x))` is `g(x, t); not f(t)`), so an undefined g(x) leaves the body
    // undefined rather than the negation true; `future.keywords.not` keeps them inside.
    const step = (i: number): void => {
      // Straight-line calls (an operator chain nests as deep as it is long) in a loop, not by recursion.
      for (; i < calls.length && this.isStraightTerm(calls[i] as Term); i++) {
        const o = this.planStraightTerm(calls[i] as Term);
        if (o === undefined) return;
        this.hoisted.set(calls[i] as Term, o);
      }
      if (i < calls.length) {
        const call = calls[i] as Term;
        return this.planTerm(call, () => {
          this.hoisted.set(call, this.ltarget);
          step(i + 1);
        });
      }
      const block = this.planHolds((reached) => this.planExpr({ ...e, negated: false }, reached));
      this.out.emit("NotStmt", { block });
      k();
    };
    try {
      step(0);
    } finally {
      // The same terms are planned again for each generation of a rule: their locals are this plan's only.
      for (const c of calls) this.hoisted.delete(c);
    }
  }

  /** The current rule's module imports `future.keywords.not` (see planNot). */
  private improvedNegation = false;

  /**
   * A block that completes exactly when `plan`'s continuation is reached at
   * least once. Without iteration that is the plan itself; with iteration
   * (a scan completes whether or not its body succeeded) a flag records it.
   */
  private planHolds(plan: (reached: K) => void): Block {
    const flag = this.newLocal();
    let calls = 0;
    let direct = false;
    const inner = this.out.block(() =>
      this.scoped(() => {
        const top = this.out.curr;
        plan(() => {
          calls++;
          direct = this.out.curr === top;
          this.out.emit("AssignVarStmt", { source: bool(true), target: flag });
        });
      }),
    );
    if (calls === 1 && direct) {
      inner.stmts.pop();
      return inner;
    }
    return this.out.block(() => {
      this.out.emit("ResetLocalStmt", { target: flag });
      this.out.emit("BlockStmt", { blocks: [inner] });
      this.out.emit("IsDefinedStmt", { source: flag });
    });
  }

  /**
   * Statements in the current block that are undefined unless the logical expression holds;
   * nothing they bind outlives them and they run once. `and`: each operand must hold, in
   * turn; `or`: not every operand fails (`not { not a; not b }`, which stops at the first
   * that holds); `body`: its operand holds.
   */
  private planLogical(l: Logical): void {
    const holds = (b: Body) => this.planHolds((reached) => this.planBody(b, 0, reached));
    const holdsOnce = (b: Body) => {
      const fails = holds(b);
      this.out.emit("NotStmt", { block: this.out.block(() => this.out.emit("NotStmt", { block: fails })) });
    };
    if (l.op === "or") {
      const none = this.out.block(() => {
        for (const b of l.operands) this.out.emit("NotStmt", { block: holds(b) });
      });
      this.out.emit("NotStmt", { block: none });
    } else for (const b of l.operands) holdsOnce(b);
  }

  /** `some x in xs` / `some k, v in xs`: iterate xs, unifying keys and values with the patterns. */
  private planSomeIn(args: Term[], k: K): void {
    const coll = args[args.length - 1] as Term;
    this.planTerm(coll, () => {
      const src = this.asLocal(this.ltarget);
      const key = this.newLocal();
      const value = this.newLocal();
      const block = this.out.block(() => {
        if (args.length === 3)
          this.planUnifyLocal(local(key), args[0] as Term, () => this.planUnifyLocal(local(value), args[1] as Term, k));
        else this.planUnifyLocal(local(value), args[0] as Term, k);
      });
      this.out.emit("ScanStmt", { source: src, key, value, block });
    });
  }

  /** every: no element of the domain for which the body fails. */
  private planEvery(ev: Every, k: K): void {
    this.planTerm(ev.domain, () => {
      const src = this.asLocal(this.ltarget);
      this.planIsCollection(src);
      const counterexample = this.newLocal();
      const key = this.newLocal();
      const value = this.newLocal();
      const search = this.out.block(() => {
        this.out.emit("ResetLocalStmt", { target: counterexample });
        const scan = this.out.block(() =>
          this.scoped(() => {
            const bindValue = () =>
              this.planUnifyLocal(local(value), ev.value, () => {
                const body = this.planHolds((reached) => this.planBody(ev.body, 0, reached));
                this.out.emit("NotStmt", { block: body });
                this.out.emit("AssignVarStmt", { source: bool(true), target: counterexample });
              });
            if (ev.key) this.planUnifyLocal(local(key), ev.key, bindValue);
            else bindValue();
          }),
        );
        this.out.emit("ScanStmt", { source: src, key, value, block: scan });
        this.out.emit("IsDefinedStmt", { source: counterexample });
      });
      this.out.emit("NotStmt", { block: search });
      k();
    });
  }

  /** Undefined unless the local holds an array, object or set. */
  private planIsCollection(src: number): void {
    const ok = this.newLocal();
    this.out.emit("ResetLocalStmt", { target: ok });
    const check = (type: "IsArrayStmt" | "IsObjectStmt" | "IsSetStmt") =>
      this.out.block(() => {
        this.out.emit(type, { source: local(src) });
        this.out.emit("AssignVarStmt", { source: bool(true), target: ok });
      });
    this.out.emit("BlockStmt", { blocks: [check("IsArrayStmt"), check("IsObjectStmt"), check("IsSetStmt")] });
    this.out.emit("IsDefinedStmt", { source: ok });
  }

  private planExprCall(terms: Term[], k: K): void {
    const op = refName(terms[0] as Term) as string;
    const args = terms.slice(1);
    if (op === "eq" || op === "assign") return this.planUnify(args[0] as Term, args[1] as Term, k);
    const mock = this.mockFor(op);
    if (!mock && (op === "equal" || op === "neq") && args.length === 2) {
      // `a == b` and `a != b` need no call: the IR compares directly.
      return this.planTerms(args, ([a, b]) => {
        this.out.emit(op === "equal" ? "EqualStmt" : "NotEqualStmt", { a: a as Operand, b: b as Operand });
        k();
      });
    }
    if (mock?.kind === "value") {
      // A value replacing a function: the call yields it whatever the arguments.
      const value = this.captured[mock.capture] as Operand;
      const arity = this.arityOf(op, terms[0] as Term);
      return this.planTerms(args.slice(0, arity), (ops) => {
        this.planDefined(ops);
        if (args.length > arity) this.planUnifyLocal(value, args[arity] as Term, k);
        else {
          this.out.emit("NotEqualStmt", { a: value, b: bool(false) });
          k();
        }
      });
    }
    const callee = mock?.kind === "func" ? this.replacement(mock.name, terms[0] as Term) : this.callee(op, terms[0] as Term);
    if (args.length !== callee.arity && args.length !== callee.arity + 1)
      this.fail(`${op}: wrong number of arguments: got ${args.length}, want ${callee.arity}`, terms[0]?.loc, "rego_type_error");
    this.checkArguments(mock?.kind === "func" ? callee.name : op, args, terms[0] as Term);
    this.planTerms(args.slice(0, callee.arity), (ops) => {
      const result = this.newLocal();
      this.out.emit("CallStmt", { func: callee.name, args: [...callee.prefix, ...ops, ...callee.suffix], result });
      const relation = RELATIONS.has(callee.name);
      if (args.length > callee.arity) {
        if (!relation) return this.planUnifyLocal(local(result), args[callee.arity] as Term, k);
        // A relation yields each element of its result in turn.
        const key = this.newLocal();
        const value = this.newLocal();
        const block = this.out.block(() => this.planUnifyLocal(local(value), args[callee.arity] as Term, k));
        this.out.emit("ScanStmt", { source: result, key, value, block });
        return;
      }
      if (relation) {
        const n = this.newLocal();
        const zero = this.newLocal();
        this.out.emit("LenStmt", { source: local(result), target: n });
        this.out.emit("MakeNumberIntStmt", { value: 0, target: zero });
        this.out.emit("NotEqualStmt", { a: local(n), b: local(zero) });
      } else this.out.emit("NotEqualStmt", { a: local(result), b: bool(false) });
      k();
    });
  }

  private arityOf(op: string, at: Term): number {
    if (op.startsWith("data.")) return this.functionNode(op, at).arity;
    const decl = BUILTIN_DECLS.get(op);
    if (!decl) this.fail(`undefined function ${op}`, at.loc, "rego_type_error");
    return decl.args?.length ?? 0;
  }

  private functionNode(op: string, at: Term): RuleNode {
    const node = this.tree.nodeByName(op.slice("data.".length));
    if (!node?.hasRules) this.fail(`undefined function ${op}`, at.loc, "rego_type_error");
    return node;
  }

  /** The function an operator calls: a rule function (planned on demand) or a built-in. */
  private callee(op: string, at: Term): Callee {
    if (op.startsWith("data.")) {
      const node = this.functionNode(op, at);
      return { name: this.nodeFunc(node), arity: node.arity, prefix: this.roots(), suffix: this.captured };
    }
    const decl = BUILTIN_DECLS.get(op);
    if (!decl) this.fail(`undefined function ${op}`, at.loc, "rego_type_error");
    return { name: op, arity: decl.args?.length ?? 0, prefix: [], suffix: [] };
  }

  /** Arguments (and an output) whose type is known must suit the built-in or function (OPA's type check). */
  private checkArguments(op: string, args: Term[], at: Term): void {
    const problem = argumentTypeError(op, args, this.tree.inferredTypes);
    if (problem) this.fail(problem.message, args[problem.index]?.loc ?? at.loc, "rego_type_error");
  }

  /** The callee for a mocked call: the replacement, planned without any mocks. */
  private replacement(name: string, at: Term): Callee {
    const gen = this.gen;
    if (gen.mocks.size === 0) return this.callee(name, at);
    gen.unmocked ??= { id: ++this.generations, funcs: new Map(), shadowed: gen.shadowed, mocks: new Map(), captures: 0 };
    const captured = this.captured;
    this.gen = gen.unmocked;
    this.captured = [];
    try {
      return this.callee(name, at);
    } finally {
      this.gen = gen;
      this.captured = captured;
    }
  }

  /** The arguments of a call replaced by a value must still be defined. */
  private planDefined(ops: Operand[]): void {
    for (const o of ops) if (o.type === "local") this.out.emit("IsDefinedStmt", { source: o.value });
  }

  /** input and data, as the function being planned sees them */
  private roots(): Operand[] {
    return [local(this.lookup("input") as number), local(this.lookup("data") as number)];
  }

  private mockFor(op: string): Mock | undefined {
    return this.gen.mocks.get(op);
  }

  /**
   * Plans terms, passing their operands in order. Terms whose refs bind
   * variables are planned first, so `x == xs[x]` iterates before comparing.
   */
  private planTerms(terms: Term[], k: (ops: Operand[]) => void): void {
    const rank = (t: Term) => (this.isBound(t) ? 1 : t.type === "var" ? 2 : 0);
    const order = terms.map((_, i) => i);
    order.sort((a, b) => rank(terms[a] as Term) - rank(terms[b] as Term));
    const ops: Operand[] = new Array(terms.length);
    const step = (j: number): void => {
      // Straight-line terms (a 5,000-element literal) are planned in a loop, not by recursion.
      for (; j < order.length && this.isStraightTerm(terms[order[j] as number] as Term); j++) {
        const o = this.planStraightTerm(terms[order[j] as number] as Term);
        if (o === undefined) return;
        ops[order[j] as number] = o;
      }
      if (j >= order.length) return k(ops);
      const i = order[j] as number;
      this.planTerm(terms[i] as Term, () => {
        ops[i] = this.ltarget;
        step(j + 1);
      });
    };
    step(0);
  }

  // ---- with -----------------------------------------------------------------

  private planWith(e: Expr, k: K): void {
    const withs = e.with as With[];
    const data: { w: With; path: string[]; root: "input" | "data" }[] = [];
    const mocks: { name: string; w: With }[] = [];
    for (const w of withs) {
      const path = refPath(w.target);
      const root = path?.[0];
      if (!path) this.fail("invalid with target", w.target.loc);
      const isFunction = root === "data" && this.tree.node(path.slice(1))?.isFunction;
      if ((root === "input" || root === "data") && !isFunction) data.push({ w, path: path.slice(1), root });
      else mocks.push({ name: path.join("."), w });
    }
    const valueTerms = [...data.map((d) => d.w.value), ...mocks.filter((m) => !this.isFunctionValue(m.w.value)).map((m) => m.w.value)];
    this.planTerms(valueTerms, (ops) => {
      const dataOps = ops.slice(0, data.length);
      const mockOps = ops.slice(data.length);
      const newMocks = new Map<string, Mock>();
      const outerCaptured = this.captured;
      const innerCaptured = [...outerCaptured];
      let mi = 0;
      for (const m of mocks) {
        if (this.isFunctionValue(m.w.value)) newMocks.set(m.name, { kind: "func", name: refName(m.w.value) as string });
        else {
          newMocks.set(m.name, { kind: "value", capture: innerCaptured.length });
          innerCaptured.push(mockOps[mi++] as Operand);
        }
      }
      const shadow = data.filter((d) => d.root === "data" && this.shadowsRules(d.path)).map((d) => d.path);
      const needsGeneration = shadow.length > 0 || newMocks.size > 0;
      // Save the roots being replaced so the rest of the body sees the originals.
      const roots = [...new Set(data.map((d) => d.root))].sort();
      const saved = roots.map((r) => {
        const orig = this.lookup(r) as number;
        const save = this.newLocal();
        this.out.emit("AssignVarStmt", { source: local(orig), target: save });
        return [orig, save] as const;
      });
      const outer = this.gen;
      const inner: Generation = needsGeneration
        ? {
            id: ++this.generations,
            funcs: new Map(),
            shadowed: [...outer.shadowed, ...shadow],
            mocks: new Map([...outer.mocks, ...newMocks]),
            captures: innerCaptured.length,
          }
        : outer;
      const nest = (i: number): void => {
        if (i < data.length) {
          const d = data[i] as (typeof data)[number];
          const block = this.out.block(() => nest(i + 1), true);
          this.out.emit("WithStmt", {
            local: this.lookup(d.root) as number,
            path: d.path.map((p) => this.out.string(p)),
            value: dataOps[i] as Operand,
            block: block,
          });
          return;
        }
        this.gen = inner;
        this.captured = innerCaptured;
        try {
          this.planExpr({ ...e, with: [] }, () => {
            this.gen = outer;
            this.captured = outerCaptured;
            try {
              this.restore(saved, 0, k);
            } finally {
              this.gen = inner;
              this.captured = innerCaptured;
            }
          });
        } finally {
          this.gen = outer;
          this.captured = outerCaptured;
        }
      };
      nest(0);
    });
  }

  /** Plans `k` inside WithStmts that put the saved roots back. */
  private restore(saved: (readonly [number, number])[], i: number, k: K): void {
    if (i >= saved.length) return k();
    const [orig, save] = saved[i] as readonly [number, number];
    const block = this.out.block(() => this.restore(saved, i + 1, k), true);
    this.out.emit("WithStmt", { local: orig, path: [], value: local(save), block });
  }

  private isFunctionValue(t: Term): boolean {
    const name = refName(t);
    if (name === undefined || t.type === "var") {
      return name !== undefined && BUILTIN_DECLS.has(name) && !this.lookup(name);
    }
    if (name.startsWith("data.")) {
      const node = this.tree.nodeByName(name.slice("data.".length));
      return !!node && node.isFunction;
    }
    return BUILTIN_DECLS.has(name);
  }

  private shadowsRules(path: string[]): boolean {
    const node = this.tree.node(path);
    if (node?.isVirtual) return true;
    // A prefix of the path may be a rule too (with data.p.q as … where p is a rule).
    for (let i = 1; i < path.length; i++) if (this.tree.node(path.slice(0, i))?.hasRules) return true;
    return false;
  }

  private isShadowed(path: string[]): boolean {
    return this.gen.shadowed.some((s) => s.length <= path.length && s.every((p, i) => p === path[i]));
  }

  // ---- unification ----------------------------------------------------------

  private planUnify(a: Term, b: Term, k: K): void {
    switch (a.type) {
      case "var":
        return this.planUnifyVar(a, b, k);
      case "array":
        if (b.type === "var") return this.planUnifyVar(b, a, k);
        if (b.type === "array") {
          if (a.value.length === b.value.length) return this.planUnifyArrays(a.value, b.value, 0, k);
          return;
        }
        if (isValueTerm(b)) return this.planTerm(b, () => this.planUnifyLocal(this.ltarget, a, k));
        return;
      case "object":
        if (b.type === "var") return this.planUnifyVar(b, a, k);
        if (b.type === "object") return this.planUnifyObjects(a, b, k);
        if (isValueTerm(b)) return this.planTerm(b, () => this.planUnifyLocal(this.ltarget, a, k));
        return;
      default:
        return this.planTerm(a, () => this.planUnifyLocal(this.ltarget, b, k));
    }
  }

  private planUnifyVar(a: VarTerm, b: Term, k: K): void {
    const la = this.lookup(a.value);
    if (la !== undefined) return this.planUnifyLocal(local(la), b, k);
    if (b.type === "var" && this.lookup(b.value) === undefined) this.fail(`var ${a.value} is unsafe`, a.loc, "rego_unsafe_var_error");
    this.planTerm(b, () => {
      this.bindTo(a.value, this.ltarget);
      k();
    });
  }

  /**
   * Binds a variable to the value of an operand. A local other than input and
   * data (which `with` replaces) is shared rather than copied: every local is
   * written once per path through the plan. A ref into data is copied, as OPA
   * does, so `obj := data.a; obj[2]` does not find the key "2" (data.a[2] does).
   */
  private bindTo(name: string, o: Operand): void {
    if (o.type === "local" && o.value !== INPUT && o.value !== DATA && !this.dataRefs.has(o.value)) return this.bind(name, o.value);
    const target = this.newLocal();
    this.bind(name, target);
    this.out.emit("AssignVarStmt", { source: o, target });
  }

  private planUnifyLocal(a: Operand, b: Term, k: K): void {
    switch (b.type) {
      case "var": {
        const lb = this.lookup(b.value);
        if (lb !== undefined) {
          this.out.emit("EqualStmt", { a, b: local(lb) });
          return k();
        }
        this.bindTo(b.value, a);
        return k();
      }
      case "array":
        return this.planUnifyLocalArray(a, b.value, k);
      case "object":
        return this.planUnifyLocalObject(a, b, k);
      default:
        this.planTerm(b, () => {
          this.out.emit("EqualStmt", { a, b: this.ltarget });
          k();
        });
    }
  }

  private planUnifyArrays(a: Term[], b: Term[], i: number, k: K): void {
    if (i >= a.length) return k();
    this.planUnify(a[i] as Term, b[i] as Term, () => this.planUnifyArrays(a, b, i + 1, k));
  }

  private planUnifyLocalArray(a: Operand, items: Term[], k: K): void {
    this.out.emit("IsArrayStmt", { source: a });
    const alen = this.newLocal();
    const blen = this.newLocal();
    this.out.emit("LenStmt", { source: a, target: alen });
    this.out.emit("MakeNumberIntStmt", { value: items.length, target: blen });
    this.out.emit("EqualStmt", { a: local(alen), b: local(blen) });
    const src = this.asLocal(a);
    const step = (i: number): void => {
      if (i >= items.length) return k();
      const key = this.newLocal();
      const value = this.newLocal();
      this.out.emit("MakeNumberIntStmt", { value: i, target: key });
      this.out.emit("DotStmt", { source: local(src), key: local(key), target: value });
      this.planUnifyLocal(local(value), items[i] as Term, () => step(i + 1));
    };
    step(0);
  }

  private planUnifyLocalObject(a: Operand, obj: ObjectTerm, k: K): void {
    this.out.emit("IsObjectStmt", { source: a });
    const alen = this.newLocal();
    const blen = this.newLocal();
    this.out.emit("LenStmt", { source: a, target: alen });
    this.out.emit("MakeNumberIntStmt", { value: obj.value.length, target: blen });
    this.out.emit("EqualStmt", { a: local(alen), b: local(blen) });
    const step = (i: number): void => {
      if (i >= obj.value.length) return k();
      const [key, val] = obj.value[i] as [Term, Term];
      this.planTerm(key, () => {
        const value = this.newLocal();
        this.out.emit("DotStmt", { source: a, key: this.ltarget, target: value });
        this.planUnifyLocal(local(value), val, () => step(i + 1));
      });
    };
    step(0);
  }

  private planUnifyObjects(a: ObjectTerm, b: ObjectTerm, k: K): void {
    if (a.value.length !== b.value.length) return;
    const pairs: [Term, Term][] = [];
    for (const [ka, va] of a.value) {
      const match = b.value.find(([kb]) => sameKey(ka, kb));
      if (!match) {
        // Keys that are not the same constants (`{k: v} = {"a": 1}` with k
        // bound): a side that is a value is built, and the other side's keys
        // are looked up in it, binding that side's value patterns.
        const sides: [ObjectTerm, ObjectTerm] | undefined = this.isBound(b) ? [b, a] : this.isBound(a) ? [a, b] : undefined;
        if (sides?.[1].value.every(([key]) => this.isBound(key))) {
          const [value, pattern] = sides;
          return this.planTerm(value, () => this.planUnifyLocalObject(this.ltarget, pattern, k));
        }
        // Otherwise compare the whole objects once both are built.
        return this.planTerm(a, () => {
          const la = this.ltarget;
          this.planTerm(b, () => {
            this.out.emit("EqualStmt", { a: la, b: this.ltarget });
            k();
          });
        });
      }
      pairs.push([va, match[1]]);
    }
    const step = (i: number): void => {
      if (i >= pairs.length) return k();
      const [x, y] = pairs[i] as [Term, Term];
      this.planUnify(x, y, () => step(i + 1));
    };
    step(0);
  }

  // ---- terms ----------------------------------------------------------------

  private planTerm(t: Term, k: K): void {
    const hoisted = this.hoisted.get(t) ?? this.takePrecomputed(t);
    if (hoisted) {
      this.ltarget = hoisted;
      return k();
    }
    switch (t.type) {
      case "null": {
        const l = this.newLocal();
        this.out.emit("MakeNullStmt", { target: l });
        this.ltarget = local(l);
        return k();
      }
      case "boolean":
        this.ltarget = bool(t.value);
        return k();
      case "number": {
        const l = this.newLocal();
        this.out.emit("MakeNumberRefStmt", { Index: this.out.string(t.text), target: l });
        this.ltarget = local(l);
        return k();
      }
      case "string":
        this.ltarget = this.out.stringOperand(t.value);
        return k();
      case "var": {
        const l = this.lookup(t.value);
        if (l === undefined) this.fail(`var ${t.value} is unsafe`, t.loc, "rego_unsafe_var_error");
        this.ltarget = local(l);
        return k();
      }
      case "ref":
        return this.planRef(t, k);
      case "array": {
        // The collection is made after its elements are planned, inside their
        // continuation: an element that iterates (`[a[i]]`) must give a fresh
        // collection for each of its values, not append to one made before.
        return this.planTerms(t.value, (ops) => {
          const arr = this.newLocal();
          this.out.emit("MakeArrayStmt", { capacity: t.value.length, target: arr });
          for (const o of ops) this.out.emit("ArrayAppendStmt", { array: arr, value: o });
          this.ltarget = local(arr);
          k();
        });
      }
      case "set": {
        return this.planTerms(t.value, (ops) => {
          const set = this.newLocal();
          this.out.emit("MakeSetStmt", { target: set });
          for (const o of ops) this.out.emit("SetAddStmt", { set, value: o });
          this.ltarget = local(set);
          k();
        });
      }
      case "object": {
        return this.planTerms(t.value.flat(), (ops) => {
          const obj = this.newLocal();
          this.out.emit("MakeObjectStmt", { target: obj });
          for (let i = 0; i < ops.length; i += 2)
            this.out.emit("ObjectInsertStmt", { key: ops[i] as Operand, value: ops[i + 1] as Operand, object: obj });
          this.ltarget = local(obj);
          k();
        });
      }
      case "arraycomprehension":
        return this.planCollection(
          "array",
          t.loc,
          t.value.body,
          (target) => this.planTerm(t.value.term, () => this.out.emit("ArrayAppendStmt", { array: target, value: this.ltarget })),
          k,
        );
      case "setcomprehension":
        return this.planCollection(
          "set",
          t.loc,
          t.value.body,
          (target) => this.planTerm(t.value.term, () => this.out.emit("SetAddStmt", { set: target, value: this.ltarget })),
          k,
        );
      case "objectcomprehension":
        return this.planCollection(
          "object",
          t.loc,
          t.value.body,
          (target) =>
            this.planTerm(t.value.key, () => {
              const key = this.ltarget;
              this.planTerm(t.value.value, () => this.out.emit("ObjectInsertOnceStmt", { key, value: this.ltarget, object: target }));
            }),
          k,
        );
      case "call":
        return this.planCallTerm(t.value, k);
      case "templatestring":
        return this.planTemplate(t, k);
    }
  }

  /** A comprehension: the body runs in its own block and scope, adding to the collection. */
  private planCollection(kind: "array" | "set" | "object", loc: Loc, body: Body, add: (target: number) => void, k: K): void {
    const target = this.newLocal();
    this.at(loc, () => {
      if (kind === "array") this.out.emit("MakeArrayStmt", { capacity: 0, target });
      else if (kind === "set") this.out.emit("MakeSetStmt", { target });
      else this.out.emit("MakeObjectStmt", { target });
      const block = this.out.block(() => this.scoped(() => this.planBody(body, 0, () => add(target))));
      this.out.emit("BlockStmt", { blocks: [block] });
    });
    this.ltarget = local(target);
    k();
  }

  private planCallTerm(terms: Term[], k: K): void {
    const op = refName(terms[0] as Term) as string;
    const args = terms.slice(1);
    const mock = this.mockFor(op);
    if (mock?.kind === "value") {
      return this.planTerms(args, (ops) => {
        this.planDefined(ops);
        this.ltarget = this.captured[mock.capture] as Operand;
        k();
      });
    }
    const callee = mock?.kind === "func" ? this.replacement(mock.name, terms[0] as Term) : this.callee(op, terms[0] as Term);
    if (args.length !== callee.arity)
      this.fail(`${op}: wrong number of arguments: got ${args.length}, want ${callee.arity}`, terms[0]?.loc, "rego_type_error");
    this.checkArguments(mock?.kind === "func" ? callee.name : op, args, terms[0] as Term);
    this.planTerms(args, (ops) => {
      const result = this.newLocal();
      this.out.emit("CallStmt", { func: callee.name, args: [...callee.prefix, ...ops, ...callee.suffix], result });
      if (!RELATIONS.has(callee.name)) {
        this.ltarget = local(result);
        return k();
      }
      // A relation used as a value yields each element of its result in turn.
      const key = this.newLocal();
      const value = this.newLocal();
      const block = this.out.block(() => {
        this.ltarget = local(value);
        k();
      });
      this.out.emit("ScanStmt", { source: result, key, value, block });
    });
  }

  /** `$"a{x}b"`: each expression part is the set of its values (empty when undefined). */
  private planTemplate(t: TemplateStringTerm, k: K): void {
    const parts: Operand[] = [];
    t.value.forEach((part, i) => {
      if (!t.exprs[i]) {
        parts.push(this.out.stringOperand(part.type === "string" ? part.value : ""));
        return;
      }
      const set = this.newLocal();
      this.out.emit("MakeSetStmt", { target: set });
      const withs = t.withs?.[i];
      const add = () => this.out.emit("SetAddStmt", { set, value: this.ltarget });
      const block = this.out.block(() =>
        this.scoped(() => {
          if (!withs?.length) return this.planTerm(part, add);
          // `{x with input as …}`: the part is planned as an expression under its modifiers.
          const value = this.newLocal();
          const expr: Expr = {
            index: 0,
            loc: part.loc,
            generated: true,
            with: withs,
            terms: [operatorRef("eq", part.loc), { type: "var", value: `__part${value}$`, loc: part.loc }, part],
          };
          this.planExpr(expr, () => {
            this.ltarget = local(this.lookup(`__part${value}$`) as number);
            add();
          });
        }),
      );
      this.out.emit("BlockStmt", { blocks: [block] });
      parts.push(local(set));
    });
    const arr = this.newLocal();
    this.out.emit("MakeArrayStmt", { capacity: parts.length, target: arr });
    for (const p of parts) this.out.emit("ArrayAppendStmt", { array: arr, value: p });
    const result = this.newLocal();
    this.out.emit("CallStmt", { func: "internal.template_string", args: [local(arr)], result });
    this.ltarget = local(result);
    k();
  }

  // ---- refs -----------------------------------------------------------------

  private planRef(ref: RefTerm, k: K): void {
    const parts = ref.value;
    const head = parts[0] as Term;
    if (head.type === "var") {
      if (head.value === "data") return this.planRefData(this.tree.root, parts, 1, k);
      const l = this.lookup(head.value);
      if (l === undefined) this.fail(`var ${head.value} is unsafe`, head.loc, "rego_unsafe_var_error");
      this.ltarget = local(l);
      return this.planRefRec(parts, 1, k);
    }
    this.planTerm(head, () => this.planRefRec(parts, 1, k));
  }

  private planRefRec(parts: Term[], i: number, k: K): void {
    // Lookups with straight-line keys in a loop: an 8,000-part ref costs no stack.
    for (; i < parts.length && this.isBound(parts[i] as Term) && this.isStraightTerm(parts[i] as Term); i++) {
      if (!this.straight(() => this.planDot(parts[i] as Term, this.reached))) return;
    }
    if (i >= parts.length) return k();
    const p = parts[i] as Term;
    if (this.isBound(p)) return this.planDot(p, () => this.planRefRec(parts, i + 1, k));
    this.planScan(p, () => this.planRefRec(parts, i + 1, k));
  }

  /**
   * A term is bound when all its variables are (closures aside, which are values).
   * Called for every ref part and expression the planner meets: scalars answer at
   * once, the rest is walked with an explicit stack (no callback, no recursion). A
   * part planned ahead already has its value, so it is not walked again (in a long
   * operator chain that would be quadratic).
   */
  private isBound(t: Term): boolean {
    switch (t.type) {
      case "var":
        return ROOTS.has(t.value) || this.lookup(t.value) !== undefined;
      case "null":
      case "boolean":
      case "number":
      case "string":
      case "arraycomprehension":
      case "setcomprehension":
      case "objectcomprehension":
        return true;
    }
    const stack: Term[] = [t];
    const ahead = this.precomputed.size > 0 ? this.precomputed : null;
    for (let x = stack.pop(); x !== undefined; x = stack.pop()) {
      if (ahead?.has(x)) continue;
      switch (x.type) {
        case "var":
          if (!ROOTS.has(x.value) && this.lookup(x.value) === undefined) return false;
          break;
        default:
          pushOperands(stack, x);
      }
    }
    return true;
  }

  private planDot(key: Term, k: K): void {
    const source = this.ltarget;
    const intoData = source.type === "local" && (source.value === this.lookup("data") || this.dataRefs.has(source.value));
    this.planTerm(key, () => {
      const target = this.newLocal();
      if (intoData) this.dataRefs.add(target);
      this.out.emit("DotStmt", { source, key: this.ltarget, target });
      this.ltarget = local(target);
      k();
    });
  }

  private planScan(key: Term, k: K): void {
    const source = this.asLocal(this.ltarget);
    const lkey = this.newLocal();
    const lvalue = this.newLocal();
    const block = this.out.block(() =>
      this.planUnifyLocal(local(lkey), key, () => {
        this.ltarget = local(lvalue);
        k();
      }),
    );
    this.out.emit("ScanStmt", { source, key: lkey, value: lvalue, block });
  }

  /**
   * A ref into data: follow the rule tree while the ref names its nodes; a
   * node with rules is its function's value; beyond the tree it is base data.
   * Where the ref has a variable at a node, each virtual child is tried in its
   * own block (binding the variable to the child's key), then the base
   * document's other keys are scanned — as OPA plans it, so only the rules the
   * ref can reach are evaluated.
   */
  private planRefData(node: RuleNode, parts: Term[], i: number, k: K): void {
    if (!node.isVirtual || this.isShadowed(node.path)) return this.planBaseRef(parts, k);
    if (i >= parts.length) return this.planExtent(node, k);
    const p = parts[i] as Term;
    if (p.type === "string") {
      const child = node.child(p.value);
      if (!child?.isVirtual || this.isShadowed(child.path)) return this.planBaseRef(parts, k);
      if (child.hasRules) {
        if (child.isFunction) this.fail(`function ${["data", ...child.path].join(".")} called without arguments`, p.loc, "rego_type_error");
        return this.planNodeValue(child, () => this.planRefRec(parts, i + 1, k));
      }
      return this.planRefData(child, parts, i + 1, k);
    }
    if (isScalar(p)) return this.planBaseRef(parts, k);
    const children = this.virtualChildren(node);
    const blocks = children.map((key) =>
      this.out.block(() =>
        this.scoped(() =>
          this.planUnifyLocal(this.out.stringOperand(key), p, () => {
            const ground = [...parts];
            ground[i] = { type: "string", value: key, loc: p.loc };
            this.planRefData(node, ground, i, k);
          }),
        ),
      ),
    );
    if (blocks.length > 0) this.out.emit("BlockStmt", { blocks });
    // The base document's keys that no rule claims.
    const exclude = this.newLocal();
    this.out.emit("MakeSetStmt", { target: exclude });
    for (const key of children) this.out.emit("SetAddStmt", { set: exclude, value: this.out.stringOperand(key) });
    this.ltarget = local(this.lookup("data") as number);
    this.planRefRec(this.baseParts(node.path, p.loc), 1, () => {
      const source = this.asLocal(this.ltarget);
      const lkey = this.newLocal();
      const lvalue = this.newLocal();
      const block = this.out.block(() =>
        this.scoped(() => {
          const ignored = this.newLocal();
          const claimed = this.out.block(() => this.out.emit("DotStmt", { source: local(exclude), key: local(lkey), target: ignored }));
          this.out.emit("NotStmt", { block: claimed });
          this.planUnifyLocal(local(lkey), p, () => {
            this.ltarget = local(lvalue);
            this.planRefRec(parts, i + 1, k);
          });
        }),
      );
      this.out.emit("ScanStmt", { source, key: lkey, value: lvalue, block });
    });
  }

  /** A ref that leaves the rule tree: plain lookups from the data document. */
  private planBaseRef(parts: Term[], k: K): void {
    this.ltarget = local(this.lookup("data") as number);
    this.planRefRec(parts, 1, k);
  }

  private baseParts(path: string[], loc: Loc): Term[] {
    return [{ type: "var", value: "data", loc }, ...path.map((p) => ({ type: "string" as const, value: p, loc }))];
  }

  /** Children of a node that are part of the data document (functions are not). */
  private virtualChildren(node: RuleNode): string[] {
    return [...node.children.keys()].sort().filter((key) => {
      const child = node.children.get(key) as RuleNode;
      return child.isVirtual && !child.isFunction && !this.isShadowed(child.path);
    });
  }

  /** The value of a node with rules: its function's result, merged with the values of rules below it. */
  private planNodeValue(node: RuleNode, k: K): void {
    const name = this.nodeFunc(node);
    const args = [...this.roots(), ...this.captured];
    const below = this.virtualChildren(node).length > 0 && !this.foldedRules(node);
    if (!below) {
      const result = this.newLocal();
      this.out.emit("CallStmt", { func: name, args, result });
      this.ltarget = local(result);
      return k();
    }
    const children = this.planChildren(node);
    const target = this.newLocal();
    const inner = this.out.block(() => {
      const result = this.newLocal();
      this.out.emit("CallStmt", { func: name, args, result });
      this.out.emit("ObjectMergeStmt", { a: result, b: children, target });
      this.out.emit("BreakStmt", { index: 1 });
    });
    const outer = this.out.block(() => {
      this.out.emit("BlockStmt", { blocks: [inner] });
      this.out.emit("AssignVarStmt", { source: local(children), target });
    });
    this.out.emit("BlockStmt", { blocks: [outer] });
    this.ltarget = local(target);
    k();
  }

  /** An object of the values of a node's children that are (or contain) rules. */
  private planChildren(node: RuleNode): number {
    const obj = this.newLocal();
    this.out.emit("MakeObjectStmt", { target: obj });
    for (const key of this.virtualChildren(node)) {
      const child = node.children.get(key) as RuleNode;
      const block = this.out.block(() =>
        this.scoped(() => {
          const insert = () => this.out.emit("ObjectInsertStmt", { key: this.out.stringOperand(key), value: this.ltarget, object: obj });
          if (child.hasRules) this.planNodeValue(child, insert);
          else this.planExtent(child, insert);
        }),
      );
      this.out.emit("BlockStmt", { blocks: [block] });
    }
    return obj;
  }

  /** The whole value at a node: rule values merged into the base document there. */
  private planExtent(node: RuleNode, k: K): void {
    if (node.hasRules && !this.isShadowed(node.path)) return this.planNodeValue(node, k);
    const virtual = this.planChildren(node);
    const target = this.newLocal();
    const inner = this.out.block(() => {
      let src = this.lookup("data") as number;
      for (const key of node.path) {
        const next = this.newLocal();
        this.out.emit("DotStmt", { source: local(src), key: this.out.stringOperand(key), target: next });
        src = next;
      }
      this.out.emit("ObjectMergeStmt", { a: src, b: virtual, target });
      this.out.emit("BreakStmt", { index: 1 });
    });
    const outer = this.out.block(() => {
      this.out.emit("BlockStmt", { blocks: [inner] });
      this.out.emit("AssignVarStmt", { source: local(virtual), target });
    });
    this.out.emit("BlockStmt", { blocks: [outer] });
    this.ltarget = local(target);
    k();
  }

  // ---- rules ----------------------------------------------------------------

  /** Plans the function of a rule node (once per generation) and returns its name. */
  private nodeFunc(node: RuleNode): string {
    const key = node.path.join("\u0000");
    // A node on the path is a cycle even when it is planned already: after a
    // deferral the path holds nodes that were finished meanwhile.
    const cycle = this.onPath.has(key) ? this.path.findIndex((p) => p.key === key) : -1;
    const cached = cycle < 0 ? this.gen.funcs.get(key) : undefined;
    if (cached) return cached;
    const dotted = ["data", ...node.path].join(".");
    if (cycle >= 0) {
      // Like OPA, name every rule on the cycle, each with the cycle seen from it. Only the
      // MAX_ERRORS first by position can be reported, and each message names the whole
      // cycle: building them for all of a cycle through thousands of rules is quadratic.
      const members = this.path.slice(cycle).map((p) => p.key);
      const dottedPath = (p: string) => ["data", ...p.split("\u0000")].join(".");
      const names = members.map(dottedPath);
      const at = members.map((m) => {
        const rule = this.tree.node(m.split("\u0000"))?.allRules()[0];
        return rule ? toLocation(rule.loc) : undefined;
      });
      const recursionError = (i: number) => {
        const chain = [...names.slice(i), ...names.slice(0, i + 1)];
        return new RegoError("rego_recursion_error", `rule ${chain[0]} is recursive: ${chain.join(" -> ")}`, at[i]);
      };
      const reported = members
        .map((_, i) => i)
        .slice(1)
        .sort((a, b) => compareLocations(at[a], at[b]))
        .slice(0, MAX_ERRORS);
      for (const i of reported) this.errors.push(recursionError(i));
      throw recursionError(0);
    }
    const name = `g${this.gen.id}.${dotted}`;
    const nesting = 1 + this.out.depth;
    if (this.path.length > this.pathBase && this.planNesting + nesting > DEFERRED_NESTING) {
      this.deferred.push({ node, gen: this.gen, at: this.path[this.path.length - 1] });
      return name;
    }
    const outermost = this.path.length === 0;
    this.planNesting += nesting;
    this.path.push({ key, up: this.path[this.path.length - 1], depth: this.path.length + 1 });
    this.onPath.add(key);
    const saved = {
      vars: this.vars,
      lnext: this.lnext,
      dataRefs: this.dataRefs,
      ltarget: this.ltarget,
      loc: this.out.loc,
      curr: this.out.curr,
      depth: this.out.depth,
      captured: this.captured,
      hoisted: this.hoisted,
      improvedNegation: this.improvedNegation,
    };
    this.hoisted = new Map();
    this.out.depth = 0;
    try {
      const fn = this.planRules(node, name);
      this.funcs.push(fn);
      this.gen.funcs.set(key, name);
    } finally {
      this.planNesting -= nesting;
      this.path.pop();
      this.onPath.delete(key);
      this.vars = saved.vars;
      this.lnext = saved.lnext;
      this.dataRefs = saved.dataRefs;
      this.ltarget = saved.ltarget;
      this.out.loc = saved.loc;
      this.out.curr = saved.curr;
      this.out.depth = saved.depth;
      this.captured = saved.captured;
      this.hoisted = saved.hoisted;
      this.improvedNegation = saved.improvedNegation;
    }
    if (outermost) this.planDeferred();
    return name;
  }

  /** Plans the functions put off by nodeFunc, each in its generation and with its path; they may put off more. */
  private planDeferred(): void {
    const outer = this.gen;
    try {
      while (this.deferred.length > 0) {
        const { node, gen, at } = this.deferred.pop() as (typeof this.deferred)[number];
        this.gen = gen;
        this.moveTo(at);
        this.pathBase = this.path.length;
        this.collectingErrors(() => this.nodeFunc(node));
      }
    } finally {
      this.moveTo(undefined);
      this.pathBase = 0;
      this.gen = outer;
    }
  }

  /** Makes `at` the end of the path, changing only what differs (the functions put off share most of theirs). */
  private moveTo(at: PathNode | undefined): void {
    const add: PathNode[] = [];
    let n = at;
    while (n && this.path[n.depth - 1] !== n) {
      add.push(n);
      n = n.up;
    }
    const keep = n ? n.depth : 0;
    while (this.path.length > keep) this.onPath.delete((this.path.pop() as PathNode).key);
    for (let i = add.length - 1; i >= 0; i--) {
      const p = add[i] as PathNode;
      this.path.push(p);
      this.onPath.add(p.key);
    }
  }

  /**
   * Rules below an object-valued rule node (`p[x] := …` with `p.a.r := …`)
   * are planned into its function as ref-head rules, so their keys meet in
   * one object and clashes are conflicts, as in OPA.
   */
  private foldedRules(node: RuleNode): CompiledRule[] | undefined {
    if (!node.allRules().some((r) => r.suffix.length > 0)) return undefined;
    const below = node.descendantRules().filter((d) => d.rule.kind !== "function" && !this.isShadowed(d.rule.path));
    if (below.length === 0 || below.some((d) => d.rule.default)) return undefined;
    return below.map(({ rule, path }) => ({
      ...rule,
      suffix: [...path.map((p): Term => ({ type: "string", value: p, loc: rule.headLoc })), ...rule.suffix],
    }));
  }

  private planRules(node: RuleNode, name: string): Func {
    const folded = this.foldedRules(node) ?? [];
    // Deeper ref heads first: a path walk then only ever reuses objects other
    // walks created, so a shallower rule's value is never written into.
    const rules = [...node.rules, ...folded].sort((a, b) => b.suffix.length - a.suffix.length);
    const first = node.allRules()[0] as CompiledRule;
    const objectShaped = node.allRules().some((r) => r.suffix.length > 0);
    const kind = first.kind === "function" ? "function" : objectShaped ? "object" : first.kind === "multi" ? "set" : "complete";
    this.lnext = 0;
    this.dataRefs = new Set();
    const params = [this.newLocal(), this.newLocal()];
    for (let i = 0; i < node.arity; i++) params.push(this.newLocal());
    const captures: Operand[] = [];
    for (let i = 0; i < this.gen.captures; i++) {
      const l = this.newLocal();
      params.push(l);
      captures.push(local(l));
    }
    this.captured = captures;
    const ret = this.newLocal();
    const fn: Func = { name, params, return: ret, blocks: [], path: [`g${this.gen.id}`, ...node.path] };
    this.out.loc = first.headLoc;
    if (kind === "set") fn.blocks.push(this.out.block(() => this.out.emit("MakeSetStmt", { target: ret })));
    if (kind === "object") fn.blocks.push(this.out.block(() => this.out.emit("MakeObjectStmt", { target: ret })));
    const lresult = this.newLocal();
    const lfirst = this.lnext;
    const earlyExit = kind === "complete" && sameConstantValues(rules);
    for (const rule of rules) {
      const skipWhenDecided = earlyExit && rule !== rules[0];
      this.collectingErrors(() => {
        let blocks: Block[] = fn.blocks;
        let chain: Block[] | undefined;
        if (rule.else) {
          chain = [];
          blocks = chain;
        }
        for (let r: CompiledRule | undefined = rule, prev: CompiledRule | undefined; r; prev = r, r = r.else) {
          const current = r;
          const isElse = prev !== undefined;
          this.lnext = lfirst;
          this.vars = this.rootVars();
          this.out.loc = current.headLoc;
          this.improvedNegation = improvedNegation(current.module);
          blocks.push(
            this.out.block(() => {
              if (isElse) this.out.emit("IsUndefinedStmt", { source: lresult });
              else this.out.emit("ResetLocalStmt", { target: lresult });
              // Every rule gives the same constant: once one has succeeded the
              // others cannot change the value, and OPA does not evaluate them
              // (so their errors, even in strict mode, are never raised).
              if (skipWhenDecided) this.out.emit("IsUndefinedStmt", { source: ret });
              const bodyDepth = this.out.depth;
              this.planParams(params.slice(2, 2 + node.arity), current.args, 0, () =>
                this.planBody(current.body, 0, () =>
                  this.at(current.headLoc, () => {
                    this.planHead(current, kind, ret, lresult);
                    // A constant head can gain nothing from further solutions of
                    // this body: leave it (OPA's early exit).
                    if (this.out.depth > bodyDepth && hasConstantHead(current, kind))
                      this.out.emit("BreakStmt", { index: this.out.depth - bodyDepth });
                  }),
                ),
              );
            }),
          );
        }
        if (chain) fn.blocks.push(this.out.block(() => this.out.emit("BlockStmt", { blocks: chain as Block[] })));
        if (kind === "complete" || kind === "function") {
          this.out.loc = rule.headLoc;
          fn.blocks.push(
            this.out.block(() => {
              this.out.emit("IsDefinedStmt", { source: lresult });
              this.out.emit("AssignVarOnceStmt", { source: local(lresult), target: ret });
            }),
          );
        }
      });
    }
    const keyed = node.defaults.filter((d) => d.suffix.length > 0);
    for (const d of keyed) {
      // `default p[true] := v`: the key gets v when no other rule gave it one.
      this.lnext = lfirst;
      this.vars = this.rootVars();
      this.out.loc = d.headLoc;
      fn.blocks.push(
        this.out.block(() =>
          this.planTerm(d.suffix[0] as Term, () => {
            const key = this.ltarget;
            const found = this.newLocal();
            const probe = this.out.block(() => this.out.emit("DotStmt", { source: local(ret), key, target: found }));
            this.out.emit("NotStmt", { block: probe });
            this.planBody(d.body, 0, () =>
              this.at(d.headLoc, () =>
                this.planTerm(d.value as Term, () => this.out.emit("ObjectInsertStmt", { key, value: this.ltarget, object: ret })),
              ),
            );
          }),
        ),
      );
    }
    const unkeyed = node.defaults.filter((d) => d.suffix.length === 0);
    if (unkeyed.length > 1)
      this.fail(`multiple default rules ${["data", ...node.path].join(".")} found`, unkeyed[1]?.loc, "rego_type_error");
    const def = kind === "object" ? undefined : unkeyed[0];
    if (def) {
      this.lnext = lfirst;
      this.vars = this.rootVars();
      this.out.loc = def.headLoc;
      fn.blocks.push(
        this.out.block(() => {
          this.out.emit("IsUndefinedStmt", { source: ret });
          this.planBody(def.body, 0, () =>
            this.at(def.headLoc, () =>
              this.planTerm(def.value as Term, () => this.out.emit("AssignVarOnceStmt", { source: this.ltarget, target: ret })),
            ),
          );
        }),
      );
    }
    this.out.loc = first.headLoc;
    fn.blocks.push(this.out.block(() => this.out.emit("ReturnLocalStmt", { source: ret })));
    return fn;
  }

  private planParams(params: number[], args: Term[], i: number, k: K): void {
    if (i >= args.length) return k();
    this.planUnifyLocal(local(params[i] as number), args[i] as Term, () => this.planParams(params, args, i + 1, k));
  }

  /** What one successful rule body contributes to the function's result. */
  private planHead(rule: CompiledRule, kind: string, ret: number, lresult: number): void {
    if (kind === "complete" || kind === "function") {
      return this.planTerm(rule.value as Term, () => this.out.emit("AssignVarOnceStmt", { source: this.ltarget, target: lresult }));
    }
    if (kind === "set") {
      return this.planTerm(rule.key as Term, () => this.out.emit("SetAddStmt", { set: ret, value: this.ltarget }));
    }
    // `p[k] := xs[k].v`: the value's iteration binds the key, so it is planned first (OPA moves it into the body).
    const element = rule.kind === "single" ? rule.value : rule.key;
    if (element && rule.suffix.some((t) => !this.isBound(t))) {
      return this.planTerm(element, () => {
        this.hoisted.set(element, this.ltarget);
        try {
          this.planObjectPath(ret, rule, 0);
        } finally {
          this.hoisted.delete(element);
        }
      });
    }
    this.planObjectPath(ret, rule, 0);
  }

  /** Inserts a ref-head rule's value at its suffix inside the node's object (`p[x].y := v`). */
  private planObjectPath(obj: number, rule: CompiledRule, i: number): void {
    const last = i === rule.suffix.length - 1;
    this.planTerm(rule.suffix[i] as Term, () => {
      const key = this.ltarget;
      if (last && rule.kind === "single") {
        return this.planTerm(rule.value as Term, () => this.out.emit("ObjectInsertOnceStmt", { key, value: this.ltarget, object: obj }));
      }
      // An inner object (or, at the end of a multi-value rule, a set): reuse it or create it.
      const child = this.newLocal();
      const found = this.out.block(() => {
        this.out.emit("DotStmt", { source: local(obj), key, target: child });
        this.out.emit(last ? "IsSetStmt" : "IsObjectStmt", { source: local(child) });
        this.out.emit("BreakStmt", { index: 1 });
      });
      const lookupOrCreate = this.out.block(() => {
        this.out.emit("BlockStmt", { blocks: [found] });
        this.out.emit(last ? "MakeSetStmt" : "MakeObjectStmt", { target: child });
        this.out.emit("ObjectInsertOnceStmt", { key, value: local(child), object: obj });
      });
      this.out.emit("BlockStmt", { blocks: [lookupOrCreate] });
      if (last) return this.planTerm(rule.key as Term, () => this.out.emit("SetAddStmt", { set: child, value: this.ltarget }));
      this.planObjectPath(child, rule, i + 1);
    });
  }

  // ---- straight-line planning -------------------------------------------------
  //
  // Most expressions and terms plan as straight-line code: their statements go
  // into the current block and their continuation runs once, at the end, with
  // nothing after it. Those are planned in loops (bodies, term lists, refs) and,
  // when deeply nested (`1 + 1 + … + 1`), children before parents from an
  // explicit stack, so the planner's stack depth does not grow with the size of
  // a body, a literal or a ref. Everything else (iteration, `with`, refs into
  // rules with variables) keeps the continuation-passing form. Each use checks
  // that the continuation really ran as straight-line code.

  /** Operands of terms planned ahead of their parents (see planStraightTerm). */
  private precomputed = new Map<Term, Operand>();
  /** State recorded by `reached`, the continuation of a straight-line plan. */
  private reachedCount = 0;
  private reachedBlock: unknown = null;
  private reachedLength = 0;
  private reachedScopes = 0;
  private readonly reached: K = () => {
    this.reachedCount++;
    this.reachedBlock = this.out.curr;
    this.reachedLength = this.out.curr.length;
    this.reachedScopes = this.vars.length;
  };

  private takePrecomputed(t: Term): Operand | undefined {
    if (this.precomputed.size === 0) return undefined;
    const o = this.precomputed.get(t);
    if (o) this.precomputed.delete(t);
    return o;
  }

  /**
   * Runs `plan` with `this.reached` as its continuation; true when that ran
   * (false: what follows is unreachable and must not be planned).
   */
  private straight(plan: () => void): boolean {
    const saved = [this.reachedCount, this.reachedBlock, this.reachedLength, this.reachedScopes] as const;
    this.reachedCount = 0;
    const scopes = this.vars.length;
    try {
      plan();
      if (this.reachedCount === 0) return false;
      if (
        this.reachedCount > 1 ||
        this.reachedBlock !== this.out.curr ||
        this.reachedLength !== this.out.curr.length ||
        this.reachedScopes !== scopes ||
        this.vars.length !== scopes
      )
        throw new Error("internal planner error: a construct planned as straight-line code was not");
      return true;
    } finally {
      [this.reachedCount, this.reachedBlock, this.reachedLength, this.reachedScopes] = saved;
    }
  }

  private planStraightExpr(e: Expr): boolean {
    return this.straight(() => this.at(e.loc, () => this.planExpr(e, this.reached)));
  }

  /**
   * Plans a straight-line term and returns its operand (undefined when its
   * value cannot exist). A deep term has its composite parts planned first,
   * innermost first, from an explicit stack; planning the term itself then
   * finds them precomputed.
   */
  private planStraightTerm(t: Term): Operand | undefined {
    const ahead: Term[] = [];
    if (this.termHeight(t) > STRAIGHT_NESTING) {
      const stack: Term[] = [t];
      while (stack.length > 0) {
        const x = stack.pop() as Term;
        if (this.precomputed.has(x) || this.hoisted.has(x)) continue;
        ahead.push(x);
        for (const c of precomputableParts(x)) stack.push(c);
      }
      ahead.reverse().pop(); // children before parents, left to right; t itself last
    }
    try {
      for (const x of ahead) {
        if (!this.straight(() => this.planTerm(x, this.reached))) return undefined;
        this.precomputed.set(x, this.ltarget);
      }
      return this.straight(() => this.planTerm(t, this.reached)) ? this.ltarget : undefined;
    } finally {
      for (const x of ahead) this.precomputed.delete(x);
    }
  }

  /** Nesting height of a term (closures count as leaves), without recursion. */
  private termHeight(t: Term): number {
    let max = 0;
    const stack: [Term, number][] = [[t, 1]];
    while (stack.length > 0) {
      const [x, h] = stack.pop() as [Term, number];
      if (h > max) max = h;
      if (this.precomputed.has(x) || this.hoisted.has(x)) continue;
      for (const c of precomputableParts(x)) stack.push([c, h + 1]);
    }
    return max;
  }

  /**
   * Whether planning `t` is straight-line code: no iteration (refs over
   * unbound variables, relations such as walk), and refs into data only where
   * they follow constant keys through the rule tree. Closures plan their
   * bodies in blocks of their own and count as straight-line.
   */
  private isStraightTerm(t: Term): boolean {
    const stack: Term[] = [t];
    while (stack.length > 0) {
      const x = stack.pop() as Term;
      if (this.hoisted.has(x) || this.precomputed.has(x)) continue;
      switch (x.type) {
        case "null":
        case "boolean":
        case "number":
        case "string":
        case "var":
        case "arraycomprehension":
        case "setcomprehension":
        case "objectcomprehension":
        case "templatestring":
          continue;
        case "array":
        case "set":
          for (const c of x.value) stack.push(c);
          continue;
        case "object":
          for (const [k, v] of x.value) stack.push(k, v);
          continue;
        case "call": {
          const op = refName(x.value[0] as Term);
          if (op === undefined || RELATIONS.has(op)) return false;
          for (let i = 1; i < x.value.length; i++) stack.push(x.value[i] as Term);
          continue;
        }
        case "ref": {
          const parts = x.value;
          const head = parts[0] as Term;
          let from = 1;
          if (head.type === "var" && head.value === "data") {
            from = this.straightDataRefFrom(parts);
            if (from < 0) return false;
          } else if (head.type !== "var") stack.push(head);
          for (let i = from; i < parts.length; i++) {
            const p = parts[i] as Term;
            if (!this.isBound(p)) return false;
            stack.push(p);
          }
          continue;
        }
        default:
          return false;
      }
    }
    return true;
  }

  /**
   * For a ref into data, as planRefData walks it: the index from which its
   * parts are plain lookups, or -1 when a variable meets rules (which plans
   * alternatives in blocks of their own).
   */
  private straightDataRefFrom(parts: Term[]): number {
    let node = this.tree.root;
    for (let i = 1; ; i++) {
      if (!node.isVirtual || this.isShadowed(node.path)) return 1;
      if (i >= parts.length) return parts.length;
      const p = parts[i] as Term;
      if (p.type === "string") {
        const child = node.child(p.value);
        if (!child?.isVirtual || this.isShadowed(child.path)) return 1;
        if (child.hasRules) return child.isFunction ? -1 : i + 1;
        node = child;
        continue;
      }
      return isScalar(p) ? 1 : -1;
    }
  }

  /** Whether planning the expression is straight-line code (see isStraightTerm). */
  private isStraightExpr(e: Expr): boolean {
    if (e.with && e.with.length > 0) return false;
    // A negation is, and so are the calls it moves out in front of itself when they are.
    if (e.negated) return this.improvedNegation || nestedCalls(e.terms).every((c) => this.isStraightTerm(c));
    const t = e.terms;
    if (isSomeDecl(t)) return !t.symbols.some((s) => s.type === "call");
    if (isEvery(t)) return this.isStraightTerm(t.domain);
    if (isLogical(t)) return true;
    if (this.mayIterate(e)) return false;
    if (!isCall(t)) return this.isStraightTerm(t);
    const op = refName(t[0] as Term);
    if (op === undefined || RELATIONS.has(op) || this.mockFor(op)) return false;
    const args = t.slice(1);
    if (op === "eq" || op === "assign") return args.length === 2 && this.unifiesStraight(args[0] as Term, args[1] as Term);
    if ((op === "equal" || op === "neq") && args.length === 2) return args.every((a) => this.isStraightTerm(a));
    let arity: number;
    try {
      arity = this.arityOf(op, t[0] as Term);
    } catch {
      return false;
    }
    if (args.length !== arity && args.length !== arity + 1) return false;
    for (let i = 0; i < arity; i++) if (!this.isStraightTerm(args[i] as Term)) return false;
    return args.length === arity || this.unifiesLocalStraight(args[arity] as Term);
  }

  /** planUnify(a, b) is straight-line code. */
  private unifiesStraight(a: Term, b: Term): boolean {
    switch (a.type) {
      case "var":
        if (this.lookup(a.value) !== undefined) return this.unifiesLocalStraight(b);
        return !(b.type === "var" && this.lookup(b.value) === undefined) && this.isStraightTerm(b);
      case "array":
        if (b.type === "var") return this.unifiesStraight(b, a);
        if (b.type === "array")
          return a.value.length === b.value.length && a.value.every((x, i) => this.unifiesStraight(x, b.value[i] as Term));
        return isValueTerm(b) && this.isStraightTerm(b) && this.unifiesLocalStraight(a);
      case "object":
        if (b.type === "var") return this.unifiesStraight(b, a);
        return b.type !== "object" && isValueTerm(b) && this.isStraightTerm(b) && this.unifiesLocalStraight(a);
      default:
        return this.isStraightTerm(a) && this.unifiesLocalStraight(b);
    }
  }

  /** planUnifyLocal(_, b) is straight-line code. */
  private unifiesLocalStraight(b: Term): boolean {
    switch (b.type) {
      case "var":
        return true;
      case "array":
        return b.value.every((x) => this.unifiesLocalStraight(x));
      case "object":
        return b.value.every(([k, v]) => this.isStraightTerm(k) && this.unifiesLocalStraight(v));
      default:
        return this.isStraightTerm(b);
    }
  }
}

/** The head's contribution is the same for every solution of the body. */
/** Complete rules, without `else`, whose values are all the same constant. */
function sameConstantValues(rules: CompiledRule[]): boolean {
  let first: string | undefined;
  for (const r of rules) {
    if (r.else || !r.value) return false;
    const v = groundValue(r.value);
    if (v === undefined) return false;
    const text = termString(v);
    if (first === undefined) first = text;
    else if (text !== first) return false;
  }
  return rules.length > 1;
}

function hasConstantHead(rule: CompiledRule, kind: string): boolean {
  if (kind === "object") {
    // A ground ref head (`c["a"].b := 1`) is a document of its own to OPA, early exit included.
    if (!rule.suffix.every((t) => groundValue(t) !== undefined)) return false;
    const t = rule.kind === "single" ? rule.value : rule.kind === "multi" ? rule.key : undefined;
    return t !== undefined && groundValue(t) !== undefined;
  }
  const t = kind === "set" ? rule.key : kind === "complete" || kind === "function" ? rule.value : undefined;
  return t !== undefined && groundValue(t) !== undefined;
}

/** The parts of a term that planTerm plans as terms of their own and that may be planned ahead of it. */
function precomputableParts(t: Term): Term[] {
  switch (t.type) {
    case "array":
    case "set":
      return t.value.filter(isComposite);
    case "object":
      return t.value.flat().filter(isComposite);
    case "call":
      return t.value.slice(1).filter(isComposite);
    case "ref": {
      const head = t.value[0] as Term;
      if (head.type === "var" && head.value === "data") return [];
      return (head.type === "var" ? t.value.slice(1) : t.value).filter(isComposite);
    }
    default:
      return [];
  }
}

function isComposite(t: Term): boolean {
  if (t.type === "ref") {
    const head = t.value[0] as Term;
    return !(head.type === "var" && head.value === "data");
  }
  return t.type === "array" || t.type === "set" || t.type === "object" || t.type === "call";
}

function isScalar(t: Term): boolean {
  return t.type === "number" || t.type === "boolean" || t.type === "null";
}

function toLocation(l: Loc): Location {
  return { file: l.file, row: l.row, col: l.col };
}

/** Source order; no location sorts last (as the pipeline lists errors). */
function compareLocations(a: Location | undefined, b: Location | undefined): number {
  if (!a || !b) return (a ? 0 : 1) - (b ? 0 : 1);
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.row - b.row || a.col - b.col;
}

/** Terms whose value can be computed (not patterns). */
function isValueTerm(t: Term): boolean {
  return t.type !== "array" && t.type !== "object" && t.type !== "var";
}

/**
 * The outermost calls nested in an expression's operands (inside refs and collection
 * literals, not inside closures or template strings), left to right. OPA's compiler takes
 * every nested call out of a negated expression, innermost first; moving the outermost ones
 * out whole does the same (their inner calls still run before them, and before the `not`)
 * and keeps a long operator chain one term. From an explicit stack: refs and literals nest
 * as deep as they are written.
 */
function nestedCalls(terms: Expr["terms"]): Term[] {
  if (!isCall(terms) && (isEvery(terms) || isSomeDecl(terms) || isLogical(terms))) return [];
  const roots = isCall(terms) ? terms.slice(1) : terms.type === "call" ? terms.value.slice(1) : [terms];
  const out: Term[] = [];
  const stack: Term[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push(roots[i] as Term);
  while (stack.length > 0) {
    const t = stack.pop() as Term;
    if (t.type === "call") out.push(t);
    else if (t.type !== "templatestring") pushOperands(stack, t);
  }
  return out;
}

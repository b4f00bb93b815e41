/**
 * Safety: every variable must be bound before it is used. An expression's
 * inputs are the variables it needs bound; its outputs are the variables it
 * binds (by unification, by iterating a ref, or as a call's output argument).
 * Bodies are reordered as OPA does: repeatedly take the first expression whose
 * inputs are all safe. What cannot be scheduled is reported as unsafe.
 */
import type { RegoErrorInfo } from "../errors.js";
import type { Body, CallTerm, Every, Expr, Loc, Logical, Term } from "../syntax/ast.js";
import { callSpine, isCall, isEvery, isLogical, isSomeDecl, pushOperands, walkExpr, walkTerm } from "../syntax/walk.js";
import { refName, ROOTS } from "./names.js";
import type { NameSource } from "./scope.js";
import type { CompiledRule } from "./types.js";

export interface SafetyContext {
  errors: RegoErrorInfo[];
  names: NameSource;
  closureLocals: WeakMap<object, Set<string>>;
  /** number of declared arguments of a function operator, if known */
  arity(operator: string): number | undefined;
}

type Closure = Extract<Term, { type: "arraycomprehension" | "setcomprehension" | "objectcomprehension" }>;

interface ExprVars {
  inputs: Set<string>;
  outputs: Set<string>;
  /** first occurrence of each variable, for error locations */
  where: Map<string, Loc>;
}

const WILDCARD_PREFIX = "_$";

/**
 * After resolution every variable has a unique name containing `$`; a name
 * without one is a root (`input`, `data`) or a built-in's name (`with f as count`).
 */
function isVariable(name: string): boolean {
  return name.includes("$");
}

export class Safety {
  constructor(private readonly ctx: SafetyContext) {}

  checkRule(rule: CompiledRule): void {
    const safe = new Set<string>();
    for (const a of rule.args) for (const v of patternVars(a)) safe.add(v);
    rule.body = this.reorder(rule.body, safe);
    const head: Term[] = [...rule.suffix];
    if (rule.key) head.push(rule.key);
    if (rule.value) head.push(rule.value);
    const unsafe = new Map<string, Loc>();
    // Refs in a head may iterate (`q := xs[_]`), binding what they iterate over for the
    // whole head (`p[k] := xs[k].v`, as OPA moves such a ref into the body): only plain inputs must be bound.
    const vars = head.map((t) => this.termVars(t, safe));
    const bound = new Extended(safe);
    for (const v of vars) for (const o of v.outputs) bound.add(o);
    vars.forEach((v, i) => {
      for (const x of v.inputs) if (!bound.has(x) && !unsafe.has(x)) unsafe.set(x, v.where.get(x) as Loc);
      this.reorderClosures(head[i] as Term, safe);
    });
    this.reportUnsafe(unsafe);
    if (rule.else) this.checkRule(rule.else);
  }

  /** Reorders a body so each expression's inputs are bound first; `safe` grows with the outputs. */
  reorder(body: Body, safe: Set<string>): Body {
    this.someOnlyInClosures(body);
    // The expressions still to place, last first: the one usually picked is
    // then taken off the end (removing from the front would be quadratic).
    const pending = [...body].reverse();
    const out: Body = [];
    while (pending.length > 0) {
      let picked = -1;
      let vars: ExprVars | undefined;
      for (let i = pending.length - 1; i >= 0; i--) {
        const v = this.exprVars(pending[i] as Expr, safe, pending);
        if ([...v.inputs].every((x) => safe.has(x))) {
          picked = i;
          vars = v;
          break;
        }
      }
      if (picked < 0) {
        const unsafe = new Map<string, Loc>();
        const rest = pending.reverse();
        for (const e of rest) {
          const v = this.exprVars(e, safe, rest);
          for (const x of v.inputs) if (!safe.has(x) && !unsafe.has(x)) unsafe.set(x, v.where.get(x) as Loc);
        }
        this.reportUnsafe(unsafe);
        return [...out, ...rest];
      }
      const e = (picked === pending.length - 1 ? pending.pop() : pending.splice(picked, 1)[0]) as Expr;
      this.reorderClosuresInExpr(e, safe);
      for (const x of (vars as ExprVars).outputs) safe.add(x);
      out.push(e);
    }
    return out.map((e, i) => (e.index === i ? e : { ...e, index: i }));
  }

  /**
   * `some i` whose `i` the body uses only inside comprehensions: OPA drops
   * the declaration once names are resolved, so each comprehension binds `i`
   * itself. The variable becomes a local of every comprehension that uses it.
   */
  private someOnlyInClosures(body: Body): void {
    const declared = new Set<string>();
    for (const e of body)
      if (isSomeDecl(e.terms)) for (const s of e.terms.symbols) if (s.type === "var" && isVariable(s.value)) declared.add(s.value);
    if (declared.size === 0) return;
    const outside = new Set<string>();
    for (const e of body) {
      if (isSomeDecl(e.terms) && e.terms.symbols.every((s) => s.type === "var")) continue;
      walkExpr(
        e,
        (x) => {
          if (x.type === "var") outside.add(x.value);
        },
        false,
      );
    }
    const closureOnly = [...declared].filter((v) => !outside.has(v));
    if (closureOnly.length === 0) return;
    for (const e of body)
      walkExpr(e, (x) => {
        if (x.type !== "arraycomprehension" && x.type !== "setcomprehension" && x.type !== "objectcomprehension") return true;
        const used = new Set<string>();
        walkTerm(x, (y) => {
          if (y.type === "var") used.add(y.value);
        });
        let locals = this.ctx.closureLocals.get(x);
        if (!locals) this.ctx.closureLocals.set(x, (locals = new Set()));
        for (const v of closureOnly) if (used.has(v)) locals.add(v);
        return false;
      });
  }

  private reportUnsafe(unsafe: Map<string, Loc>): void {
    for (const [v, loc] of unsafe) {
      if (v.startsWith(WILDCARD_PREFIX)) continue;
      this.ctx.errors.push({
        code: "rego_unsafe_var_error",
        message: `var ${this.ctx.names.original(v)} is unsafe`,
        location: { file: loc.file, row: loc.row, col: loc.col },
      });
    }
    if ([...unsafe.keys()].length > 0 && [...unsafe.keys()].every((v) => v.startsWith(WILDCARD_PREFIX))) {
      const loc = [...unsafe.values()][0] as Loc;
      this.ctx.errors.push({
        code: "rego_unsafe_var_error",
        message: "var _ is unsafe",
        location: { file: loc.file, row: loc.row, col: loc.col },
      });
    }
  }

  /** Once an expression is placed, its closures are ordered with what is safe at that point. */
  private reorderClosuresInExpr(e: Expr, safe: Set<string>): void {
    const t = e.terms;
    if (isLogical(t)) {
      // An explicit body is ordered on its own, with what is safe here; an implicit operand is part of this expression.
      t.operands = t.operands.map((b, i) => {
        if (t.explicit[i]) return this.reorder(b, new Set(safe));
        for (const x of b) this.reorderClosuresInExpr(x, safe);
        return b;
      });
      for (const w of e.with ?? []) this.reorderClosures(w.value, safe);
      return;
    }
    if (isEvery(t)) {
      this.reorderClosures(t.domain, safe);
      const inner = new Set(safe);
      if (t.key) for (const v of patternVars(t.key)) inner.add(v);
      for (const v of patternVars(t.value)) inner.add(v);
      t.body = this.reorder(t.body, inner);
      return;
    }
    const terms = isCall(t) ? t.slice(1) : isSomeDecl(t) ? t.symbols : [t];
    for (const x of terms) this.reorderClosures(x, safe);
    for (const w of e.with ?? []) this.reorderClosures(w.value, safe);
  }

  private reorderClosures(t: Term, safe: Set<string>): void {
    // Runs for every term of every placed expression: scalars answer at once, and the
    // closures are found in walk order with an explicit stack rather than a callback walk.
    switch (t.type) {
      case "null":
      case "boolean":
      case "number":
      case "string":
      case "var":
        return;
    }
    const stack: Term[] = [t];
    for (let x = stack.pop(); x !== undefined; x = stack.pop()) {
      switch (x.type) {
        case "arraycomprehension":
        case "setcomprehension":
        case "objectcomprehension":
          this.reorderClosure(x, safe);
          break;
        default:
          pushOperands(stack, x);
      }
    }
  }

  private reorderClosure(x: Closure, safe: Set<string>): void {
    const inner = new Set(safe);
    x.value.body = this.reorder(x.value.body, inner);
    const head = x.type === "objectcomprehension" ? [x.value.key, x.value.value] : [x.value.term];
    const unsafe = new Map<string, Loc>();
    for (const h of head) {
      const v = this.termVars(h, inner);
      for (const y of v.inputs) if (!inner.has(y) && !unsafe.has(y)) unsafe.set(y, v.where.get(y) as Loc);
      this.reorderClosures(h, inner);
    }
    this.reportUnsafe(unsafe);
  }

  /** Inputs and outputs of one expression, given what is safe. */
  private exprVars(e: Expr, safe: Set<string>, pending: Body): ExprVars {
    const acc: ExprVars = { inputs: new Set(), outputs: new Set(), where: new Map() };
    const t = e.terms;
    // A logical expression binds nothing outside, as a negation does.
    if (e.negated || isLogical(t)) {
      this.collect(t, safe, acc);
      // Wildcards used only inside a negation are iterated inside it.
      for (const v of acc.outputs) if (!v.startsWith(WILDCARD_PREFIX) || usedElsewhere(v, e, pending)) acc.inputs.add(v);
      acc.outputs.clear();
    } else if (isSomeDecl(t)) {
      for (const s of t.symbols) {
        if (s.type !== "call") continue;
        const args = s.value.slice(1);
        const coll = args[args.length - 1] as Term;
        this.termInto(coll, safe, acc);
        for (const p of args.slice(0, -1)) this.patternInto(p, safe, acc);
      }
    } else if (isEvery(t)) {
      this.termInto(t.domain, safe, acc);
      this.closureInto(t, t.body, safe, acc);
    } else if (isCall(t)) {
      const op = refName(t[0] as Term) ?? "";
      const args = t.slice(1);
      if (op === "eq" || op === "assign") this.unifyInto(args[0] as Term, args[1] as Term, safe, acc);
      else {
        const arity = this.ctx.arity(op);
        const hasOutput = arity !== undefined && args.length === arity + 1;
        const ins = hasOutput ? args.slice(0, -1) : args;
        for (const a of ins) this.termInto(a, safe, acc);
        if (hasOutput) {
          const allIn = [...acc.inputs].every((x) => safe.has(x));
          if (allIn) this.patternInto(args[args.length - 1] as Term, safe, acc);
          else this.termInto(args[args.length - 1] as Term, safe, acc);
        }
      }
    } else {
      this.termInto(t, safe, acc);
    }
    for (const w of e.with ?? []) {
      // A with value that iterates (`with input as [a[i]]`) binds its ref
      // variables, as OPA hoists such a value into an assignment before the expression.
      const v = this.termVars(w.value, safe);
      for (const x of v.inputs) note(acc, x, v.where.get(x) as Loc, true);
      for (const x of v.outputs) if (!acc.inputs.has(x)) note(acc, x, v.where.get(x) as Loc, false, true);
    }
    for (const o of acc.outputs) acc.inputs.delete(o);
    return acc;
  }

  private collect(t: Expr["terms"], safe: Set<string>, acc: ExprVars): void {
    if (isCall(t)) t.slice(1).forEach((x) => this.termInto(x, safe, acc));
    else if (isSomeDecl(t)) t.symbols.forEach((x) => this.termInto(x, safe, acc));
    else if (isEvery(t)) {
      this.termInto(t.domain, safe, acc);
      this.closureInto(t, t.body, safe, acc);
    } else if (isLogical(t)) {
      t.operands.forEach((b, i) => {
        if (t.explicit[i]) return this.closureInto(t, b, safe, acc);
        for (const x of b) {
          this.collect(x.terms, safe, acc);
          for (const w of x.with ?? []) this.termInto(w.value, safe, acc);
        }
      });
    } else this.termInto(t, safe, acc);
  }

  termVars(t: Term, safe: Set<string>): ExprVars {
    const acc: ExprVars = { inputs: new Set(), outputs: new Set(), where: new Map() };
    this.termInto(t, safe, acc);
    for (const o of acc.outputs) acc.inputs.delete(o);
    return acc;
  }

  /**
   * Variables of a term used as a value: plain vars are inputs; vars inside the
   * brackets of a ref whose head is available are outputs (the ref iterates).
   */
  private termInto(t: Term, safe: Set<string>, acc: ExprVars): void {
    switch (t.type) {
      case "var":
        if (isVariable(t.value)) note(acc, t.value, t.loc, !safe.has(t.value));
        return;
      case "ref": {
        const [head, ...rest] = t.value;
        const h = head as Term;
        let available = true;
        if (h.type === "var") {
          if (isVariable(h.value) && !safe.has(h.value)) {
            note(acc, h.value, h.loc, true);
            available = false;
          }
        } else this.termInto(h, safe, acc);
        for (const p of rest) {
          if (available) this.patternInto(p, safe, acc);
          else this.termInto(p, safe, acc);
        }
        return;
      }
      case "array":
      case "set":
      case "templatestring":
        t.value.forEach((x) => this.termInto(x, safe, acc));
        return;
      case "object":
        for (const [k, v] of t.value) {
          this.termInto(k, safe, acc);
          this.termInto(v, safe, acc);
        }
        return;
      case "call": {
        // Innermost call's arguments first, then each outer call's others.
        const spine = callSpine(t);
        for (let i = spine.length - 1; i >= 0; i--) {
          const args = (spine[i] as CallTerm).value;
          for (let j = i === spine.length - 1 ? 1 : 2; j < args.length; j++) this.termInto(args[j] as Term, safe, acc);
        }
        return;
      }
      case "arraycomprehension":
      case "setcomprehension":
      case "objectcomprehension":
        this.closureInto(t, t.value.body, safe, acc, t.type === "objectcomprehension" ? [t.value.key, t.value.value] : [t.value.term]);
        return;
      default:
        return;
    }
  }

  /** A pattern (unified with a known value): its plain vars become outputs. */
  private patternInto(t: Term, safe: Set<string>, acc: ExprVars): void {
    switch (t.type) {
      case "var":
        if (isVariable(t.value)) note(acc, t.value, t.loc, false, !safe.has(t.value));
        return;
      case "array":
        t.value.forEach((x) => this.patternInto(x, safe, acc));
        return;
      case "object":
        for (const [k, v] of t.value) {
          this.termInto(k, safe, acc);
          this.patternInto(v, safe, acc);
        }
        return;
      default:
        this.termInto(t, safe, acc);
    }
  }

  /** The variables a closure needs from outside: those it uses but does not declare. */
  private closureInto(node: Closure | Every | Logical, body: Body, safe: Set<string>, acc: ExprVars, head: Term[] = []): void {
    const free = new Map<string, Loc>();
    const visit = (t: Term) =>
      walkTerm(t, (x) => {
        if (x.type === "var" && !ROOTS.has(x.value) && !free.has(x.value)) free.set(x.value, x.loc);
      });
    for (const h of head) visit(h);
    if (node.type === "every") {
      if (node.key) visit(node.key);
      visit(node.value);
    }
    for (const e of body) visitExpr(e, visit);
    const locals = this.allLocals(node);
    for (const [v, loc] of free) if (!locals.has(v)) note(acc, v, loc, !safe.has(v));
  }

  /** Variables declared by a closure and every closure nested in it. */
  private allLocals(node: object): Set<string> {
    const out = new Set<string>(this.ctx.closureLocals.get(node) ?? []);
    const add = (t: Term) =>
      walkTerm(t, (x) => {
        const own = this.ctx.closureLocals.get(x);
        if (own) for (const v of own) out.add(v);
      });
    const n = node as Closure | Every | Logical;
    if (n.type === "every") n.body.forEach((e) => visitExpr(e, add, this.ctx.closureLocals, out));
    else if (n.type === "logical") for (const b of n.operands) b.forEach((e) => visitExpr(e, add, this.ctx.closureLocals, out));
    else {
      if (n.type === "objectcomprehension") {
        add(n.value.key);
        add(n.value.value);
      } else add(n.value.term);
      n.value.body.forEach((e) => visitExpr(e, add, this.ctx.closureLocals, out));
    }
    // Wildcards inside are always local.
    return out;
  }

  /** Unification `a = b`: refs iterate; a side whose vars are known binds the vars of the other. */
  private unifyInto(a: Term, b: Term, safe: Set<string>, acc: ExprVars): void {
    const known = new Extended(safe);
    const refOut: ExprVars = { inputs: new Set(), outputs: new Set(), where: acc.where };
    collectRefOutputs(a, safe, refOut, this);
    collectRefOutputs(b, safe, refOut, this);
    for (const o of refOut.outputs) known.add(o);
    const computable = (t: Term) => [...this.termVars(t, known).inputs].every((v) => known.has(v));
    for (let changed = true; changed; ) changed = unify(a, b, known, computable);
    const all: ExprVars = { inputs: new Set(), outputs: new Set(), where: acc.where };
    this.termInto(a, safe, all);
    this.termInto(b, safe, all);
    for (const v of [...all.inputs, ...all.outputs]) {
      if (known.has(v) && !safe.has(v)) acc.outputs.add(v);
      else if (!safe.has(v)) acc.inputs.add(v);
    }
  }
}

/**
 * A set that also has what `base` has, without copying it: the safe set of a
 * long body grows with it, and copying it per expression would be quadratic.
 */
class Extended extends Set<string> {
  constructor(private readonly base: ReadonlySet<string>) {
    super();
  }

  override has(v: string): boolean {
    return super.has(v) || this.base.has(v);
  }
}

function visitExpr(e: Expr, visit: (t: Term) => void, locals?: WeakMap<object, Set<string>>, out?: Set<string>): void {
  const t = e.terms;
  if (isCall(t)) t.slice(1).forEach(visit);
  else if (isSomeDecl(t)) t.symbols.forEach(visit);
  else if (isEvery(t)) {
    if (locals && out) for (const v of locals.get(t) ?? []) out.add(v);
    visit(t.domain);
    if (t.key) visit(t.key);
    visit(t.value);
    t.body.forEach((x) => visitExpr(x, visit, locals, out));
  } else if (isLogical(t)) {
    if (locals && out) for (const v of locals.get(t) ?? []) out.add(v);
    for (const b of t.operands) b.forEach((x) => visitExpr(x, visit, locals, out));
  } else visit(t);
  for (const w of e.with ?? []) visit(w.value);
}

function note(acc: ExprVars, v: string, loc: Loc, input: boolean, output = false): void {
  if (!acc.where.has(v)) acc.where.set(v, loc);
  if (input) acc.inputs.add(v);
  if (output) acc.outputs.add(v);
}

function collectRefOutputs(t: Term, safe: Set<string>, acc: ExprVars, s: Safety): void {
  walkTerm(
    t,
    (x) => {
      if (x.type === "ref") {
        const v = s.termVars(x, safe);
        for (const o of v.outputs) acc.outputs.add(o);
        return false;
      }
      // walkTerm goes on into a call's arguments (not its operator) itself.
      return true;
    },
    false,
  );
}

/** One round of unification; returns true if it bound something new. */
function unify(a: Term, b: Term, known: Set<string>, computable: (t: Term) => boolean): boolean {
  if (a.type === "var" && !ROOTS.has(a.value) && !known.has(a.value)) {
    if (computable(b)) {
      known.add(a.value);
      return true;
    }
    return false;
  }
  if (b.type === "var" && !ROOTS.has(b.value) && !known.has(b.value)) return unify(b, a, known, computable);
  if (a.type === "array" && b.type === "array" && a.value.length === b.value.length) {
    let changed = false;
    for (let i = 0; i < a.value.length; i++) changed = unify(a.value[i] as Term, b.value[i] as Term, known, computable) || changed;
    return changed;
  }
  if (a.type === "object" && b.type === "object") {
    let changed = false;
    let paired = true;
    for (const [ka, va] of a.value) {
      const kb = b.value.find(([k]) => sameKey(k, ka));
      if (kb) changed = unify(va, kb[1], known, computable) || changed;
      else paired = false;
    }
    // Keys that only match at run time (`{k: v} = {"a": 1}`): as in OPA, key
    // variables are never outputs; once they are bound, a side that is a value
    // binds the patterns of the other side's values.
    if (!paired && a.value.length === b.value.length) {
      const keysKnown = [...a.value, ...b.value].every(([k]) => computable(k));
      if (keysKnown && computable(b)) for (const [, v] of a.value) changed = bindAll(v, known) || changed;
      else if (keysKnown && computable(a)) for (const [, v] of b.value) changed = bindAll(v, known) || changed;
    }
    return changed;
  }
  // A pattern against a computable value: every var in the pattern gets bound.
  const bindPattern = (pattern: Term) => {
    let changed = false;
    for (const v of patternVars(pattern))
      if (!known.has(v)) {
        known.add(v);
        changed = true;
      }
    return changed;
  };
  if ((a.type === "array" || a.type === "object") && b.type !== "array" && b.type !== "object" && computable(b)) return bindPattern(a);
  if ((b.type === "array" || b.type === "object") && a.type !== "array" && a.type !== "object" && computable(a)) return bindPattern(b);
  return false;
}

function bindAll(pattern: Term, known: Set<string>): boolean {
  let changed = false;
  for (const v of patternVars(pattern))
    if (!known.has(v)) {
      known.add(v);
      changed = true;
    }
  return changed;
}

export function sameKey(a: Term, b: Term): boolean {
  if (a.type === "var") return b.type === "var" && a.value === b.value;
  return (
    (a.type === "string" || a.type === "number" || a.type === "boolean" || a.type === "null") &&
    a.type === b.type &&
    String(a.value) === String(b.value)
  );
}

/**
 * Plain variables of a pattern (not inside refs or calls, which are values).
 * Object keys are not matched, only looked up (OPA walks object values only),
 * so their variables are never bound by the pattern.
 */
export function patternVars(t: Term): string[] {
  const out: string[] = [];
  const visit = (x: Term): void => {
    if (x.type === "var") {
      if (!ROOTS.has(x.value)) out.push(x.value);
    } else if (x.type === "array") x.value.forEach(visit);
    else if (x.type === "object") for (const [, v] of x.value) visit(v);
  };
  visit(t);
  return out;
}

function usedElsewhere(v: string, e: Expr, body: Body): boolean {
  for (const other of body) {
    if (other === e) continue;
    let found = false;
    const check = (t: Term) =>
      walkTerm(t, (x) => {
        if (x.type === "var" && x.value === v) found = true;
        return !found;
      });
    visitExpr(other, check);
    if (found) return true;
  }
  return false;
}

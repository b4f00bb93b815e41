/**
 * Name resolution for one rule: renames variables to names unique within the
 * rule (see ./scope.ts), turns references to rules of the package and to
 * imports into `data`/`input` refs, and resolves call operators to a
 * built-in name or the data path of a user function.
 */
import type { RegoErrorInfo } from "../errors.js";
import type { Annotations, Body, CallTerm, Expr, Head, Import, Loc, Logical, Module, RefTerm, Rule, Term, With } from "../syntax/ast.js";
import { termOf } from "../syntax/value.js";
import { fromJS, type Value } from "../value/index.js";
import { isCall, isEvery, isLogical, isSomeDecl, walkExpr, walkTerm } from "../syntax/walk.js";
import { BUILTIN_DECLS, DEPRECATED_BUILTINS, FORBIDDEN_BUILTINS } from "../builtins/index.js";
import { dataRef, operatorRef, refName, ROOTS, v1Checks } from "./names.js";
import { type NameSource, Scope, WILDCARD } from "./scope.js";
import type { CompiledRule } from "./types.js";

/** What the names of one module can refer to. */
export interface ModuleContext {
  module: Module;
  /** package path without `data` */
  pkg: string[];
  /** import alias → the ref it stands for */
  imports: Map<string, RefTerm>;
  /** first segments of the rule heads of this package (across all its modules) */
  globals: Set<string>;
  errors: RegoErrorInfo[];
  names: NameSource;
  /** closure node → the variables declared in its scope */
  closureLocals: WeakMap<object, Set<string>>;
  /** `package`-scope annotations of this package, from all its modules */
  packageAnnotations: Annotations[];
  /** `subpackages`-scope annotations by package path (joined with "."), for the metadata chain */
  subpackageAnnotations: Map<string, Annotations[]>;
}

/** Operators the parser produces that are not built-in functions. */
const SPECIAL_OPERATORS = new Set(["eq", "assign"]);

export function importAlias(imp: Import): string | undefined {
  if (imp.alias) return imp.alias;
  const last = imp.path.value[imp.path.value.length - 1];
  if (!last) return undefined;
  if (last.type === "string") return last.value;
  if (last.type === "var") return last.value;
  return undefined;
}

export class RuleResolver {
  constructor(private readonly ctx: ModuleContext) {}

  /** the rule being resolved and its data path, for `rego.metadata.*` */
  private current: { rule: Rule; path: string[] } | undefined;

  resolveRule(rule: Rule, path: string[], suffixStart: number): CompiledRule {
    const ctx = this.ctx;
    this.current = { rule, path };
    const scope = new Scope(null, ctx.names);
    rule = moveComputedArgs(rule);
    const head = rule.head;
    // Function parameters are declarations of the rule's top scope.
    for (const a of head.args ?? []) this.declarePattern(a, scope);
    const pending = this.declaredIn(rule.body);
    this.implicit(rule.body, scope, pending);
    for (const t of this.headTerms(head, suffixStart)) this.implicitTerm(t, scope, pending);
    const body = this.body(rule.body, scope, pending);
    const out: CompiledRule = {
      module: ctx.module,
      path,
      suffix: head.ref.slice(suffixStart).map((t) => this.term(t, scope)),
      kind: head.args ? "function" : head.key && !head.value ? "multi" : "single",
      args: (head.args ?? []).map((t) => this.term(t, scope)),
      body,
      default: rule.default ?? false,
      loc: rule.loc,
      headLoc: head.loc,
    };
    if (head.key) out.key = this.term(head.key, scope);
    if (head.value) out.value = this.term(head.value, scope);
    if (rule.else) {
      // An else branch shares the head's name and parameters but has its own scope.
      const elseRule: Rule = { ...rule.else, head: { ...rule.else.head, args: rule.else.head.args ?? head.args } };
      out.else = this.resolveRule(elseRule, path, suffixStart);
    }
    return out;
  }

  /** Resolves a query (the body of an ad-hoc query) in a fresh scope. */
  resolveQuery(body: Body): { body: Body; scope: Scope } {
    const scope = new Scope(null, this.ctx.names);
    const pending = this.declaredIn(body);
    this.implicit(body, scope, pending);
    return { body: this.body(body, scope, pending), scope };
  }

  private headTerms(head: Head, suffixStart: number): Term[] {
    const terms = head.ref.slice(suffixStart);
    if (head.key) terms.push(head.key);
    if (head.value) terms.push(head.value);
    return terms;
  }

  private error(code: RegoErrorInfo["code"], message: string, loc: Loc): void {
    this.ctx.errors.push({ code, message, location: { file: loc.file, row: loc.row, col: loc.col } });
  }

  private isGlobal(name: string): boolean {
    return this.ctx.imports.has(name) || this.ctx.globals.has(name);
  }

  private declarePattern(t: Term, scope: Scope): void {
    walkTerm(
      t,
      (x) => {
        if (x.type === "var" && x.value !== WILDCARD && !scope.hasOwn(x.value)) scope.declare(x.value);
        // Refs inside patterns are values, not declarations.
        return x.type !== "ref";
      },
      false,
    );
  }

  /**
   * Names that `some x`, `some x in xs` and `x := …` declare in this body.
   * Declarations take effect where they are written (as in OPA): before that
   * point the name is not this body's variable.
   */
  private declaredIn(body: Body): Set<string> {
    const names = new Set<string>();
    const addPattern = (t: Term) =>
      walkTerm(
        t,
        (x) => {
          if (x.type === "var" && x.value !== WILDCARD) names.add(x.value);
          return x.type !== "ref";
        },
        false,
      );
    for (const e of body) {
      const t = e.terms;
      if (isSomeDecl(t)) {
        for (const s of t.symbols) {
          if (s.type === "var") addPattern(s);
          else if (s.type === "call") s.value.slice(1, -1).forEach(addPattern);
        }
      } else if (isCall(t) && refName(t[0] as Term) === "assign" && t[1]) addPattern(t[1]);
    }
    return names;
  }

  /**
   * Checks a `:=` target as OPA does: only variables, arrays of targets and
   * object values may be assigned (`1 := x` is "cannot assign to number").
   * A bare `input`/`data` is refused in v1 ("variables must not shadow
   * input"); in v0 it declares a local that shadows the root document for
   * the rest of the body, so it is returned as a plain variable.
   */
  private assignTarget(t: Term, exprLoc: Loc): Term {
    const fail = (x: Term) => this.error("rego_compile_error", `cannot assign to ${x.type}`, x.loc);
    const visit = (x: Term): Term => {
      switch (x.type) {
        case "var":
          return x;
        case "array":
          return { ...x, value: x.value.map(visit) };
        case "object":
          return { ...x, value: x.value.map(([k, v]) => [k, visit(v)] as [Term, Term]) };
        case "ref": {
          const head = x.value[0] as Term;
          if (x.value.length === 1 && head.type === "var" && ROOTS.has(head.value)) {
            if (v1Checks(this.ctx.module) && x === t) {
              this.error("rego_compile_error", `variables must not shadow ${head.value} (use a different variable name)`, exprLoc);
              return x;
            }
            return { ...head, loc: x.loc };
          }
          fail(x);
          return x;
        }
        default:
          fail(x);
          return x;
      }
    };
    if (t.type === "var" && ROOTS.has(t.value) && v1Checks(this.ctx.module)) {
      this.error("rego_compile_error", `variables must not shadow ${t.value} (use a different variable name)`, exprLoc);
      return t;
    }
    return visit(t);
  }

  /** Declares the variables of a `:=` target or `some` pattern, reporting redeclarations. */
  private declareAt(t: Term, scope: Scope): void {
    walkTerm(
      t,
      (x) => {
        if (x.type === "var" && x.value !== WILDCARD) {
          if (scope.hasOwn(x.value)) this.error("rego_compile_error", `var ${x.value} assigned above`, x.loc);
          else scope.declare(x.value);
        }
        return x.type !== "ref";
      },
      false,
    );
  }

  /** Rewrites a body in order, applying each declaration where it is written. */
  private body(body: Body, scope: Scope, pending: Set<string>): Body {
    const prev = this.pending;
    this.pending = pending;
    try {
      return body.map((e) => this.expr(e, scope));
    } finally {
      this.pending = prev;
    }
  }

  /** names declared later in the body being rewritten (uses before that are errors) */
  private pending: Set<string> = new Set();

  /**
   * Variables used in a body (outside its closures) that are neither declared,
   * nor visible from an enclosing body, nor global, are locals of this body.
   */
  private implicit(body: Body, scope: Scope, pending: Set<string>): void {
    for (const e of body) {
      const t = e.terms;
      if (isCall(t)) t.slice(1).forEach((x) => this.implicitTerm(x, scope, pending));
      else if (isSomeDecl(t)) {
        for (const s of t.symbols) if (s.type === "call") s.value.slice(1).forEach((x) => this.implicitTerm(x, scope, pending));
      } else if (isEvery(t)) this.implicitTerm(t.domain, scope, pending);
      // An implicit operand's variables are this body's (an explicit body is a closure).
      else if (isLogical(t)) t.operands.forEach((b, i) => t.explicit[i] || this.implicit(b, scope, pending));
      else this.implicitTerm(t, scope, pending);
      for (const w of e.with ?? []) if (!this.namesFunction(w.value, scope)) this.implicitTerm(w.value, scope, pending);
    }
  }

  /** A with value that names a built-in (`with f as count`) is a function, not a variable. */
  private namesFunction(t: Term, scope: Scope): boolean {
    const name = refName(t);
    if (name === undefined) return false;
    const head = name.split(".")[0] as string;
    return (
      scope.lookup(head) === undefined &&
      !ROOTS.has(head) &&
      !this.isGlobal(head) &&
      (BUILTIN_DECLS.has(name) || FORBIDDEN_BUILTINS.has(name))
    );
  }

  private implicitTerm(t: Term, scope: Scope, pending: Set<string>): void {
    walkTerm(
      t,
      (x) => {
        if (x.type === "var") {
          const n = x.value;
          if (n !== WILDCARD && !ROOTS.has(n) && !pending.has(n) && scope.lookup(n) === undefined && !this.isGlobal(n)) scope.declare(n);
        }
        return true;
      },
      false,
    );
  }

  private expr(e: Expr, scope: Scope): Expr {
    // A binding could never leave the negation (OPA's rewriteDeclaredAssignment): only an explicit `not { … }` body may assign.
    if (e.negated && isAssignment(e)) {
      this.error("rego_compile_error", "cannot assign vars inside negated expression", e.loc);
      return e;
    }
    e = this.rewritePrint(e, scope);
    const t = e.terms;
    let terms: Expr["terms"];
    if (isCall(t) && refName(t[0] as Term) === "assign" && t.length === 3) {
      // The value is resolved before the target's variables come into scope.
      const value = this.term(t[2] as Term, scope);
      const target = this.assignTarget(t[1] as Term, e.loc);
      this.declareAt(target, scope);
      terms = [t[0] as Term, this.term(target, scope), value];
    } else if (isCall(t)) {
      terms = [this.operator(t[0] as Term), ...t.slice(1).map((x) => this.term(x, scope))];
    } else if (isSomeDecl(t)) {
      const symbols = t.symbols.map((s) => {
        if (s.type === "var") {
          if (s.value !== WILDCARD) this.declareAt(s, scope);
          return this.term(s, scope);
        }
        if (s.type !== "call") return this.term(s, scope);
        const args = s.value.slice(1);
        const coll = this.term(args[args.length - 1] as Term, scope);
        args.slice(0, -1).forEach((p) => this.declareAt(p, scope));
        return { ...s, value: [this.operator(s.value[0] as Term), ...args.slice(0, -1).map((p) => this.term(p, scope)), coll] };
      });
      terms = { ...t, symbols };
    } else if (isEvery(t)) {
      const domain = this.term(t.domain, scope);
      const child = new Scope(scope, this.ctx.names);
      if (t.key) this.declarePattern(t.key, child);
      this.declarePattern(t.value, child);
      const node = { ...t, domain };
      this.closure(node, child, t.body, (body) => {
        node.key = t.key ? this.term(t.key, child) : null;
        node.value = this.term(t.value, child);
        node.body = body;
      });
      terms = node;
    } else if (isLogical(t)) {
      terms = this.logical(t, scope);
    } else {
      terms = this.term(t, scope);
    }
    const out: Expr = { ...e, terms };
    if (e.with) out.with = e.with.map((w) => this.with(w, scope));
    return out;
  }

  /**
   * An implicit operand is resolved in the enclosing body's scope and may not assign (its
   * variables would not outlive it); an explicit body `{ … }` is a closure with its own.
   */
  private logical(t: Logical, scope: Scope): Logical {
    const node: Logical = { ...t, operands: [] };
    const locals = new Set<string>();
    t.operands.forEach((b, i) => {
      if (!t.explicit[i]) {
        node.operands.push(
          b.map((x) => {
            if (!isAssignment(x)) return this.expr(x, scope);
            this.error("rego_compile_error", `cannot assign vars inside implicit ${t.op} operand`, x.loc);
            return x;
          }),
        );
        return;
      }
      const child = new Scope(scope, this.ctx.names);
      const own = {};
      this.closure(own, child, b, (body) => node.operands.push(body));
      for (const v of this.ctx.closureLocals.get(own) ?? []) locals.add(v);
    });
    // Resolution gives each operand's variables names of their own: one set serves them all.
    this.ctx.closureLocals.set(node, locals);
    return node;
  }

  /**
   * `print(a, b)` → `internal.print([{__print__ | __print__ = a}, …])`, as
   * OPA's compiler rewrites it (with print statements enabled): each operand
   * becomes the set of its values, so an undefined one prints `<undefined>`
   * instead of making the body fail. A user function named print is left alone.
   */
  private rewritePrint(e: Expr, scope: Scope): Expr {
    const t = e.terms;
    if (!isCall(t) || refName(t[0] as Term) !== "print" || e.negated) return e;
    if (this.isGlobal("print") || scope.lookup("print") !== undefined) return e;
    const loc = (t[0] as Term).loc;
    const sets: Term[] = t.slice(1).map((arg) => {
      const v: Term = { type: "var", value: "__print__", loc: arg.loc };
      const body: Body = [{ index: 0, loc: arg.loc, generated: true, terms: [operatorRef("eq", arg.loc), v, arg] }];
      return { type: "setcomprehension", value: { term: v, body }, loc: arg.loc };
    });
    return { ...e, terms: [operatorRef("internal.print", loc), { type: "array", value: sets, loc }] };
  }

  private with(w: With, scope: Scope): With {
    return { ...w, target: this.withTarget(w.target), value: this.withValue(w.value, scope) };
  }

  /** `with input…`/`with data…` keep their root; anything else names a function to replace. */
  private withTarget(t: Term): Term {
    const name = refName(t);
    const head = name?.split(".")[0];
    if (head && ROOTS.has(head)) return t;
    if (head && this.ctx.imports.has(head)) {
      const expanded = this.expandGlobal(t);
      const root = refName(expanded)?.split(".")[0];
      if (root && ROOTS.has(root)) return expanded;
    }
    // A function being replaced is never called: even a forbidden built-in may be named.
    return this.operator(t, true);
  }

  /** A with value naming a function (`with f as g`) resolves like an operator; otherwise it is a term. */
  private withValue(t: Term, scope: Scope): Term {
    return this.namesFunction(t, scope) ? this.operator(t) : this.term(t, scope);
  }

  private closure(node: object, child: Scope, body: Body, finish: (body: Body) => void, head: Term[] = []): void {
    const pending = this.declaredIn(body);
    this.implicit(body, child, pending);
    for (const h of head) this.implicitTerm(h, child, pending);
    this.ctx.closureLocals.set(node, child.ownNames());
    finish(this.body(body, child, pending));
  }

  term(t: Term, scope: Scope): Term {
    switch (t.type) {
      case "var":
        return this.var(t.value, t, scope);
      case "ref": {
        const [head, ...rest] = t.value;
        const h = head as Term;
        const resolvedHead = h.type === "var" ? this.var(h.value, h, scope) : this.term(h, scope);
        const tail = rest.map((x) => this.term(x, scope));
        if (resolvedHead.type === "ref") return { ...t, value: [...resolvedHead.value, ...tail] };
        return { ...t, value: [resolvedHead, ...tail] };
      }
      case "array":
      case "set":
        return { ...t, value: t.value.map((x) => this.term(x, scope)) };
      case "templatestring": {
        const out = { ...t, value: t.value.map((x) => this.term(x, scope)) };
        if (t.withs) out.withs = t.withs.map((ws) => ws?.map((w) => this.with(w, scope)) ?? null);
        return out;
      }
      case "object":
        return { ...t, value: t.value.map(([k, v]) => [this.term(k, scope), this.term(v, scope)] as [Term, Term]) };
      case "call": {
        const metadata = this.metadata(refName(t.value[0] as Term), t);
        if (metadata) return metadata;
        return this.callChain(t, scope);
      }
      case "arraycomprehension":
      case "setcomprehension": {
        const child = new Scope(scope, this.ctx.names);
        const node = { ...t, value: { ...t.value } };
        this.closure(
          node,
          child,
          t.value.body,
          (body) => {
            node.value = { term: this.term(t.value.term, child), body };
          },
          [t.value.term],
        );
        return node;
      }
      case "objectcomprehension": {
        const child = new Scope(scope, this.ctx.names);
        const node = { ...t, value: { ...t.value } };
        this.closure(
          node,
          child,
          t.value.body,
          (body) => {
            node.value = { key: this.term(t.value.key, child), value: this.term(t.value.value, child), body };
          },
          [t.value.key, t.value.value],
        );
        return node;
      }
      default:
        return t;
    }
  }

  /**
   * A call and the calls that are its first argument (`1 + 1 + … + 1` nests
   * to the left as deep as it is long), resolved in a loop in the order the
   * recursion would take: the operators outermost first, then the innermost
   * first argument, then the other arguments innermost first.
   */
  private callChain(t: CallTerm, scope: Scope): Term {
    const spine: CallTerm[] = [t];
    for (let c = t.value[1]; c?.type === "call" && c.value.length > 1; c = c.value[1]) spine.push(c);
    const ops = spine.map((c) => this.operator(c.value[0] as Term));
    const first = (spine[spine.length - 1] as CallTerm).value[1];
    // undefined only for a call without arguments, which is then the whole spine
    let inner = first && this.term(first, scope);
    for (let i = spine.length - 1; i >= 0; i--) {
      const c = spine[i] as CallTerm;
      const args = c.value.slice(2).map((x) => this.term(x, scope));
      inner = { ...c, value: [ops[i] as Term, ...(inner ? [inner] : []), ...args] };
    }
    return inner as Term;
  }

  /**
   * `rego.metadata.rule()` and `rego.metadata.chain()` are answered at compile
   * time, as OPA does: the annotations of the rule being compiled (and, for
   * the chain, of its document, package and enclosing packages).
   */
  private metadata(name: string | undefined, t: Extract<Term, { type: "call" }>): Term | undefined {
    if ((name !== "rego.metadata.rule" && name !== "rego.metadata.chain") || t.value.length !== 1) return undefined;
    const current = this.current;
    const own = current?.rule.annotations ?? [];
    const ruleScope = own.filter((a) => a.scope === "rule");
    if (name === "rego.metadata.rule") return termOf(ruleScope[0] ? annotationValue(ruleScope[0]) : fromJS({}), t.loc);
    const chain: Value[] = [];
    const entry = (path: string[], a?: Annotations) => chain.push(fromJS(a ? { path, annotations: annotationValue(a) } : { path }));
    const rulePath = current?.path ?? [];
    if (ruleScope[0]) entry(rulePath, ruleScope[0]);
    else entry(rulePath);
    for (const a of own) if (a.scope === "document") entry(rulePath, a);
    for (const a of this.ctx.packageAnnotations) entry(this.ctx.pkg, a);
    for (let i = this.ctx.pkg.length; i > 0; i--) {
      const prefix = this.ctx.pkg.slice(0, i);
      for (const a of this.ctx.subpackageAnnotations.get(prefix.join(".")) ?? []) entry(prefix, a);
    }
    return termOf(chain, t.loc);
  }

  private var(name: string, t: Term, scope: Scope): Term {
    if (name === WILDCARD) return { type: "var", value: scope.declare(WILDCARD), loc: t.loc };
    const local = scope.lookup(name);
    if (local !== undefined) return { type: "var", value: local, loc: t.loc };
    if (ROOTS.has(name)) return t;
    const imp = this.ctx.imports.get(name);
    if (imp) return { ...imp, loc: t.loc, value: imp.value.map((x) => ({ ...x, loc: t.loc })) };
    if (this.ctx.globals.has(name)) return dataRef([...this.ctx.pkg, name], t.loc);
    if (this.pending.has(name)) this.error("rego_compile_error", `var ${name} referenced above`, t.loc);
    return { type: "var", value: scope.declare(name), loc: t.loc };
  }

  private expandGlobal(t: Term): Term {
    const [head, ...rest] = t.type === "ref" ? t.value : [t];
    const h = head as Term;
    if (h.type !== "var") return t;
    const imp = this.ctx.imports.get(h.value);
    if (imp) return { type: "ref", value: [...imp.value, ...rest], loc: t.loc };
    if (this.ctx.globals.has(h.value))
      return { type: "ref", value: [...dataRef([...this.ctx.pkg, h.value], t.loc).value, ...rest], loc: t.loc };
    return t;
  }

  /**
   * A call operator: a function of this package or an import (→ its data
   * ref), a data ref, or a built-in (→ its name as a ref).
   */
  operator(t: Term, replaced = false): Term {
    const name = refName(t);
    if (name === undefined) {
      this.error("rego_type_error", "illegal call: operator must be a name", t.loc);
      return t;
    }
    if (SPECIAL_OPERATORS.has(name)) return t;
    const head = name.split(".")[0] as string;
    if (this.isGlobal(head)) return this.expandGlobal(t);
    if (head === "data") return t;
    const forbidden = FORBIDDEN_BUILTINS.get(name);
    if (forbidden && replaced) return operatorRef(name, t.loc);
    if (forbidden) {
      this.error("rego_type_error", `${name}: ${forbidden}`, t.loc);
      return t;
    }
    // OPA keeps its deprecated built-ins for Rego v0 only.
    if (DEPRECATED_BUILTINS.has(name) && v1Checks(this.ctx.module)) {
      this.error("rego_type_error", `deprecated built-in function calls in expression: ${name}`, t.loc);
      return t;
    }
    if (BUILTIN_DECLS.has(name)) return operatorRef(name, t.loc);
    this.error("rego_type_error", `undefined function ${name}`, t.loc);
    return t;
  }
}

/** Vars of an expression used by error messages and tests. */
export function exprVarNames(e: Expr): Set<string> {
  const out = new Set<string>();
  walkExpr(e, (t) => {
    if (t.type === "var") out.add(t.value);
  });
  return out;
}

/**
 * Function parameters that compute a value (`f($"{x}")`, `f(g(x))`) cannot be
 * matched before the body runs: they become a fresh parameter compared with
 * the computed value at the end of the body.
 */
function moveComputedArgs(rule: Rule): Rule {
  const args = rule.head.args;
  if (!args || args.every(isPattern)) return rule;
  const extra: Expr[] = [];
  const newArgs = args.map((a, i) => {
    if (isPattern(a)) return a;
    const v: Term = { type: "var", value: `__arg${i}__`, loc: a.loc };
    extra.push({ index: 0, loc: a.loc, generated: true, terms: [operatorRef("eq", a.loc), v, a] });
    return v;
  });
  const body = [...rule.body, ...extra].map((e, i) => ({ ...e, index: i }));
  return { ...rule, head: { ...rule.head, args: newArgs }, body };
}

function isPattern(t: Term): boolean {
  switch (t.type) {
    case "var":
    case "null":
    case "boolean":
    case "number":
    case "string":
      return true;
    case "array":
      return t.value.every(isPattern);
    case "object":
      return t.value.every(([k, v]) => k.type !== "var" && isPattern(k) && isPattern(v));
    case "set":
      return t.value.every((x) => x.type !== "var" && isPattern(x));
    default:
      return false;
  }
}

/** An annotation block as OPA returns it: the fields that were set. */
function annotationValue(a: Annotations): Value {
  const { loc: _loc, ...fields } = a;
  return fromJS(JSON.parse(JSON.stringify(fields)) as unknown);
}

function isAssignment(e: Expr): boolean {
  return isCall(e.terms) && refName(e.terms[0] as Term) === "assign";
}

/**
 * Types of variables and rules, inferred as OPA's checker infers them
 * (ast/check.go). A variable takes the type of what first binds it —
 * `x := 1`, `x = [1, "a"]`, the output of a built-in (`count(xs, n)`,
 * `n := count(xs)`). Bodies are walked in the order they are planned (after
 * safety's reordering), so a variable's first occurrence is where it is bound;
 * one first seen anywhere else (a ref index, `some x in xs`, a destructuring
 * pattern) is `any`: nothing is claimed that OPA might not. A function's
 * parameter, which nothing in its body binds, is typed by its first use.
 *
 * A unification of two sides whose types are both known and cannot unify is
 * OPA's "match error"; a ref to a key or index a variable's known shape does
 * not have is its "undefined ref".
 *
 * A rule's type is the union of its definitions' values (defaults and else
 * branches included), or a set of its elements' for a multi-value rule; rules
 * are typed on demand, so a rule's type is known before the bodies that refer
 * to it use it, and a cycle leaves the rule `any`. A function with a single
 * definition has a function type: its parameters typed by their first use in
 * its body (a built-in's argument, a unification), its value's type as its
 * result's; calls to it are checked against it. Rules with refs in their
 * heads (`p[k] := v`, `a.b := 1`), rules with rules below them and functions
 * defined more than once stay `any`.
 */
import type { RegoErrorInfo } from "../errors.js";
import type { Body, Expr, Term } from "../syntax/ast.js";
import { isCall, isEvery, isLogical, termVars, walkExpr, walkTerm } from "../syntax/walk.js";
import { BUILTIN_DECLS, type BuiltinDecl, type TypeDecl } from "../builtins/index.js";
import { refName, refPath, ROOTS } from "./names.js";
import type { RuleNode, RuleTree } from "./ruletree.js";
import { functionDecl, ruleTypeKey, typeOfTerm, undefinedRefOperand, unionOf, unifies, type VarTypes } from "./types-check.js";
import type { CompiledRule } from "./types.js";

const ANY: TypeDecl = { type: "any" };

/** Rules typed on demand inside one another at most: each level costs a dozen stack frames. */
const MAX_ON_DEMAND = 32;

export class TypeInference {
  private readonly done = new Set<CompiledRule>();
  private readonly typing = new Set<RuleNode>();
  /** parameters of the functions being inferred: typed by their first use, not by a binding */
  private readonly openArgs = new Set<string>();
  /** data paths some `with` replaces */
  private readonly mocked: string[][] = [];
  /** What typeOfTerm sees while inferring: known types, and rules typed when first asked for. */
  private readonly known: VarTypes;

  /**
   * @param tree the program's rules
   * @param types unique variable name or rule key → its type (names are unique across a compilation), filled in
   * @param errors where a unification of two types that cannot unify, or an undefined ref, is reported
   * @param display a variable's name as the user wrote it
   */
  constructor(
    private readonly tree: RuleTree,
    private readonly types: Map<string, TypeDecl>,
    private readonly errors: RegoErrorInfo[],
    private readonly display: (unique: string) => string,
  ) {
    const ruleTypeOf = (name: string) => this.ruleTypeOf(name);
    this.known = {
      get: (name) => types.get(name) ?? ruleTypeOf(name),
      get ruleDepth() {
        return tree.ruleDepth;
      },
    };
  }

  /** Every rule's body and every rule's type. */
  program(): void {
    for (const node of this.tree.nodesWithRules()) for (const r of node.allRules()) this.collectMocks(r);
    for (const node of this.tree.nodesWithRules()) {
      for (const r of node.allRules()) this.rule(r);
      this.ruleType(node);
    }
  }

  /** A query's body: what it mocks with `with` stops being typed in the program too. */
  query(body: Body): void {
    this.collectMocksIn(body);
    for (const [key, t] of this.types)
      if (t.type !== "any" && key.startsWith("data[") && this.isMocked(JSON.parse(key.slice("data".length)) as string[]))
        this.types.set(key, ANY);
    this.body(body);
  }

  private body(body: Body): void {
    for (const e of body) this.expr(e);
  }

  private collectMocks(r: CompiledRule): void {
    for (let e: CompiledRule | undefined = r; e; e = e.else) this.collectMocksIn(e.body);
  }

  /**
   * Data a `with` replaces (`with data.a.b as …`), in closures too. OPA's
   * checker types such refs as if nothing were replaced; whether that holds
   * in every release is not certain, so a rule whose value a `with` may
   * replace is left `any`.
   */
  private collectMocksIn(body: Body): void {
    for (const e of body) {
      for (const w of e.with ?? []) {
        const path = refPath(w.target);
        if (path?.[0] === "data") this.mocked.push(path.slice(1));
      }
      if (isEvery(e.terms)) this.collectMocksIn(e.terms.body);
      if (isLogical(e.terms)) for (const b of e.terms.operands) this.collectMocksIn(b);
      forEachComprehension(e, (body) => this.collectMocksIn(body));
    }
  }

  /** Whether a `with` replaces the rule's value or part of it (one path is a prefix of the other). */
  private isMocked(path: string[]): boolean {
    return this.mocked.some((m) => m.every((p, i) => i >= path.length || path[i] === p));
  }

  private rule(r: CompiledRule): void {
    if (this.done.has(r)) return;
    this.done.add(r);
    // A function's parameter is typed by its first use in the body, as OPA types it; a pattern's variables are any.
    for (const a of r.args) {
      if (a.type === "var") this.openArgs.add(a.value);
      else this.markVars(a);
    }
    this.body(r.body);
    // Calls in the head run after the body (OPA moves them there).
    for (const t of [r.value, r.key]) if (t) walkTerm(t, (x) => void (x.type === "call" && this.typeArgs(x.value)), false);
    for (const a of r.args) this.markVars(a);
    if (r.else) this.rule(r.else);
  }

  private ruleTypeOf(key: string): TypeDecl | undefined {
    if (!key.startsWith("data[")) return undefined;
    const node = this.tree.node(JSON.parse(key.slice("data".length)) as string[]);
    return node?.hasRules ? this.ruleType(node) : undefined;
  }

  private ruleType(node: RuleNode): TypeDecl {
    const key = ruleTypeKey(node.path);
    const known = this.types.get(key);
    if (known) return known;
    // A rule that (through others) refers to itself is any, as OPA's checker leaves it; so is
    // one asked for at the end of a long chain of rules each typed on demand, which would
    // otherwise recurse as deep as the chain is long (it is typed in its own turn later).
    if (this.typing.has(node) || this.typing.size >= MAX_ON_DEMAND) return ANY;
    this.typing.add(node);
    const t = this.valuesType(node);
    this.typing.delete(node);
    this.types.set(key, t);
    return t;
  }

  private valuesType(node: RuleNode): TypeDecl {
    const rules = node.allRules().flatMap((r) => {
      const chain: CompiledRule[] = [];
      for (let e: CompiledRule | undefined = r; e; e = e.else) chain.push(e);
      return chain;
    });
    const belowHasRules = [...node.children.values()].some((c) => c.isVirtual);
    if (belowHasRules || this.isMocked(node.path) || rules.some((r) => r.suffix.length > 0)) return ANY;
    for (const r of rules) this.rule(r);
    if (rules.some((r) => r.kind === "function")) {
      // With several definitions OPA's function types may differ, and OPA then checks no call: only one is typed.
      const only = rules.length === 1 ? rules[0] : undefined;
      if (!only?.value) return ANY;
      return { type: "function", args: only.args.map((a) => typeOfTerm(a, this.known)), result: typeOfTerm(only.value, this.known) };
    }
    if (rules.every((r) => r.kind === "multi" && r.key))
      return { type: "set", of: unionOf(rules.map((r) => typeOfTerm(r.key as Term, this.known))) };
    if (rules.every((r) => r.kind === "single" && r.value && !r.key))
      return unionOf(rules.map((r) => typeOfTerm(r.value as Term, this.known)));
    return ANY;
  }

  private expr(e: Expr): void {
    // Each operand on its own (what they bind does not outlive them).
    if (isLogical(e.terms)) {
      for (const b of e.terms.operands) this.body(b);
      return;
    }
    // Closures first: a comprehension's type is its head's, known once its body is.
    forEachComprehension(e, (body) => this.body(body));
    if (isEvery(e.terms)) {
      // `every k, v in xs { … }`: the domain binds k and v before the body runs.
      if (e.terms.key) this.markVars(e.terms.key);
      this.markVars(e.terms.value);
      this.body(e.terms.body);
    }
    if (isCall(e.terms)) {
      this.typeArgs(e.terms);
      this.bindings(e, e.terms);
    }
    // Pre-order: a nested call types the parameters it is passed before they are marked.
    walkExpr(
      e,
      (t) => {
        if (t.type === "call") this.typeArgs(t.value);
        return this.markVar(t) && this.checkRef(t);
      },
      false,
    );
  }

  /** A function parameter not typed yet, passed to a call, takes the type the callee declares there (OPA's unify1). */
  private typeArgs(call: Term[]): void {
    const decl = this.calleeDecl(call[0] as Term);
    const want = decl?.args ?? [];
    for (let i = 0; i < want.length; i++) {
      const operand = call[i + 1];
      if (operand?.type === "var" && this.openArgs.has(operand.value) && !this.types.has(operand.value))
        this.types.set(operand.value, want[i] as TypeDecl);
    }
  }

  /** A built-in's declaration, or a function's type when it has one. */
  private calleeDecl(op: Term): BuiltinDecl | undefined {
    const path = refPath(op);
    return path?.[0] === "data" ? functionDecl(path.slice(1), this.known) : BUILTIN_DECLS.get(refName(op) ?? "");
  }

  /** OPA's "undefined ref": a key or index the variable's known shape does not have. */
  private checkRef(t: Term): boolean {
    if (t.type !== "ref") return true;
    const at = undefinedRefOperand(t.value, this.types);
    if (at !== undefined) {
      const text = t.value
        .slice(0, at + 1)
        .map((p, i) => this.refPart(p, i))
        .join("");
      this.errors.push({
        code: "rego_type_error",
        message: `undefined ref: ${text}`,
        location: { file: t.loc.file, row: t.loc.row, col: t.loc.col },
      });
    }
    return true;
  }

  /** A ref's part as written: `x`, `.name`, `["a b"]`, `[0]`, `[i]`. */
  private refPart(p: Term, i: number): string {
    if (p.type === "var") return i === 0 ? this.display(p.value) : `[${this.display(p.value)}]`;
    if (p.type === "string") return /^[A-Za-z_][A-Za-z0-9_]*$/.test(p.value) ? `.${p.value}` : `[${JSON.stringify(p.value)}]`;
    if (p.type === "number") return `[${String(p.value)}]`;
    return "[…]";
  }

  private bindings(e: Expr, terms: Term[]): void {
    const op = refName(terms[0] as Term);
    const operands = terms.slice(1);
    if ((op === "eq" || op === "assign") && operands.length === 2) {
      const [a, b] = operands as [Term, Term];
      // OPA's checkExprEq: two sides whose types are both known must unify (`count(xs) = []` cannot).
      if (!e.generated && this.bound(a) && this.bound(b) && !unifies(typeOfTerm(a, this.known), typeOfTerm(b, this.known)))
        this.errors.push({
          code: "rego_type_error",
          message: "match error",
          location: { file: e.loc.file, row: e.loc.row, col: e.loc.col },
        });
      if (!e.negated) {
        this.bind(a, b);
        this.bind(b, a);
      }
      return;
    }
    if (e.negated) return;
    const path = refPath(terms[0] as Term);
    if (path?.[0] === "data") {
      const node = this.tree.node(path.slice(1));
      if (node?.isFunction) this.bindOutput(operands, node.arity, this.calleeDecl(terms[0] as Term)?.result);
      return;
    }
    const decl = op === undefined ? undefined : BUILTIN_DECLS.get(op);
    this.bindOutput(operands, decl?.args?.length ?? 0, decl?.result);
  }

  /** The output of a call (the operand after its arguments) takes the call's result type. */
  private bindOutput(operands: Term[], arity: number, result: TypeDecl | undefined): void {
    const output = operands[arity];
    if (result && operands.length === arity + 1 && output?.type === "var" && !this.types.has(output.value))
      this.types.set(output.value, result);
  }

  private bind(target: Term, source: Term): void {
    if (target.type !== "var" || this.types.has(target.value)) return;
    this.types.set(target.value, typeOfTerm(source, this.known));
  }

  /** Whether every variable of a term is bound by now (a ref's root is no variable). */
  private bound(t: Term): boolean {
    for (const v of termVars(t)) if (!ROOTS.has(v) && !this.types.has(v)) return false;
    return true;
  }

  private markVars(t: Term): void {
    walkTerm(t, (x) => this.markVar(x), false);
  }

  private markVar(t: Term): boolean {
    if (t.type === "var" && !this.types.has(t.value)) this.types.set(t.value, ANY);
    return true;
  }
}

/** Calls `fn` with the body of each comprehension directly in the expression (nested ones are the bodies' own). */
function forEachComprehension(e: Expr, fn: (body: Body) => void): void {
  walkExpr(
    e,
    (t) => {
      if (t.type !== "arraycomprehension" && t.type !== "setcomprehension" && t.type !== "objectcomprehension") return true;
      fn(t.value.body);
      return false;
    },
    false,
  );
}

/**
 * Variable types, inferred as OPA's checker infers them (ast/check.go): a
 * variable takes the type of what first binds it — `x := 1`, `x = [1, "a"]`,
 * the output of a built-in (`count(xs, n)`, `n := count(xs)`). Bodies are
 * walked in the order they are planned (after safety's reordering), so a
 * variable's first occurrence is where it is bound. A variable first seen
 * anywhere else (a ref index, `some x in xs`, a function argument, a
 * destructuring pattern) is `any`: nothing is claimed that OPA might not.
 */
import type { Body, Expr, Term } from "../syntax/ast.js";
import { isCall, isEvery, walkExpr, walkTerm } from "../syntax/walk.js";
import { BUILTIN_DECLS, type TypeDecl } from "../builtins/index.js";
import { refName } from "./names.js";
import { typeOfTerm } from "./types-check.js";
import type { CompiledRule } from "./types.js";

const ANY: TypeDecl = { type: "any" };

export class VarTypeInference {
  /** @param types unique variable name → its type (names are unique across a compilation), filled in */
  constructor(private readonly types: Map<string, TypeDecl>) {}

  rule(r: CompiledRule): void {
    for (const a of r.args) this.markVars(a);
    this.body(r.body);
    if (r.else) this.rule(r.else);
  }

  body(body: Body): void {
    for (const e of body) this.expr(e);
  }

  private expr(e: Expr): void {
    // Closures first: a comprehension's type is its head's, known once its body is.
    walkExpr(
      e,
      (t) => {
        if (t.type === "arraycomprehension" || t.type === "setcomprehension" || t.type === "objectcomprehension") {
          this.body(t.value.body);
          return false;
        }
        return true;
      },
      false,
    );
    if (isEvery(e.terms)) {
      // `every k, v in xs { … }`: the domain binds k and v before the body runs.
      if (e.terms.key) this.markVars(e.terms.key);
      this.markVars(e.terms.value);
      this.body(e.terms.body);
    }
    if (isCall(e.terms) && !e.negated) this.bindings(e.terms);
    walkExpr(e, (t) => this.markVar(t), false);
  }

  private bindings(terms: Term[]): void {
    const op = refName(terms[0] as Term);
    const operands = terms.slice(1);
    if ((op === "eq" || op === "assign") && operands.length === 2) {
      const [a, b] = operands as [Term, Term];
      this.bind(a, b);
      this.bind(b, a);
      return;
    }
    const decl = op === undefined ? undefined : BUILTIN_DECLS.get(op);
    const arity = decl?.args?.length ?? 0;
    const output = operands[arity];
    if (decl?.result && operands.length === arity + 1 && output?.type === "var" && !this.types.has(output.value))
      this.types.set(output.value, decl.result);
  }

  private bind(target: Term, source: Term): void {
    if (target.type !== "var" || this.types.has(target.value)) return;
    this.types.set(target.value, typeOfTerm(source, this.types));
  }

  private markVars(t: Term): void {
    walkTerm(t, (x) => this.markVar(x), false);
  }

  private markVar(t: Term): boolean {
    if (t.type === "var" && !this.types.has(t.value)) this.types.set(t.value, ANY);
    return true;
  }
}

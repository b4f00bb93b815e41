/**
 * Small traversals over the AST used by the compiler: visiting terms and
 * collecting variables, with control over whether closures (comprehension and
 * `every` bodies) are entered.
 */
import type { Body, Expr, SomeDecl, Every, Term, VarTerm } from "./ast.js";

export function isCall(terms: Expr["terms"]): terms is Term[] {
  return Array.isArray(terms);
}

export function isSomeDecl(terms: Expr["terms"]): terms is SomeDecl {
  return !Array.isArray(terms) && terms.type === "somedecl";
}

export function isEvery(terms: Expr["terms"]): terms is Every {
  return !Array.isArray(terms) && terms.type === "every";
}

/**
 * Calls `fn` for every term under `t` (pre-order). `fn` returning false stops
 * descent below that term. Closures (comprehension bodies) are entered only
 * when `closures` is true. Call operators are names and are not visited.
 */
export function walkTerm(t: Term, fn: (t: Term) => boolean | void, closures = true): void {
  if (fn(t) === false) return;
  switch (t.type) {
    case "ref":
    case "array":
    case "set":
      for (const x of t.value) walkTerm(x, fn, closures);
      return;
    case "templatestring":
      for (const x of t.value) walkTerm(x, fn, closures);
      for (const ws of t.withs ?? []) for (const w of ws ?? []) walkTerm(w.value, fn, closures);
      return;
    case "call":
      // The operator is a name, not a value: only the arguments are visited.
      for (let i = 1; i < t.value.length; i++) walkTerm(t.value[i] as Term, fn, closures);
      return;
    case "object":
      for (const [k, v] of t.value) {
        walkTerm(k, fn, closures);
        walkTerm(v, fn, closures);
      }
      return;
    case "arraycomprehension":
    case "setcomprehension":
      if (closures) {
        walkTerm(t.value.term, fn, closures);
        walkBody(t.value.body, fn, closures);
      }
      return;
    case "objectcomprehension":
      if (closures) {
        walkTerm(t.value.key, fn, closures);
        walkTerm(t.value.value, fn, closures);
        walkBody(t.value.body, fn, closures);
      }
      return;
    default:
      return;
  }
}

export function walkExpr(e: Expr, fn: (t: Term) => boolean | void, closures = true): void {
  const terms = e.terms;
  if (Array.isArray(terms)) for (let i = 1; i < terms.length; i++) walkTerm(terms[i] as Term, fn, closures);
  else if (terms.type === "somedecl") for (const t of terms.symbols) walkTerm(t, fn, closures);
  else if (terms.type === "every") {
    if (terms.key) walkTerm(terms.key, fn, closures);
    walkTerm(terms.value, fn, closures);
    walkTerm(terms.domain, fn, closures);
    if (closures) walkBody(terms.body, fn, closures);
  } else walkTerm(terms, fn, closures);
  for (const w of e.with ?? []) {
    walkTerm(w.target, fn, closures);
    walkTerm(w.value, fn, closures);
  }
}

export function walkBody(b: Body, fn: (t: Term) => boolean | void, closures = true): void {
  for (const e of b) walkExpr(e, fn, closures);
}

/** Variables under a term, skipping ref heads when asked (a ref's head var names a document). */
export function termVars(t: Term, closures = false): Set<string> {
  const out = new Set<string>();
  walkTerm(
    t,
    (x) => {
      if (x.type === "var") out.add(x.value);
    },
    closures,
  );
  return out;
}

export function isVar(t: Term, name?: string): t is VarTerm {
  return t.type === "var" && (name === undefined || t.value === name);
}

/** Ground: no variables anywhere (closures count as non-ground). */
export function isGround(t: Term): boolean {
  let ground = true;
  walkTerm(
    t,
    (x) => {
      if (
        x.type === "var" ||
        x.type === "arraycomprehension" ||
        x.type === "setcomprehension" ||
        x.type === "objectcomprehension" ||
        x.type === "call"
      ) {
        ground = false;
        return false;
      }
      return ground;
    },
    false,
  );
  return ground;
}

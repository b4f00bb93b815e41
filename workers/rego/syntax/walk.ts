/**
 * Small traversals over the AST used by the compiler: visiting terms and
 * collecting variables, with control over whether closures (comprehension and
 * `every` bodies) are entered.
 */
import type { Body, CallTerm, Expr, SomeDecl, Every, Logical, Term, VarTerm, With } from "./ast.js";

export function isCall(terms: Expr["terms"]): terms is Term[] {
  return Array.isArray(terms);
}

export function isSomeDecl(terms: Expr["terms"]): terms is SomeDecl {
  return !Array.isArray(terms) && terms.type === "somedecl";
}

export function isEvery(terms: Expr["terms"]): terms is Every {
  return !Array.isArray(terms) && terms.type === "every";
}

export function isLogical(terms: Expr["terms"]): terms is Logical {
  return !Array.isArray(terms) && terms.type === "logical";
}

/**
 * Pushes the terms directly inside a composite or call term (not closures, and not a call's
 * operator, which is a name) so that popping them gives source order. The explicit-stack walks
 * (here, the compiler's safety pass, the planner's binding check) share it.
 */
export function pushOperands(stack: { push(...items: Term[]): number }, t: Term): void {
  switch (t.type) {
    case "ref":
    case "array":
    case "set":
      for (let i = t.value.length - 1; i >= 0; i--) stack.push(t.value[i] as Term);
      break;
    case "templatestring": {
      const ws = t.withs ?? [];
      for (let i = ws.length - 1; i >= 0; i--) {
        const list = ws[i] ?? [];
        for (let j = list.length - 1; j >= 0; j--) stack.push((list[j] as With).value);
      }
      for (let i = t.value.length - 1; i >= 0; i--) stack.push(t.value[i] as Term);
      break;
    }
    case "call":
      for (let i = t.value.length - 1; i >= 1; i--) stack.push(t.value[i] as Term);
      break;
    case "object":
      for (let i = t.value.length - 1; i >= 0; i--) {
        const [k, v] = t.value[i] as [Term, Term];
        stack.push(v, k);
      }
      break;
    default:
      break;
  }
}

/**
 * Calls `fn` for every term under `t` (pre-order). `fn` returning false stops
 * descent below that term. Closures (comprehension bodies) are entered only
 * when `closures` is true. Call operators are names and are not visited.
 * Terms are visited from an explicit stack: an operator chain (`1 + 1 + …`)
 * nests as deep as it is long.
 */
export function walkTerm(root: Term, fn: (t: Term) => boolean | void, closures = true): void {
  // Terms still to visit, the next on top; a body stands for its closure's body.
  const stack: (Term | Body)[] = [root];
  while (stack.length > 0) {
    const t = stack.pop() as Term | Body;
    if (Array.isArray(t)) {
      walkBody(t, fn, closures);
      continue;
    }
    if (fn(t) === false) continue;
    switch (t.type) {
      case "ref":
      case "array":
      case "set":
      case "templatestring":
      case "call":
      case "object":
        pushOperands(stack, t);
        break;
      case "arraycomprehension":
      case "setcomprehension":
        if (closures) stack.push(t.value.body, t.value.term);
        break;
      case "objectcomprehension":
        if (closures) stack.push(t.value.body, t.value.value, t.value.key);
        break;
      default:
        break;
    }
  }
}

/**
 * A call and, while its first argument is a call, that call: outermost first.
 * An operator chain (`1 + 1 + … + 1`) nests to the left as deep as it is
 * long, so walks that recurse over terms follow this spine in a loop.
 */
export function callSpine(t: CallTerm): CallTerm[] {
  const spine = [t];
  for (let c = t.value[1]; c?.type === "call"; c = c.value[1]) spine.push(c);
  return spine;
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
  } else if (terms.type === "logical") {
    // Implicit operands are part of the expression; explicit bodies are closures.
    terms.operands.forEach((b, i) => {
      if (closures || !terms.explicit[i]) walkBody(b, fn, closures);
    });
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

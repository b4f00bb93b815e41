/**
 * Small structural helpers over parsed terms used by the rule parser and the
 * annotation attachment: groundness, printing terms, deep copies, equality.
 */
import type { Body, Expr, Head, Loc, Term } from "./ast.js";

/** A term without variables (refs and calls count as not ground). */
export function isGround(t: Term): boolean {
  switch (t.type) {
    case "null":
    case "boolean":
    case "number":
    case "string":
      return true;
    case "array":
    case "set":
      return t.value.every(isGround);
    case "object":
      return t.value.every(([k, v]) => isGround(k) && isGround(v));
    case "templatestring":
      return t.value.every(isGround);
    default:
      return false;
  }
}

/** OPA's Ref.IsGround: every part after the head is ground. */
export function refTailGround(ref: Term[]): boolean {
  for (let i = 1; i < ref.length; i++) if (!isGround(ref[i] as Term)) return false;
  return true;
}

/** The ground prefix of a rule ref: the head and the ground parts up to the first non-ground one. */
export function groundPrefix(ref: Term[]): Term[] {
  const out: Term[] = [];
  for (let i = 0; i < ref.length; i++) {
    const t = ref[i] as Term;
    if (i > 0 && !isGround(t)) break;
    out.push(t);
  }
  return out;
}

/** Structural equality ignoring locations (enough for ref prefixes). */
export function sameTerm(a: Term, b: Term): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case "null":
      return true;
    case "boolean":
    case "var":
    case "string":
      return a.value === b.value;
    case "number":
      return String(a.value) === String(b.value);
    case "ref":
    case "array":
    case "set":
    case "call":
    case "templatestring": {
      const bv = b.value as Term[];
      return a.value.length === bv.length && a.value.every((x, i) => sameTerm(x, bv[i] as Term));
    }
    case "object": {
      const bv = b.value as [Term, Term][];
      return (
        a.value.length === bv.length &&
        a.value.every(([k, v], i) => sameTerm(k, (bv[i] as [Term, Term])[0]) && sameTerm(v, (bv[i] as [Term, Term])[1]))
      );
    }
    default:
      return a === b;
  }
}

export function sameRef(a: Term[], b: Term[]): boolean {
  return a.length === b.length && a.every((x, i) => sameTerm(x, b[i] as Term));
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A ref as OPA prints it: `a.b[x]["c d"]`. */
export function refString(ref: Term[]): string {
  let s = "";
  ref.forEach((t, i) => {
    if (i === 0) s += termString(t);
    else if (t.type === "string" && IDENT.test(t.value)) s += `.${t.value}`;
    else s += `[${termString(t)}]`;
  });
  return s;
}

/** A term in Rego syntax, for messages: calls as `f(x, y)`, refs as `a.b[x]`. */
export function termString(t: Term): string {
  switch (t.type) {
    case "null":
      return "null";
    case "boolean":
      return String(t.value);
    case "number":
      return t.text;
    case "string":
      return JSON.stringify(t.value);
    case "var":
      return t.value;
    case "ref":
      return refString(t.value);
    case "array":
      return `[${t.value.map(termString).join(", ")}]`;
    case "set":
      return t.value.length ? `{${t.value.map(termString).join(", ")}}` : "set()";
    case "object":
      return `{${t.value.map(([k, v]) => `${termString(k)}: ${termString(v)}`).join(", ")}}`;
    case "arraycomprehension":
      return `[${termString(t.value.term)} | ${bodyString(t.value.body)}]`;
    case "setcomprehension":
      return `{${termString(t.value.term)} | ${bodyString(t.value.body)}}`;
    case "objectcomprehension":
      return `{${termString(t.value.key)}: ${termString(t.value.value)} | ${bodyString(t.value.body)}}`;
    case "call":
      return callString(t.value);
    case "templatestring":
      return `$"${t.value.map((p, i) => (t.exprs[i] ? `{${termString(p)}}` : p.type === "string" ? p.value : termString(p))).join("")}"`;
  }
}

function callString(terms: Term[]): string {
  return `${termString(terms[0] as Term)}(${terms.slice(1).map(termString).join(", ")})`;
}

/** An expression in Rego syntax: `not f(x) with input as {}`, `some x`, `every … { … }`. */
export function exprString(e: Expr): string {
  let s = e.negated ? "not " : "";
  const t = e.terms;
  if (Array.isArray(t)) s += callString(t);
  else if (t.type === "somedecl") s += `some ${t.symbols.map(termString).join(", ")}`;
  else if (t.type === "every")
    s += `every ${t.key ? termString(t.key) + ", " : ""}${termString(t.value)} in ${termString(t.domain)} { ${bodyString(t.body)} }`;
  else if (t.type === "logical") {
    const parts = t.operands.map((b, i) => (t.explicit[i] ? `{ ${bodyString(b)} }` : `(${bodyString(b)})`));
    s += t.op === "body" ? `${parts[0]}` : parts.join(` ${t.op} `);
  } else s += termString(t);
  for (const w of e.with ?? []) s += ` with ${termString(w.target)} as ${termString(w.value)}`;
  return s;
}

export function bodyString(b: Body): string {
  return b.map(exprString).join("; ");
}

/** Deep copy of a term; locations are shared (they are never mutated). */
export function cloneTerm(t: Term): Term {
  switch (t.type) {
    case "ref":
    case "array":
    case "set":
    case "call":
      return { ...t, value: t.value.map(cloneTerm) } as Term;
    case "templatestring": {
      const c = { ...t, value: t.value.map(cloneTerm), exprs: [...t.exprs] };
      return c;
    }
    case "object":
      return { ...t, value: t.value.map(([k, v]) => [cloneTerm(k), cloneTerm(v)] as [Term, Term]) };
    case "arraycomprehension":
    case "setcomprehension":
      return { ...t, value: { term: cloneTerm(t.value.term), body: cloneBody(t.value.body) } } as Term;
    case "objectcomprehension":
      return {
        ...t,
        value: { key: cloneTerm(t.value.key), value: cloneTerm(t.value.value), body: cloneBody(t.value.body) },
      };
    default:
      return { ...t };
  }
}

function cloneBody(body: Body): Body {
  return body.map(cloneExpr);
}

function cloneExpr(e: Expr): Expr {
  const c: Expr = { ...e };
  const terms = e.terms;
  if (Array.isArray(terms)) c.terms = terms.map(cloneTerm);
  else if (terms.type === "somedecl") c.terms = { ...terms, symbols: terms.symbols.map(cloneTerm) };
  else if (terms.type === "every") {
    c.terms = {
      ...terms,
      key: terms.key ? cloneTerm(terms.key) : null,
      value: cloneTerm(terms.value),
      domain: cloneTerm(terms.domain),
      body: cloneBody(terms.body),
    };
  } else if (terms.type === "logical") c.terms = { ...terms, operands: terms.operands.map(cloneBody), explicit: [...terms.explicit] };
  else c.terms = cloneTerm(terms);
  if (e.with) c.with = e.with.map((w) => ({ ...w, target: cloneTerm(w.target), value: cloneTerm(w.value) }));
  return c;
}

/** A copy of a rule head relocated to `loc` (chained bodies and `else` branches). */
export function cloneHead(h: Head, loc: Loc): Head {
  const c: Head = { loc, ref: h.ref.map(cloneTerm), assign: h.assign };
  if (h.args) c.args = h.args.map(cloneTerm);
  if (h.key) c.key = cloneTerm(h.key);
  if (h.value) c.value = cloneTerm(h.value);
  return c;
}

/** The first var, ref or call in a default rule's value, outside comprehensions. */
export function firstNonConstant(t: Term): string | null {
  switch (t.type) {
    case "var":
    case "ref":
    case "call":
      return t.type;
    case "array":
    case "set":
    case "templatestring":
      for (const x of t.value) {
        const r = firstNonConstant(x);
        if (r) return r;
      }
      return null;
    case "object":
      for (const [k, v] of t.value) {
        const r = firstNonConstant(k) ?? firstNonConstant(v);
        if (r) return r;
      }
      return null;
    default:
      return null;
  }
}

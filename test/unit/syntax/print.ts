/**
 * Compact printing of parsed ASTs for assertions: calls print as
 * `name(args)`, refs with dots/brackets, so tests read like Rego.
 */
import type { Body, Expr, Head, Module, Rule, Term } from "../../../workers/rego/syntax/index.js";

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function termStr(t: Term): string {
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
      return t.value
        .map((p, i) =>
          i === 0 ? termStr(p) : p.type === "string" && IDENT.test(p.value) ? `.${p.value}` : `[${termStr(p)}]`,
        )
        .join("");
    case "array":
      return `[${t.value.map(termStr).join(", ")}]`;
    case "set":
      return t.value.length ? `{${t.value.map(termStr).join(", ")}}` : "set()";
    case "object":
      return `{${t.value.map(([k, v]) => `${termStr(k)}: ${termStr(v)}`).join(", ")}}`;
    case "arraycomprehension":
      return `[${termStr(t.value.term)} | ${bodyStr(t.value.body)}]`;
    case "setcomprehension":
      return `{${termStr(t.value.term)} | ${bodyStr(t.value.body)}}`;
    case "objectcomprehension":
      return `{${termStr(t.value.key)}: ${termStr(t.value.value)} | ${bodyStr(t.value.body)}}`;
    case "call":
      return callStr(t.value);
    case "templatestring":
      return `$"${t.value.map((p, i) => (t.exprs[i] ? `{${termStr(p)}}` : p.type === "string" ? p.value : termStr(p))).join("")}"`;
  }
}

function callStr(terms: Term[]): string {
  return `${termStr(terms[0] as Term)}(${terms.slice(1).map(termStr).join(", ")})`;
}

export function exprStr(e: Expr): string {
  let s = e.negated ? "not " : "";
  const t = e.terms;
  if (Array.isArray(t)) s += callStr(t);
  else if (t.type === "somedecl") s += `some ${t.symbols.map(termStr).join(", ")}`;
  else if (t.type === "every")
    s += `every ${t.key ? termStr(t.key) + ", " : ""}${termStr(t.value)} in ${termStr(t.domain)} { ${bodyStr(t.body)} }`;
  else s += termStr(t);
  for (const w of e.with ?? []) s += ` with ${termStr(w.target)} as ${termStr(w.value)}`;
  return s;
}

export function bodyStr(b: Body): string {
  return b.map(exprStr).join("; ");
}

export function headStr(h: Head): string {
  let s = h.ref.map((p, i) => (i === 0 ? termStr(p) : p.type === "string" && IDENT.test(p.value) ? `.${p.value}` : `[${termStr(p)}]`)).join("");
  if (h.args) s += `(${h.args.map(termStr).join(", ")})`;
  if (h.key) s += ` contains ${termStr(h.key)}`;
  if (h.value) s += ` ${h.assign ? ":=" : "="} ${termStr(h.value)}`;
  return s;
}

export function ruleStr(r: Rule): string {
  let s = `${r.default ? "default " : ""}${headStr(r.head)} { ${bodyStr(r.body)} }`;
  if (r.else) s += ` else ${ruleStr(r.else)}`;
  return s;
}

export function moduleRules(m: Module): string[] {
  return m.rules.map(ruleStr);
}

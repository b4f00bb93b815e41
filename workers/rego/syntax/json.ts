/**
 * A module as OPA's AST JSON (what `rego.parse_module` returns and `opa parse
 * --format json` prints): terms are `{type, value}`, expressions
 * `{index, terms}`, rules `{head, body}`.
 */
import type { Body, Expr, Module, Rule, Term } from "./ast.js";
import { isCall, isEvery, isLogical, isSomeDecl } from "./walk.js";

type JSONish = null | boolean | number | bigint | string | JSONish[] | { [k: string]: JSONish };

export function moduleJSON(m: Module): JSONish {
  return {
    package: { path: m.package.path.map(termJSON) },
    ...(m.imports.length ? { imports: m.imports.map((i) => ({ path: termJSON(i.path), ...(i.alias ? { alias: i.alias } : {}) })) } : {}),
    ...(m.rules.length ? { rules: m.rules.map(ruleJSON) } : {}),
  };
}

function ruleJSON(r: Rule): JSONish {
  const head = r.head;
  const name = head.ref[0]?.type === "var" ? head.ref[0].value : "";
  const out: { [k: string]: JSONish } = {
    head: {
      name,
      ref: head.ref.map(termJSON),
      ...(head.args ? { args: head.args.map(termJSON) } : {}),
      ...(head.key ? { key: termJSON(head.key) } : {}),
      ...(head.value ? { value: termJSON(head.value) } : {}),
      ...(head.assign ? { assign: true } : {}),
    },
    body: bodyJSON(r.body),
  };
  if (r.default) out.default = true;
  if (r.else) out.else = ruleJSON(r.else);
  return out;
}

function bodyJSON(b: Body): JSONish {
  return b.map(exprJSON);
}

function exprJSON(e: Expr): JSONish {
  const t = e.terms;
  let terms: JSONish;
  if (isCall(t)) terms = t.map(termJSON);
  else if (isSomeDecl(t)) terms = { symbols: t.symbols.map(termJSON) };
  else if (isEvery(t))
    terms = { ...(t.key ? { key: termJSON(t.key) } : {}), value: termJSON(t.value), domain: termJSON(t.domain), body: bodyJSON(t.body) };
  else if (isLogical(t)) terms = { type: t.op, operands: t.operands.map(bodyJSON) };
  else terms = termJSON(t);
  return {
    index: e.index,
    terms,
    ...(e.negated ? { negated: true } : {}),
    ...(e.with?.length ? { with: e.with.map((w) => ({ target: termJSON(w.target), value: termJSON(w.value) })) } : {}),
  };
}

export function termJSON(t: Term): JSONish {
  switch (t.type) {
    case "null":
    case "boolean":
    case "string":
    case "var":
      return { type: t.type, value: t.value };
    case "number":
      return { type: "number", value: t.value };
    case "ref":
    case "array":
    case "set":
    case "call":
      return { type: t.type, value: t.value.map(termJSON) };
    case "object":
      return { type: "object", value: t.value.map(([k, v]) => [termJSON(k), termJSON(v)]) };
    case "arraycomprehension":
    case "setcomprehension":
      return { type: t.type, value: { term: termJSON(t.value.term), body: bodyJSON(t.value.body) } };
    case "objectcomprehension":
      return { type: t.type, value: { key: termJSON(t.value.key), value: termJSON(t.value.value), body: bodyJSON(t.value.body) } };
    case "templatestring":
      return { type: t.type, value: t.value.map(termJSON) };
  }
}

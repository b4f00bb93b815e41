/**
 * The engine's nesting limit, checked once after parsing. Every later stage
 * (compile checks, planner, evaluator) walks terms, bodies and `else` chains
 * recursively, so how deep a module nests bounds how deep their stacks grow.
 * The parser reads operator chains (`1 + 1 + … + 1`), refs, `else` chains and
 * `with` lists with loops, so those can nest far deeper than the parser's own
 * recursion guard (MAX_DEPTH in parser-base.ts) notices; this check counts
 * them, except the left operands of operator chains. The check itself uses an
 * explicit stack.
 *
 * One level is: a term inside another (an array element, an object value, a
 * call argument, a ref part, the right operand of an operator), an expression
 * inside a body, a body inside a comprehension or `every`, each `with` on an
 * expression, each `else` of a rule.
 */
import type { RegoErrorInfo } from "../errors.js";
import type { Body, Expr, Loc, Rule, Term } from "./ast.js";
import { BINARY_OPS } from "./tokens.js";

/** Documented in README.md (the engine section). */
export const MAX_NESTING = 1000;

export const NESTING_ERROR = `nesting deeper than ${MAX_NESTING}`;

type Node = { kind: "rule"; rule: Rule } | { kind: "expr"; expr: Expr } | { kind: "term"; term: Term };

/** The first place (in walk order) where `rules` or `body` nest deeper than MAX_NESTING, as a parse error. */
export function checkNesting(file: string, rules: Rule[], body?: Body): RegoErrorInfo | undefined {
  const stack: [Node, number][] = [];
  for (let i = rules.length - 1; i >= 0; i--) stack.push([{ kind: "rule", rule: rules[i] as Rule }, 1]);
  if (body) pushBody(stack, body, 1);
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [Node, number];
    if (depth > MAX_NESTING) return error(file, locOf(node));
    const d = depth + 1;
    switch (node.kind) {
      case "rule": {
        const r = node.rule;
        if (r.else) stack.push([{ kind: "rule", rule: r.else }, d]);
        pushBody(stack, r.body, d);
        const h = r.head;
        for (const t of [...h.ref, ...(h.args ?? []), ...(h.key ? [h.key] : []), ...(h.value ? [h.value] : [])]) pushTerm(stack, t, d);
        break;
      }
      case "expr": {
        const e = node.expr;
        const withs = e.with ?? [];
        // each `with` nests what it applies to one level deeper
        const inner = d + withs.length;
        withs.forEach((w, i) => {
          pushTerm(stack, w.target, d + i);
          pushTerm(stack, w.value, d + i);
        });
        const t = e.terms;
        if (Array.isArray(t)) for (const x of t) pushTerm(stack, x, inner);
        else if (t.type === "somedecl") for (const x of t.symbols) pushTerm(stack, x, inner);
        else if (t.type === "every") {
          if (t.key) pushTerm(stack, t.key, inner);
          pushTerm(stack, t.value, inner);
          pushTerm(stack, t.domain, inner);
          pushBody(stack, t.body, inner + 1);
        } else pushTerm(stack, t, inner);
        break;
      }
      case "term": {
        const t = node.term;
        switch (t.type) {
          case "call":
            // The left operand of an infix operator stays at the operator's
            // level: `1 + 1 + … + 1` is a flat chain the parser reads in a
            // loop, not nesting a user wrote, and every stage handles long
            // chains without recursion (the sweep in test/unit/robustness).
            t.value.forEach((x, i) => pushTerm(stack, x, i === 1 && isChainOperator(t.value[0] as Term) ? depth : d));
            break;
          case "ref":
          case "array":
          case "set":
            for (const x of t.value) pushTerm(stack, x, d);
            break;
          case "object":
            for (const [k, v] of t.value) {
              pushTerm(stack, k, d);
              pushTerm(stack, v, d);
            }
            break;
          case "arraycomprehension":
          case "setcomprehension":
            pushTerm(stack, t.value.term, d);
            pushBody(stack, t.value.body, d + 1);
            break;
          case "objectcomprehension":
            pushTerm(stack, t.value.key, d);
            pushTerm(stack, t.value.value, d);
            pushBody(stack, t.value.body, d + 1);
            break;
          case "templatestring":
            for (const x of t.value) pushTerm(stack, x, d);
            for (const ws of t.withs ?? [])
              ws?.forEach((w, i) => {
                pushTerm(stack, w.target, d + i);
                pushTerm(stack, w.value, d + i);
              });
            break;
          default:
            break;
        }
        break;
      }
    }
  }
  return undefined;
}

/** Operators that chain to the left: what BINARY_OPS names, and `in`. */
const CHAIN_OPERATORS = new Set([...[...BINARY_OPS.values()].map((o) => o.name), "internal.member_2"]);

function isChainOperator(op: Term): boolean {
  if (op.type !== "ref") return false;
  const [head, ...rest] = op.value;
  if (head?.type !== "var") return false;
  const name = [head.value, ...rest.map((p) => (p.type === "string" ? p.value : "\u0000"))].join(".");
  return CHAIN_OPERATORS.has(name);
}

function pushBody(stack: [Node, number][], body: Body, depth: number): void {
  for (let i = body.length - 1; i >= 0; i--) stack.push([{ kind: "expr", expr: body[i] as Expr }, depth]);
}

function pushTerm(stack: [Node, number][], t: Term, depth: number): void {
  stack.push([{ kind: "term", term: t }, depth]);
}

function locOf(node: Node): Loc {
  return node.kind === "rule" ? node.rule.loc : node.kind === "expr" ? node.expr.loc : node.term.loc;
}

function error(file: string, loc: Loc): RegoErrorInfo {
  return { code: "rego_parse_error", message: NESTING_ERROR, location: { file: loc.file || file, row: loc.row, col: loc.col } };
}

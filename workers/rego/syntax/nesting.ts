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

/**
 * The most parts a package path or a rule head's ref may have (documented in README.md). Each part
 * is a level of the compiler's rule tree, and a package of 20,000 parts took seconds to compile,
 * then exhausted the stack; real policies use a handful.
 */
export const MAX_PATH_PARTS = 256;

const RULE = 0;
const EXPR = 1;
const TERM = 2;

/**
 * The walk's stack, as three parallel arrays (what, its kind, its depth): a
 * big policy has hundreds of thousands of terms, and a tuple and a wrapper
 * object for each was a noticeable part of parsing.
 */
class Walk {
  readonly nodes: (Rule | Expr | Term)[] = [];
  readonly kinds: number[] = [];
  readonly depths: number[] = [];

  push(node: Rule | Expr | Term, kind: number, depth: number): void {
    this.nodes.push(node);
    this.kinds.push(kind);
    this.depths.push(depth);
  }

  term(t: Term, depth: number): void {
    this.push(t, TERM, depth);
  }

  body(body: Body, depth: number): void {
    for (let i = body.length - 1; i >= 0; i--) this.push(body[i] as Expr, EXPR, depth);
  }
}

/** The first place (in walk order) where `rules` or `body` nest deeper than MAX_NESTING, as a parse error. */
export function checkNesting(file: string, rules: Rule[], body?: Body): RegoErrorInfo | undefined {
  const stack = new Walk();
  for (let i = rules.length - 1; i >= 0; i--) stack.push(rules[i] as Rule, RULE, 1);
  if (body) stack.body(body, 1);
  while (stack.nodes.length > 0) {
    const node = stack.nodes.pop() as Rule | Expr | Term;
    const kind = stack.kinds.pop() as number;
    const depth = stack.depths.pop() as number;
    if (depth > MAX_NESTING) return error(file, node.loc);
    const d = depth + 1;
    switch (kind) {
      case RULE: {
        const r = node as Rule;
        if (r.else) stack.push(r.else, RULE, d);
        stack.body(r.body, d);
        const h = r.head;
        for (const t of [...h.ref, ...(h.args ?? []), ...(h.key ? [h.key] : []), ...(h.value ? [h.value] : [])]) stack.term(t, d);
        break;
      }
      case EXPR: {
        const e = node as Expr;
        const withs = e.with ?? [];
        // each `with` nests what it applies to one level deeper
        const inner = d + withs.length;
        withs.forEach((w, i) => {
          stack.term(w.target, d + i);
          stack.term(w.value, d + i);
        });
        const t = e.terms;
        if (Array.isArray(t)) for (const x of t) stack.term(x, inner);
        else if (t.type === "somedecl") for (const x of t.symbols) stack.term(x, inner);
        else if (t.type === "every") {
          if (t.key) stack.term(t.key, inner);
          stack.term(t.value, inner);
          stack.term(t.domain, inner);
          stack.body(t.body, inner + 1);
        } else if (t.type === "logical") for (const b of t.operands) stack.body(b, inner + 1);
        else stack.term(t, inner);
        break;
      }
      default: {
        const t = node as Term;
        switch (t.type) {
          case "call":
            // The left operand of an infix operator stays at the operator's
            // level: `1 + 1 + … + 1` is a flat chain the parser reads in a
            // loop, not nesting a user wrote, and every stage handles long
            // chains without recursion (the sweep in test/unit/robustness).
            t.value.forEach((x, i) => stack.term(x, i === 1 && isChainOperator(t.value[0] as Term) ? depth : d));
            break;
          case "ref":
          case "array":
          case "set":
            for (const x of t.value) stack.term(x, d);
            break;
          case "object":
            for (const [k, v] of t.value) {
              stack.term(k, d);
              stack.term(v, d);
            }
            break;
          case "arraycomprehension":
          case "setcomprehension":
            stack.term(t.value.term, d);
            stack.body(t.value.body, d + 1);
            break;
          case "objectcomprehension":
            stack.term(t.value.key, d);
            stack.term(t.value.value, d);
            stack.body(t.value.body, d + 1);
            break;
          case "templatestring":
            for (const x of t.value) stack.term(x, d);
            for (const ws of t.withs ?? [])
              ws?.forEach((w, i) => {
                stack.term(w.target, d + i);
                stack.term(w.value, d + i);
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

function error(file: string, loc: Loc): RegoErrorInfo {
  return { code: "rego_parse_error", message: NESTING_ERROR, location: { file: loc.file || file, row: loc.row, col: loc.col } };
}

/**
 * Rewrites after safety that make common shapes cheaper to evaluate without
 * changing what they mean.
 *
 * Membership: `v := coll[_]` (or `some v in coll`) followed later by `v == x`,
 * where `v` is used nowhere else in the rule, asks only whether some element
 * of `coll` equals `x` — `x in coll`. Planned that way it is one built-in call
 * (a hash lookup for sets and large arrays) instead of a loop in the plan.
 */
import type { Body, Expr, Term } from "../syntax/ast.js";
import { isCall, isEvery, isLogical, isSomeDecl, walkExpr, walkTerm } from "../syntax/walk.js";
import { operatorRef, refName } from "./names.js";
import type { CompiledRule } from "./types.js";

export function optimizeRule(rule: CompiledRule): void {
  const uses = countVars(rule);
  rule.body = optimizeBody(rule.body, uses);
  forEachClosureBody(rule.body, (body) => optimizeBody(body, uses));
  if (rule.else) optimizeRule(rule.else);
}

function optimizeBody(body: Body, uses: Map<string, number>): Body {
  let out = body;
  for (let i = 0; i < out.length; i++) {
    const m = memberSource(out[i] as Expr);
    if (!m || uses.get(m.v) !== 2) continue;
    const j = out.findIndex((e, k) => k > i && comparedWith(e, m.v) !== undefined);
    if (j < 0) continue;
    const use = out[j] as Expr;
    const x = comparedWith(use, m.v) as Term;
    const member: Expr = { ...use, terms: [operatorRef("internal.member_2", use.loc), x, m.coll] };
    out = out.filter((_, k) => k !== i).map((e) => (e === use ? member : e));
    out = out.map((e, k) => (e.index === k ? e : { ...e, index: k }));
    i--;
  }
  return out;
}

/** `v := coll[_]`, `v = coll[_]` or `some v in coll`: the element variable and the collection. */
function memberSource(e: Expr): { v: string; coll: Term } | undefined {
  if (e.negated || e.with?.length) return undefined;
  const t = e.terms;
  if (isSomeDecl(t)) {
    const s = t.symbols[0];
    if (t.symbols.length !== 1 || s?.type !== "call" || refName(s.value[0] as Term) !== "internal.member_2") return undefined;
    const [v, coll] = s.value.slice(1) as [Term, Term];
    return v.type === "var" ? { v: v.value, coll } : undefined;
  }
  if (!isCall(t) || t.length !== 3) return undefined;
  const op = refName(t[0] as Term);
  if (op !== "eq" && op !== "assign") return undefined;
  const [a, b] = t.slice(1) as [Term, Term];
  const pick = (v: Term, ref: Term) => {
    if (v.type !== "var" || ref.type !== "ref" || ref.value.length < 2) return undefined;
    const last = ref.value[ref.value.length - 1] as Term;
    if (last.type !== "var" || !last.value.startsWith("_$")) return undefined;
    return { v: v.value, coll: { ...ref, value: ref.value.slice(0, -1) } as Term, wildcard: last.value };
  };
  const found = pick(a, b) ?? (op === "eq" ? pick(b, a) : undefined);
  if (!found) return undefined;
  // The wildcard must be nothing but the iteration, and the rest of the ref bound already.
  let wildcardUses = 0;
  walkTerm(found.coll, (x) => {
    if (x.type === "var" && x.value.startsWith("_$")) wildcardUses++;
  });
  if (wildcardUses > 0 || found.coll.type !== "ref" || found.coll.value.length < 1) return undefined;
  return { v: found.v, coll: found.coll.value.length === 1 ? (found.coll.value[0] as Term) : found.coll };
}

/** In `v == x`, `x == v` or `v = x` (x not mentioning v): x. */
function comparedWith(e: Expr, v: string): Term | undefined {
  if (e.negated || e.with?.length || !isCall(e.terms) || e.terms.length !== 3) return undefined;
  const op = refName(e.terms[0] as Term);
  if (op !== "equal" && op !== "eq") return undefined;
  const [a, b] = e.terms.slice(1) as [Term, Term];
  const mentions = (t: Term) => {
    let found = false;
    walkTerm(t, (x) => {
      if (x.type === "var" && x.value === v) found = true;
      return !found;
    });
    return found;
  };
  if (a.type === "var" && a.value === v && !mentions(b)) return b;
  if (b.type === "var" && b.value === v && !mentions(a)) return a;
  return undefined;
}

function countVars(rule: CompiledRule): Map<string, number> {
  const uses = new Map<string, number>();
  const count = (t: Term) =>
    walkTerm(t, (x) => {
      if (x.type === "var") uses.set(x.value, (uses.get(x.value) ?? 0) + 1);
    });
  for (const t of [...rule.suffix, ...rule.args]) count(t);
  if (rule.key) count(rule.key);
  if (rule.value) count(rule.value);
  for (const e of rule.body) walkExpr(e, (t) => void (t.type === "var" && uses.set(t.value, (uses.get(t.value) ?? 0) + 1)));
  return uses;
}

/** Applies `fn` to the body of every comprehension and `every` in a body (in place). */
function forEachClosureBody(body: Body, fn: (b: Body) => Body): void {
  for (const e of body) {
    const t = e.terms;
    if (isEvery(t)) {
      t.body = fn(t.body);
      forEachClosureBody(t.body, fn);
    }
    if (isLogical(t)) {
      t.operands = t.operands.map((b, i) => (t.explicit[i] ? fn(b) : b));
      for (const b of t.operands) forEachClosureBody(b, fn);
      continue;
    }
    const visit = (term: Term) =>
      walkTerm(
        term,
        (x) => {
          if (x.type === "arraycomprehension" || x.type === "setcomprehension" || x.type === "objectcomprehension") {
            x.value.body = fn(x.value.body);
            forEachClosureBody(x.value.body, fn);
          }
        },
        false,
      );
    if (isCall(t)) t.slice(1).forEach(visit);
    else if (isSomeDecl(t)) t.symbols.forEach(visit);
    else if (!isEvery(t)) visit(t);
  }
}

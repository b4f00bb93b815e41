/**
 * Checks over the whole rule tree, as OPA's compiler makes them: rules at one
 * path must be of one kind, functions of one arity, at most one default, and
 * a rule with a complete value cannot also have rules below it.
 */
import type { RegoErrorInfo } from "../errors.js";
import type { Loc, Term } from "../syntax/ast.js";
import { walkTerm } from "../syntax/walk.js";
import { groundValue } from "../syntax/value.js";
import { termString } from "../value/index.js";
import type { RuleNode, RuleTree } from "./ruletree.js";
import type { CompiledRule } from "./types.js";

export function checkTree(tree: RuleTree, errors: RegoErrorInfo[]): void {
  for (const node of tree.nodesWithRules()) checkNode(node, errors);
}

function checkNode(node: RuleNode, errors: RegoErrorInfo[]): void {
  const path = ["data", ...node.path].join(".");
  const rules = node.allRules();
  const first = rules[0] as CompiledRule;
  const report = (message: string, loc: Loc, code: RegoErrorInfo["code"] = "rego_type_error") =>
    errors.push({ code, message, location: { file: loc.file, row: loc.row, col: loc.col } });

  const isFunc = (r: CompiledRule) => r.kind === "function";
  if (rules.some(isFunc) && !rules.every(isFunc)) report(`conflicting rules ${path} found`, first.loc);
  else if (rules.every(isFunc) && new Set(rules.map((r) => r.args.length)).size > 1) report(`conflicting rules ${path} found`, first.loc);

  const objectShaped = rules.some((r) => r.suffix.length > 0);
  if (!rules.some(isFunc) && !objectShaped && new Set(rules.map((r) => r.kind)).size > 1)
    report(`conflicting rules ${path} found`, first.loc);

  // Defaults at one ref conflict; `default p[true] := …` and `default p[false] := …` do not.
  const seenDefaults = new Set<string>();
  for (const d of node.defaults) {
    const key = d.suffix.map((t) => termString(groundValue(t) ?? null)).join(",");
    if (seenDefaults.has(key)) {
      report(`multiple default rules ${path} found`, d.loc);
      break;
    }
    seenDefaults.add(key);
  }
  for (const d of node.defaults) {
    // A ground key (`default p[true] := …`) is allowed, as in OPA; only vars are not.
    if (d.suffix.some((t) => groundValue(t) === undefined))
      report(`default rules must not have variables in their refs`, d.loc, "rego_compile_error");
    else if (d.suffix.length > 1)
      report(`default rules with more than one non-string key in their ref are not supported`, d.loc, "rego_compile_error");
    if (d.value && hasVars(d.value)) report(`illegal default rule (value cannot contain var)`, d.loc, "rego_compile_error");
  }

  for (const r of rules) {
    for (let e = r.else; e; e = e.else)
      if (r.kind === "multi" || r.suffix.length > 0) {
        report(`else keyword cannot be used on multi-value rules`, e.loc, "rego_compile_error");
        break;
      }
  }

  const completeValue = !objectShaped && first.kind === "single";
  if (completeValue || (first.kind === "multi" && !objectShaped)) {
    for (const child of node.children.values())
      if (child.isVirtual && !child.isFunction) {
        const below = firstRule(child);
        report(`rule ${path} conflicts with [${["data", ...(below?.path ?? child.path)].join(".")}]`, first.loc);
        break;
      }
  }
}

function firstRule(node: RuleNode): CompiledRule | undefined {
  if (node.hasRules) return node.allRules()[0];
  for (const c of node.children.values()) {
    const r = firstRule(c);
    if (r) return r;
  }
  return undefined;
}

/** Variables outside closures (a default value may be a comprehension). */
function hasVars(t: Term): boolean {
  let found = false;
  walkTerm(
    t,
    (x) => {
      if (x.type === "var") found = true;
      return !found;
    },
    false,
  );
  return found;
}

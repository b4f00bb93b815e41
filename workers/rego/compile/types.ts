/**
 * The compiler's view of a policy after name resolution: every rule placed at
 * its data path, every variable renamed to a name unique within its rule, and
 * every reference to another rule, import or built-in made explicit.
 */
import type { Body, Loc, Module, Term } from "../syntax/ast.js";

export type RuleKind = "single" | "multi" | "function";

export interface CompiledRule {
  module: Module;
  /** the rule's ground data path, without `data` (["payments", "allow"]) */
  path: string[];
  /** head ref terms after the ground path (`p[x].y := …` → [x, "y"]) */
  suffix: Term[];
  kind: RuleKind;
  args: Term[];
  /** element of a multi-value rule */
  key?: Term;
  /** value of a single-value rule or function */
  value?: Term;
  body: Body;
  default: boolean;
  else?: CompiledRule;
  loc: Loc;
  /** the location of the head, for provenance */
  headLoc: Loc;
}

/** A compile-time variable: unique name → what the user wrote. */
export type VarNames = Map<string, string>;

/** A query the planner turns into a plan of its own: an entrypoint or an ad-hoc query. */
export interface QueryPlanSpec {
  name: string;
  body: Body;
  /** result row key → variable holding it */
  bindings: [string, string][];
}

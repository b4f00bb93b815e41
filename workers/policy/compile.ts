/**
 * Compiling one policy module the way the STS will run it: the decision
 * rules of the module's own package become the plan's entrypoints, and every
 * other rule is planned too so that errors anywhere are reported at once.
 */
import { compile, type Plan, type RegoErrorInfo } from "../rego/index.js";
import { parseModule } from "../rego/syntax/index.js";
import type { Module } from "../rego/syntax/ast.js";

/** The rules of a policy's package that the decision contract reads (DESIGN §4). */
export const DECISION_RULES = ["allow", "deny", "ttl", "scope", "claims"] as const;
export type DecisionRule = (typeof DECISION_RULES)[number];

export interface PolicyModule {
  /** file name used in error locations and provenance, e.g. `payments-policy.rego` */
  file: string;
  source: string;
  regoVersion: 0 | 1;
}

export type CompiledPolicy =
  | { ok: true; package: string; plan: Plan }
  | { ok: false; errors: RegoErrorInfo[] };

export function compilePolicy(module: PolicyModule): CompiledPolicy {
  const parsed = parseModule(module.file, module.source, { regoVersion: module.regoVersion });
  if (parsed.errors.length > 0 || !parsed.module) return { ok: false, errors: parsed.errors };
  const pkg = modulePackage(parsed.module);
  const result = compile({
    modules: [{ name: module.file, source: module.source }],
    entrypoints: DECISION_RULES.map((rule) => decisionEntrypoint(pkg, rule)),
    options: { regoVersion: module.regoVersion },
  });
  if (!result.plan || result.errors.length > 0) return { ok: false, errors: result.errors };
  return { ok: true, package: pkg, plan: result.plan };
}

/** `data.payments.v1.allow` for package `payments.v1`. */
export function decisionEntrypoint(pkg: string, rule: DecisionRule): string {
  return `data.${pkg}.${rule}`;
}

/** `a.b` for `package a.b` (parsed as `[data, "a", "b"]`). */
export function modulePackage(module: Module): string {
  return module.package.path
    .slice(1)
    .map((t) => String(t.value))
    .join(".");
}

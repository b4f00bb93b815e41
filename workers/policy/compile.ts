/**
 * Compiling one policy module the way the STS will run it: the decision
 * rules of the module's own package become the plan's entrypoints, and every
 * other rule is planned too so that errors anywhere are reported at once.
 */
import { compileParsed, parseSources, type Plan, type RegoErrorInfo } from "../rego/index.js";

/** The rules of a policy's package that the decision contract reads (DESIGN §4). */
export const DECISION_RULES = ["allow", "deny", "ttl", "scope", "claims"] as const;
export type DecisionRule = (typeof DECISION_RULES)[number];

export interface PolicyModule {
  /** file name used in error locations and provenance, e.g. `payments-policy.rego` */
  file: string;
  source: string;
  regoVersion: 0 | 1;
}

export type CompiledPolicy = { ok: true; package: string; plan: Plan } | { ok: false; errors: RegoErrorInfo[] };

export function compilePolicy(module: PolicyModule): CompiledPolicy {
  // Parsed once: the package the parse reports names the decision entrypoints.
  const options = { regoVersion: module.regoVersion };
  const parsed = parseSources([{ name: module.file, source: module.source }], options);
  const pkg = parsed.packages.get(module.file);
  if (parsed.errors.length > 0 || pkg === undefined) return { ok: false, errors: parsed.errors };
  const result = compileParsed(parsed, { entrypoints: DECISION_RULES.map((rule) => decisionEntrypoint(pkg, rule)), options });
  if (!result.plan || result.errors.length > 0) return { ok: false, errors: result.errors };
  return { ok: true, package: pkg, plan: result.plan };
}

/** `data.payments.v1.allow` for package `payments.v1`. */
export function decisionEntrypoint(pkg: string, rule: DecisionRule): string {
  return `data.${pkg}.${rule}`;
}

/**
 * The rules of a policy's decision package the STS reads (docs/architecture.md §4), for Rego and
 * OPA-Wasm versions alike. A leaf: the Wasm child Worker's bundle imports it too.
 */
export const DECISION_RULES = ["allow", "deny", "ttl", "scope", "claims"] as const;
export type DecisionRule = (typeof DECISION_RULES)[number];

/**
 * What the STS and the OPA-Wasm child Worker (child.ts) say to each other over RPC,
 * and the facts both sides share. Plain JSON-compatible data only.
 */

import type { DecisionRule } from "../policy/decision-rules.js";

/**
 * Built-ins @open-policy-agent/opa-wasm 1.10.0 implements itself (src/builtins/: json, strings,
 * regex, yaml); it prefers them over `customBuiltins`. test/unit/wasm checks this list against
 * the installed SDK.
 */
export const SDK_BUILTINS: readonly string[] = [
  "json.is_valid",
  "regex.split",
  "sprintf",
  "yaml.is_valid",
  "yaml.marshal",
  "yaml.unmarshal",
];

export interface ChildError {
  /** eval_conflict_error, eval_builtin_error, eval_budget_exceeded, wasm_abort, wasm_load_error, wasm_error */
  code: string;
  message: string;
  /** the entrypoint being evaluated, e.g. `authz/allow` */
  entrypoint: string | null;
}

export type ChildDescription =
  | {
      ok: true;
      abiVersion: number | null;
      abiMinorVersion: number | null;
      entrypoints: string[];
      /** every built-in the module imports (its `builtins()` map) */
      builtins: string[];
      sdkBuiltins: string[];
    }
  | { ok: false; error: ChildError };

export interface DecideRequest {
  /** the input document's JSON text */
  input: string;
  /** `authz` for package `authz`, `payments/v1` for `payments.v1` */
  packagePath: string;
  /** time.now_ns() for built-ins served by the engine, as a decimal string */
  nowNs: string;
  /** steps each built-in call may charge */
  budget: number;
}

export type ChildDecision = { ok: true; values: Partial<Record<DecisionRule, unknown>> } | { ok: false; error: ChildError };

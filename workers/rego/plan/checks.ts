/**
 * What both plan decoders (IR JSON in decode.ts, the compact form in compact.ts) share: the
 * structured error they raise, the checks over a decoded policy, and what they collect for
 * lowering.
 */
import { RegoError } from "../errors.js";
import type { Policy } from "./types.js";

export function planError(path: string, message: string): RegoError {
  return new RegoError("plan_error", `${path}: ${message}`);
}

export function checkNames(policy: Policy): void {
  const seen = new Set<string>();
  policy.plans.plans.forEach((p, i) => {
    if (seen.has(p.name)) throw planError(`plan.plans.plans[${i}].name`, `duplicate plan ${p.name}`);
    seen.add(p.name);
  });
  const funcs = new Set<string>();
  policy.funcs.funcs.forEach((f, i) => {
    if (funcs.has(f.name)) throw planError(`plan.funcs.funcs[${i}].name`, `duplicate function ${f.name}`);
    funcs.add(f.name);
  });
}

/** What lowering will look up, gathered while checking so that `prepare` can refuse a bad plan without lowering it. */
export interface PlanUses {
  /** `name/arity` of every CallStmt */
  calls: Set<string>;
  /** string indexes of every MakeNumberRefStmt */
  numberRefs: Set<number>;
}

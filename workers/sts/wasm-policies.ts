/**
 * Evaluating OPA-Wasm versions in the STS: each bundle's child Worker, loaded
 * through the Worker Loader binding on first use in this isolate (its code read
 * from D1 only then), answers every decision rule in one call. Anything but a
 * clean answer — the child's own error, a failed load, an exceeded limit, no
 * answer in time, no binding — is a WasmEvaluationError, so the decision fails
 * closed (503) and the audit says why. Other bundles' children are not touched.
 */
import { database } from "../db.js";
import type { Env } from "../env.js";
import { readWasmCode } from "../wasm/store.js";
import { decideWasm, WasmChildError, wasmLimits, type WasmBundleCode } from "../wasm/loader.js";
import { WasmEvaluationError, type WasmDecider } from "./decision.js";

export function wasmDecider(env: Env): WasmDecider {
  const limits = wasmLimits(env.WASM_CPU_MS, env.WASM_TIMEOUT_MS);
  return {
    async decide(policy, inputJSON, options) {
      const loader = env.LOADER;
      if (!loader || !policy.wasm) {
        throw new WasmEvaluationError("wasm_unavailable", "this deployment has no Worker Loader binding (LOADER) to run Wasm policies");
      }
      // Older rows hold the module inline, newer ones in blobs (workers/wasm/store.ts).
      const code = (): Promise<WasmBundleCode> => readWasmCode(database(env), policy.policyVersionId);
      let answer: Awaited<ReturnType<typeof decideWasm>>;
      try {
        answer = await decideWasm(
          loader,
          policy.wasm.sha256,
          code,
          { input: inputJSON, packagePath: policy.package.replaceAll(".", "/"), nowNs: options.nowNs.toString(), budget: options.budget },
          limits,
        );
      } catch (err) {
        if (err instanceof WasmChildError) throw new WasmEvaluationError(err.code, err.message);
        throw new WasmEvaluationError("wasm_child_failed", err instanceof Error ? err.message : String(err));
      }
      if (!answer.ok) throw new WasmEvaluationError(answer.error.code, answer.error.message, answer.error.entrypoint);
      return answer.values;
    },
  };
}

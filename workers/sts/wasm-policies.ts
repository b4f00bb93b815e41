/**
 * Evaluating OPA-Wasm versions in the STS: each bundle's child Worker, loaded
 * through the Worker Loader binding on first use in this isolate (its code read
 * from D1 only then), answers every decision rule in one call. Anything but a
 * clean answer — the child's own error, a failed load, an exceeded limit, no
 * answer in time, no binding — is a WasmEvaluationError, so the decision fails
 * closed (503) and the audit says why. Other bundles' children are not touched.
 */
import { eq } from "drizzle-orm";
import { policyWasmModules } from "../../schema/index.js";
import { database } from "../db.js";
import type { Env } from "../env.js";
import { decideWasm, WasmChildError, wasmLimits, type WasmBundleCode } from "../wasm/loader.js";
import { WasmEvaluationError, type WasmDecider } from "./decision.js";

function base64Bytes(text: string): ArrayBuffer {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0)).buffer;
}

export function wasmDecider(env: Env): WasmDecider {
  const limits = wasmLimits(env.WASM_CPU_MS, env.WASM_TIMEOUT_MS);
  return {
    async decide(policy, inputJSON, options) {
      const loader = env.LOADER;
      if (!loader || !policy.wasm) {
        throw new WasmEvaluationError("wasm_unavailable", "this deployment has no Worker Loader binding (LOADER) to run Wasm policies");
      }
      const code = async (): Promise<WasmBundleCode> => {
        const row = (
          await database(env)
            .select({ wasm: policyWasmModules.wasm, data: policyWasmModules.data })
            .from(policyWasmModules)
            .where(eq(policyWasmModules.versionId, policy.policyVersionId))
        )[0];
        if (!row) throw new Error(`the module of Wasm version ${policy.policyVersionId} is missing`);
        return { wasm: base64Bytes(row.wasm), data: JSON.parse(row.data) };
      };
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

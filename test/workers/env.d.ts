/// <reference types="@cloudflare/vitest-pool-workers/types" />
import type { D1Migration } from "cloudflare:test";
import type { Env as WorkerEnv } from "../../workers/env.js";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** base64 of each OPA-ABI test module (test/wasm/build.ts) */
      TEST_WASM_MODULES: Record<string, string>;
    }
    /** Types `exports.default` from "cloudflare:workers" as the Worker's own entry. */
    interface GlobalProps {
      mainModule: typeof import("../../workers/index.js");
    }
  }
}

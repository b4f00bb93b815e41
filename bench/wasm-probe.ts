/**
 * The Worker the OPA-Wasm bench runs in workerd with a Worker Loader binding: it decides the same
 * policy through the STS's own decision code (evaluateSet) either with the engine (a Rego plan)
 * or with @open-policy-agent/opa-wasm in a Dynamic Worker (workers/wasm/loader.ts), n times per
 * request, so the bench divides one request's wall time by n. POST bodies: `{wasm, rego, data,
 * input}`. Bench-only: it is never deployed.
 */
import { compilePolicy } from "../workers/policy/compile.js";
import { fromJS, prepare, RObject } from "../workers/rego/index.js";
import { evaluateSet, type WasmDecider } from "../workers/sts/decision.js";
import type { SnapshotSet } from "../workers/sts/zone-cache.js";
import { decideWasm, DEFAULT_WASM_LIMITS } from "../workers/wasm/loader.js";

interface Env {
  LOADER: WorkerLoader;
}

interface Body {
  wasm: string;
  rego: string;
  data: Record<string, unknown>;
  input: Record<string, unknown>;
}

const NOW = 1_700_000_000_000_000_000n;

function bytes(b64: string): ArrayBuffer {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
}

function wasmSet(sha256: string): SnapshotSet {
  return {
    policySetId: "ps-bench",
    policySetVersionId: "psv-bench",
    policies: [
      {
        policyId: "pol-w",
        policyVersionId: "pv-w",
        policyName: "authz",
        package: "authz",
        prepared: { code: "plan_error", message: "none" },
        data: new RObject(),
        revision: null,
        wasm: { sha256 },
      },
    ],
  };
}

function decider(env: Env, body: Body): WasmDecider {
  return {
    async decide(policy, inputJSON, options) {
      const answer = await decideWasm(
        env.LOADER,
        policy.wasm!.sha256,
        async () => ({ wasm: bytes(body.wasm), data: body.data }),
        { input: inputJSON, packagePath: "authz", nowNs: options.nowNs.toString(), budget: options.budget },
        DEFAULT_WASM_LIMITS,
      );
      if (!answer.ok) throw new Error(answer.error.message);
      return answer.values;
    },
  };
}

async function run(n: number, set: SnapshotSet, body: Body, wasm?: WasmDecider): Promise<unknown> {
  const input = fromJS(body.input);
  let last: unknown;
  for (let i = 0; i < n; i++) {
    const d = await evaluateSet(set, input, { nowNs: NOW, ...(wasm ? { wasm } : {}) });
    if (d.status !== "ok") throw new Error(`decision failed: ${JSON.stringify(d.error)}`);
    last = { decision: d.decision, ttl: d.obligations?.ttl ?? null };
  }
  return last;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? "1");
    const body = (await request.json()) as Body;
    if (url.pathname === "/rego") {
      const compiled = compilePolicy({ file: "authz.rego", source: body.rego, regoVersion: 1 });
      if (!compiled.ok) return Response.json(compiled.errors, { status: 422 });
      const set: SnapshotSet = {
        policySetId: "ps-bench",
        policySetVersionId: "psv-bench",
        policies: [
          {
            policyId: "pol-r",
            policyVersionId: "pv-r",
            policyName: "authz",
            package: "authz",
            prepared: prepare(compiled.plan),
            data: new RObject(),
            revision: null,
          },
        ],
      };
      return Response.json(await run(n, set, body));
    }
    if (url.pathname === "/wasm") {
      // `key` names the child: a new key per request is a cold load (fetch the code, compile, instantiate, set data).
      const key = url.searchParams.get("key") ?? "warm";
      return Response.json(await run(n, wasmSet(key), body, decider(env, body)));
    }
    return new Response("not found", { status: 404 });
  },
};

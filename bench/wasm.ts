/**
 * OPA-Wasm bench (issue 14): the same decision (test/wasm/authz.wat, a hand-written stand-in for
 * `opa build -t wasm` output, and the Rego policy it stands for) made by the own engine and by
 * @open-policy-agent/opa-wasm in a Dynamic Worker, through the STS's decision code, in one
 * workerd (Miniflare with a Worker Loader binding) in one run:
 * - cold: a child never loaded before (a new key each time): the loader builds the child (module
 *   compiled, the SDK instantiated, data set) and answers one decision;
 * - warm: the same child, one decision per exchange (one RPC evaluating every entrypoint);
 * - Rego: the engine's prepared plan, one decision per exchange.
 * Each figure is one request's wall time divided by the decisions it made (HTTP amortised).
 * `npm run bench -- wasm` runs it alone.
 */
import { createRequire } from "node:module";
import { buildWasmChild } from "../scripts/build-wasm-child.mjs";
import { buildTestModules } from "../test/wasm/build.js";
import { bundle, COMPATIBILITY_DATE, ROOT } from "./edge.js";
import { fmtNs, line, summarize } from "./stats.js";

const projectRequire = createRequire(`${ROOT}package.json`);
const { Miniflare } = projectRequire("miniflare") as typeof import("miniflare");

/**
 * The Rego source the Wasm module stands for (authz.wat's header). Rego versions carry no data
 * documents yet (bundles, issue 12), so the Wasm bundle's data.allowed_client is a constant here.
 */
const REGO = `package authz

default allow := false

allowed_client := "cl-checkout"

allow if input.client.id == allowed_client

deny contains "subject is blocked by the wasm policy" if input.subject.claims.sub == "blocked-subject"

ttl := units.parse("300")
`;

const INPUT = {
  schema_version: 1,
  zone: { id: "zn-bench" },
  request: { id: "req-1", time: "2026-04-20T12:00:00Z", time_ns: 1776686400000000000, ip: null, country: null },
  client: { id: "cl-checkout", name: "checkout", attributes: { team: "payments" } },
  subject: { token_type: "urn:ietf:params:oauth:token-type:jwt", issuer: "https://idp.example", claims: { sub: "user-17", role: "payer" } },
  actor: null,
  resource: ["https://payments.example/api"],
  audience: [],
  scope: ["payments:read"],
  requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
};

const COLD = 20;
const WARM_ROUNDS = 15;
const PER_REQUEST = 200;

export async function runWasmBench(): Promise<string[]> {
  await buildWasmChild();
  const wasm = Buffer.from(buildTestModules().authz as Uint8Array).toString("base64");
  const probe = await bundle(`${ROOT}bench/wasm-probe.ts`);
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    workers: [
      {
        name: "probe",
        modules: [{ type: "ESModule", path: "probe.mjs", contents: probe }],
        compatibilityDate: COMPATIBILITY_DATE,
        workerLoaders: { LOADER: {} },
      },
    ],
  });
  try {
    const url = await mf.ready;
    const body = JSON.stringify({ wasm, rego: REGO, data: { allowed_client: "cl-checkout" }, input: INPUT });
    const post = async (path: string, n: number): Promise<{ ms: number; answer: unknown }> => {
      const t0 = performance.now();
      const res = await fetch(new URL(`${path}${path.includes("?") ? "&" : "?"}n=${n}`, url), { method: "POST", body });
      const text = await res.text();
      if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
      return { ms: performance.now() - t0, answer: JSON.parse(text) };
    };
    const expected = JSON.stringify({ decision: "allow", ttl: 300 });
    const check = (what: string, answer: unknown) => {
      if (JSON.stringify(answer) !== expected) throw new Error(`${what} decided ${JSON.stringify(answer)}, not ${expected}`);
    };

    // Warm-up: JIT for both paths, and the child for the warm key.
    check("rego", (await post("/rego", PER_REQUEST)).answer);
    check("wasm", (await post("/wasm?key=warm", PER_REQUEST)).answer);

    const cold: number[] = [];
    for (let i = 0; i < COLD; i++) {
      const r = await post(`/wasm?key=cold-${i}-${Date.now()}`, 1);
      check("cold wasm", r.answer);
      cold.push(r.ms * 1e6);
    }
    const warm: number[] = [];
    const rego: number[] = [];
    for (let i = 0; i < WARM_ROUNDS; i++) {
      // Interleaved, so both see the same machine load.
      const w = await post("/wasm?key=warm", PER_REQUEST);
      check("warm wasm", w.answer);
      warm.push((w.ms / PER_REQUEST) * 1e6);
      const r = await post("/rego", PER_REQUEST);
      check("rego", r.answer);
      rego.push((r.ms / PER_REQUEST) * 1e6);
    }
    const [c, w, r] = [summarize(cold), summarize(warm), summarize(rego)];
    return [
      line("Wasm cold: new child + first decision (1/request)", c),
      line(`Wasm warm: one decision (RPC), ${PER_REQUEST}/request`, w),
      line(`Rego (own engine): one decision, ${PER_REQUEST}/request`, r),
      `warm Wasm / Rego per decision: ${(w.p50 / r.p50).toFixed(1)}x (p50 ${fmtNs(w.p50)} vs ${fmtNs(r.p50)}); cold load ≈ ${(c.p50 / w.p50).toFixed(0)} warm decisions`,
    ];
  } finally {
    await mf.dispose();
  }
}

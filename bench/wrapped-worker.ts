/**
 * The Caracal Worker with its D1 binding wrapped (bench/wrapped-d1.ts): every
 * D1 round trip of a request is counted and delayed by BENCH_D1_DELAY_MS, as
 * a colo far from the D1 primary sees it. `GET /__bench/d1-calls` answers the
 * count so far. The audit buffer's own drain uses the real binding: it runs
 * off the response path. Bench-only: it is never deployed.
 */
import caracal from "../workers/index.js";
import type { Env } from "../workers/env.js";
import { wrapD1, type D1Calls } from "./wrapped-d1.js";

export { AuditBuffer } from "../workers/index.js";

const calls: D1Calls = { count: 0 };

export default {
  fetch(request: Request, env: Env & { BENCH_D1_DELAY_MS?: string }, ctx: ExecutionContext): Promise<Response> | Response {
    if (new URL(request.url).pathname === "/__bench/d1-calls") return Response.json(calls);
    const delayMs = Number(env.BENCH_D1_DELAY_MS ?? 0);
    return caracal.fetch(request, { ...env, DB: wrapD1(env.DB, calls, delayMs) }, ctx);
  },
} satisfies ExportedHandler<Env & { BENCH_D1_DELAY_MS?: string }>;

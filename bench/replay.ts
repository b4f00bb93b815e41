/**
 * Replay benchmark (issue 17): decisions replayed per second through
 * `POST …/policy-sets/{set}/replay` against the Worker in workerd (Miniflare,
 * local D1), over audit events recorded by real token exchanges. Each call
 * replays one page (limit 500, the maximum): one D1 read of the page plus one
 * evaluateSet per event. `npm run bench -- replay` runs it alone.
 */
import { api, applyMigrations, setupZone, startEdge } from "./edge.js";
import { summarize } from "./stats.js";
import V1 from "./fixtures/payments.rego";

const RECORDED = 2000;
const CONCURRENCY = 8;
const PAGE = 500;
const ROUNDS = 3;

// The candidate flips every decision (payer no longer allowed), so every replay builds a flip.
const V2 = V1.replace(`{"payer", "admin"}`, `{"admin"}`);

export async function runReplayBench(): Promise<string[]> {
  const edge = await startEdge();
  try {
    await applyMigrations(edge);
    const zone = await setupZone(edge.url, [V1, V2]);
    await zone.activate(edge.url, zone.versions[0]!);
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < RECORDED) {
          const i = next++;
          const res = await zone.exchange(edge.url, i);
          if (res.status !== 200) throw new Error(`exchange ${i}: ${res.status} ${res.body}`);
        }
      }),
    );
    const path = `/zones/${zone.zone}/policy-sets/${zone.set}/replay`;
    const callMs: number[] = [];
    const rates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let cursor: string | null = null;
      let replayed = 0;
      const t0 = performance.now();
      do {
        const c0 = performance.now();
        const page: { replayed: number; allow_to_deny: number; next_cursor: string | null } = await api(edge.url, "POST", path, {
          version: zone.versions[1],
          limit: PAGE,
          ...(cursor ? { cursor } : {}),
        });
        callMs.push(performance.now() - c0);
        if (page.allow_to_deny !== page.replayed) throw new Error("the candidate should flip every replayed decision");
        replayed += page.replayed;
        cursor = page.next_cursor;
      } while (cursor);
      if (replayed !== RECORDED) throw new Error(`replayed ${replayed} of ${RECORDED}`);
      rates.push(replayed / ((performance.now() - t0) / 1000));
    }
    const calls = summarize(callMs.map((ms) => ms * 1e6));
    rates.sort((a, b) => a - b);
    return [
      `replay: ${RECORDED} recorded decisions, candidate flips all, pages of ${PAGE}, ${ROUNDS} rounds`,
      `replay rate: median ${Math.round(rates[Math.floor(rates.length / 2)]!)} decisions/s (min ${Math.round(rates[0]!)}, max ${Math.round(rates.at(-1)!)})`,
      `one call of ${PAGE}: median ${(calls.p50 / 1e6).toFixed(1)} ms, p99 ${(calls.p99 / 1e6).toFixed(1)} ms`,
    ];
  } finally {
    await edge.stop();
  }
}

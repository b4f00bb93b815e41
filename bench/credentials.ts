/**
 * Credential invalidation across instances (issue 15): a client disabled
 * through instance A's admin API, and how long instance B (another isolate
 * in the same workerd, over the same D1) goes on accepting it. (Two workerd
 * processes over one local D1 file contend for its lock now that the audit
 * drains write from both; one workerd serializes D1 as the real one does. B
 * learns of the change the way any isolate does: the colo's copy of the
 * stream, at most STREAM_SHARE_MS old, looked at every 250 ms.) B serves the client's exchanges every PROBE_EVERY_MS; the
 * latency is from A's answer to B's first 401. With the stream (real
 * redis-server behind the Upstash bridge) and poll-only (no Redis:
 * CREDENTIALS_POLL_SECONDS, default 5).
 */
import { api, applyMigrations, setupZone, startColo, type ZoneFixture } from "./edge.js";
import { startStream } from "./fan-out.js";
import { line, summarize } from "./stats.js";

const PROBE_EVERY_MS = 20;
const ALLOW = `package payments
default allow := false
allow if input.subject.claims.role == "payer"
`;

export interface Pair {
  a: URL;
  b: URL;
  fx: ZoneFixture;
  stop(): Promise<void>;
}

/** Two instances (isolates) over one D1, a zone with ALLOW active. */
export async function startPair(vars: Record<string, string>): Promise<Pair> {
  const colo = await startColo(2, { vars });
  await applyMigrations(colo);
  const [a, b] = colo.urls as [URL, URL];
  const fx = await setupZone(a, [ALLOW]);
  await fx.activate(a, fx.versions[0]!);
  return { a, b, fx, stop: () => colo.stop() };
}

/**
 * One trial: a new client, accepted by B, disabled through A; the milliseconds
 * from A's answer until B refuses it (B probed every PROBE_EVERY_MS), or a
 * throw after `timeoutMs`. `lead` ms of B traffic precede the disable, so it
 * falls at a random point of B's read cycle.
 */
export async function disablePropagation(pair: Pair, timeoutMs: number, leadMs = Math.random() * 1000): Promise<number> {
  const { a, b, fx } = pair;
  const created = await api(a, "POST", `/zones/${fx.zone}/clients`, { name: `c-${crypto.randomUUID().slice(0, 8)}`, attributes: {} });
  const client = { id: created.id as string, secret: created.client_secret as string };
  const accepted = performance.now() + timeoutMs;
  while ((await fx.exchange(b, 0, { client })).status !== 200) {
    if (performance.now() > accepted) throw new Error("instance B never accepted the new client");
    await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
  }
  const leadUntil = performance.now() + leadMs;
  while (performance.now() < leadUntil) {
    await fx.exchange(b, 0, { client });
    await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
  }
  await api(a, "POST", `/zones/${fx.zone}/clients/${client.id}/disable`);
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if ((await fx.exchange(b, 0, { client })).status === 401) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
  }
  throw new Error(`instance B still accepted the disabled client after ${timeoutMs} ms`);
}

const ms = (x: number) => x * 1e6; // stats.ts formats nanoseconds

export async function runCredentialsBench(): Promise<string[]> {
  const lines: string[] = [];
  const stream = await startStream();
  try {
    const pair = await startPair({ ...stream.vars });
    try {
      const samples: number[] = [];
      for (let i = 0; i < 50; i++) samples.push(await disablePropagation(pair, 30_000));
      lines.push(line("disable via A → refused by B, stream (50 trials)", summarize(samples.map(ms))));
      lines.push(`${"  slowest of 50".padEnd(48)} ${Math.max(...samples).toFixed(0)} ms`);
    } finally {
      await pair.stop();
    }
  } finally {
    await stream.stop();
  }
  const pollOnly = await startPair({});
  try {
    const samples: number[] = [];
    for (let i = 0; i < 10; i++) samples.push(await disablePropagation(pollOnly, 60_000, Math.random() * 5000));
    lines.push(line("disable via A → refused by B, no Redis (10 trials)", summarize(samples.map(ms))));
    lines.push(`${"  slowest of 10 (CREDENTIALS_POLL_SECONDS=5)".padEnd(48)} ${Math.max(...samples).toFixed(0)} ms`);
  } finally {
    await pollOnly.stop();
  }
  return lines;
}

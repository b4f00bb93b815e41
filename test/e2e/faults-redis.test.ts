/**
 * Redis faults against a running Worker (Miniflare/workerd, local D1) with a
 * real redis-server behind the project's Upstash bridge (issue 13):
 *
 * - paused with SIGSTOP (the connection stays open, nothing answers): token
 *   exchanges, an activation, `GET policy-set` and the scheduled re-send all
 *   answer, because every Redis call has a deadline (REDIS_TIMEOUT_MS) and
 *   the audit stream append is off the response path; the activation's
 *   invalidation stays in the outbox and is delivered once Redis resumes;
 * - killed: the same answers, and the bridge says it lost redis-server;
 * - restarted on the same port: the bridge reconnects and says so, and the
 *   scheduled re-send delivers what the outage held back.
 *
 * No assertion is on time: a request that hung on Redis would never finish
 * while Redis is paused, and the test would not get past it. The measured
 * times are printed (`MEASURED …` lines) for the record.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, applyMigrations, setupZone, startEdge, type EdgeInstance, type ZoneFixture } from "../../bench/edge.js";
import { startStream, type Stream } from "../../bench/fan-out.js";
import { startRedisServer, type RedisServer } from "../../cli/redis/redis-server.js";
import { RespConnection } from "../../cli/redis/resp.js";
import { ALLOW, DENY } from "./stream-fixture.js";

let dir: string;
let stream: Stream;
/** redis-server now: the stream's, then the one restarted on its port */
let redis: RedisServer;
let edge: EdgeInstance;
let fx: ZoneFixture;
const bridgeLog: string[] = [];

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await work();
  console.log(`MEASURED ${what}: ${(performance.now() - t0).toFixed(1)} ms`);
  return result;
}

async function adminCall(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(`/v1${path}`, edge.url), {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function pendingOutbox(): Promise<number> {
  const db = await edge.mf.getD1Database("DB");
  return (await db.prepare("SELECT count(*) AS n FROM invalidation_outbox WHERE dispatched_at IS NULL").first("n")) as number;
}

async function activate(version: string): Promise<void> {
  const res = await timed(`activation with Redis ${state}`, () =>
    adminCall("POST", `/zones/${fx.zone}/policy-sets/${fx.set}/activate`, { version }),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

let state = "up";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "caracal-redis-faults-"));
  stream = await startStream({ log: (m) => bridgeLog.push(m) });
  redis = stream.redis;
  edge = await startEdge({ d1Persist: dir, vars: { ...stream.vars, INVALIDATION_POLL_MS: "100", POLL_SECONDS: "600" } });
  await applyMigrations(edge);
  fx = await setupZone(edge.url, [ALLOW, DENY]);
  await fx.activate(edge.url, fx.versions[0]!);
  expect((await fx.exchange(edge.url)).status).toBe(200);
  expect(await pendingOutbox()).toBe(0);
});

afterAll(async () => {
  if (redis?.process.exitCode === null) redis.process.kill("SIGCONT");
  await edge?.stop();
  await stream?.stop();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("Redis faults", () => {
  it("paused with SIGSTOP: exchanges, activation, policy-set and the re-send all answer; delivery resumes with Redis", async () => {
    redis.process.kill("SIGSTOP");
    state = "paused (SIGSTOP)";
    try {
      for (let i = 0; i < 3; i++) {
        const res = await timed(`exchange with Redis paused (#${i + 1})`, () => fx.exchange(edge.url, i));
        expect(res.status, res.body).toBe(200);
      }
      await activate(fx.versions[1]!);
      expect(await pendingOutbox()).toBe(1);
      // This isolate enforces the activation at once (it invalidated its own cache).
      expect((await fx.exchange(edge.url)).status).toBe(403);
      const detail = await timed("GET policy-set with Redis paused", () => adminCall("GET", `/zones/${fx.zone}/policy-sets/${fx.set}`));
      expect(detail.status).toBe(200);
      expect(detail.body.isolates).toBeNull();
      await timed("scheduled re-send with Redis paused", () => edge.scheduled());
      expect(await pendingOutbox()).toBe(1);
    } finally {
      redis.process.kill("SIGCONT");
      state = "up";
    }
    await edge.scheduled();
    expect(await pendingOutbox()).toBe(0);
  });

  it("killed: the same answers; restarted on the same port: the bridge reconnects and the re-send delivers", async () => {
    const port = redis.port;
    redis.process.kill("SIGKILL");
    await new Promise((r) => redis.process.once("exit", r));
    state = "killed";
    const res = await timed("exchange with Redis killed", () => fx.exchange(edge.url, 5));
    expect(res.status).toBe(403); // DENY is active
    await activate(fx.versions[0]!);
    expect((await fx.exchange(edge.url, 6)).status).toBe(200);
    const detail = await timed("GET policy-set with Redis killed", () => adminCall("GET", `/zones/${fx.zone}/policy-sets/${fx.set}`));
    expect(detail.status).toBe(200);
    expect(detail.body.isolates).toBeNull();
    await edge.scheduled();
    expect(await pendingOutbox()).toBe(1);
    expect(bridgeLog.some((m) => /lost redis-server/.test(m))).toBe(true);

    const restarted = await startRedisServer(port);
    if (!restarted) throw new Error("redis-server did not restart");
    redis = restarted;
    state = "restarted";
    await timed("scheduled re-send after the restart", () => edge.scheduled());
    expect(await pendingOutbox()).toBe(0);
    expect(
      bridgeLog.some((m) => m === `reconnected to redis-server on 127.0.0.1:${port}`),
      bridgeLog.join("\n"),
    ).toBe(true);
    // The re-sent invalidation is in the new redis-server's stream.
    const direct = await RespConnection.open(port);
    try {
      const [entries] = await direct.send([["XREVRANGE", "caracal.policy.invalidate", "+", "-", "COUNT", "1"]]);
      expect(JSON.stringify(entries)).toContain(fx.zone);
    } finally {
      direct.close();
    }
  });
});

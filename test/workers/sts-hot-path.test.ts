/**
 * The exchange's hot path (issue 15): with a warm isolate and a known client
 * an exchange makes no D1 round trip (credentials, snapshot and keys are
 * cached; audit events go to the zone's Durable Object buffer), the buffer
 * drains to D1 by itself and idempotently, no token leaves when the audit
 * append fails, unknown client ids do not become a D1 query per request, and
 * without the stream cached credentials are re-read within
 * CREDENTIALS_POLL_SECONDS. The D1 binding is wrapped to count round trips;
 * everything else is the real Worker in workerd on the real test D1.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { auditEvents } from "../../schema/index.js";
import { wrapD1, type D1Calls } from "../../bench/wrapped-d1.js";
import { auditBufferOf } from "../../workers/audit/buffer.js";
import type { Env } from "../../workers/env.js";
import worker from "../../workers/index.js";
import { ALLOW_POLICY, call } from "./helpers.js";
import { basicAuth, exchangeParams, ORIGIN, stsFixture, type TestClient } from "./sts-helpers.js";

/** Sends a token request to the Worker's fetch handler with the given bindings, and waits for its background work. */
async function exchangeWith(testEnv: Env, zone: string, client: TestClient, subject: string) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${ORIGIN}/zones/${zone}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: basicAuth(client.id, client.secret) },
      body: new URLSearchParams(exchangeParams(subject) as Record<string, string>).toString(),
    }),
    testEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, requestId: res.headers.get("x-request-id") ?? "", body: (await res.json()) as any };
}

function countingEnv(vars: Partial<Env> = {}): { testEnv: Env; calls: D1Calls } {
  const calls: D1Calls = { count: 0 };
  // Long safety nets: what is measured is the steady state between two re-reads.
  return { testEnv: { ...env, POLL_SECONDS: "3600", CREDENTIALS_POLL_SECONDS: "3600", ...vars, DB: wrapD1(env.DB, calls) }, calls };
}

describe("exchange hot path", () => {
  it("makes no D1 call per exchange in the steady state, and the audit buffer still gets every event to D1", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const subject = await f.idp.mint({ role: "payer" });
    const { testEnv, calls } = countingEnv();
    // The first exchange loads the snapshot and the credentials and makes the zone's first key, which
    // drops both; the second loads them again. From then on the isolate is warm.
    for (let i = 0; i < 2; i++) expect((await exchangeWith(testEnv, f.zone, f.client, subject)).status).toBe(200);
    expect(calls.count).toBeGreaterThan(0);
    calls.count = 0;
    const requestIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await exchangeWith(testEnv, f.zone, f.client, subject);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      requestIds.push(res.requestId);
    }
    expect(calls.count).toBe(0);
    // The admin list flushes the buffer first: every decision is there.
    const page = (await call("GET", `/v1/zones/${f.zone}/audit?limit=100`)).body;
    const listed = new Set(page.items.map((e: { request_id: string }) => e.request_id));
    for (const id of requestIds) expect(listed.has(id)).toBe(true);
  });

  it("drains the buffer to D1 from its alarm, without an admin read, and keeps a repeated event once", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const res = await exchangeWith(env, f.zone, f.client, await f.idp.mint({ role: "payer" }));
    expect(res.status).toBe(200);
    const inD1 = async () =>
      (await env.DB.prepare("SELECT id FROM audit_events WHERE zone_id = ? AND request_id = ?").bind(f.zone, res.requestId).all()).results;
    let rows = await inD1();
    for (let i = 0; i < 600 && rows.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      rows = await inD1();
    }
    expect(rows).toHaveLength(1);
    // Appending an event D1 already has (a drain that was cut short and repeats) adds nothing.
    const [event] = await drizzle(env.DB)
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.id, (rows[0] as { id: string }).id));
    const buffer = auditBufferOf(env, f.zone);
    await buffer.append([event!, event!]);
    expect(await buffer.pendingCount()).toBe(1);
    await buffer.flush();
    expect(await buffer.pendingCount()).toBe(0);
    expect(await inD1()).toHaveLength(1);
  });

  it("issues no token when the audit append fails", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const subject = await f.idp.mint({ role: "payer" });
    const unavailable = {
      idFromName: (name: string) => env.AUDIT_BUFFER.idFromName(name),
      get: () => ({
        append: () => Promise.reject(new Error("audit buffer unreachable")),
        flush: () => Promise.resolve(0),
      }),
    } as unknown as Env["AUDIT_BUFFER"];
    const res = await exchangeWith({ ...env, AUDIT_BUFFER: unavailable }, f.zone, f.client, subject);
    expect(res.status).toBe(503);
    expect(res.body.error).toBe("temporarily_unavailable");
    expect(res.body.access_token).toBeUndefined();
    expect((await call("GET", `/v1/zones/${f.zone}/explain/${res.requestId}`)).status).toBe(404);
    // The same request with the buffer reachable is issued and audited.
    const ok = await exchangeWith(env, f.zone, f.client, subject);
    expect(ok.status).toBe(200);
    expect((await call("GET", `/v1/zones/${f.zone}/explain/${ok.requestId}`)).status).toBe(200);
  });

  it("remembers unknown client ids: repeating one costs no D1 call, a malformed one none at all", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const subject = await f.idp.mint({ role: "payer" });
    const { testEnv, calls } = countingEnv();
    for (let i = 0; i < 2; i++) expect((await exchangeWith(testEnv, f.zone, f.client, subject)).status).toBe(200);
    calls.count = 0;
    const unknown = { id: "cl-doesnotexist0", secret: "cs_whatever" };
    for (let i = 0; i < 10; i++) expect((await exchangeWith(testEnv, f.zone, unknown, subject)).status).toBe(401);
    expect(calls.count).toBe(1);
    calls.count = 0;
    for (let i = 0; i < 10; i++)
      expect((await exchangeWith(testEnv, f.zone, { id: "not a client id", secret: "x" }, subject)).status).toBe(401);
    expect(calls.count).toBe(0);
    // A client created after its id was remembered as unknown works at once in this isolate (the create drops the zone's entry).
    const created = (await call("POST", `/v1/zones/${f.zone}/clients`, { name: "late", attributes: { team: "payments" } })).body;
    expect((await exchangeWith(testEnv, f.zone, { id: created.id, secret: created.client_secret }, subject)).status).toBe(200);
  });

  it("re-reads cached credentials within CREDENTIALS_POLL_SECONDS when there is no stream", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const subject = await f.idp.mint({ role: "payer" });
    const { testEnv, calls } = countingEnv({ CREDENTIALS_POLL_SECONDS: "2" });
    for (let i = 0; i < 2; i++) expect((await exchangeWith(testEnv, f.zone, f.client, subject)).status).toBe(200);
    // Disabled behind the Worker's back (as another isolate's admin write looks from here): no local invalidation.
    await env.DB.prepare("UPDATE clients SET disabled_at = ? WHERE id = ?").bind(new Date().toISOString(), f.client.id).run();
    calls.count = 0;
    // The cached client still answers (nothing told this isolate)…
    expect((await exchangeWith(testEnv, f.zone, f.client, subject)).status).toBe(200);
    expect(calls.count).toBe(0);
    // …until the poll interval has passed and the credentials are read again.
    let status = 200;
    while (status === 200) {
      status = (await exchangeWith(testEnv, f.zone, f.client, subject)).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(401);
    expect(calls.count).toBeGreaterThan(0);
  });
});

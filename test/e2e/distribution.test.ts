/**
 * Policy distribution across instances (issue 6): separate Worker instances
 * (isolates of one workerd: two workerd processes over one local D1 file
 * contend for its lock now that every instance's audit drain writes to it)
 * over one D1, with a real redis-server behind the project's Upstash bridge.
 *
 * - With the stream, an activation through instance A changes decisions on
 *   instance B within a second, although B would not re-read D1 for minutes.
 * - With Redis stopped, an instance converges through its D1 poll.
 * - An exchange in flight on B while an activation lands there finishes on
 *   the policy it started with.
 * - An activation made during the outage is re-sent by the scheduled handler
 *   once Redis is back, and B picks it up from the stream: nothing is lost.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, applyMigrations, setupZone, startColo, type Colo, type EdgeInstance, type ZoneFixture } from "../../bench/edge.js";
import { startStream, type Stream } from "../../bench/fan-out.js";
import { ALLOW, DENY } from "./stream-fixture.js";

let dir: string;
let stream: Stream;
let a: EdgeInstance;
let b: EdgeInstance;
let c: EdgeInstance;
let colo: Colo;
let fx: ZoneFixture;

/** Sends exchanges to `at` until one answers `status`; the milliseconds it took (or fails after `ms`). */
async function until(at: EdgeInstance, status: number, ms: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; performance.now() - t0 < ms; i++) {
    const res = await fx.exchange(at.url, i);
    if (res.status === status) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${status} from the instance within ${ms} ms`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "caracal-dist-"));
  stream = await startStream();
  // A and B trust their cached pointer for 10 minutes: only the stream can move them.
  // C re-reads D1 every second: the poll that converges it without Redis.
  colo = await startColo(3, {
    d1Persist: dir,
    vars: { ...stream.vars, INVALIDATION_POLL_MS: "100" },
    instanceVars: (i) => ({ POLL_SECONDS: i === 2 ? "1" : "600" }),
  });
  [a, b, c] = colo.instances as [EdgeInstance, EdgeInstance, EdgeInstance];
  await applyMigrations(a);
  fx = await setupZone(a.url, [ALLOW, DENY, ALLOW + "\n# v3\n"]);
  await fx.activate(a.url, fx.versions[0]!);
  await until(b, 200, 30_000);
  await until(c, 200, 30_000);
});

afterAll(async () => {
  await colo?.stop();
  await stream?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("policy distribution", () => {
  it("an activation through A is enforced by B through the stream", async () => {
    expect((await fx.exchange(b.url)).status).toBe(200);
    await fx.activate(a.url, fx.versions[1]!);
    // B polls the stream every 100 ms (driven by these requests); its D1 poll is 10 minutes away.
    const ms = await until(b, 403, 30_000);
    expect(ms).toBeLessThan(3_000);
  });

  it("reports which isolates run the active version", async () => {
    // An isolate reports on its next stream read after loading a zone, and reads are driven by requests.
    await new Promise((r) => setTimeout(r, 300));
    await Promise.all([fx.exchange(b.url), fx.exchange(c.url)]);
    await new Promise((r) => setTimeout(r, 300)); // the read (and its report) runs after the response
    const detail: any = await (
      await fetch(new URL(`/v1/zones/${fx.zone}/policy-sets/${fx.set}`, a.url), {
        headers: { authorization: "Bearer edge-admin-token" },
      })
    ).json();
    expect(detail.isolates).not.toBeNull();
    expect(detail.isolates.reporting).toBeGreaterThanOrEqual(2);
  });

  it("an exchange in flight on B while an activation lands finishes on the policy it started with", async () => {
    // A second issuer whose JWKS B fetches on first use; the test holds that
    // answer, so B's exchange stays in flight after it took its policy snapshot.
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "slow-1", alg: "ES256" }] });
    const fetches: ServerResponse[] = [];
    let holding = false;
    let fetched: () => void = () => {};
    const jwksServer: Server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      if (!holding) return void res.end(jwks);
      fetches.push(res);
      fetched();
    });
    await new Promise<void>((r) => jwksServer.listen(0, "127.0.0.1", r));
    try {
      const issuer = "https://slow-idp.example";
      const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
      await api(a.url, "POST", `/zones/${fx.zone}/issuers`, { issuer, jwks_uri: jwksUri }); // A checks the URI now
      const subjectToken = await new SignJWT({ sub: "user-slow", role: "payer", scope: "payments:read" })
        .setProtectedHeader({ alg: "ES256", kid: "slow-1" })
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(privateKey);

      await fx.activate(a.url, fx.versions[0]!); // ALLOW
      await until(b, 200, 30_000);
      holding = true;
      const held = new Promise<"held">((r) => (fetched = () => r("held")));
      // B learns of the new issuer from the stream's credentials message: until it has, it refuses
      // the token at once (without fetching keys), and the exchange is sent again.
      let requestId = "";
      let inFlight: ReturnType<typeof fx.exchange> | undefined;
      for (let attempt = 0; inFlight === undefined; attempt++) {
        if (attempt > 1200) throw new Error("B never fetched the new issuer's keys");
        requestId = `req-in-flight-test-${attempt}`;
        const sent = fx.exchange(b.url, 0, { subjectToken, requestId });
        if ((await Promise.race([held, sent])) === "held") inFlight = sent;
        else await new Promise((r) => setTimeout(r, 25));
      }
      // B has its snapshot (ALLOW) and waits for the issuer's keys

      await fx.activate(a.url, fx.versions[1]!); // DENY
      await until(b, 403, 30_000); // B enforces DENY for new exchanges …
      holding = false;
      for (const res of fetches) res.end(jwks);
      const finished = await inFlight; // … while the held one decides on ALLOW
      expect(finished.status, finished.body).toBe(200);
      const explained = await api(a.url, "GET", `/zones/${fx.zone}/explain/${requestId}`);
      expect(explained.policy_set_version_id).toBe(fx.versions[0]);
    } finally {
      for (const res of fetches) res.destroy();
      await new Promise((r) => jwksServer.close(r));
    }
  });

  it("without Redis, C converges through its poll and nothing is lost: the scheduled re-send heals B", async () => {
    await stream.stop();
    // Activation succeeds while Redis is down; its outbox row stays pending.
    await fx.activate(a.url, fx.versions[2]!);
    await until(c, 200, 30_000);
    // B only listens to the stream: still the old decision.
    expect((await fx.exchange(b.url)).status).toBe(403);

    // The same ports again: the instances keep the bridge URL they were started with.
    stream = await startStream({ redisPort: stream.redis.port, bridgePort: Number(new URL(stream.bridge.url).port) });
    await a.scheduled();
    await until(b, 200, 30_000);
  });
});

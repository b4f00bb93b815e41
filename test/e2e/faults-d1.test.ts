/**
 * D1 faults against a running Worker (Miniflare/workerd, local D1), as far as
 * Miniflare lets them be made (issue 13): the answer is 503 with Retry-After
 * — OAuth `temporarily_unavailable` at the token endpoint, problem+json on
 * the admin API — never a 500. Exchanges take their audit record to the
 * zone's audit buffer (a Durable Object) and make no D1 call when warm, so D1
 * failing does not stop them, and loses no record: the buffer keeps it until
 * D1 takes it (a failing buffer append is a 503: test/workers/sts-hot-path).
 *
 * - The audit insert fails while every read works: a trigger on audit_events
 *   makes D1 reject the buffer's drain.
 * - The database becomes read-only under the running Worker: the SQLite WAL
 *   file is made immutable (chattr +i; needs root or CAP_LINUX_IMMUTABLE);
 *   then every statement fails, as a lost storage backend would (Miniflare
 *   does not recover from it, so this case comes last).
 * Measured times are printed (`MEASURED …`); nothing asserts on time.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, applyMigrations, setupZone, startEdge, type EdgeInstance, type ZoneFixture } from "../../bench/edge.js";

const ALLOW = `package payments
default allow := false
allow if input.subject.claims.role == "payer"
`;

let dir: string;
let edge: EdgeInstance;
let fx: ZoneFixture;

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await work();
  console.log(`MEASURED ${what}: ${(performance.now() - t0).toFixed(1)} ms`);
  return result;
}

async function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(new URL(`/v1${path}`, edge.url), {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function auditCount(): Promise<number> {
  const db = await edge.mf.getD1Database("DB");
  return (await db.prepare("SELECT count(*) AS n FROM audit_events WHERE zone_id = ?").bind(fx.zone).first("n")) as number;
}

function expectUnavailable(res: { status: number; body: string }, retryAfter: string | null): void {
  expect(res.status, res.body).toBe(503);
  const body = JSON.parse(res.body) as { error: string; access_token?: string };
  expect(body.error).toBe("temporarily_unavailable");
  expect(body.access_token).toBeUndefined();
  expect(retryAfter).toBe("5");
}

/** Whether this machine can make a file immutable (root on ext4/xfs/btrfs). */
async function canChattr(): Promise<boolean> {
  const probe = join(dir, "chattr-probe");
  await writeFile(probe, "x");
  const set = spawnSync("chattr", ["+i", probe]);
  spawnSync("chattr", ["-i", probe]);
  return set.status === 0;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "caracal-d1-faults-"));
  edge = await startEdge({ d1Persist: dir });
  await applyMigrations(edge);
  fx = await setupZone(edge.url, [ALLOW]);
  await fx.activate(edge.url, fx.versions[0]!);
  expect((await fx.exchange(edge.url)).status).toBe(200);
});

afterAll(async () => {
  await edge?.stop();
  if (dir) {
    spawnSync("chattr", ["-R", "-i", dir]);
    await rm(dir, { recursive: true, force: true });
  }
});

/** An exchange whose Retry-After header is kept. */
async function exchange(
  i: number,
  opts: Parameters<ZoneFixture["exchange"]>[2] = {},
): Promise<{ status: number; body: string; retryAfter: string | null }> {
  let retryAfter: string | null = null;
  const original = globalThis.fetch;
  // fx.exchange returns status and body only; read the header through a wrapped fetch.
  globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
    const res = await original(...args);
    retryAfter = res.headers.get("retry-after");
    return res;
  };
  try {
    const res = await fx.exchange(edge.url, i, opts);
    return { ...res, retryAfter };
  } finally {
    globalThis.fetch = original;
  }
}

describe("D1 faults", () => {
  it("an exchange answers while D1 refuses audit inserts, and its record reaches D1 once they work again", async () => {
    const db = await edge.mf.getD1Database("DB");
    // Drain what earlier exchanges left in the buffer, so the count below is what D1 holds for good.
    expect((await admin("GET", `/zones/${fx.zone}/audit`)).status).toBe(200);
    const before = await auditCount();
    await db.exec(
      "CREATE TRIGGER audit_unavailable BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit storage unavailable'); END;",
    );
    let dropped = false;
    try {
      const res = await timed("exchange, audit insert failing", () => exchange(1));
      expect(res.status, res.body).toBe(200);
      expect((JSON.parse(res.body) as { access_token?: string }).access_token).toBeTruthy();
      // An admin read drains the buffer first; with D1 refusing the insert it reads D1 as it is, and the
      // record stays in the buffer (not lost, not in D1 yet).
      const read = await admin("GET", `/zones/${fx.zone}/audit`);
      expect(read.status).toBe(200);
      expect(await auditCount()).toBe(before);
      await db.exec("DROP TRIGGER audit_unavailable");
      dropped = true;
      expect((await admin("GET", `/zones/${fx.zone}/audit`)).status).toBe(200);
      expect(await auditCount()).toBe(before + 1);
    } finally {
      if (!dropped) await db.exec("DROP TRIGGER audit_unavailable");
    }
  });

  it("with the database read-only under the Worker, a client it has not seen and admin routes answer 503 with Retry-After", async (ctx) => {
    if (!(await canChattr())) ctx.skip("chattr +i is not permitted here (needs root on a filesystem with immutable files)");
    const objects = join(dir, "miniflare-D1DatabaseObject");
    const wal = (await readdir(objects)).filter((f) => /^[0-9a-f]{64}\.sqlite-wal$/.test(f)).map((f) => join(objects, f));
    expect(wal.length).toBe(1);
    execFileSync("chattr", ["+i", ...wal]);
    try {
      // A client this isolate has never seen must be read from D1: 503, never a 500 or a 401.
      const cold = await timed("exchange by an unseen client, D1 read-only", () =>
        exchange(3, { client: { id: "cl-neverseen0000", secret: "not-a-secret" } }),
      );
      expectUnavailable(cold, cold.retryAfter);
      // The warm client may still be served from the isolate's credentials cache (no D1 call) or,
      // once its poll interval passed, need D1: either a token or a 503, never anything else.
      const warm = await timed("exchange by the warm client, D1 read-only", () => exchange(4));
      if (warm.status !== 200) expectUnavailable(warm, warm.retryAfter);

      for (const [method, path, body] of [
        ["POST", `/zones/${fx.zone}/clients`, { name: "during-outage" }],
        ["GET", `/zones/${fx.zone}/audit`, undefined],
        ["GET", `/zones/${fx.zone}/policy-sets/${fx.set}`, undefined],
      ] as const) {
        const answer = await timed(`admin ${method} ${path.split("/").slice(3).join("/")}, D1 read-only`, () => admin(method, path, body));
        expect(answer.status).toBe(503);
        expect(answer.headers.get("content-type")).toBe("application/problem+json");
        expect(answer.headers.get("retry-after")).toBe("5");
        expect(((await answer.json()) as { type: string }).type).toBe("urn:caracal:problem:storage-unavailable");
      }
      const metadata = await fetch(new URL(`/zones/${fx.zone}/.well-known/oauth-authorization-server`, edge.url));
      expect(metadata.status).toBe(503);
    } finally {
      execFileSync("chattr", ["-i", ...wal]);
    }
    // No recovery is checked: Miniflare's SQLite connection stays read-only after the file is writable again
    // (measured: still 503 five seconds later), which says nothing about D1 at the edge.
  });
});

/**
 * A local edge for benchmarks and multi-instance tests: the Worker bundled as
 * wrangler bundles it, run by Miniflare in workerd with a local D1 (shared
 * between instances through one persist directory), the checked-in
 * migrations applied, and helpers for the admin API and a zone set up the way
 * an operator would.
 */
import { createRequire } from "node:module";
import { readdir, readFile } from "node:fs/promises";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type { Miniflare as MiniflareInstance } from "miniflare";
import { buildConsole } from "../scripts/build-console.mjs";
import { buildWasmChild } from "../scripts/build-wasm-child.mjs";

/** The project root: benches and tests run from it, also when bench/run.ts bundles them elsewhere. */
export const ROOT = `${process.cwd()}/`;
/*
 * Miniflare and esbuild ship native binaries found relative to their packages:
 * they are required from the project at run time, never bundled.
 */
const projectRequire = createRequire(`${ROOT}package.json`);
const { Miniflare } = projectRequire("miniflare") as typeof import("miniflare");
const { build } = projectRequire("esbuild") as typeof import("esbuild");

export const ADMIN_TOKEN = "edge-admin-token";
export const COMPATIBILITY_DATE = "2026-04-20";
export const GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
/** The configured STS origin of local edges (the port is only known once Miniflare listens, and no test needs it). */
export const EDGE_ISSUER_URL = "http://edge.local";
const KEY_ENCRYPTION_KEY = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");

/** Bundles a Worker entry the way wrangler would (ESM, workerd conditions). */
export async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    // The runtime's own modules (DurableObject, …), as wrangler leaves them.
    external: ["cloudflare:*"],
    write: false,
    logLevel: "error",
  });
  return result.outputFiles[0]!.text;
}

let caracalBundle: Promise<string> | undefined;

export function caracalWorker(): Promise<string> {
  // The Worker imports the OPA-Wasm child's and the console's generated bundles: build them first, as wrangler's [build] does.
  return (caracalBundle ??= buildWasmChild()
    .then(buildConsole)
    .then(() => bundle(`${ROOT}workers/index.ts`)));
}

export interface EdgeInstance {
  mf: MiniflareInstance;
  url: URL;
  /** runs the Worker's cron handler (the outbox re-send), as a Cron Trigger would */
  scheduled(): Promise<void>;
  stop(): Promise<void>;
}

export interface EdgeOptions {
  /** shared by instances that must see one D1 */
  d1Persist?: string;
  /** extra Worker bindings (vars) */
  vars?: Record<string, string>;
  /** more Workers in the same runtime (e.g. a probe) */
  extraWorkers?: { name: string; contents: string; options?: Record<string, unknown> }[];
  /** the Worker's bundle, when not workers/index.ts as is (e.g. bench/wrapped-worker.ts) */
  contents?: string;
  /** false: a Cache API that keeps nothing (as on workers.dev) */
  cache?: boolean;
}

function workerOptions(name: string, contents: string) {
  return {
    name,
    modules: [{ type: "ESModule" as const, path: `${name}.mjs`, contents }],
    compatibilityDate: COMPATIBILITY_DATE,
    d1Databases: { DB: "caracal-local" },
  };
}

/** The Worker's own bindings besides D1: the audit buffer (a SQLite Durable Object it exports). */
export function caracalBindings(vars: Record<string, string> = {}) {
  return {
    bindings: {
      CARACAL_ADMIN_TOKEN: ADMIN_TOKEN,
      CARACAL_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY,
      CARACAL_ISSUER_URL: EDGE_ISSUER_URL,
      POLL_SECONDS: "60",
      ...vars,
    },
    durableObjects: { AUDIT_BUFFER: { className: "AuditBuffer", useSQLite: true } },
  };
}

export async function startEdge(opts: EdgeOptions = {}): Promise<EdgeInstance> {
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    ...(opts.d1Persist ? { d1Persist: opts.d1Persist } : {}),
    workers: [
      {
        ...workerOptions("caracal", opts.contents ?? (await caracalWorker())),
        ...caracalBindings(opts.vars),
      },
      ...(opts.extraWorkers ?? []).map((w) => ({ ...workerOptions(w.name, w.contents), ...w.options })),
    ],
  });
  const url = await mf.ready;
  return {
    mf,
    url,
    scheduled: async () => {
      const worker = await mf.getWorker("caracal");
      await worker.scheduled({ cron: "* * * * *" });
    },
    stop: () => mf.dispose(),
  };
}

/**
 * Several instances of the Worker in one runtime, as the isolates of one colo: one workerd, so one
 * Cache API, one D1 and one audit-buffer namespace (as at the edge, where a zone's buffer is one
 * object wherever it is called from), each instance its own isolate (module state) and socket.
 * Two workerd processes over one local D1 file contend for its lock once several of them write.
 */
export interface Colo {
  mf: MiniflareInstance;
  urls: URL[];
  instances: EdgeInstance[];
  stop(): Promise<void>;
}

export async function startColo(
  count: number,
  opts: EdgeOptions & { instanceVars?: (i: number) => Record<string, string> } = {},
): Promise<Colo> {
  const contents = opts.contents ?? (await caracalWorker());
  const names = Array.from({ length: count }, (_, i) => `caracal-${i}`);
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    ...(opts.d1Persist ? { d1Persist: opts.d1Persist } : {}),
    workers: names.map((name, i) => {
      const own = caracalBindings({ ...opts.vars, ...opts.instanceVars?.(i) });
      return {
        ...workerOptions(name, contents),
        ...own,
        durableObjects: { AUDIT_BUFFER: { ...own.durableObjects.AUDIT_BUFFER, ...(i > 0 ? { scriptName: names[0] } : {}) } },
        unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
        cache: opts.cache ?? true,
      };
    }),
  });
  await mf.ready;
  const urls = await Promise.all(names.map((name) => mf.unsafeGetDirectURL(name)));
  const instances = names.map(
    (name, i): EdgeInstance => ({
      mf,
      url: urls[i]!,
      scheduled: async () => {
        await (await mf.getWorker(name)).scheduled({ cron: "* * * * *" });
      },
      stop: () => mf.dispose(),
    }),
  );
  return { mf, urls, instances, stop: () => mf.dispose() };
}

export async function applyMigrations(edge: { mf: MiniflareInstance }): Promise<void> {
  const db = await edge.mf.getD1Database("DB");
  const dir = `${ROOT}schema/migrations`;
  for (const file of (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort()) {
    const sql = await readFile(`${dir}/${file}`, "utf8");
    for (const statement of sql
      .split("--> statement-breakpoint")
      .map((s) => s.trim())
      .filter(Boolean))
      await db.prepare(statement).run();
  }
}

export async function api(url: URL, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(new URL(`/v1${path}`, url), {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

export interface ZoneFixture {
  zone: string;
  clientId: string;
  /** a policy set with one version per source given, in order */
  set: string;
  versions: string[];
  /** activates one of `versions` through the admin API of `via` */
  activate(via: URL, version: string): Promise<void>;
  /**
   * sends an exchange to `at` (the i-th subject token, or `subjectToken`, a
   * token of another issuer of the zone); its HTTP status and wall milliseconds
   */
  exchange(
    at: URL,
    i?: number,
    opts?: { subjectToken?: string; requestId?: string; client?: { id: string; secret: string } },
  ): Promise<{ status: number; ms: number; body: string }>;
}

/**
 * A zone as an operator sets it up: the given policies (one policy, a
 * version per source), a set version for each, a client with attributes, a
 * trusted issuer whose key signs the subject tokens.
 */
export async function setupZone(url: URL, sources: string[], subjects = 64, claims: Record<string, unknown> = {}): Promise<ZoneFixture> {
  const zone = (await api(url, "POST", "/zones", { name: `zone-${crypto.randomUUID().slice(0, 8)}` })).id as string;
  const set = (await api(url, "POST", `/zones/${zone}/policy-sets`, { name: "production" })).id as string;
  let policy: string | undefined;
  const versions: string[] = [];
  for (const source of sources) {
    const pv = policy
      ? await api(url, "POST", `/zones/${zone}/policies/${policy}/versions`, { source })
      : await api(url, "POST", `/zones/${zone}/policies`, { name: "payments-policy", source });
    policy ??= pv.id as string;
    const versionId = (pv.versions?.[0]?.id ?? pv.id) as string;
    versions.push((await api(url, "POST", `/zones/${zone}/policy-sets/${set}/versions`, { policy_version_ids: [versionId] })).id);
  }
  const client = await api(url, "POST", `/zones/${zone}/clients`, { name: "checkout", attributes: { team: "payments" } });
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const issuer = "https://idp.example";
  await api(url, "POST", `/zones/${zone}/issuers`, {
    issuer,
    jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: "idp-1", alg: "ES256" }] },
  });
  const tokens = await Promise.all(
    Array.from({ length: subjects }, (_, i) =>
      new SignJWT({ sub: `user-${i}`, role: "payer", tier: "gold", scope: "payments:read payments:write", ...claims })
        .setProtectedHeader({ alg: "ES256", kid: "idp-1" })
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(privateKey),
    ),
  );
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
  const authorization = basic(client.id, client.client_secret);
  return {
    zone,
    clientId: client.id,
    set,
    versions,
    activate: async (via, version) => {
      await api(via, "POST", `/zones/${zone}/policy-sets/${set}/activate`, { version });
    },
    exchange: async (at, i = 0, opts = {}) => {
      const body = new URLSearchParams({
        grant_type: GRANT,
        subject_token: opts.subjectToken ?? tokens[i % tokens.length]!,
        subject_token_type: JWT_TYPE,
        resource: "https://payments.example/api",
        scope: "payments:read",
      });
      const t0 = performance.now();
      const res = await fetch(new URL(`/zones/${zone}/oauth2/token`, at), {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: opts.client ? basic(opts.client.id, opts.client.secret) : authorization,
          ...(opts.requestId ? { "x-request-id": opts.requestId } : {}),
        },
        body,
      });
      const text = await res.text();
      return { status: res.status, ms: performance.now() - t0, body: text };
    },
  };
}

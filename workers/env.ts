/** Bindings of the Worker (wrangler.toml and secrets) and per-request context variables. */
export interface Env {
  DB: D1Database;
  /** admin bearer token (a Worker secret; `.dev.vars` locally) */
  CARACAL_ADMIN_TOKEN?: string;
  /** seconds an isolate trusts its cached zone pointer before re-reading it from D1 (default 60; the stream makes it sooner) */
  POLL_SECONDS?: string;
  /** base64 of 32 random bytes: the AES-GCM key that encrypts zone signing keys at rest (a Worker secret) */
  CARACAL_KEY_ENCRYPTION_KEY?: string;
  /** the key-encryption key being rotated out: private keys sealed with it still open (see workers/sts/keys.ts) */
  CARACAL_KEY_ENCRYPTION_KEY_PREVIOUS?: string;
  /** statements one policy evaluation may execute before it fails with eval_budget_exceeded */
  POLICY_EVAL_BUDGET?: string;
  /** Upstash REST endpoint and token for the invalidation stream (absent: poll-only) */
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** milliseconds between an isolate's reads of the invalidation stream (default 1000) */
  INVALIDATION_POLL_MS?: string;
  /** deadline of every Redis call in milliseconds (default 300): a stalled Redis never holds a request */
  REDIS_TIMEOUT_MS?: string;
  /**
   * the public origin of the STS, e.g. https://sts.example.com: zone issuers are `{origin}/zones/{zone}`.
   * Never derived from the Host header; `caracal dev` sets http://127.0.0.1:<port>.
   */
  CARACAL_ISSUER_URL?: string;
  /** seconds an isolate trusts cached credentials while it does not hear the stream (default 5; see sts/credentials-cache.ts) */
  CREDENTIALS_POLL_SECONDS?: string;
  /** milliseconds a colo's shared read of the stream (Cache API) serves its isolates (default 500; distribution/shared-tip.ts) */
  STREAM_SHARE_MS?: string;
  /**
   * the audit buffer: a SQLite Durable Object per zone that takes events before the response.
   * Typed where it is used (workers/audit/buffer.ts `auditBufferOf`), so this module names no layer above it.
   */
  AUDIT_BUFFER: DurableObjectNamespace;
  /** Worker Loader (Dynamic Workers): runs OPA-compiled Wasm policies; absent, Wasm versions are refused at creation */
  LOADER?: WorkerLoader;
  /** CPU milliseconds one call into a Wasm policy's child Worker may use (default 50) */
  WASM_CPU_MS?: string;
  /** milliseconds the STS waits for a Wasm policy's answer before failing closed (default 1000) */
  WASM_TIMEOUT_MS?: string;
}

export interface AppEnv {
  Bindings: Env;
  Variables: { requestId: string };
}

/** Bindings of the Worker (wrangler.toml and secrets) and per-request context variables. */
export interface Env {
  DB: D1Database;
  /** admin bearer token (a Worker secret; `.dev.vars` locally) */
  CARACAL_ADMIN_TOKEN?: string;
  /** seconds between polls of a zone's activation pointer */
  POLL_SECONDS?: string;
}

export interface AppEnv {
  Bindings: Env;
  Variables: { requestId: string };
}

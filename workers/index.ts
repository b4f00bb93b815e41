/**
 * The Caracal Edge Worker: the admin API under /v1 and the STS under
 * /zones/{zone}. Every response carries X-Request-Id; errors are problem+json
 * except at the token endpoint, which answers in OAuth's error format.
 */
import { Hono } from "hono";
import { adminApi } from "./admin/index.js";
import { consoleApp } from "./console/routes.js";
import { resendPendingCredentials } from "./distribution/credentials-stream.js";
import { InvalidationListener } from "./distribution/listener.js";
import { resendPending } from "./distribution/publish.js";
import type { AppEnv, Env } from "./env.js";
import { onError, onNotFound } from "./http/errors.js";
import { requestId } from "./http/request-id.js";
import { purgeExpiredAssertionJtis } from "./sts/client-auth.js";
import { stsApi } from "./sts/routes.js";
import { credentialsCache, dropCredentials } from "./sts/credentials-cache.js";
import { zoneCache } from "./sts/zone-cache.js";

export { AuditBuffer } from "./audit/buffer.js";

/** The isolate's reader of the invalidation stream, feeding its zone and credentials caches. */
const invalidations = new InvalidationListener({
  invalidate: (zone) => zoneCache.invalidate(zone),
  invalidateCredentials: dropCredentials,
  invalidateAll: () => {
    zoneCache.invalidateAll();
    credentialsCache.invalidateAll();
  },
});

const app = new Hono<AppEnv>();
app.use("*", requestId);
// Each STS request may start this isolate's read of the invalidation stream (at most once a second).
app.use("/zones/*", async (c, next) => {
  invalidations.maybePoll(c.env, (p) => c.executionCtx.waitUntil(p));
  await next();
});
app.route("/v1", adminApi());
// The web console (docs/console.md): static page and script; its data comes from /v1 like the CLI's.
app.route("/", consoleApp());
app.route("/", stsApi());
app.notFound(onNotFound);
app.onError(onError);

export default {
  fetch: app.fetch,
  /** Cron: re-send invalidations a Redis outage kept in the outbox; forget the jtis of expired client assertions. */
  scheduled(_event: ScheduledController, env: Env, ctx: ExecutionContext): void {
    ctx.waitUntil(Promise.all([resendPending(env), resendPendingCredentials(env), purgeExpiredAssertionJtis(env)]));
  },
} satisfies ExportedHandler<Env>;

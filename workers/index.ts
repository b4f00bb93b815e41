/**
 * The Caracal Edge Worker: the admin API under /v1 (and, with the STS issue,
 * the token endpoints under /zones/{zone}). Request ids and problem+json
 * errors apply to every route.
 */
import { Hono } from "hono";
import { adminApi } from "./admin/index.js";
import type { AppEnv } from "./env.js";
import { onError, onNotFound } from "./http/errors.js";
import { requestId } from "./http/request-id.js";

const app = new Hono<AppEnv>();
app.use("*", requestId);
app.route("/v1", adminApi());
app.notFound(onNotFound);
app.onError(onError);

export default app;

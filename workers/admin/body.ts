/**
 * Request body guards for the admin API: JSON only, and a size cap checked
 * before anything is parsed (413 instead of buffering an arbitrary body).
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../env.js";
import { payloadTooLarge, unsupportedMediaType } from "../http/problem.js";

export const MAX_BODY_BYTES = 256 * 1024;

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** Action routes (e.g. `…/disable`) take no body: a request without one passes. */
function hasBody(c: Parameters<MiddlewareHandler<AppEnv>>[0]): boolean {
  return c.req.raw.body !== null && c.req.header("content-length") !== "0";
}

export const jsonBodyOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  if ((c.req.method === "POST" || c.req.method === "PUT" || c.req.method === "PATCH") && hasBody(c)) {
    const mediaType = (c.req.header("content-type") ?? "").split(";")[0]?.trim() ?? "";
    if (!JSON_MEDIA_TYPE.test(mediaType)) throw unsupportedMediaType("send the request body as application/json");
  }
  await next();
};

export const bodySizeCap = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw payloadTooLarge(`request bodies are limited to ${MAX_BODY_BYTES} bytes`);
  },
});

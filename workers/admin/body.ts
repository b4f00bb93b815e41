/**
 * Request body guards for the admin API: JSON only, and a size cap checked
 * before anything is parsed (413 instead of buffering an arbitrary body).
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../env.js";
import { payloadTooLarge, unsupportedMediaType } from "../http/problem.js";

export const MAX_BODY_BYTES = 256 * 1024;
/**
 * Uploads of policy versions carry bundles: up to 5 MiB of files (workers/bundle/limits.ts), as JSON
 * strings (escaping can double them) or a base64 archive. The bundle's own limits are then checked
 * exactly; this cap only stops a body from being buffered without bound.
 */
export const MAX_BUNDLE_BODY_BYTES = 16 * 1024 * 1024;
const BUNDLE_UPLOAD_PATH = /\/zones\/[^/]+\/policies(\/[^/]+\/versions)?\/?$/;

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

const defaultCap = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw payloadTooLarge(`request bodies are limited to ${MAX_BODY_BYTES} bytes`);
  },
});

const bundleCap = bodyLimit({
  maxSize: MAX_BUNDLE_BODY_BYTES,
  onError: () => {
    throw payloadTooLarge(`policy version uploads are limited to ${MAX_BUNDLE_BODY_BYTES} bytes`);
  },
});

export const bodySizeCap: MiddlewareHandler<AppEnv> = (c, next) =>
  (c.req.method === "POST" && BUNDLE_UPLOAD_PATH.test(c.req.path) ? bundleCap : defaultCap)(c, next);

/**
 * Request body guards for the admin API: JSON only, and a size cap checked
 * before anything is parsed (413 instead of buffering an arbitrary body).
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../env.js";
import { badRequest, payloadTooLarge, unsupportedMediaType } from "../http/problem.js";
import { jsonLimitProblem, MAX_JSON_DEPTH, MAX_JSON_VALUES } from "../http/json-limits.js";
import { BUNDLE_LIMITS } from "../bundle/limits.js";

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

/** The body's own object plus a field whose value may itself be nested MAX_JSON_DEPTH deep (client attributes). */
export const MAX_BODY_DEPTH = MAX_JSON_DEPTH + 1;

/**
 * A JSON body nested deeper than MAX_BODY_DEPTH (or holding too many values)
 * is refused with 400 before any handler or validator walks it. Malformed
 * JSON passes on: the route's validator reports it.
 */
/**
 * A bundle upload lists its files as objects of a few values each: room for BUNDLE_LIMITS.maxFiles of
 * them, so the bundle's own file limit (413) is what a large upload meets, with its own message.
 */
const MAX_BUNDLE_BODY_VALUES = BUNDLE_LIMITS.maxFiles * 4 + 100;

function maxBodyValues(c: Parameters<MiddlewareHandler<AppEnv>>[0]): number {
  return c.req.method === "POST" && BUNDLE_UPLOAD_PATH.test(c.req.path) ? MAX_BUNDLE_BODY_VALUES : MAX_JSON_VALUES;
}

export const jsonBodyShape: MiddlewareHandler<AppEnv> = async (c, next) => {
  if ((c.req.method === "POST" || c.req.method === "PUT" || c.req.method === "PATCH") && hasBody(c)) {
    let parsed: unknown;
    let parsedOk = true;
    try {
      // Hono caches the text, so the validator reads the same body again.
      parsed = JSON.parse(await c.req.text());
    } catch {
      parsedOk = false;
    }
    const problem = parsedOk ? jsonLimitProblem(parsed, MAX_BODY_DEPTH, maxBodyValues(c)) : undefined;
    if (problem) throw badRequest(`the JSON body is refused: ${problem}`);
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

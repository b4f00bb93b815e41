/** App-wide error and not-found handlers: every failure is problem+json, never a stack trace. */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../env.js";
import { STORAGE_RETRY_AFTER_SECONDS, storageFailure } from "../storage.js";
import { badRequest, internalError, notFound, Problem, storageUnavailable } from "./problem.js";

function asProblem(err: unknown): Problem | undefined {
  if (err instanceof Problem) return err;
  // Hono's own HTTP errors (e.g. the JSON validator's "Malformed JSON in request body").
  if (err instanceof HTTPException && err.status === 400) return badRequest(err.message);
  if (err instanceof HTTPException) return new Problem(err.status, "http", err.message || "Error", err.message);
  return undefined;
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const problem = asProblem(err);
  if (problem) return respond(c, problem);
  const storage = storageFailure(err);
  if (storage) {
    console.error(`request ${c.get("requestId")}: ${storage.message}`);
    return respond(c, storageUnavailable(STORAGE_RETRY_AFTER_SECONDS));
  }
  console.error(`request ${c.get("requestId")} failed:`, err);
  return respond(c, internalError());
};

export const onNotFound: NotFoundHandler<AppEnv> = (c) => respond(c, notFound(`route ${c.req.method} ${c.req.path}`));

function respond(c: Context<AppEnv>, problem: Problem): Response {
  const headers: Record<string, string> = {};
  if (problem.status === 401) headers["www-authenticate"] = 'Bearer realm="caracal-admin"';
  return problem.toResponse(c.get("requestId"), headers);
}

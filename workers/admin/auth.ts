/** Bearer admin auth: the token is the Worker secret CARACAL_ADMIN_TOKEN, compared in constant time. */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";
import { secretsEqual } from "../crypto.js";
import { serviceUnavailable, unauthorized } from "../http/problem.js";

const BEARER = /^Bearer[ ]+(\S+)\s*$/i;

export const adminAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expected = c.env.CARACAL_ADMIN_TOKEN;
  if (!expected) throw serviceUnavailable("the admin API is disabled: the Worker secret CARACAL_ADMIN_TOKEN is not set");
  const given = BEARER.exec(c.req.header("authorization") ?? "")?.[1];
  if (!given) throw unauthorized("missing bearer token");
  if (!(await secretsEqual(given, expected))) throw unauthorized("invalid bearer token");
  await next();
};

/** Every response carries X-Request-Id: the client's own (if sane) or a fresh `req-…`. */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";
import { newId } from "../ids.js";

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const given = c.req.header("x-request-id");
  const id = given && CLIENT_REQUEST_ID.test(given) ? given : newId("req");
  c.set("requestId", id);
  await next();
  c.res.headers.set("x-request-id", id);
};

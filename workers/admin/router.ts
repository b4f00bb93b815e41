/** Every admin router rejects invalid requests the same way: 400 problem+json naming each bad field. */
import { OpenAPIHono, type Hook } from "@hono/zod-openapi";
import type { AppEnv } from "../env.js";
import { badRequest, type ProblemItem } from "../http/problem.js";

const rejectInvalid: Hook<unknown, AppEnv, string, undefined> = (result) => {
  if (result.success) return;
  const items: ProblemItem[] = result.error.issues.map((issue) => {
    const pointer = "/" + issue.path.map(String).join("/");
    return { code: issue.code, message: `${pointer === "/" ? result.target : pointer}: ${issue.message}`, pointer };
  });
  throw badRequest(`invalid request ${result.target}: ${items.map((i) => i.message).join("; ")}`, items);
};

export function newRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: rejectInvalid });
}

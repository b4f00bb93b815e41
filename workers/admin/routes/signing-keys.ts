/** A zone's token-signing keys: listing them and rotating to a new one. */
import { createRoute } from "@hono/zod-openapi";
import { conflict, notFound, serviceUnavailable } from "../../http/problem.js";
import { rotateSigningKey, SigningUnavailableError, zoneKeys } from "../../sts/keys.js";
import { credentialsChanged } from "../../sts/credentials-cache.js";
import { zoneCache } from "../../sts/zone-cache.js";
import { jsonResponse, problems, ZoneParams } from "../schemas/common.js";
import { KeyRotation, SigningKeyList, signingKeyView } from "../schemas/signing-keys.js";
import { newRouter } from "../router.js";

export const signingKeysRouter = newRouter();

const listKeys = createRoute({
  method: "get",
  path: "/zones/{zone}/signing-keys",
  tags: ["signing keys"],
  summary: "List the zone's signing keys, oldest first, with their status",
  request: { params: ZoneParams },
  responses: { 200: jsonResponse(SigningKeyList, "The zone's keys"), ...problems(404) },
});

signingKeysRouter.openapi(listKeys, async (c) => {
  const { zone } = c.req.valid("param");
  const keys = await zoneKeys(c.env, zone);
  if (!keys) throw notFound("zone");
  return c.json({ items: keys.map((k) => signingKeyView(k)) }, 200);
});

const rotateKey = createRoute({
  method: "post",
  path: "/zones/{zone}/signing-keys/rotate",
  tags: ["signing keys"],
  summary: "Make a new signing key; the previous one stays in the JWKS until every token it signed has expired",
  request: { params: ZoneParams },
  responses: { 201: jsonResponse(KeyRotation, "The new current key and the key it retired"), ...problems(404, 409, 503) },
});

signingKeysRouter.openapi(rotateKey, async (c) => {
  const { zone } = c.req.valid("param");
  if (!(await zoneKeys(c.env, zone))) throw notFound("zone");
  let rotation: Awaited<ReturnType<typeof rotateSigningKey>>;
  try {
    rotation = await rotateSigningKey(c.env, zone);
  } catch (err) {
    if (err instanceof SigningUnavailableError) throw serviceUnavailable(err.message);
    throw err;
  }
  if ("conflict" in rotation) throw conflict("another key rotation of this zone committed first; retry");
  zoneCache.invalidate(zone);
  await credentialsChanged(c.env, zone, "key");
  const keys = (await zoneKeys(c.env, zone)) ?? [];
  const statusOf = (kid: string | undefined) => keys.find((k) => k.row.kid === kid);
  const current = statusOf(rotation.current.kid);
  const previous = statusOf(rotation.previous?.kid);
  if (!current) throw new Error(`key ${rotation.current.kid} vanished after rotation`);
  return c.json({ current: signingKeyView(current), previous: previous ? signingKeyView(previous) : null }, 201);
});

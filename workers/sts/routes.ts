/**
 * The STS's HTTP surface, per zone issuer `{origin}/zones/{zone}`: the token
 * endpoint (OAuth errors, never problem+json), the JWKS and the RFC 8414
 * metadata. X-Request-Id is set on every response by the app's middleware.
 */
import { Hono, type Context } from "hono";
import { database, found, zoneLookup } from "../db.js";
import type { AppEnv } from "../env.js";
import { notFound, serviceUnavailable } from "../http/problem.js";
import { ensureSigningKey, publishedKeys, SigningUnavailableError, zoneKeys, type KeyStatus } from "./keys.js";
import { authorizationServerMetadata, IssuerNotConfiguredError, issuerNotConfigured, issuerOrigin, zoneIssuer } from "./metadata.js";
import { OAuthError } from "./oauth-error.js";
import { STORAGE_RETRY_AFTER_SECONDS, storageFailure } from "../storage.js";
import { exchangeToken } from "./token-exchange.js";
import { credentialsChanged } from "./credentials-cache.js";
import { zoneCache } from "./zone-cache.js";

/** Verifiers may cache the key set briefly; on an unknown kid they refetch. */
const JWKS_CACHE_CONTROL = "public, max-age=60";

export function stsApi() {
  const sts = new Hono<AppEnv>();

  sts.post("/zones/:zone/oauth2/token", async (c) => {
    const startedAt = performance.now();
    const raw = c.req.raw;
    try {
      return await exchangeToken({
        env: c.env,
        request: raw,
        zoneId: c.req.param("zone"),
        startedAt,
        background: (work) => c.executionCtx.waitUntil(work),
        context: {
          id: c.get("requestId"),
          time: new Date(),
          ip: raw.headers.get("cf-connecting-ip"),
          country: (raw.cf?.country as string | undefined) ?? null,
        },
      });
    } catch (err) {
      return tokenErrorResponse(c, err);
    }
  });

  sts.get("/zones/:zone/.well-known/jwks.json", async (c) => {
    const zoneId = c.req.param("zone");
    const keys = await keysOrFirstKey(c, zoneId);
    return c.json({ keys: publishedKeys(keys) }, 200, { "cache-control": JWKS_CACHE_CONTROL });
  });

  sts.get("/zones/:zone/.well-known/oauth-authorization-server", async (c) => {
    const zoneId = c.req.param("zone");
    found(await zoneLookup(database(c.env), zoneId), "zone");
    let origin: string;
    try {
      origin = issuerOrigin(c.env.CARACAL_ISSUER_URL);
    } catch (err) {
      if (err instanceof IssuerNotConfiguredError) throw serviceUnavailable(err.message);
      throw err;
    }
    return c.json(authorizationServerMetadata(zoneIssuer(origin, zoneId)));
  });

  return sts;
}

function tokenErrorResponse(c: Context<AppEnv>, err: unknown): Response {
  if (err instanceof OAuthError) return err.toResponse();
  const requestId = c.get("requestId");
  const storage = storageFailure(err);
  if (storage) {
    // Nothing was issued: the audit record could not be written or the client and issuers could not be read.
    console.error(`request ${requestId}: ${storage.message}`);
    return new OAuthError("temporarily_unavailable", "storage is unavailable; retry later", STORAGE_RETRY_AFTER_SECONDS).toResponse();
  }
  if (err instanceof IssuerNotConfiguredError) {
    console.error(`request ${requestId}: ${err.message}`);
    return issuerNotConfigured(err).toResponse();
  }
  if (err instanceof SigningUnavailableError) {
    console.error(`request ${requestId}: cannot sign: ${err.message}`);
    return new OAuthError("temporarily_unavailable", "token signing is not configured; retry later").toResponse();
  }
  console.error(`request ${requestId} failed:`, err);
  return new OAuthError("server_error", `the exchange failed; quote request ${requestId} when reporting it`).toResponse();
}

/** The JWKS is a use of the zone's key: a zone without one gets its first key now. */
async function keysOrFirstKey(c: Context<AppEnv>, zoneId: string): Promise<KeyStatus[]> {
  const keys = await zoneKeys(c.env, zoneId);
  if (keys === undefined) throw notFound("zone");
  if (keys.length > 0) return keys;
  try {
    await ensureSigningKey(c.env, zoneId);
  } catch (err) {
    if (err instanceof SigningUnavailableError) throw serviceUnavailable(`the zone has no signing key yet and ${err.message}`);
    throw err;
  }
  zoneCache.invalidate(zoneId);
  await credentialsChanged(c.env, zoneId, "key");
  return (await zoneKeys(c.env, zoneId)) ?? [];
}

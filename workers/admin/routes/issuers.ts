/**
 * Trusted issuers: whose JWTs a zone accepts as subject and actor tokens,
 * with their public keys inline or at a jwks_uri. The zone's own issuer is
 * always trusted and needs no row. Rows are added and removed, never edited.
 */
import { createRoute } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { trustedIssuers } from "../../../schema/index.js";
import { conflict, invalidReference } from "../../http/problem.js";
import { newId } from "../../ids.js";
import { jwksUriProblem } from "../../sts/issuer-keys.js";
import { usableJwksProblems } from "../../sts/jwk-import.js";
import { fetchJwks } from "../../sts/remote-jwks.js";
import { credentialsChanged } from "../../sts/credentials-cache.js";
import { database, found, nowIso, zoneLookup } from "../../db.js";
import { zonePage } from "../zone-page.js";
import { IssuerParams, jsonBody, jsonResponse, PageQuery, problems, ZoneParams } from "../schemas/common.js";
import { CreateIssuerRequest, issuerView, TrustedIssuer, TrustedIssuerPage } from "../schemas/issuers.js";
import { newRouter } from "../router.js";

export const issuersRouter = newRouter();

const addIssuer = createRoute({
  method: "post",
  path: "/zones/{zone}/issuers",
  tags: ["trusted issuers"],
  summary: "Trust an issuer's JWTs as subject and actor tokens",
  description:
    "Exactly one of `jwks` (inline public keys) and `jwks_uri` (fetched now to check it, then cached by each isolate). " +
    "Keys must be public EC (P-256/384/521), RSA (at least 2048 bits) or Ed25519 keys with a kid that WebCrypto imports; " +
    "symmetric, private, weak or malformed keys are refused with 422.",
  request: { params: ZoneParams, body: jsonBody(CreateIssuerRequest) },
  responses: { 201: jsonResponse(TrustedIssuer, "The trusted issuer"), ...problems(404, 409, 413, 415, 422) },
});

issuersRouter.openapi(addIssuer, async (c) => {
  const { zone } = c.req.valid("param");
  const { issuer, jwks, jwks_uri, audience } = c.req.valid("json");
  const db = database(c.env);
  found(await zoneLookup(db, zone), "zone");
  if (jwks_uri !== undefined) await checkJwksUri(jwks_uri);
  else unusable(await usableJwksProblems(jwks));
  const row = {
    id: newId("iss"),
    zoneId: zone,
    issuer,
    jwks: jwks ?? null,
    jwksUri: jwks_uri ?? null,
    audience: audience ?? null,
    createdAt: nowIso(),
  };
  const inserted = await db.insert(trustedIssuers).values(row).onConflictDoNothing().returning({ id: trustedIssuers.id });
  if (inserted.length === 0) throw conflict(`issuer ${issuer} is already trusted by this zone; remove it first to change its keys`);
  await credentialsChanged(c.env, zone, "issuer");
  return c.json(issuerView(row), 201);
});

export function unusable(problemList: string[], whose = "the issuer's"): void {
  if (problemList.length > 0) throw invalidReference(`${whose} keys are unusable: ${problemList.join("; ")}`);
}

/** Fetches the JWKS once so a typo or unusable keys fail now rather than at the first exchange. */
export async function checkJwksUri(uri: string, whose = "the issuer's"): Promise<void> {
  const problem = jwksUriProblem(uri);
  if (problem) throw invalidReference(problem);
  let body: unknown;
  try {
    body = await fetchJwks(uri);
  } catch (err) {
    throw invalidReference(`the jwks_uri could not be fetched: ${err instanceof Error ? err.message : String(err)}`);
  }
  unusable(await usableJwksProblems(body), whose);
}

const listIssuers = createRoute({
  method: "get",
  path: "/zones/{zone}/issuers",
  tags: ["trusted issuers"],
  summary: "List the zone's trusted issuers in creation order",
  request: { params: ZoneParams, query: PageQuery },
  responses: { 200: jsonResponse(TrustedIssuerPage, "A page of trusted issuers"), ...problems(404) },
});

issuersRouter.openapi(listIssuers, async (c) => {
  const { zone } = c.req.valid("param");
  return c.json(await zonePage(c.env, zone, trustedIssuers, c.req.valid("query"), issuerView), 200);
});

const getIssuer = createRoute({
  method: "get",
  path: "/zones/{zone}/issuers/{issuer}",
  tags: ["trusted issuers"],
  summary: "Get a trusted issuer",
  request: { params: IssuerParams },
  responses: { 200: jsonResponse(TrustedIssuer, "The trusted issuer"), ...problems(404) },
});

issuersRouter.openapi(getIssuer, async (c) => {
  const { zone, issuer } = c.req.valid("param");
  const rows = await database(c.env)
    .select()
    .from(trustedIssuers)
    .where(and(eq(trustedIssuers.id, issuer), eq(trustedIssuers.zoneId, zone)));
  return c.json(issuerView(found(rows, "trusted issuer")), 200);
});

const removeIssuer = createRoute({
  method: "delete",
  path: "/zones/{zone}/issuers/{issuer}",
  tags: ["trusted issuers"],
  summary: "Stop trusting an issuer: its tokens are refused from the next exchange on",
  request: { params: IssuerParams },
  responses: { 204: { description: "Removed" }, ...problems(404) },
});

issuersRouter.openapi(removeIssuer, async (c) => {
  const { zone, issuer } = c.req.valid("param");
  const removed = await database(c.env)
    .delete(trustedIssuers)
    .where(and(eq(trustedIssuers.id, issuer), eq(trustedIssuers.zoneId, zone)))
    .returning({ id: trustedIssuers.id });
  found(removed, "trusted issuer");
  await credentialsChanged(c.env, zone, "issuer");
  return c.body(null, 204);
});

/**
 * STS clients of a zone. A client secret is 256 random bits, returned once
 * (on create and on rotation) and stored only as its SHA-256. A client
 * created with public keys (jwks or jwks_uri) authenticates with
 * private_key_jwt instead and has no secret. Disabling is
 * immediate: the change is announced to every isolate's credentials cache
 * (sts/credentials-cache.ts), which drops the client within a second.
 */
import { createRoute } from "@hono/zod-openapi";
import { and, eq, isNull } from "drizzle-orm";
import { clients } from "../../../schema/index.js";
import { conflict } from "../../http/problem.js";
import { newId } from "../../ids.js";
import { newClientSecret } from "../../sts/client-auth.js";
import { usableJwksProblems } from "../../sts/jwk-import.js";
import { checkJwksUri, unusable } from "./issuers.js";
import { credentialsChanged } from "../../sts/credentials-cache.js";
import { database, found, nowIso, zoneLookup, type Db } from "../../db.js";
import { zonePage } from "../zone-page.js";
import { Client, ClientPage, ClientWithSecret, clientView, CreateClientRequest } from "../schemas/clients.js";
import { ClientParams, jsonBody, jsonResponse, PageQuery, problems, ZoneParams } from "../schemas/common.js";
import { newRouter } from "../router.js";

export const clientsRouter = newRouter();

const createClient = createRoute({
  method: "post",
  path: "/zones/{zone}/clients",
  tags: ["clients"],
  summary: "Create a client; its secret is in this response only",
  request: { params: ZoneParams, body: jsonBody(CreateClientRequest) },
  responses: { 201: jsonResponse(ClientWithSecret, "The new client and its secret"), ...problems(404, 409, 413, 415, 422) },
});

clientsRouter.openapi(createClient, async (c) => {
  const { zone } = c.req.valid("param");
  const { name, attributes, jwks, jwks_uri } = c.req.valid("json");
  const db = database(c.env);
  found(await zoneLookup(db, zone), "zone");
  const withKeys = jwks !== undefined || jwks_uri !== undefined;
  // Keys are imported now (WebCrypto), so a key that could never verify is a 422 here, not a 401 at every exchange.
  if (jwks_uri !== undefined) await checkJwksUri(jwks_uri, "the client's");
  else if (jwks !== undefined) unusable(await usableJwksProblems(jwks), "the client's");
  const issued = withKeys ? undefined : await newClientSecret();
  const now = nowIso();
  const row = {
    id: newId("cl"),
    zoneId: zone,
    name,
    attributes,
    // A private_key_jwt client has no secret: no digest matches "".
    secretSha256: issued?.sha256 ?? "",
    secretRotatedAt: now,
    disabledAt: null,
    createdAt: now,
    authMethod: withKeys ? "private_key_jwt" : "client_secret",
    jwks: jwks ?? null,
    jwksUri: jwks_uri ?? null,
  };
  const inserted = await db.insert(clients).values(row).onConflictDoNothing().returning({ id: clients.id });
  if (inserted.length === 0) throw conflict(`a client named "${name}" already exists in this zone`);
  // An isolate may remember the new id as unknown (its negative cache).
  await credentialsChanged(c.env, zone, "client");
  return c.json({ ...clientView(row), ...(issued ? { client_secret: issued.secret } : {}) }, 201);
});

const listClients = createRoute({
  method: "get",
  path: "/zones/{zone}/clients",
  tags: ["clients"],
  summary: "List the zone's clients in creation order",
  request: { params: ZoneParams, query: PageQuery },
  responses: { 200: jsonResponse(ClientPage, "A page of clients"), ...problems(404) },
});

clientsRouter.openapi(listClients, async (c) => {
  const { zone } = c.req.valid("param");
  return c.json(await zonePage(c.env, zone, clients, c.req.valid("query"), clientView), 200);
});

const getClient = createRoute({
  method: "get",
  path: "/zones/{zone}/clients/{client}",
  tags: ["clients"],
  summary: "Get a client (never its secret)",
  request: { params: ClientParams },
  responses: { 200: jsonResponse(Client, "The client"), ...problems(404) },
});

clientsRouter.openapi(getClient, async (c) => {
  const { zone, client } = c.req.valid("param");
  return c.json(clientView(found(await clientQuery(database(c.env), zone, client), "client")), 200);
});

const disableClient = createRoute({
  method: "post",
  path: "/zones/{zone}/clients/{client}/disable",
  tags: ["clients"],
  summary: "Disable a client: its token requests fail with invalid_client from now on",
  description: "Idempotent: disabling a disabled client keeps its original disabled_at.",
  request: { params: ClientParams },
  responses: { 200: jsonResponse(Client, "The disabled client"), ...problems(404) },
});

clientsRouter.openapi(disableClient, async (c) => {
  const { zone, client } = c.req.valid("param");
  const db = database(c.env);
  const [, rows] = await db.batch([
    db
      .update(clients)
      .set({ disabledAt: nowIso() })
      .where(and(eq(clients.id, client), eq(clients.zoneId, zone), isNull(clients.disabledAt))),
    clientQuery(db, zone, client),
  ]);
  const disabled = found(rows, "client");
  await credentialsChanged(c.env, zone, "client");
  return c.json(clientView(disabled), 200);
});

const rotateSecret = createRoute({
  method: "post",
  path: "/zones/{zone}/clients/{client}/rotate-secret",
  tags: ["clients"],
  summary: "Replace the client's secret; the old one stops working at once",
  request: { params: ClientParams },
  responses: { 200: jsonResponse(ClientWithSecret, "The client and its new secret"), ...problems(404, 409) },
});

clientsRouter.openapi(rotateSecret, async (c) => {
  const { zone, client } = c.req.valid("param");
  const db = database(c.env);
  const { secret, sha256 } = await newClientSecret();
  const updated = await db
    .update(clients)
    .set({ secretSha256: sha256, secretRotatedAt: nowIso() })
    .where(and(eq(clients.id, client), eq(clients.zoneId, zone), eq(clients.authMethod, "client_secret")))
    .returning();
  if (updated.length === 0 && (await clientQuery(db, zone, client)).length > 0)
    throw conflict("this client authenticates with private_key_jwt: it has no secret to rotate");
  const rotated = found(updated, "client");
  await credentialsChanged(c.env, zone, "client");
  return c.json({ ...clientView(rotated), client_secret: secret }, 200);
});

function clientQuery(db: Db, zone: string, client: string) {
  return db
    .select()
    .from(clients)
    .where(and(eq(clients.id, client), eq(clients.zoneId, zone)));
}

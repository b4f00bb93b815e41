/**
 * A zone's bundle signing: the public keys that verify signed bundles
 * (`.signatures.json`), and whether every new policy version must be signed.
 * Keys are added and removed, never edited; removing one does not touch
 * versions it verified (they were verified when they were created).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { bundleSigningKeys, zones } from "../../../schema/index.js";
import { SIGNATURE_ALGORITHMS } from "../../bundle/signatures.js";
import { conflict, invalidReference } from "../../http/problem.js";
import { newId } from "../../ids.js";
import { publicJwksProblems } from "../../sts/jwk-import.js";
import { database, found, nowIso, zoneLookup } from "../../db.js";
import { jsonBody, jsonResponse, problems, Timestamp, ZoneParams } from "../schemas/common.js";
import { newRouter } from "../router.js";

export const bundleSigningRouter = newRouter();

const Jwk = z.record(z.string(), z.unknown()).openapi({ description: "the public key as a JWK (EC, RSA or OKP)" });

const AddKeyRequest = z
  .strictObject({
    key_id: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/)
      .openapi({ description: "the name signatures give the key (JWT kid or keyid)" }),
    alg: z.enum(SIGNATURE_ALGORITHMS as [string, ...string[]]),
    jwk: Jwk,
    scope: z.string().min(1).max(256).optional().openapi({ description: "OPA's signature scope, when the signer sets one" }),
  })
  .openapi("AddBundleSigningKeyRequest");

const BundleSigningKey = z
  .object({
    id: z.string(),
    key_id: z.string(),
    alg: z.string(),
    jwk: Jwk,
    scope: z.string().nullable(),
    created_at: Timestamp,
  })
  .openapi("BundleSigningKey");

const BundleSigning = z
  .object({
    required: z.boolean().openapi({ description: "whether every new policy version must be a signed bundle" }),
    keys: z.array(BundleSigningKey),
  })
  .openapi("BundleSigning");

const KeyParams = ZoneParams.extend({ key: z.string().openapi({ param: { name: "key", in: "path" }, example: "bsk-abc123abc123" }) });

function keyView(row: typeof bundleSigningKeys.$inferSelect): z.infer<typeof BundleSigningKey> {
  return {
    id: row.id,
    key_id: row.keyId,
    alg: row.alg,
    jwk: row.publicJwk as unknown as Record<string, unknown>,
    scope: row.scope,
    created_at: row.createdAt,
  };
}

async function signingState(env: Parameters<typeof database>[0], zone: string): Promise<z.infer<typeof BundleSigning>> {
  const db = database(env);
  const [zoneRows, keys] = await db.batch([
    db.select({ required: zones.requireSignedBundles }).from(zones).where(eq(zones.id, zone)),
    db
      .select()
      .from(bundleSigningKeys)
      .where(eq(bundleSigningKeys.zoneId, zone))
      .orderBy(bundleSigningKeys.createdAt, bundleSigningKeys.id),
  ]);
  return { required: found(zoneRows, "zone").required, keys: keys.map(keyView) };
}

bundleSigningRouter.openapi(
  createRoute({
    method: "get",
    path: "/zones/{zone}/bundle-signing",
    tags: ["bundle signing"],
    summary: "The zone's bundle-signing keys and whether signed bundles are required",
    request: { params: ZoneParams },
    responses: { 200: jsonResponse(BundleSigning, "The zone's bundle signing"), ...problems(404) },
  }),
  async (c) => c.json(await signingState(c.env, c.req.valid("param").zone), 200),
);

bundleSigningRouter.openapi(
  createRoute({
    method: "put",
    path: "/zones/{zone}/bundle-signing",
    tags: ["bundle signing"],
    summary: "Require (or stop requiring) signed bundles for new policy versions",
    request: { params: ZoneParams, body: jsonBody(z.strictObject({ required: z.boolean() }).openapi("SetBundleSigningRequest")) },
    responses: { 200: jsonResponse(BundleSigning, "The zone's bundle signing"), ...problems(404, 413, 415) },
  }),
  async (c) => {
    const { zone } = c.req.valid("param");
    const { required } = c.req.valid("json");
    found(
      await database(c.env).update(zones).set({ requireSignedBundles: required }).where(eq(zones.id, zone)).returning({ id: zones.id }),
      "zone",
    );
    return c.json(await signingState(c.env, zone), 200);
  },
);

bundleSigningRouter.openapi(
  createRoute({
    method: "post",
    path: "/zones/{zone}/bundle-signing/keys",
    tags: ["bundle signing"],
    summary: "Add a public key that verifies signed bundles",
    request: { params: ZoneParams, body: jsonBody(AddKeyRequest) },
    responses: { 201: jsonResponse(BundleSigningKey, "The key"), ...problems(404, 409, 413, 415, 422) },
  }),
  async (c) => {
    const { zone } = c.req.valid("param");
    const body = c.req.valid("json");
    const db = database(c.env);
    found(await zoneLookup(db, zone), "zone");
    // The same checks as issuers' keys: public, asymmetric; the key's name is key_id, not its kid.
    const unusable = publicJwksProblems({ keys: [{ kid: body.key_id, ...body.jwk }] }).map((p) => p.replace("keys[0]", "jwk"));
    if (unusable.length > 0) throw invalidReference(`the key is unusable: ${unusable.join("; ")}`);
    const row = {
      id: newId("bsk"),
      zoneId: zone,
      keyId: body.key_id,
      alg: body.alg,
      publicJwk: body.jwk as unknown as JsonWebKey,
      scope: body.scope ?? null,
      createdAt: nowIso(),
    };
    const inserted = await db.insert(bundleSigningKeys).values(row).onConflictDoNothing().returning({ id: bundleSigningKeys.id });
    if (inserted.length === 0) throw conflict(`the zone already has a bundle-signing key named ${body.key_id}`);
    return c.json(keyView(row), 201);
  },
);

bundleSigningRouter.openapi(
  createRoute({
    method: "delete",
    path: "/zones/{zone}/bundle-signing/keys/{key}",
    tags: ["bundle signing"],
    summary: "Remove a bundle-signing key",
    request: { params: KeyParams },
    responses: { 200: jsonResponse(BundleSigningKey, "The removed key"), ...problems(404) },
  }),
  async (c) => {
    const { zone, key } = c.req.valid("param");
    const removed = await database(c.env)
      .delete(bundleSigningKeys)
      .where(and(eq(bundleSigningKeys.id, key), eq(bundleSigningKeys.zoneId, zone)))
      .returning();
    return c.json(keyView(found(removed, "bundle-signing key")), 200);
  },
);

/** The zone's keys and requirement, as policy-version creation checks them. */
export async function zoneSigning(db: ReturnType<typeof database>, zone: string) {
  const [zoneRows, keys] = await db.batch([
    db.select({ required: zones.requireSignedBundles }).from(zones).where(eq(zones.id, zone)),
    db.select().from(bundleSigningKeys).where(eq(bundleSigningKeys.zoneId, zone)),
  ]);
  return {
    required: zoneRows[0]?.required ?? false,
    keys: keys.map((k) => ({ keyId: k.keyId, alg: k.alg, jwk: k.publicJwk, scope: k.scope })),
  };
}

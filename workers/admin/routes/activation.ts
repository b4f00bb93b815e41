/**
 * Activation: replaces the zone's pointer (one active set per zone) and its
 * shadow. Forward-only: a rollback is the activation of an earlier version.
 * Pointer, history row and outbox row commit in one D1 batch (a transaction).
 */
import { createRoute } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { activationHistory, invalidationOutbox, policySetVersions, zoneActivations } from "../../../schema/index.js";
import { conflict, invalidReference } from "../../http/problem.js";
import { publishOutboxRow } from "../../distribution/publish.js";
import { zoneCache } from "../../sts/zone-cache.js";
import { database, found, nowIso } from "../../db.js";
import { ActivateRequest, Activation, activationView } from "../schemas/activation.js";
import { jsonBody, jsonResponse, PolicySetParams, problems } from "../schemas/common.js";
import { newRouter } from "../router.js";
import { enforceReplayGate } from "../replay-gate.js";
import { policySetIdOfZone, setVersionIdOfZone } from "../zone-rows.js";

export const activationRouter = newRouter();

/** Who activated, as the client says (the CLI sends the OS user); the admin token is shared. */
const ACTOR_HEADER = "x-caracal-actor";
const ACTOR = /^[\x21-\x7e][\x20-\x7e]{0,99}$/;
const DEFAULT_ACTOR = "admin";

const activate = createRoute({
  method: "post",
  path: "/zones/{zone}/policy-sets/{set}/activate",
  tags: ["policy sets"],
  summary: "Activate a version of this set for the zone, optionally with a shadow version",
  description:
    "`version` must be a version of this set; `shadow` any policy-set version of the zone (none if absent). " +
    `The optional \`X-Caracal-Actor\` header names who activated (default "${DEFAULT_ACTOR}").`,
  request: { params: PolicySetParams, body: jsonBody(ActivateRequest) },
  responses: { 200: jsonResponse(Activation, "The zone's new activation"), ...problems(404, 409, 413, 415, 422) },
});

activationRouter.openapi(activate, async (c) => {
  const { zone, set } = c.req.valid("param");
  const { version, shadow, ...gate } = c.req.valid("json");
  const actorHeader = c.req.header(ACTOR_HEADER)?.trim();
  const actor = actorHeader && ACTOR.test(actorHeader) ? actorHeader : DEFAULT_ACTOR;
  const db = database(c.env);
  const [setRows, versionRows, shadowRows, pointerRows] = await db.batch([
    policySetIdOfZone(db, zone, set),
    setVersionIdOfZone(db, zone, set, version),
    // Without a shadow this matches nothing; a fixed batch shape keeps it one round trip.
    db
      .select({ id: policySetVersions.id })
      .from(policySetVersions)
      .where(and(eq(policySetVersions.id, shadow ?? ""), eq(policySetVersions.zoneId, zone))),
    db.select().from(zoneActivations).where(eq(zoneActivations.zoneId, zone)),
  ]);
  found(setRows, "policy set");
  if (versionRows.length === 0) throw invalidReference(`${version} is not a version of policy set ${set}`);
  if (shadow && shadowRows.length === 0) throw invalidReference(`shadow ${shadow} is not a policy-set version of this zone`);
  await enforceReplayGate(c.env, zone, set, version, gate);

  const previous = pointerRows[0];
  const pointer = {
    zoneId: zone,
    policySetId: set,
    policySetVersionId: version,
    shadowPolicySetVersionId: shadow ?? null,
    seq: (previous?.seq ?? 0) + 1,
    activatedAt: nowIso(),
    activatedBy: actor,
  };
  const outbox = {
    zoneId: zone,
    policySetVersionId: version,
    shadowPolicySetVersionId: pointer.shadowPolicySetVersionId,
    seq: pointer.seq,
    createdAt: pointer.activatedAt,
  };
  let outboxId: number;
  try {
    // The batch is one transaction. History's (zone, seq) key is the optimistic lock: if a concurrent
    // activation took this seq, that insert fails and the pointer and outbox writes roll back with it.
    const [, inserted] = await db.batch([
      db.insert(zoneActivations).values(pointer).onConflictDoUpdate({ target: zoneActivations.zoneId, set: pointer }),
      db.insert(invalidationOutbox).values(outbox).returning({ id: invalidationOutbox.id }),
      db.insert(activationHistory).values({
        zoneId: zone,
        seq: pointer.seq,
        policySetId: set,
        fromPolicySetVersionId: previous?.policySetVersionId ?? null,
        toPolicySetVersionId: version,
        shadowPolicySetVersionId: pointer.shadowPolicySetVersionId,
        actor,
        activatedAt: pointer.activatedAt,
      }),
    ]);
    outboxId = (inserted[0] as { id: number }).id;
  } catch (err) {
    const raced = await db
      .select({ seq: activationHistory.seq })
      .from(activationHistory)
      .where(and(eq(activationHistory.zoneId, zone), eq(activationHistory.seq, pointer.seq)));
    if (raced.length > 0) throw conflict("another activation of this zone committed first; retry");
    throw err;
  }
  // This isolate enforces the new pointer from its next exchange; the others
  // learn it from the stream within a second (or from their poll, POLL_SECONDS).
  zoneCache.invalidate(zone);
  await publishOutboxRow(c.env, { id: outboxId, ...outbox, dispatchedAt: null });
  return c.json(activationView(pointer), 200);
});

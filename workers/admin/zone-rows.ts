/**
 * Lookups of one row by id that the admin routes batch with their own reads. Each matches only
 * inside the route's zone, so an id of another zone is a 404 like an unknown one.
 */
import { and, eq } from "drizzle-orm";
import { policies, policySets, policySetVersions } from "../../schema/index.js";
import type { Db } from "../db.js";

export function policyOfZone(db: Db, zone: string, policy: string) {
  return db
    .select()
    .from(policies)
    .where(and(eq(policies.id, policy), eq(policies.zoneId, zone)));
}

/** The set's id when it is a set of the zone. */
export function policySetIdOfZone(db: Db, zone: string, set: string) {
  return db
    .select({ id: policySets.id })
    .from(policySets)
    .where(and(eq(policySets.id, set), eq(policySets.zoneId, zone)));
}

/** The set version's id when it is a version of `set` in the zone. */
export function setVersionIdOfZone(db: Db, zone: string, set: string, version: string) {
  return db
    .select({ id: policySetVersions.id })
    .from(policySetVersions)
    .where(and(eq(policySetVersions.id, version), eq(policySetVersions.policySetId, set), eq(policySetVersions.zoneId, zone)));
}

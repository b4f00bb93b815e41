/**
 * What an isolate knows about a zone, per zone: token lifetimes, the current
 * signing key id, and the active and shadow policy-set versions with every
 * policy's plan prepared. `get(zone)` returns an immutable snapshot, so a
 * request evaluates against the snapshot it started with even if a reload
 * replaces it meanwhile. The pointer is re-read every POLL_SECONDS (default
 * 60: the safety net); `invalidate(zone)` forces the next `get` to re-read it
 * (activation and key rotation call it in this isolate, the invalidation
 * stream in every other). Prepared plans are cached by policy-version id:
 * versions are immutable.
 *
 * The caches hold settled values only, never in-flight promises: in workerd
 * a promise started by one request and awaited by another can hang when the
 * first request ends. Two requests that find the pointer stale at the same
 * moment both re-read it, which costs one small query each.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import { policies, policySetVersions, policyVersions, zoneActivations, zones, zoneSigningKeys } from "../../schema/index.js";
import { database, type Db } from "../db.js";
import type { Env } from "../env.js";
import { noteLoaded } from "../distribution/isolates.js";
import { prepare, RegoError, type PreparedPolicy, type RegoErrorInfo } from "../rego/index.js";

export const DEFAULT_POLL_SECONDS = 60;
const MAX_PREPARED_VERSIONS = 512;

export interface SnapshotPolicy {
  policyId: string;
  policyVersionId: string;
  policyName: string;
  /** the module's package, where allow/deny/ttl/scope/claims are read */
  package: string;
  /** the prepared plan, or why it could not be prepared (the set then fails closed) */
  prepared: PreparedPolicy | RegoErrorInfo;
}

export interface SnapshotSet {
  policySetId: string;
  policySetVersionId: string;
  policies: SnapshotPolicy[];
}

export interface ZoneSnapshot {
  zoneId: string;
  defaultTokenLifetime: number;
  maxTokenLifetime: number;
  /** null until the zone's first key is made */
  signingKeyId: string | null;
  active: SnapshotSet | null;
  shadow: SnapshotSet | null;
}

interface Entry {
  snapshot: ZoneSnapshot | null;
  checkedAt: number;
  stale: boolean;
}

const preparedVersions = new Map<string, SnapshotPolicy["prepared"]>();

function rememberPrepared(versionId: string, prepared: SnapshotPolicy["prepared"]): void {
  if (preparedVersions.size >= MAX_PREPARED_VERSIONS) preparedVersions.delete(preparedVersions.keys().next().value as string);
  preparedVersions.set(versionId, prepared);
}

function prepareSafely(plan: string): SnapshotPolicy["prepared"] {
  try {
    return prepare(plan);
  } catch (err) {
    if (err instanceof RegoError) return { code: err.code, message: err.message, ...(err.location ? { location: err.location } : {}) };
    return { code: "plan_error", message: err instanceof Error ? err.message : String(err) };
  }
}

export class ZoneCache {
  private readonly entries = new Map<string, Entry>();

  /** The zone's snapshot (null: no such zone), re-reading the pointer when it is older than the TTL. */
  async get(env: Env, zoneId: string): Promise<ZoneSnapshot | null> {
    const entry = this.entries.get(zoneId);
    if (entry && !entry.stale && Date.now() - entry.checkedAt < pollMs(env)) return entry.snapshot;
    return this.reload(env, zoneId, entry);
  }

  invalidate(zoneId: string): void {
    const entry = this.entries.get(zoneId);
    if (entry) entry.stale = true;
  }

  private async reload(env: Env, zoneId: string, previous: Entry | undefined): Promise<ZoneSnapshot | null> {
    let snapshot: ZoneSnapshot | null;
    try {
      snapshot = await loadSnapshot(database(env), zoneId, previous?.snapshot ?? null);
    } catch (err) {
      // D1 unavailable: keep enforcing what we have, and try again after a TTL.
      if (!previous) throw err;
      console.error(`zone ${zoneId}: reloading the activation pointer failed; keeping the cached policy sets`, err);
      snapshot = previous.snapshot;
    }
    this.entries.set(zoneId, { snapshot, checkedAt: Date.now(), stale: false });
    if (snapshot) noteLoaded(zoneId, snapshot.active?.policySetVersionId ?? null, snapshot.shadow?.policySetVersionId ?? null);
    return snapshot;
  }
}

/** The isolate's cache: module state lives as long as the isolate. */
export const zoneCache = new ZoneCache();

function pollMs(env: Env): number {
  const seconds = Number(env.POLL_SECONDS ?? DEFAULT_POLL_SECONDS);
  return (Number.isFinite(seconds) && seconds >= 0 ? seconds : DEFAULT_POLL_SECONDS) * 1000;
}

async function loadSnapshot(db: Db, zoneId: string, previous: ZoneSnapshot | null): Promise<ZoneSnapshot | null> {
  const pointer = (
    await db
      .select({
        defaultTokenLifetime: zones.defaultTokenLifetime,
        maxTokenLifetime: zones.maxTokenLifetime,
        policySetId: zoneActivations.policySetId,
        policySetVersionId: zoneActivations.policySetVersionId,
        shadowPolicySetVersionId: zoneActivations.shadowPolicySetVersionId,
        signingKeyId: sql<
          string | null
        >`(SELECT ${zoneSigningKeys.kid} FROM ${zoneSigningKeys} WHERE ${zoneSigningKeys.zoneId} = ${zones.id} ORDER BY ${zoneSigningKeys.seq} DESC LIMIT 1)`,
      })
      .from(zones)
      .leftJoin(zoneActivations, eq(zoneActivations.zoneId, zones.id))
      .where(eq(zones.id, zoneId))
  )[0];
  if (!pointer) return null;

  const wanted = [pointer.policySetVersionId, pointer.shadowPolicySetVersionId].filter((id): id is string => id !== null);
  const reusable = new Map<string, SnapshotSet>();
  for (const set of [previous?.active, previous?.shadow]) if (set) reusable.set(set.policySetVersionId, set);
  const sets = wanted.every((id) => reusable.has(id)) ? reusable : await loadSets(db, zoneId, wanted);
  const setFor = (id: string | null) => (id === null ? null : (sets.get(id) ?? null));
  return {
    zoneId,
    defaultTokenLifetime: pointer.defaultTokenLifetime,
    maxTokenLifetime: pointer.maxTokenLifetime,
    signingKeyId: pointer.signingKeyId,
    active: setFor(pointer.policySetVersionId),
    shadow: setFor(pointer.shadowPolicySetVersionId),
  };
}

/** Set versions with their policies, preparing the plans this isolate has not prepared yet. */
export async function loadSets(db: Db, zoneId: string, setVersionIds: string[]): Promise<Map<string, SnapshotSet>> {
  const setRows = await db
    .select()
    .from(policySetVersions)
    .where(and(inArray(policySetVersions.id, setVersionIds), eq(policySetVersions.zoneId, zoneId)));
  const versionIds = [...new Set(setRows.flatMap((s) => s.policyVersionIds))];
  const prepared = new Map<string, SnapshotPolicy["prepared"]>();
  for (const id of versionIds) {
    const cached = preparedVersions.get(id);
    if (cached) prepared.set(id, cached);
  }
  const unprepared = versionIds.filter((id) => !prepared.has(id));
  const [members, plans] = await db.batch([
    db
      .select({ id: policyVersions.id, policyId: policyVersions.policyId, package: policyVersions.package, policyName: policies.name })
      .from(policyVersions)
      .innerJoin(policies, eq(policies.id, policyVersions.policyId))
      .where(and(inArray(policyVersions.id, versionIds), eq(policyVersions.zoneId, zoneId))),
    // Matches nothing when every plan is prepared: a fixed batch shape keeps it one round trip.
    db.select({ id: policyVersions.id, plan: policyVersions.plan }).from(policyVersions).where(inArray(policyVersions.id, unprepared)),
  ]);
  for (const { id, plan } of plans) {
    const fresh = prepareSafely(plan);
    prepared.set(id, fresh);
    rememberPrepared(id, fresh);
  }
  const byId = new Map(members.map((m) => [m.id, m]));
  const sets = new Map<string, SnapshotSet>();
  for (const setRow of setRows) {
    const policiesInOrder = setRow.policyVersionIds.map((versionId): SnapshotPolicy => {
      const member = byId.get(versionId);
      const plan = prepared.get(versionId);
      if (!member || !plan) throw new Error(`policy version ${versionId} of set version ${setRow.id} could not be loaded`);
      return {
        policyId: member.policyId,
        policyVersionId: versionId,
        policyName: member.policyName,
        package: member.package,
        prepared: plan,
      };
    });
    sets.set(setRow.id, { policySetId: setRow.policySetId, policySetVersionId: setRow.id, policies: policiesInOrder });
  }
  return sets;
}

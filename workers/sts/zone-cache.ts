/**
 * What an isolate knows about a zone, per zone: token lifetimes, the current
 * signing key id, and the active and shadow policy-set versions with every
 * policy's plan prepared. `get(zone)` returns an immutable snapshot, so a
 * request evaluates against the snapshot it started with even if a reload
 * replaces it meanwhile. The pointer is re-read every POLL_SECONDS (default
 * 60: the safety net); `invalidate(zone)` forces the next `get` to re-read it
 * (activation and key rotation call it in this isolate, the invalidation
 * stream in every other). Prepared plans are cached by policy-version id:
 * versions are immutable. So is a version's data: its merged data documents
 * are decoded into engine values once, when the version is prepared, and that
 * one value is shared by every exchange and every set that uses the version
 * (each policy sees only its own bundle's data).
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
import {
  isCompactPlanText,
  parseJSON,
  prepare,
  RegoError,
  RObject,
  type PreparedPolicy,
  type RegoErrorInfo,
  type Value,
} from "../rego/index.js";
import { readBlobs } from "../bundle/blobs.js";

export const DEFAULT_POLL_SECONDS = 60;
const MAX_PREPARED_VERSIONS = 512;
/**
 * Decoded data holds about 7× its JSON in heap (bench "Bundle data"), so the cache of prepared
 * versions is also bounded by the text it decoded: 16 MiB of plan and data JSON (≈ 110 MiB of heap
 * at worst, in a 128 MB isolate, only when that many distinct large versions are in use). Versions a
 * zone's snapshot still uses stay alive through the snapshot even when the cache lets them go.
 */
const MAX_PREPARED_TEXT = 16 * 1024 * 1024;

export interface SnapshotPolicy {
  policyId: string;
  policyVersionId: string;
  policyName: string;
  /** the module's package, where allow/deny/ttl/scope/claims are read */
  package: string;
  /** the prepared plan, or why it could not be prepared (the set then fails closed); unused for a Wasm version */
  prepared: PreparedPolicy | RegoErrorInfo;
  /** the version's own data documents, decoded once per isolate */
  data: Value;
  /** the bundle manifest's revision */
  revision: string | null;
  /** set for an OPA-Wasm version: its bundle's SHA-256 keys the child Worker that evaluates it */
  wasm?: { sha256: string };
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

const WASM_HAS_NO_PLAN: RegoErrorInfo = { code: "plan_error", message: "a Wasm version has no plan" };

/** A version as an isolate holds it: plan prepared, data decoded. */
interface PreparedVersion {
  prepared: SnapshotPolicy["prepared"];
  data: Value;
  /** characters of plan and data JSON it was decoded from: its weight in the cache */
  weight: number;
}

const preparedVersions = new Map<string, PreparedVersion>();
let preparedText = 0;
const EMPTY_DATA = new RObject();

function rememberPrepared(versionId: string, prepared: PreparedVersion): void {
  while (
    preparedVersions.size > 0 &&
    (preparedVersions.size >= MAX_PREPARED_VERSIONS || preparedText + prepared.weight > MAX_PREPARED_TEXT)
  ) {
    const oldest = preparedVersions.keys().next().value as string;
    preparedText -= preparedVersions.get(oldest)?.weight ?? 0;
    preparedVersions.delete(oldest);
  }
  preparedVersions.set(versionId, prepared);
  preparedText += prepared.weight;
}

/**
 * A compact plan (workers/rego/plan/compact.ts) is about 7× smaller than the plan JSON it
 * replaces, but prepared and evaluated it holds about as much heap (bench/bigpolicy.ts: 13.6 MB
 * against 16.4 MB for the big policy), so it weighs what its JSON would.
 */
const COMPACT_PLAN_WEIGHT = 7;

function prepareSafely(plan: string, data: string | null): PreparedVersion {
  const weight = plan.length * (isCompactPlanText(plan) ? COMPACT_PLAN_WEIGHT : 1) + (data?.length ?? 0);
  try {
    return { prepared: prepare(plan), data: data === null ? EMPTY_DATA : parseJSON(data), weight };
  } catch (err) {
    const failed = (info: RegoErrorInfo) => ({ prepared: info, data: EMPTY_DATA, weight });
    if (err instanceof RegoError)
      return failed({ code: err.code, message: err.message, ...(err.location ? { location: err.location } : {}) });
    return failed({ code: "plan_error", message: err instanceof Error ? err.message : String(err) });
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

  invalidateAll(): void {
    for (const entry of this.entries.values()) entry.stale = true;
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
  const prepared = new Map<string, PreparedVersion>();
  for (const id of versionIds) {
    const cached = preparedVersions.get(id);
    if (cached) prepared.set(id, cached);
  }
  const unprepared = versionIds.filter((id) => !prepared.has(id));
  const [members, plans] = await db.batch([
    db
      .select({
        id: policyVersions.id,
        policyId: policyVersions.policyId,
        package: policyVersions.package,
        revision: policyVersions.revision,
        policyName: policies.name,
        engine: policyVersions.engine,
        sha256: policyVersions.sourceSha256,
      })
      .from(policyVersions)
      .innerJoin(policies, eq(policies.id, policyVersions.policyId))
      .where(and(inArray(policyVersions.id, versionIds), eq(policyVersions.zoneId, zoneId))),
    // Matches nothing when every plan is prepared: a fixed batch shape keeps it one round trip.
    db
      .select({ id: policyVersions.id, plan: policyVersions.plan, planBlob: policyVersions.planBlob, dataBlob: policyVersions.dataBlob })
      .from(policyVersions)
      .where(and(inArray(policyVersions.id, unprepared), eq(policyVersions.zoneId, zoneId), eq(policyVersions.engine, "rego"))),
  ]);
  // Versions made before bundles carry their plan inline and have no data; the others are in blobs.
  const blobTexts = await readBlobs(
    db,
    zoneId,
    plans.flatMap((p) => [p.planBlob, p.dataBlob].filter((b): b is string => b !== null)),
  );
  for (const { id, plan, planBlob, dataBlob } of plans) {
    const planText = planBlob === null ? plan : (blobTexts.get(planBlob) ?? null);
    const fresh =
      planText === null
        ? { prepared: { code: "plan_error" as const, message: `policy version ${id} has no plan` }, data: EMPTY_DATA, weight: 0 }
        : prepareSafely(planText, dataBlob === null ? null : (blobTexts.get(dataBlob) ?? null));
    prepared.set(id, fresh);
    rememberPrepared(id, fresh);
  }
  const byId = new Map(members.map((m) => [m.id, m]));
  const sets = new Map<string, SnapshotSet>();
  for (const setRow of setRows) {
    const policiesInOrder = setRow.policyVersionIds.map((versionId): SnapshotPolicy => {
      const member = byId.get(versionId);
      if (member?.engine === "wasm") {
        // Its child Worker is loaded on first use (workers/sts/wasm-policies.ts).
        return {
          policyId: member.policyId,
          policyVersionId: versionId,
          policyName: member.policyName,
          package: member.package,
          prepared: WASM_HAS_NO_PLAN,
          data: EMPTY_DATA,
          revision: member.revision,
          wasm: { sha256: member.sha256 },
        };
      }
      const plan = prepared.get(versionId);
      if (!member || !plan) throw new Error(`policy version ${versionId} of set version ${setRow.id} could not be loaded`);
      return {
        policyId: member.policyId,
        policyVersionId: versionId,
        policyName: member.policyName,
        package: member.package,
        prepared: plan.prepared,
        data: plan.data,
        revision: member.revision,
      };
    });
    sets.set(setRow.id, { policySetId: setRow.policySetId, policySetVersionId: setRow.id, policies: policiesInOrder });
  }
  return sets;
}

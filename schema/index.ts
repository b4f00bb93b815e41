/**
 * The D1 schema: the single source of truth. SQL migrations in ./migrations are
 * generated from this file by `drizzle-kit generate` and never edited by hand.
 *
 * Timestamps are RFC 3339 text (`Date#toISOString`): they sort as strings, which
 * is what cursor pagination relies on, and read well in `wrangler d1 execute`.
 * Versions, set versions, history and outbox rows are append-only; the only row
 * ever updated is a zone's activation pointer (and an outbox row's dispatch time).
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const zones = sqliteTable(
  "zones",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("zones_name_unique").on(t.name), index("zones_created").on(t.createdAt, t.id)],
);

export const policies = sqliteTable(
  "policies",
  {
    id: text("id").primaryKey(),
    zoneId: text("zone_id")
      .notNull()
      .references(() => zones.id),
    name: text("name").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("policies_zone_name_unique").on(t.zoneId, t.name),
    index("policies_zone_created").on(t.zoneId, t.createdAt, t.id),
  ],
);

export const policyVersions = sqliteTable(
  "policy_versions",
  {
    id: text("id").primaryKey(),
    policyId: text("policy_id")
      .notNull()
      .references(() => policies.id),
    zoneId: text("zone_id")
      .notNull()
      .references(() => zones.id),
    source: text("source").notNull(),
    /** hex SHA-256 of the UTF-8 source: a version's identity within its policy */
    sourceSha256: text("source_sha256").notNull(),
    regoVersion: integer("rego_version").notNull(),
    /** the module's package path, e.g. `payments.v1`: where the decision rules live */
    package: text("package").notNull(),
    /** the compiled plan (OPA IR JSON) the STS evaluates */
    plan: text("plan").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("policy_versions_content_unique").on(t.policyId, t.sourceSha256, t.regoVersion),
    index("policy_versions_policy_created").on(t.policyId, t.createdAt, t.id),
  ],
);

export const policySets = sqliteTable(
  "policy_sets",
  {
    id: text("id").primaryKey(),
    zoneId: text("zone_id")
      .notNull()
      .references(() => zones.id),
    name: text("name").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("policy_sets_zone_name_unique").on(t.zoneId, t.name),
    index("policy_sets_zone_created").on(t.zoneId, t.createdAt, t.id),
  ],
);

export const policySetVersions = sqliteTable(
  "policy_set_versions",
  {
    id: text("id").primaryKey(),
    policySetId: text("policy_set_id")
      .notNull()
      .references(() => policySets.id),
    zoneId: text("zone_id")
      .notNull()
      .references(() => zones.id),
    /** JSON array of policy-version ids in evaluation order */
    policyVersionIds: text("policy_version_ids", { mode: "json" }).$type<string[]>().notNull(),
    /** hex SHA-256 of that JSON array: a set version's identity within its set */
    listSha256: text("list_sha256").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("policy_set_versions_list_unique").on(t.policySetId, t.listSha256),
    index("policy_set_versions_set_created").on(t.policySetId, t.createdAt, t.id),
  ],
);

/** One row per zone that has ever been activated: the pointer the STS reads. */
export const zoneActivations = sqliteTable("zone_activations", {
  zoneId: text("zone_id")
    .primaryKey()
    .references(() => zones.id),
  policySetId: text("policy_set_id")
    .notNull()
    .references(() => policySets.id),
  policySetVersionId: text("policy_set_version_id")
    .notNull()
    .references(() => policySetVersions.id),
  shadowPolicySetVersionId: text("shadow_policy_set_version_id").references(() => policySetVersions.id),
  /** activations of the zone so far; the history row of this activation has the same seq */
  seq: integer("seq").notNull(),
  activatedAt: text("activated_at").notNull(),
  activatedBy: text("activated_by").notNull(),
});

/**
 * Append-only. The primary key (zone, seq) doubles as the optimistic lock of an
 * activation: two concurrent activations computing the same seq cannot both commit.
 */
export const activationHistory = sqliteTable(
  "activation_history",
  {
    zoneId: text("zone_id")
      .notNull()
      .references(() => zones.id),
    seq: integer("seq").notNull(),
    policySetId: text("policy_set_id")
      .notNull()
      .references(() => policySets.id),
    fromPolicySetVersionId: text("from_policy_set_version_id").references(() => policySetVersions.id),
    toPolicySetVersionId: text("to_policy_set_version_id")
      .notNull()
      .references(() => policySetVersions.id),
    shadowPolicySetVersionId: text("shadow_policy_set_version_id").references(() => policySetVersions.id),
    actor: text("actor").notNull(),
    activatedAt: text("activated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.zoneId, t.seq] }),
    index("activation_history_set").on(t.policySetId, t.zoneId, t.seq),
  ],
);

/** Invalidations to publish; a scheduled handler re-sends rows not yet dispatched. */
export const invalidationOutbox = sqliteTable(
  "invalidation_outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    zoneId: text("zone_id")
      .notNull()
      .references(() => zones.id),
    policySetVersionId: text("policy_set_version_id")
      .notNull()
      .references(() => policySetVersions.id),
    shadowPolicySetVersionId: text("shadow_policy_set_version_id").references(() => policySetVersions.id),
    seq: integer("seq").notNull(),
    createdAt: text("created_at").notNull(),
    dispatchedAt: text("dispatched_at"),
  },
  (t) => [index("invalidation_outbox_pending").on(t.id).where(sql`dispatched_at IS NULL`)],
);

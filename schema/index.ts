/**
 * The D1 schema: the single source of truth. SQL migrations in ./migrations are
 * generated from this file by `drizzle-kit generate` and never edited by hand.
 *
 * Timestamps are RFC 3339 text (`Date#toISOString`): they sort as strings, which
 * is what cursor pagination relies on, and read well in `wrangler d1 execute`.
 * Versions, set versions, history, outbox rows, signing keys and audit events are
 * append-only. Rows that are updated: a zone's activation pointer, an outbox row's
 * dispatch time, and a client (disabled, secret rotated). Trusted issuers are
 * added and removed, never edited (a cached issuer is keyed by its id).
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const zones = sqliteTable(
  "zones",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** seconds an issued token lives unless a policy's `ttl` asks for less */
    defaultTokenLifetime: integer("default_token_lifetime").notNull().default(900),
    /** upper bound of any issued token's lifetime; also how long a rotated key stays published */
    maxTokenLifetime: integer("max_token_lifetime").notNull().default(3600),
    /** when true, every new policy version must be a bundle signed by one of the zone's bundle-signing keys */
    requireSignedBundles: integer("require_signed_bundles", { mode: "boolean" }).notNull().default(false),
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
  (t) => [uniqueIndex("policies_zone_name_unique").on(t.zoneId, t.name), index("policies_zone_created").on(t.zoneId, t.createdAt, t.id)],
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
    /** the Rego source inline: versions made before bundles only (null when the files are in blobs) */
    source: text("source"),
    /**
     * hex SHA-256 of the bundle's canonical digest (workers/bundle/bundle.ts: its files' paths and
     * content hashes in path order): a version's identity within its policy. For versions made
     * before bundles, the SHA-256 of the source.
     */
    sourceSha256: text("source_sha256").notNull(),
    regoVersion: integer("rego_version").notNull(),
    /** the decision package, e.g. `payments.v1`: where the decision rules live */
    package: text("package").notNull(),
    /** the compiled plan (OPA IR JSON) inline: versions made before bundles only */
    plan: text("plan"),
    /** blob of the bundle's files (JSON: path, sha256, size, content), in path order */
    filesBlob: text("files_blob"),
    /** blob of the merged data documents (canonical JSON): the `data` the version's policies see */
    dataBlob: text("data_blob"),
    /** blob of the compiled plan: the compact form (workers/rego/plan/compact.ts), or OPA IR JSON in versions made before it */
    planBlob: text("plan_blob"),
    /** the manifest's revision, when the bundle has one */
    revision: text("revision"),
    fileCount: integer("file_count"),
    /**
     * "rego": the engine evaluates `plan`; "wasm": an OPA-compiled Wasm bundle, evaluated by
     * @open-policy-agent/opa-wasm in a child Worker, stored in policy_wasm_modules
     */
    engine: text("engine", { enum: ["rego", "wasm"] })
      .notNull()
      .default("rego"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("policy_versions_content_unique").on(t.policyId, t.sourceSha256, t.regoVersion),
    index("policy_versions_policy_created").on(t.policyId, t.createdAt, t.id),
  ],
);

/**
 * Content-addressed, append-only storage for what does not fit a D1 row (2 MB): bundle files,
 * data documents, plans. A blob is keyed by the SHA-256 of its content, stored gzip-compressed,
 * base64-encoded, in chunks of at most BLOB_CHUNK_CHARS (workers/bundle/blobs.ts). Scoped to a
 * zone like everything else: nothing is shared across zones, not even storage.
 */
export const blobs = sqliteTable(
  "blobs",
  {
    zoneId: text("zone_id")
      .notNull()
      .references(() => zones.id),
    /** hex SHA-256 of the uncompressed content */
    sha256: text("sha256").notNull(),
    /** bytes of the uncompressed (UTF-8) content */
    size: integer("size").notNull(),
    /** how the chunks encode it: `gzip+base64` */
    encoding: text("encoding").notNull(),
    chunks: integer("chunks").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.zoneId, t.sha256] })],
);

export const blobChunks = sqliteTable(
  "blob_chunks",
  {
    zoneId: text("zone_id")
      .notNull()
      .references(() => zones.id),
    sha256: text("sha256").notNull(),
    /** 0, 1, …: the chunks concatenated in this order are the encoded blob */
    seq: integer("seq").notNull(),
    data: text("data").notNull(),
  },
  (t) => [primaryKey({ columns: [t.zoneId, t.sha256, t.seq] })],
);

/**
 * Public keys that verify signed bundles (`.signatures.json`, OPA's format) of a zone. `key_id`
 * is what a signature names (its JWT `kid` header or `keyid` claim). Added and removed, never edited.
 */
export const bundleSigningKeys = sqliteTable(
  "bundle_signing_keys",
  {
    id: text("id").primaryKey(),
    zoneId: text("zone_id")
      .notNull()
      .references(() => zones.id),
    keyId: text("key_id").notNull(),
    /** the JWS algorithm signatures with this key must use, e.g. RS256 or ES256 */
    alg: text("alg").notNull(),
    publicJwk: text("public_jwk", { mode: "json" }).$type<JsonWebKey>().notNull(),
    /** OPA's signature scope: the signature's `scope` claim must equal it (both absent counts as equal) */
    scope: text("scope"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("bundle_signing_keys_zone_key_unique").on(t.zoneId, t.keyId)],
);

/**
 * The files of a Wasm policy version (`opa build -t wasm`), one row per version, immutable.
 * `sha256` is the bundle's digest, which also keys the isolate's child Worker.
 */
export const policyWasmModules = sqliteTable("policy_wasm_modules", {
  versionId: text("version_id")
    .primaryKey()
    .references(() => policyVersions.id),
  zoneId: text("zone_id")
    .notNull()
    .references(() => zones.id),
  sha256: text("sha256").notNull(),
  /** base64 of /policy.wasm inline: rows made before Wasm modules went to blobs only (else null) */
  wasm: text("wasm"),
  /** the bundle's data document (JSON) inline: rows made before blobs only (else null) */
  data: text("data"),
  /** blob of the base64 of /policy.wasm (workers/bundle/blobs.ts; blobs hold text) */
  wasmBlob: text("wasm_blob"),
  /** blob of the bundle's data document (JSON) */
  dataBlob: text("data_blob"),
  /** the bundle's .manifest (JSON), `{}` when it had none */
  manifest: text("manifest").notNull(),
  /** JSON array: the module's entrypoints, e.g. ["authz/allow","authz/deny"] */
  entrypoints: text("entrypoints").notNull(),
  /** JSON array: the built-ins the module imports from the host */
  builtins: text("builtins").notNull(),
});

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
  (t) => [primaryKey({ columns: [t.zoneId, t.seq] }), index("activation_history_set").on(t.policySetId, t.zoneId, t.seq)],
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

/**
 * Credential changes (a client created, disabled or given a new secret; an
 * issuer added or removed; a signing key rotated) to announce on the
 * invalidation stream, so every isolate drops the zone's cached credentials.
 * Sent right after the change commits and marked dispatched; the scheduled
 * handler re-sends rows a Redis outage kept here, like activations.
 */
export const credentialOutbox = sqliteTable(
  "credential_outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    zoneId: text("zone_id")
      .notNull()
      .references(() => zones.id),
    /** client | issuer | key: what changed (a key rotation also refreshes the zone snapshot's signing key) */
    what: text("what").notNull(),
    createdAt: text("created_at").notNull(),
    dispatchedAt: text("dispatched_at"),
  },
  (t) => [index("credential_outbox_pending").on(t.id).where(sql`dispatched_at IS NULL`)],
);

/**
 * A zone's ES256 signing keys, one generation per row (seq 1, 2, …); the
 * highest seq signs. A key is retired when the next one is created, and stays
 * in the JWKS for a while after that (see workers/sts/keys.ts).
 */
export const zoneSigningKeys = sqliteTable(
  "zone_signing_keys",
  {
    kid: text("kid").primaryKey(),
    zoneId: text("zone_id")
      .notNull()
      .references(() => zones.id),
    seq: integer("seq").notNull(),
    alg: text("alg").notNull(),
    /** the public key as a JWK (kty, crv, x, y, kid, alg, use) */
    publicJwk: text("public_jwk", { mode: "json" }).$type<JsonWebKey & { kid: string; alg: string; use: string }>().notNull(),
    /** PKCS#8 private key, AES-GCM encrypted with the Worker's key-encryption key */
    privateKeyCiphertext: text("private_key_ciphertext").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("zone_signing_keys_zone_seq_unique").on(t.zoneId, t.seq)],
);

/**
 * OAuth clients of a zone's STS. A client authenticates either with a secret
 * (client_secret_basic/_post; only its SHA-256 is stored) or with a signed
 * assertion (private_key_jwt, RFC 7523; its public keys inline or at a
 * jwks_uri, and `secret_sha256` is empty: no secret matches it).
 */
export const clients = sqliteTable(
  "clients",
  {
    id: text("id").primaryKey(),
    zoneId: text("zone_id")
      .notNull()
      .references(() => zones.id),
    name: text("name").notNull(),
    /** free-form JSON object handed to policies as input.client.attributes */
    attributes: text("attributes", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** hex SHA-256 of the client secret; "" for a private_key_jwt client */
    secretSha256: text("secret_sha256").notNull(),
    secretRotatedAt: text("secret_rotated_at").notNull(),
    disabledAt: text("disabled_at"),
    createdAt: text("created_at").notNull(),
    /** client_secret (basic or post) | private_key_jwt */
    authMethod: text("auth_method").notNull().default("client_secret"),
    /** a private_key_jwt client's public keys, inline (exactly one of jwks and jwks_uri is set for such a client) */
    jwks: text("jwks", { mode: "json" }).$type<{ keys: Record<string, unknown>[] }>(),
    jwksUri: text("jwks_uri"),
  },
  (t) => [uniqueIndex("clients_zone_name_unique").on(t.zoneId, t.name), index("clients_zone_created").on(t.zoneId, t.createdAt, t.id)],
);

/**
 * The jti of every client assertion (private_key_jwt) accepted, until the
 * assertion expires: the primary key refuses a second use of the same jti by
 * the same client in every isolate and colo at once, because D1 has one
 * writer. Expired rows are deleted by the scheduled handler.
 */
export const clientAssertionJtis = sqliteTable(
  "client_assertion_jtis",
  {
    clientId: text("client_id")
      .notNull()
      .references(() => clients.id),
    jti: text("jti").notNull(),
    /** the assertion's exp as RFC 3339 text */
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.jti] }), index("client_assertion_jtis_expires").on(t.expiresAt)],
);

/** Issuers whose JWTs a zone accepts as subject or actor tokens (its own issuer is always trusted). */
export const trustedIssuers = sqliteTable(
  "trusted_issuers",
  {
    id: text("id").primaryKey(),
    zoneId: text("zone_id")
      .notNull()
      .references(() => zones.id),
    /** the exact `iss` value of the issuer's tokens */
    issuer: text("issuer").notNull(),
    /** the issuer's public keys, when given inline (exactly one of jwks and jwks_uri is set) */
    jwks: text("jwks", { mode: "json" }).$type<{ keys: Record<string, unknown>[] }>(),
    jwksUri: text("jwks_uri"),
    /** when set, tokens of this issuer must carry this audience */
    audience: text("audience"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("trusted_issuers_zone_issuer_unique").on(t.zoneId, t.issuer),
    index("trusted_issuers_zone_created").on(t.zoneId, t.createdAt, t.id),
  ],
);

/**
 * One row per STS decision and one per shadow evaluation (docs/architecture.md §7). JSON
 * columns hold what explain shows. `input` is kept as the exact JSON text the
 * policies saw (request.time_ns is an integer beyond 2^53).
 */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: text("id").primaryKey(),
    requestId: text("request_id").notNull(),
    zoneId: text("zone_id")
      .notNull()
      .references(() => zones.id),
    time: text("time").notNull(),
    clientId: text("client_id")
      .notNull()
      .references(() => clients.id),
    subject: text("subject", { mode: "json" }).$type<{ iss: string; sub: string }>().notNull(),
    actor: text("actor", { mode: "json" }).$type<{ iss: string; sub: string } | null>(),
    resource: text("resource", { mode: "json" }).$type<string[]>().notNull(),
    audience: text("audience", { mode: "json" }).$type<string[]>().notNull(),
    scopeRequested: text("scope_requested", { mode: "json" }).$type<string[]>().notNull(),
    scopeGranted: text("scope_granted", { mode: "json" }).$type<string[] | null>(),
    /** allow | deny */
    decision: text("decision").notNull(),
    /** enforced | shadow | error */
    evaluationStatus: text("evaluation_status").notNull(),
    policySetId: text("policy_set_id"),
    policySetVersionId: text("policy_set_version_id"),
    determiningPolicies: text("determining_policies", { mode: "json" }).$type<unknown[]>().notNull(),
    reasons: text("reasons", { mode: "json" }).$type<string[]>().notNull(),
    /** each policy of the set in order: outcome, deny reasons, rule locations that fired */
    evaluations: text("evaluations", { mode: "json" }).$type<unknown[]>().notNull(),
    /** the evaluation error that failed the exchange closed, if any */
    error: text("error", { mode: "json" }).$type<unknown>(),
    input: text("input").notNull(),
    durationUs: integer("duration_us").notNull(),
    tokenJti: text("token_jti"),
  },
  (t) => [index("audit_events_zone_time").on(t.zoneId, t.time, t.id), index("audit_events_zone_request").on(t.zoneId, t.requestId)],
);

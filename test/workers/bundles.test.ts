/**
 * Policy versions as bundles (README "Policy bundles"): several modules and
 * data documents decide an exchange through `data`; the same files in any
 * upload form are one version; export and re-upload is the same version;
 * every bad bundle is a 4xx naming what and where, with nothing written.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { writeTarGz } from "../../workers/bundle/tar.js";
import { BLOB_CHUNK_CHARS } from "../../workers/bundle/blobs.js";
import { ADMIN_TOKEN, call, expectProblem, expectStatus, newPolicySet, newSetVersion, newZone, uniqueName } from "./helpers.js";
import { exchangeParams, expectIssued, expectOAuthError, explain, stsFixture, tokenRequest } from "./sts-helpers.js";
import { exports } from "cloudflare:workers";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { zoneCache } from "../../workers/sts/zone-cache.js";
import { referenceFileHash, VECTOR_JSON } from "../opa-hash-reference.js";

const MAIN = `package payments

import data.lib.roles

default allow := false

allow if roles.may(input.subject.claims.sub, "pay")

deny contains "blocked" if input.subject.claims.blocked
`;
const LIB = `package lib.roles

may(user, action) if {
  some role in data.roles.by_user[user]
  action in data.roles.grants[role]
}
`;
const ROLES = JSON.stringify({ by_user: { alice: ["payer"], bob: ["viewer"] }, grants: { payer: ["pay", "view"], viewer: ["view"] } });
const MANIFEST = JSON.stringify({ revision: "2026-12-01.1", roots: ["payments", "lib", "roles"] });

const FILES = [
  { path: "payments/main.rego", content: MAIN },
  { path: "lib/roles.rego", content: LIB },
  { path: "roles/data.json", content: ROLES },
  { path: ".manifest", content: MANIFEST },
];

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function tarGz(files: { path: string; content: string }[]): Promise<string> {
  return base64(await writeTarGz(files));
}

async function newBundlePolicy(zone: string, body: Record<string, unknown>) {
  return expectStatus(await call("POST", `/v1/zones/${zone}/policies`, { name: uniqueName("bundle"), ...body }), 201);
}

async function activateVersion(zone: string, versionId: string) {
  const set = await newPolicySet(zone);
  const psv = await newSetVersion(zone, set, [versionId]);
  expectStatus(await call("POST", `/v1/zones/${zone}/policy-sets/${set}/activate`, { version: psv }), 200);
}

async function blobCount(zone: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM blob_chunks WHERE zone_id = ?").bind(zone).first<{ n: number }>();
  return row?.n ?? 0;
}

describe("bundles", () => {
  it("decides an exchange through data.roles of a two-module bundle; explain names the file, line and revision", async () => {
    const f = await stsFixture([]);
    const created = await newBundlePolicy(f.zone, { files: FILES });
    const version = created.versions[0];
    expect(version).toMatchObject({ package: "payments", revision: "2026-12-01.1", file_count: 4 });
    await activateVersion(f.zone, version.id);

    expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ sub: "alice" }))));
    const denied = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ sub: "bob" })));
    expectOAuthError(denied, 403, "access_denied");
    const allowed = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ sub: "alice" })));
    const explained = await explain(f.zone, allowed.headers.get("x-request-id") as string);
    expect(explained.determining_policies[0]).toMatchObject({
      policy_version_id: version.id,
      rule: "data.payments.allow",
      location: { file: "payments/main.rego", row: 7 },
      revision: "2026-12-01.1",
    });
    const rules = explained.policies[0].rules.map((r: { rule: string; locations: { file: string; row: number }[] }) => [
      r.rule,
      r.locations.map((l) => `${l.file}:${l.row}`),
    ]);
    expect(rules).toContainEqual(["data.payments.allow", ["payments/main.rego:7"]]);
    expect(explained.policies[0].revision).toBe("2026-12-01.1");
    // the data paths the deciding rule read, through the library module's function
    expect(explained.policies[0].data_read).toEqual({
      rule: "data.payments.allow",
      paths: ["data.roles.by_user.alice", "data.roles.grants.payer"],
      missing: [],
      truncated: false,
    });
    const bob = await explain(f.zone, denied.headers.get("x-request-id") as string);
    expect(bob.policies[0]).toMatchObject({
      outcome: "deny",
      data_read: { rule: "data.payments.allow", paths: ["data.roles.by_user.bob", "data.roles.grants.viewer"], missing: [] },
    });
    const stranger = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ sub: "mallory" })));
    expectOAuthError(stranger, 403, "access_denied");
    const mallory = await explain(f.zone, stranger.headers.get("x-request-id") as string);
    expect(mallory.policies[0].data_read).toEqual({
      rule: "data.payments.allow",
      paths: [],
      missing: ["data.roles.by_user.mallory"],
      truncated: false,
    });
  });

  it("gives one version id for the same files however uploaded, and for its export uploaded again", async () => {
    const zone = await newZone();
    const created = await newBundlePolicy(zone, { files: FILES });
    const pv = created.versions[0].id;
    const path = `/v1/zones/${zone}/policies/${created.id}/versions`;
    // another order, ./ prefixes, a tar.gz, a plain tar with OPA's leading slashes
    const reordered = [...FILES].reverse().map((f, i) => ({ ...f, path: i % 2 ? `./${f.path}` : f.path }));
    expect(expectStatus(await call("POST", path, { files: reordered }), 200).id).toBe(pv);
    expect(expectStatus(await call("POST", path, { bundle: await tarGz(FILES) }), 200).id).toBe(pv);
    const slashed = FILES.map((f) => ({ ...f, path: `/${f.path}` }));
    expect(expectStatus(await call("POST", path, { bundle: await tarGz(slashed) }), 200).id).toBe(pv);

    const got = expectStatus(await call("GET", `${path}/${pv}`), 200);
    expect(got.files.map((x: { path: string }) => x.path)).toEqual([
      ".manifest",
      "lib/roles.rego",
      "payments/main.rego",
      "roles/data.json",
    ]);
    expect(got.source).toBeUndefined();

    const exported = await exports.default.fetch(
      new Request(`http://caracal.test/v1/zones/${zone}/policy-versions/${pv}/bundle`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      }),
    );
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-type")).toBe("application/gzip");
    const archive = new Uint8Array(await exported.arrayBuffer());
    expect(expectStatus(await call("POST", path, { bundle: base64(archive) }), 200).id).toBe(pv);
    // a changed file is a new version
    const changed = FILES.map((f) => (f.path === "roles/data.json" ? { ...f, content: JSON.stringify({ by_user: {}, grants: {} }) } : f));
    expect(expectStatus(await call("POST", path, { files: changed }), 201).id).not.toBe(pv);
  });

  it("stores large data in chunks across rows and evaluates with it", async () => {
    const f = await stsFixture([]);
    // ~3 MiB of random hex: incompressible, so its blob needs several chunks (D1 caps a row at 2 MB).
    const noise = Array.from({ length: 1500 }, () => {
      const bytes = crypto.getRandomValues(new Uint8Array(1024));
      return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    });
    const data = JSON.stringify({ allowed: { alice: true }, noise });
    const policy = `package big\n\nallow if data.allowed[input.subject.claims.sub]\n`;
    const created = await newBundlePolicy(f.zone, {
      files: [
        { path: "big.rego", content: policy },
        { path: "data.json", content: data },
      ],
    });
    const row = await env.DB.prepare("SELECT data_blob FROM policy_versions WHERE id = ?")
      .bind(created.versions[0].id)
      .first<{ data_blob: string }>();
    const chunks = await env.DB.prepare(
      "SELECT count(*) AS n, max(length(data)) AS longest FROM blob_chunks WHERE zone_id = ? AND sha256 = ?",
    )
      .bind(f.zone, row?.data_blob)
      .first<{ n: number; longest: number }>();
    expect(chunks?.n).toBeGreaterThan(4);
    expect(chunks?.longest).toBeLessThanOrEqual(BLOB_CHUNK_CHARS);
    await activateVersion(f.zone, created.versions[0].id);
    expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ sub: "alice" }))));
    expectOAuthError(await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ sub: "mallory" }))), 403, "access_denied");
  });

  it("decodes a version's data once per isolate and shares it; each policy of a set sees only its own data", async () => {
    const f = await stsFixture([]);
    // Policy A allows users in its own data.users; B denies everyone its data lists, and reads A's path too.
    const a = await newBundlePolicy(f.zone, {
      files: [
        { path: "a.rego", content: "package a\n\nallow if data.users[input.subject.claims.sub]\n" },
        { path: "users/data.json", content: JSON.stringify({ alice: true }) },
      ],
    });
    const b = await newBundlePolicy(f.zone, {
      files: [
        {
          path: "b.rego",
          content:
            'package b\n\ndefault allow := true\n\ndeny contains "listed" if data.blocked[input.subject.claims.sub]\n\ndeny contains "sees a" if data.users\n',
        },
        { path: "blocked/data.json", content: JSON.stringify({ mallory: true }) },
      ],
    });
    const set = await newPolicySet(f.zone);
    const psv = await newSetVersion(f.zone, set, [a.versions[0].id, b.versions[0].id]);
    const shadow = await newSetVersion(f.zone, set, [b.versions[0].id, a.versions[0].id]);
    expectStatus(await call("POST", `/v1/zones/${f.zone}/policy-sets/${set}/activate`, { version: psv, shadow }), 200);

    // alice: A allows. bob: A denies, B allows (B never sees A's data.users). mallory: both deny.
    expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ sub: "alice" }))));
    const bob = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ sub: "bob" })));
    expectIssued(bob);
    const bobExplained = await explain(f.zone, bob.headers.get("x-request-id") as string);
    expect(bobExplained.policies.map((p: { outcome: string }) => p.outcome)).toEqual(["deny", "allow"]);
    const mallory = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ sub: "mallory" })));
    expectOAuthError(mallory, 403, "access_denied");
    const malloryExplained = await explain(f.zone, mallory.headers.get("x-request-id") as string);
    expect(malloryExplained.reasons.some((r: string) => r.endsWith(": listed"))).toBe(true);
    expect(malloryExplained.reasons.some((r: string) => r.endsWith(": sees a"))).toBe(false);

    // One decoded value per version, whichever set (active or shadow) and snapshot holds it.
    const first = await zoneCache.get(env as never, f.zone);
    zoneCache.invalidate(f.zone);
    const second = await zoneCache.get(env as never, f.zone);
    const dataOf = (snap: typeof first, set: "active" | "shadow", versionId: string) =>
      snap?.[set]?.policies.find((p) => p.policyVersionId === versionId)?.data;
    expect(dataOf(first, "active", a.versions[0].id)).toBeDefined();
    expect(dataOf(second, "active", a.versions[0].id)).toBe(dataOf(first, "active", a.versions[0].id));
    expect(dataOf(first, "shadow", a.versions[0].id)).toBe(dataOf(first, "active", a.versions[0].id));
    expect(dataOf(first, "active", b.versions[0].id)).not.toBe(dataOf(first, "active", a.versions[0].id));
  });

  it("exports only versions of the zone", async () => {
    const zone = await newZone();
    const created = await newBundlePolicy(zone, { files: FILES });
    const other = await newZone();
    const res = await exports.default.fetch(
      new Request(`http://caracal.test/v1/zones/${other}/policy-versions/${created.versions[0].id}/bundle`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      }),
    );
    expect(res.status).toBe(404);
  });

  it("chooses the decision package: given, from the manifest, or the only one defining allow or deny", async () => {
    const zone = await newZone();
    const a = { path: "a.rego", content: "package a\n\nallow if input.x\n" };
    const b = { path: "b.rego", content: 'package b\n\ndeny contains "y" if input.y\n' };
    const c = { path: "c.rego", content: "package c\n\nhelper := 1\n" };
    const several = expectProblem(await call("POST", `/v1/zones/${zone}/policies`, { name: uniqueName("p"), files: [a, b, c] }), 422);
    expect(several.detail).toContain("a, b");
    expect(several.errors[0].code).toBe("decision_package");
    const given = await newBundlePolicy(zone, { files: [a, b, c], package: "b" });
    expect(given.versions[0].package).toBe("b");
    const manifest = { path: ".manifest", content: JSON.stringify({ metadata: { package: "a" } }) };
    expect((await newBundlePolicy(zone, { files: [a, b, c, manifest] })).versions[0].package).toBe("a");
    expect((await newBundlePolicy(zone, { files: [a, c] })).versions[0].package).toBe("a");
    const unknown = expectProblem(
      await call("POST", `/v1/zones/${zone}/policies`, { name: uniqueName("p"), files: [a], package: "zzz" }),
      422,
    );
    expect(unknown.detail).toContain("zzz");
    const none = expectProblem(
      await call("POST", `/v1/zones/${zone}/policies`, {
        name: uniqueName("p"),
        files: [c, { ...c, path: "d.rego", content: "package d\n\nx := 1\n" }],
      }),
      422,
    );
    expect(none.detail).toContain("c, d");
    // the same files with another explicit package than the stored version's
    const path = `/v1/zones/${zone}/policies/${given.id}/versions`;
    expectProblem(await call("POST", path, { files: [a, b, c], package: "a" }), 409);
    expect(expectStatus(await call("POST", path, { files: [a, b, c], package: "b" }), 200).id).toBe(given.versions[0].id);
  });
});

/** A tar archive with one entry of the given type flag (for links and devices). */
function tarEntry(name: string, type: string, content = "", linkName = ""): Uint8Array {
  const enc = new TextEncoder();
  const body = enc.encode(content);
  const header = new Uint8Array(512);
  const put = (at: number, s: string) => header.set(enc.encode(s), at);
  put(0, name);
  put(100, "0000644\0");
  put(108, "0000000\0");
  put(116, "0000000\0");
  put(124, `${body.length.toString(8).padStart(11, "0")}\0`);
  put(136, "00000000000\0");
  put(156, type);
  put(157, linkName);
  put(257, "ustar\0");
  put(263, "00");
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] as number);
  put(148, `${sum.toString(8).padStart(6, "0")}\0 `);
  const out = new Uint8Array(512 + Math.ceil(body.length / 512) * 512 + 1024);
  out.set(header);
  out.set(body, 512);
  return out;
}

async function gzipBytes(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
}

describe("bad bundles", () => {
  const ok = { path: "p.rego", content: "package p\n\nallow if input.x\n" };
  const cases: [string, () => Promise<Record<string, unknown>>, number, string, string | undefined][] = [
    ["path traversal", async () => ({ files: [ok, { path: "../evil.rego", content: ok.content }] }), 422, "path_traversal", "../evil.rego"],
    ["traversal inside", async () => ({ files: [ok, { path: "a/../../b.rego", content: ok.content }] }), 422, "path_traversal", undefined],
    ["an absolute path", async () => ({ files: [{ ...ok, path: "/etc/p.rego" }] }), 422, "path_traversal", "/etc/p.rego"],
    ["a backslash path", async () => ({ files: [{ ...ok, path: "..\\p.rego" }] }), 422, "path_traversal", undefined],
    ["a duplicate path", async () => ({ files: [ok, { ...ok, path: "./p.rego" }] }), 422, "duplicate_path", "p.rego"],
    ["an unknown file kind", async () => ({ files: [ok, { path: "notes.txt", content: "hi" }] }), 422, "unknown_file_kind", "notes.txt"],
    [
      "a manifest below the root",
      async () => ({ files: [ok, { path: "x/.manifest", content: "{}" }] }),
      422,
      "unknown_file_kind",
      "x/.manifest",
    ],
    ["no module", async () => ({ files: [{ path: "data.json", content: "{}" }] }), 422, "no_modules", undefined],
    [
      "invalid JSON data",
      async () => ({ files: [ok, { path: "roles/data.json", content: "{nope" }] }),
      422,
      "invalid_data",
      "roles/data.json",
    ],
    [
      "invalid YAML data",
      async () => ({ files: [ok, { path: "roles/data.yaml", content: "a: [1" }] }),
      422,
      "invalid_data",
      "roles/data.yaml",
    ],
    [
      "root data that is not an object",
      async () => ({ files: [ok, { path: "data.json", content: "[1]" }] }),
      422,
      "invalid_data",
      "data.json",
    ],
    [
      "two data files at one path",
      async () => ({ files: [ok, { path: "r/data.json", content: '{"a":1}' }, { path: "r/data.yaml", content: "a: 2" }] }),
      422,
      "data_conflict",
      "r/data.yaml",
    ],
    [
      "root data overlapping a folder's data",
      async () => ({ files: [ok, { path: "data.json", content: '{"roles": 1}' }, { path: "roles/data.json", content: "{}" }] }),
      422,
      "data_conflict",
      "roles/data.json",
    ],
    [
      "data overlapping a rule",
      async () => ({ files: [ok, { path: "p/data.json", content: '{"allow": true}' }] }),
      422,
      "data_conflict",
      "p.rego",
    ],
    [
      "a package outside the roots",
      async () => ({ files: [ok, { path: ".manifest", content: '{"roots": ["q"]}' }] }),
      422,
      "outside_roots",
      "p.rego",
    ],
    [
      "data outside the roots",
      async () => ({ files: [ok, { path: ".manifest", content: '{"roots": ["p"]}' }, { path: "other/data.json", content: "{}" }] }),
      422,
      "outside_roots",
      "other/data.json",
    ],
    [
      "an invalid manifest",
      async () => ({ files: [ok, { path: ".manifest", content: '{"roots": "p"}' }] }),
      422,
      "invalid_manifest",
      ".manifest",
    ],
    [
      "an unreadable signature",
      async () => ({ files: [ok, { path: ".signatures.json", content: '{"signatures": ["a.b.c"]}' }] }),
      422,
      "invalid_signature",
      ".signatures.json",
    ],
    [
      "a signatures file below the root",
      async () => ({ files: [ok, { path: "x/.signatures.json", content: "{}" }] }),
      422,
      "unknown_file_kind",
      "x/.signatures.json",
    ],
    [
      "a symlink",
      async () => ({ bundle: btoa(String.fromCharCode(...tarEntry("p.rego", "2", "", "/etc/passwd"))) }),
      422,
      "link_not_allowed",
      "p.rego",
    ],
    [
      "a hard link",
      async () => ({ bundle: btoa(String.fromCharCode(...tarEntry("p.rego", "1", "", "q.rego"))) }),
      422,
      "link_not_allowed",
      "p.rego",
    ],
    [
      "path traversal inside an archive",
      async () => ({ bundle: btoa(String.fromCharCode(...tarEntry("../evil.rego", "0", "package evil\n"))) }),
      422,
      "path_traversal",
      "../evil.rego",
    ],
    ["a device", async () => ({ bundle: btoa(String.fromCharCode(...tarEntry("p.rego", "3"))) }), 422, "invalid_archive", "p.rego"],
    [
      "a file that is not UTF-8",
      async () => ({ bundle: btoa(String.fromCharCode(...tarEntry("p.rego", "0", "package p\n")).replace("package", "p\u00ffckage")) }),
      422,
      "invalid_encoding",
      "p.rego",
    ],
    [
      "not an archive",
      async () => ({ bundle: btoa("hello, this is not a tar archive at all".repeat(20)) }),
      422,
      "invalid_archive",
      undefined,
    ],
    ["not base64", async () => ({ bundle: "%%%" }), 422, "invalid_archive", undefined],
    [
      "a gzip bomb",
      async () => ({ bundle: base64(await gzipBytes(new Uint8Array(64 * 1024 * 1024))) }),
      413,
      "bundle_too_large",
      undefined,
    ],
    [
      "too many files",
      async () => ({ files: Array.from({ length: 10_001 }, (_, i) => ({ path: `m${i}.rego`, content: "package p\n" })) }),
      413,
      "too_many_files",
      undefined,
    ],
    [
      "too many bytes",
      async () => ({ files: [ok, { path: "data.json", content: JSON.stringify({ x: "y".repeat(5 * 1024 * 1024) }) }] }),
      413,
      "bundle_too_large",
      undefined,
    ],
  ];

  it.each(cases)("refuses %s, naming it, and writes nothing", async (_what, body, status, code, path) => {
    const zone = await newZone();
    const problem = expectProblem(await call("POST", `/v1/zones/${zone}/policies`, { name: uniqueName("bad"), ...(await body()) }), status);
    expect(problem.errors[0]).toMatchObject({ code, ...(path !== undefined ? { path } : {}) });
    if (path !== undefined) expect(problem.detail).toContain(path);
    expect(await blobCount(zone)).toBe(0);
    expect(expectStatus(await call("GET", `/v1/zones/${zone}/policies`), 200).items).toEqual([]);
  });

  it("writes nothing when a bundle does not compile", async () => {
    const zone = await newZone();
    const problem = expectProblem(
      await call("POST", `/v1/zones/${zone}/policies`, {
        name: uniqueName("bad"),
        files: [ok, { path: "lib/broken.rego", content: "package lib\n\nx if {\n  y > 1\n}\n" }, { path: "data.json", content: "{}" }],
      }),
      422,
    );
    expect(problem.errors[0].location).toMatchObject({ file: "lib/broken.rego", row: 4 });
    expect(await blobCount(zone)).toBe(0);
  });
});

describe("signed bundles", () => {
  // Pretty-printed on purpose (signatures cover the JSON value, not its whitespace), plus a data
  // document whose number literals (1.50, 1e3), escapes, unicode and unsorted keys OPA hashes as
  // written: each file's hash comes from test/opa-hash-reference.ts, an independent
  // reimplementation of OPA's bundle hashing (no opa binary exists here to sign with).
  const SIGNED_FILES = [
    ...FILES.map((f) => (f.path === "roles/data.json" ? { ...f, content: JSON.stringify(JSON.parse(ROLES), null, 2) } : f)),
    { path: "roles/vectors/data.json", content: VECTOR_JSON },
  ];

  async function signatures(files: { path: string; content: string }[], key: CryptoKey, kid: string, extra: Record<string, unknown> = {}) {
    const listed = [];
    for (const f of files) listed.push({ name: f.path, hash: await referenceFileHash(f.path, f.content), algorithm: "SHA-256" });
    const jwt = await new SignJWT({ files: listed, ...extra }).setProtectedHeader({ alg: "ES256", kid }).sign(key);
    return { path: ".signatures.json", content: JSON.stringify({ signatures: [jwt] }) };
  }

  async function zoneWithKey() {
    const zone = await newZone();
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const jwk = await exportJWK(publicKey);
    const added = expectStatus(await call("POST", `/v1/zones/${zone}/bundle-signing/keys`, { key_id: "release", alg: "ES256", jwk }), 201);
    return { zone, privateKey, key: added };
  }

  const create = (zone: string, body: Record<string, unknown>) =>
    call("POST", `/v1/zones/${zone}/policies`, { name: uniqueName("signed"), ...body });

  it("accepts a bundle whose signature verifies, the same as a folder or a tar.gz, and again after export", async () => {
    const { zone, privateKey } = await zoneWithKey();
    const files = [...SIGNED_FILES, await signatures(SIGNED_FILES, privateKey, "release")];
    const created = expectStatus(await create(zone, { files }), 201);
    const pv = created.versions[0].id;
    const path = `/v1/zones/${zone}/policies/${created.id}/versions`;
    expect(expectStatus(await call("POST", path, { bundle: await tarGz(files) }), 200).id).toBe(pv);
    const exported = await exports.default.fetch(
      new Request(`http://caracal.test/v1/zones/${zone}/policy-versions/${pv}/bundle`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      }),
    );
    expect(expectStatus(await call("POST", path, { bundle: base64(new Uint8Array(await exported.arrayBuffer())) }), 200).id).toBe(pv);
  });

  it("refuses a tampered, incomplete, over-complete or wrongly signed bundle with a clear error", async () => {
    const { zone, privateKey } = await zoneWithKey();
    const signature = await signatures(SIGNED_FILES, privateKey, "release");
    const refused = async (files: { path: string; content: string }[], text: string, path = ".signatures.json") => {
      const problem = expectProblem(await create(zone, { files }), 422);
      expect(problem.errors[0]).toMatchObject({ code: "invalid_signature", path });
      expect(problem.detail).toContain(text);
    };
    const tampered = SIGNED_FILES.map((f) =>
      f.path === "roles/data.json" ? { ...f, content: JSON.stringify({ by_user: { bob: ["payer"] }, grants: {} }) } : f,
    );
    await refused([...tampered, signature], "does not match its signed hash", "roles/data.json");
    // the same value written differently is a different file to OPA: it hashes number literals as written
    const relettered = SIGNED_FILES.map((f) =>
      f.path === "roles/vectors/data.json" ? { ...f, content: f.content.replace("1.50", "1.5") } : f,
    );
    await refused([...relettered, signature], "does not match its signed hash", "roles/vectors/data.json");
    await refused(
      [...SIGNED_FILES, { path: "extra.rego", content: "package extra\n" }, signature],
      "not covered by the bundle's signature",
      "extra.rego",
    );
    await refused(
      [...SIGNED_FILES.filter((f) => f.path !== "lib/roles.rego"), signature],
      "signed files missing from the bundle: lib/roles.rego",
    );
    await refused([...SIGNED_FILES, await signatures(SIGNED_FILES, privateKey, "nobody")], "unknown signing key nobody");
    const stranger = (await generateKeyPair("ES256")).privateKey;
    await refused([...SIGNED_FILES, await signatures(SIGNED_FILES, stranger, "release")], "does not verify with key release");
    await refused([...SIGNED_FILES, await signatures(SIGNED_FILES, privateKey, "release", { scope: "write" })], "scope");
    const forged = `${btoa(JSON.stringify({ alg: "none", kid: "release" })).replace(/=+$/, "")}.${btoa(JSON.stringify({ files: [] })).replace(/=+$/, "")}.`;
    await refused([...SIGNED_FILES, { path: ".signatures.json", content: JSON.stringify({ signatures: [forged] }) }], "not accepted");
    expect(await blobCount(zone)).toBe(0);
  });

  it("requires signatures when the zone says so, and lists and removes keys", async () => {
    const { zone, privateKey, key } = await zoneWithKey();
    const state = expectStatus(await call("PUT", `/v1/zones/${zone}/bundle-signing`, { required: true }), 200);
    expect(state).toMatchObject({ required: true, keys: [{ id: key.id, key_id: "release", alg: "ES256", scope: null }] });
    const unsigned = expectProblem(await create(zone, { files: SIGNED_FILES }), 422);
    expect(unsigned.detail).toContain("requires signed bundles");
    expectProblem(await create(zone, { source: "package p\n\nallow := true\n" }), 422);
    expectStatus(await create(zone, { files: [...SIGNED_FILES, await signatures(SIGNED_FILES, privateKey, "release")] }), 201);
    expectProblem(await call("POST", `/v1/zones/${zone}/bundle-signing/keys`, { key_id: "release", alg: "ES256", jwk: key.jwk }), 409);
    const priv = await exportJWK((await generateKeyPair("ES256", { extractable: true })).privateKey);
    expectProblem(await call("POST", `/v1/zones/${zone}/bundle-signing/keys`, { key_id: "private", alg: "ES256", jwk: priv }), 422);
    expectProblem(
      await call("POST", `/v1/zones/${zone}/bundle-signing/keys`, { key_id: "hmac", alg: "HS256", jwk: { kty: "oct", k: "c2VjcmV0" } }),
      400,
    );
    expectStatus(await call("DELETE", `/v1/zones/${zone}/bundle-signing/keys/${key.id}`), 200);
    expectProblem(await call("DELETE", `/v1/zones/${await newZone()}/bundle-signing/keys/${key.id}`), 404);
    // with the key gone, the signature can no longer be verified: refused, never accepted unverified
    const changed = SIGNED_FILES.map((f) =>
      f.path === ".manifest" ? { ...f, content: JSON.stringify({ revision: "r2", roots: ["payments", "lib", "roles"] }) } : f,
    );
    const noKey = expectProblem(await create(zone, { files: [...changed, await signatures(changed, privateKey, "release")] }), 422);
    expect(noKey.detail).toContain("no bundle-signing keys");
    expect(expectStatus(await call("PUT", `/v1/zones/${zone}/bundle-signing`, { required: false }), 200).required).toBe(false);
  });
});

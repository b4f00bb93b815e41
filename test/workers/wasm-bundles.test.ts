/**
 * A Wasm bundle through the ordinary upload path (README "OPA-Wasm policy versions"): a tar.gz
 * as `opa build -t wasm` writes it (/policy.wasm, /data.json, /.manifest with wasm entrypoints,
 * plus the .rego files OPA adds) uploaded as `bundle` becomes a Wasm version that decides an
 * exchange. Its module and data are stored as content-addressed blobs; its identity is the bundle
 * digest over the Wasm files, so the .rego files inside do not count.
 *
 * The modules are the hand-written OPA-ABI stand-ins of test/wasm (see wasm-policies.test.ts):
 * no `opa` binary exists here.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { writeTarGz } from "../../workers/bundle/tar.js";
import { referenceFileHash } from "../opa-hash-reference.js";
import { call, expectProblem, expectStatus, newPolicySet, newSetVersion, uniqueName } from "./helpers.js";
import { auditOf, exchangeParams, expectIssued, expectOAuthError, stsFixture, tokenRequest } from "./sts-helpers.js";

function wasmBytes(variant: string): Uint8Array {
  const b64 = env.TEST_WASM_MODULES[variant];
  if (!b64) throw new Error(`no test module ${variant}`);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

const MANIFEST = JSON.stringify({
  revision: "wasm-r1",
  roots: ["authz"],
  wasm: [
    { entrypoint: "authz/allow", module: "/policy.wasm" },
    { entrypoint: "authz/deny", module: "/policy.wasm" },
    { entrypoint: "authz/ttl", module: "/policy.wasm" },
  ],
});
// What `opa build -t wasm` leaves in the bundle: the source with its entrypoint rules removed. Ignored.
const LEFTOVER_REGO = "package authz\n";

async function wasmArchive(variant: string, data: unknown, extra: { path: string; content: string }[] = []): Promise<string> {
  return base64(
    await writeTarGz([
      { path: "/policy.wasm", content: wasmBytes(variant) },
      { path: "/data.json", content: JSON.stringify(data) },
      { path: "/.manifest", content: MANIFEST },
      ...extra,
    ]),
  );
}

async function blobRows(zone: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM blobs WHERE zone_id = ?").bind(zone).first<{ n: number }>();
  return row?.n ?? 0;
}

describe("Wasm bundles through the bundle upload", () => {
  it("a tar.gz holding policy.wasm becomes a Wasm version stored in blobs that decides an exchange", async () => {
    const fx = await stsFixture([]);
    const bundle = await wasmArchive("authz", { allowed_client: fx.client.id }, [{ path: "/authz/policy.rego", content: LEFTOVER_REGO }]);
    const blobsBefore = await blobRows(fx.zone);
    const created = expectStatus(await call("POST", `/v1/zones/${fx.zone}/policies`, { name: uniqueName("wasm-bundle"), bundle }), 201);
    const version = created.versions[0];
    expect(version).toMatchObject({ engine: "wasm", package: "authz", revision: "wasm-r1", file_count: 3 });
    // The module and the data went to blobs, nothing inline.
    expect(await blobRows(fx.zone)).toBe(blobsBefore + 2);
    const module = await env.DB.prepare("SELECT wasm, data, wasm_blob, data_blob FROM policy_wasm_modules WHERE version_id = ?")
      .bind(version.id)
      .first<Record<string, string | null>>();
    expect(module).toMatchObject({ wasm: null, data: null, wasm_blob: expect.stringMatching(/^[0-9a-f]{64}$/) });

    // The same Wasm files again (without the ignored .rego) are the same version.
    const again = await call("POST", `/v1/zones/${fx.zone}/policies/${created.id}/versions`, {
      bundle: await wasmArchive("authz", { allowed_client: fx.client.id }),
    });
    expect(expectStatus(again, 200).id).toBe(version.id);
    // No Rego files to show or export: the module is the program.
    expect(expectStatus(await call("GET", `/v1/zones/${fx.zone}/policies/${created.id}/versions/${version.id}`), 200).files).toEqual([]);
    expectProblem(await call("GET", `/v1/zones/${fx.zone}/policy-versions/${version.id}/bundle`), 422);

    const set = await newPolicySet(fx.zone);
    const psv = await newSetVersion(fx.zone, set, [version.id]);
    expectStatus(await call("POST", `/v1/zones/${fx.zone}/policy-sets/${set}/activate`, { version: psv }), 200);
    const res = await tokenRequest(fx.zone, fx.client, exchangeParams(await fx.idp.mint()));
    expectIssued(res);
    const [event] = await auditOf(fx.zone, res.headers.get("x-request-id") as string);
    expect(event).toMatchObject({ decision: "allow", determining_policies: [{ policy_version_id: version.id, rule: "data.authz.allow" }] });
    const denied = await tokenRequest(fx.zone, fx.client, exchangeParams(await fx.idp.mint({ sub: "blocked-subject" })));
    expectOAuthError(denied, 403, "access_denied");
  });

  it("a Wasm bundle added as a new version of a Rego policy; bad Wasm bundles are 422 naming the file", async () => {
    const fx = await stsFixture([]);
    const policy = expectStatus(
      await call("POST", `/v1/zones/${fx.zone}/policies`, { name: uniqueName("mixed"), source: "package p\n\ndefault allow := false\n" }),
      201,
    );
    const path = `/v1/zones/${fx.zone}/policies/${policy.id}/versions`;
    const added = expectStatus(await call("POST", path, { bundle: await wasmArchive("authz", { allowed_client: "x" }) }), 201);
    expect(added.engine).toBe("wasm");

    const unserved = expectProblem(await call("POST", path, { bundle: await wasmArchive("needs-http-send", {}) }), 422);
    expect(unserved.errors[0]).toMatchObject({ code: "unserved_builtin", message: expect.stringContaining("http.send") });
    const stray = expectProblem(
      await call("POST", path, { bundle: await wasmArchive("authz", {}, [{ path: "/other.wasm", content: "x" }]) }),
      422,
    );
    expect(stray.errors[0]).toMatchObject({ code: "unknown_file_kind", path: "other.wasm" });
    const badData = base64(
      await writeTarGz([
        { path: "/policy.wasm", content: wasmBytes("authz") },
        { path: "/data.json", content: "{not json" },
      ]),
    );
    expect(expectProblem(await call("POST", path, { bundle: badData }), 422).errors[0]).toMatchObject({
      code: "invalid_data",
      path: "data.json",
    });
  });

  it("still reads a Wasm version whose module is inline in its row (stored before blobs)", async () => {
    const fx = await stsFixture([]);
    const created = expectStatus(
      await call("POST", `/v1/zones/${fx.zone}/policies`, {
        name: uniqueName("inline"),
        bundle: await wasmArchive("authz", { allowed_client: fx.client.id }),
      }),
      201,
    );
    const versionId = created.versions[0].id as string;
    // What a row written before the blob columns holds: the module and data inline, no blobs.
    await env.DB.prepare("UPDATE policy_wasm_modules SET wasm = ?, data = ?, wasm_blob = NULL, data_blob = NULL WHERE version_id = ?")
      .bind(env.TEST_WASM_MODULES.authz, JSON.stringify({ allowed_client: fx.client.id }), versionId)
      .run();
    const set = await newPolicySet(fx.zone);
    const psv = await newSetVersion(fx.zone, set, [versionId]);
    expectStatus(await call("POST", `/v1/zones/${fx.zone}/policy-sets/${set}/activate`, { version: psv }), 200);
    expectIssued(await tokenRequest(fx.zone, fx.client, exchangeParams(await fx.idp.mint())));
  });

  it("verifies a signed Wasm bundle over all its files, the leftover .rego included, and refuses it tampered or unsigned where required", async () => {
    const fx = await stsFixture([]);
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const jwk = await exportJWK(publicKey);
    expectStatus(await call("POST", `/v1/zones/${fx.zone}/bundle-signing/keys`, { key_id: "release", alg: "ES256", jwk }), 201);
    type File = { path: string; content: string | Uint8Array };
    const files: File[] = [
      { path: "policy.wasm", content: wasmBytes("authz") },
      { path: "data.json", content: JSON.stringify({ allowed_client: fx.client.id }, null, 2) },
      { path: ".manifest", content: MANIFEST },
      { path: "authz/policy.rego", content: LEFTOVER_REGO },
    ];
    // As `opa sign` writes it (no opa binary here): one ES256 JWT listing each file's hash, computed by the
    // independent reference in test/opa-hash-reference.ts (policy.wasm over its bytes).
    const signatures = async (signed: File[]) => {
      const listed = [];
      for (const f of signed) listed.push({ name: f.path, hash: await referenceFileHash(f.path, f.content), algorithm: "SHA-256" });
      const jwt = await new SignJWT({ files: listed }).setProtectedHeader({ alg: "ES256", kid: "release" }).sign(privateKey);
      return { path: ".signatures.json", content: JSON.stringify({ signatures: [jwt] }) };
    };
    const archive = async (parts: File[]) => base64(await writeTarGz(parts.map((f) => ({ ...f, path: `/${f.path}` }))));
    const signature = await signatures(files);
    const create = async (parts: File[]) =>
      call("POST", `/v1/zones/${fx.zone}/policies`, { name: uniqueName("signed-wasm"), bundle: await archive(parts) });

    const created = expectStatus(await create([...files, signature]), 201);
    expect(created.versions[0]).toMatchObject({ engine: "wasm", package: "authz" });

    const refused = async (parts: File[], text: string, path: string) => {
      const problem = expectProblem(await create(parts), 422);
      expect(problem.errors[0]).toMatchObject({ code: "invalid_signature", path });
      expect(problem.detail).toContain(text);
    };
    const swap = (path: string, content: string | Uint8Array) => files.map((f) => (f.path === path ? { ...f, content } : f));
    await refused([...swap("policy.wasm", wasmBytes("needs-http-send")), signature], "does not match its signed hash", "policy.wasm");
    // The .rego files OPA leaves do not run, but the signature covers them: changed, the bundle is not the one signed.
    await refused(
      [...swap("authz/policy.rego", "package authz\n\nextra := 1\n"), signature],
      "does not match its signed hash",
      "authz/policy.rego",
    );
    await refused([...files, { path: "authz/more.rego", content: "package authz\n" }, signature], "not covered", "authz/more.rego");
    await refused(
      [...files.filter((f) => f.path !== "authz/policy.rego"), signature],
      "signed files missing from the bundle: authz/policy.rego",
      ".signatures.json",
    );

    expectStatus(await call("PUT", `/v1/zones/${fx.zone}/bundle-signing`, { required: true }), 200);
    expect(expectProblem(await create(files), 422).detail).toContain("requires signed bundles");
    // The JSON route carries no signature file, so it is refused too.
    const parts = await call("POST", `/v1/zones/${fx.zone}/policies/${created.id}/versions/wasm`, {
      wasm: base64(wasmBytes("authz")),
      data: { allowed_client: "someone-else" },
      manifest: JSON.parse(MANIFEST),
    });
    expect(expectProblem(parts, 422).detail).toContain("requires signed bundles");
    // Signed, it is accepted in that zone, as the same version it already is.
    const again = await call("POST", `/v1/zones/${fx.zone}/policies/${created.id}/versions`, {
      bundle: await archive([...files, signature]),
    });
    expect(expectStatus(again, 200).id).toBe(created.versions[0].id);
  });
});

/**
 * End to end with the real CLI and `caracal dev`: a policy version made of two
 * modules, a role table (`roles/data.json`) and a manifest decides a token
 * exchange through `data.roles`; the folder and a tar.gz made by GNU tar are
 * one version; `policy export` then re-upload is the same version; a bad
 * bundle fails with the file named; `caracal eval -b` / `test -b` run it locally.
 */
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { idOf, useLocalStack } from "./local-stack.js";
import { referenceFileHash, VECTOR_JSON } from "../opa-hash-reference.js";

const MAIN = `package payments

import data.lib.roles

default allow := false

allow if roles.may(input.subject.claims.sub, "pay")
`;
const LIB = `package lib.roles

# may reports whether user holds a role that grants action.
may(user, action) if {
  some role in data.roles.by_user[user]
  action in data.roles.grants[role]
}
`;
const LIB_TEST = `package lib.roles_test

import data.lib.roles

test_alice_pays if roles.may("alice", "pay")

test_bob_cannot_pay if not roles.may("bob", "pay")
`;
const ROLES = { by_user: { alice: ["payer"], bob: ["viewer"] }, grants: { payer: ["pay", "view"], viewer: ["view"] } };

async function writeBundle(dir: string): Promise<void> {
  for (const sub of ["payments", "lib", "roles"]) await mkdir(join(dir, sub), { recursive: true });
  await writeFile(join(dir, "payments/main.rego"), MAIN);
  await writeFile(join(dir, "lib/roles.rego"), LIB);
  await writeFile(join(dir, "lib/roles_test.rego"), LIB_TEST);
  await writeFile(join(dir, "roles/data.json"), JSON.stringify(ROLES, null, 2));
  await writeFile(join(dir, ".manifest"), JSON.stringify({ revision: "r-2026-12-01", roots: ["payments", "lib", "roles"] }));
}

const stack = useLocalStack("caracal-e2e-bundles-", async ({ workDir }) => {
  await writeBundle(join(workDir, "b"));
});
const { caracal, ok } = stack;

const run = promisify(execFile);

describe("policy bundles with the real CLI", () => {
  it("uploads a folder and a tar.gz as one version, exports it, and decides an exchange through data.roles", async () => {
    const zone = idOf(await ok("zone", "create", "--name", "e2e-bundles"), "zn");
    stack.env.CARACAL_ZONE_ID = zone;
    // GNU tar, as a team would pack the folder (entries for folders included)
    await run("tar", ["czf", join(stack.workDir, "b.tar.gz"), "-C", join(stack.workDir, "b"), ".manifest", "payments", "lib", "roles"]);

    const created = await ok("policy", "create", "--name", "payments", "--bundle", "./b");
    const policy = idOf(created, "pol");
    const pv = /^Version ID: (pv-[a-z0-9]{12})$/m.exec(created)![1]!;
    const fromTar = await caracal("policy", "version", policy, "--bundle", "./b.tar.gz");
    expect(fromTar.code, fromTar.stderr).toBe(0);
    expect(idOf(fromTar.stdout, "pv")).toBe(pv);
    expect(fromTar.stderr).toContain("unchanged");

    const shown = await ok("policy", "get", policy);
    expect(shown).toContain("r-2026-12-01");
    for (const file of [".manifest", "lib/roles.rego", "lib/roles_test.rego", "payments/main.rego", "roles/data.json"])
      expect(shown).toContain(file);

    await ok("policy", "export", pv, "-o", "./exported.tar.gz");
    const listed = (await run("tar", ["tzf", join(stack.workDir, "exported.tar.gz")])).stdout.trim().split("\n");
    expect(listed).toEqual([".manifest", "lib/roles.rego", "lib/roles_test.rego", "payments/main.rego", "roles/data.json"]);
    expect(idOf(await ok("policy", "version", policy, "--bundle", "./exported.tar.gz"), "pv")).toBe(pv);

    // several --file: modules by their paths, data files merged at the root of data
    await writeFile(join(stack.workDir, "roles.json"), JSON.stringify({ roles: ROLES }));
    const files = await ok(
      "policy",
      "version",
      policy,
      "--file",
      "b/payments/main.rego",
      "--file",
      "b/lib/roles.rego",
      "--file",
      "roles.json",
    );
    expect(idOf(files, "pv")).not.toBe(pv);

    const set = idOf(await ok("policy-set", "create", "--name", "production"), "ps");
    const psv = idOf(await ok("policy-set", "version", set, "--policy-versions", pv), "psv");
    // The bundle's lib/roles_test.rego gates the set version on request; the same list is the same version.
    const gated = await ok("policy-set", "version", set, "--policy-versions", pv, "--run-tests");
    expect(idOf(gated, "psv")).toBe(psv);
    expect(gated).toContain("Tests: 2 passed, 0 skipped (1 policy versions with tests)");
    const failing = join(stack.workDir, "failing");
    await writeBundle(failing);
    await writeFile(join(failing, "lib/roles_test.rego"), LIB_TEST.replace('not roles.may("bob", "pay")', 'roles.may("bob", "pay")'));
    const failingPv = /^Version ID: (pv-[a-z0-9]{12})$/m.exec(
      await ok("policy", "create", "--name", "failing", "--bundle", "./failing"),
    )![1]!;
    const refused = await caracal("policy-set", "version", set, "--policy-versions", failingPv, "--run-tests");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("lib/roles_test.rego:7:1: policy_test_failed: data.lib.roles_test.test_bob_cannot_pay: FAIL");
    await ok("policy-set", "activate", set, "--version", psv);

    const { privateKey, publicKey } = await generateKeyPair("ES256");
    await writeFile(
      join(stack.workDir, "jwks.json"),
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "idp-1", alg: "ES256" }] }),
    );
    const mint = (sub: string) =>
      new SignJWT({ iss: "https://idp.example", sub })
        .setProtectedHeader({ alg: "ES256", kid: "idp-1" })
        .setExpirationTime("5m")
        .sign(privateKey);
    idOf(await ok("issuer", "add", "--issuer", "https://idp.example", "--jwks-file", "./jwks.json"), "iss");
    const client = await ok("client", "create", "--name", "checkout");
    const clientId = /^Client ID: (cl-[a-z0-9]{12})$/m.exec(client)![1]!;
    const secret = /^Client secret: (\S+)$/m.exec(client)![1]!;
    const exchange = async (sub: string) =>
      caracal("token", "exchange", "--client-id", clientId, "--client-secret", secret, "--subject-token", await mint(sub));

    const allowed = await exchange("alice");
    expect(allowed.code, allowed.stderr).toBe(0);
    const denied = await exchange("bob");
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("access_denied");
    const allowedId = /^Request ID: (req-[a-z0-9]{16})$/m.exec(allowed.stdout)![1]!;
    const explained = await ok("explain", allowedId);
    expect(explained).toContain(`Decided by: payments ${pv} (revision r-2026-12-01) data.payments.allow at payments/main.rego:7`);
    expect(explained).toContain("data read by data.payments.allow: data.roles.by_user.alice, data.roles.grants.payer\n");
    const deniedId = /req-[a-z0-9]{16}/.exec(denied.stderr)![0]!;
    const whyNot = await ok("explain", deniedId);
    expect(whyNot).toContain("data read by data.payments.allow: data.roles.by_user.bob, data.roles.grants.viewer\n");
    const stranger = await exchange("mallory");
    const strangerId = /req-[a-z0-9]{16}/.exec(stranger.stderr)![0]!;
    expect(await ok("explain", strangerId)).toContain(
      "data read by data.payments.allow: none found\n       data looked up, not found: data.roles.by_user.mallory\n",
    );
  });

  it("refuses a bad bundle naming the file, and runs a bundle locally with eval -b and test -b", async () => {
    const bad = join(stack.workDir, "bad");
    await writeBundle(bad);
    await writeFile(join(bad, "NOTES.txt"), "not a bundle file");
    const refused = await caracal("policy", "create", "--name", "bad", "--bundle", "./bad");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("NOTES.txt: not a bundle file");
    expect(refused.stderr).toContain("422");
    const overlapping = join(stack.workDir, "overlap");
    await writeBundle(overlapping);
    await mkdir(join(overlapping, "payments"), { recursive: true });
    await writeFile(join(overlapping, "payments/data.json"), JSON.stringify({ allow: true }));
    const overlap = await caracal("policy", "create", "--name", "overlap", "--bundle", "./overlap");
    expect(overlap.code).toBe(1);
    expect(overlap.stderr).toMatch(/payments\/main\.rego.*overlaps the data set by payments\/data\.json/);

    await writeFile(join(stack.workDir, "input.json"), JSON.stringify({ subject: { claims: { sub: "alice" } } }));
    for (const bundle of ["./b", "./b.tar.gz"]) {
      const evaluated = JSON.parse(await ok("eval", "-b", bundle, "-i", "./input.json", "data.payments.allow"));
      expect(evaluated.result[0].expressions[0].value).toBe(true);
      const tested = await ok("test", "-b", bundle);
      expect(tested).toContain("PASS: 2/2");
    }
  });

  it("verifies a signed bundle against the zone's bundle-signing key and refuses a tampered one", async () => {
    const zone = idOf(await ok("zone", "create", "--name", "e2e-signed"), "zn");
    stack.env.CARACAL_ZONE_ID = zone;
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    await writeFile(join(stack.workDir, "bundle-key.pem"), await exportSPKI(publicKey));
    idOf(await ok("zone", "bundle-keys", "add", "--key-id", "release", "--alg", "ES256", "--key-file", "./bundle-key.pem"), "bsk");
    expect(await ok("zone", "require-signed-bundles", "on")).toContain("Signed bundles required: yes");
    const unsigned = await caracal("policy", "create", "--name", "unsigned", "--bundle", "./b");
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toContain("requires signed bundles");

    // .signatures.json as opa sign writes it: one JWT over each file's SHA-256, data and manifest hashed
    // canonically with number literals as written (test/opa-hash-reference.ts; no opa binary here)
    const signed = join(stack.workDir, "signed");
    await writeBundle(signed);
    await mkdir(join(signed, "roles/vectors"), { recursive: true });
    await writeFile(join(signed, "roles/vectors/data.json"), VECTOR_JSON);
    const names = [
      ".manifest",
      "lib/roles.rego",
      "lib/roles_test.rego",
      "payments/main.rego",
      "roles/data.json",
      "roles/vectors/data.json",
    ];
    const { readFile } = await import("node:fs/promises");
    const files = [];
    for (const name of names)
      files.push({ name, hash: await referenceFileHash(name, await readFile(join(signed, name), "utf8")), algorithm: "SHA-256" });
    const jwt = await new SignJWT({ files }).setProtectedHeader({ alg: "ES256", kid: "release" }).sign(privateKey);
    await writeFile(join(signed, ".signatures.json"), JSON.stringify({ signatures: [jwt] }));
    const created = await ok("policy", "create", "--name", "signed", "--bundle", "./signed");
    expect(created).toMatch(/^Version ID: pv-/m);

    await writeFile(join(signed, "roles/data.json"), JSON.stringify({ by_user: { bob: ["payer"] }, grants: { payer: ["pay"] } }));
    const tampered = await caracal("policy", "create", "--name", "tampered", "--bundle", "./signed");
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain("roles/data.json: the file does not match its signed hash");
  });
});

/**
 * End to end: `caracal dev` (wrangler dev + local D1, on a free port with a
 * temporary persist dir) and the real CLI binary running the seed's "Full
 * workflow in sequence", then shadow activation and rollback, then a token
 * exchange checked with `audit tail --json` and `explain`.
 */
import { writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { idOf, useLocalStack } from "./local-stack.js";

const PAYMENTS = `package payments

default allow := false

allow if input.subject.claims.role == "payer"
`;
const PAYMENTS_V2 = `${PAYMENTS}
deny contains "blocked" if input.subject.claims.blocked
`;
const BROKEN = `package payments

allow if {
  x > 1
}
`;

const stack = useLocalStack("caracal-e2e-", async ({ workDir }) => {
  await writeFile(join(workDir, "payments.rego"), PAYMENTS);
  await writeFile(join(workDir, "payments-v2.rego"), PAYMENTS_V2);
  await writeFile(join(workDir, "broken.rego"), BROKEN);
});
const { caracal, ok } = stack;

describe("caracal CLI against the local stack", () => {
  it("runs the seed's full workflow, then shadow activation and rollback", async () => {
    const zone = idOf(await ok("zone", "create", "--name", "e2e"), "zn");
    stack.env.CARACAL_ZONE_ID = zone;
    expect(await ok("zone", "list")).toContain(zone);

    // 1. Create policy → ID: pol-…, version ID: pv-…
    const created = await ok("policy", "create", "--name", "payments-policy", "--file", "./payments.rego");
    expect(created).toMatch(/^ID: pol-[a-z0-9]{12}\nVersion ID: pv-[a-z0-9]{12}\n$/);
    const policy = idOf(created, "pol");
    const pv1 = /^Version ID: (pv-[a-z0-9]{12})$/m.exec(created)![1]!;
    expect(await ok("policy", "get", policy)).toContain(pv1);
    expect(await ok("policy", "list")).toContain(policy);
    // the same file again returns the existing version id
    expect(idOf(await ok("policy", "version", policy, "--file", "./payments.rego"), "pv")).toBe(pv1);

    // 2. Create policy set → ID: ps-…
    const set = idOf(await ok("policy-set", "create", "--name", "production"), "ps");
    expect(await ok("policy-set", "list")).toContain(set);

    // 3. Bundle into a policy-set version → ID: psv-…
    const psv1 = idOf(await ok("policy-set", "version", set, "--policy-versions", pv1), "psv");

    // 4. Activate
    await ok("policy-set", "activate", set, "--version", psv1);

    // 5. Verify
    const verified = JSON.parse(await ok("policy-set", "get", set, "--json"));
    expect(verified.activation).toMatchObject({ active_version_id: psv1, shadow_version_id: null });
    expect(verified.history).toHaveLength(1);

    // A second version, bundled after the first (first non-deny wins), activated as shadow.
    const pv2 = idOf(await ok("policy", "version", policy, "--file", "./payments-v2.rego"), "pv");
    expect(pv2).not.toBe(pv1);
    const psv2 = idOf(await ok("policy-set", "version", set, "--policy-versions", `${pv1},${pv2}`), "psv");
    await ok("policy-set", "activate", set, "--version", psv1, "--shadow", psv2);
    const shadowed = JSON.parse(await ok("policy-set", "get", set, "--json"));
    expect(shadowed.activation).toMatchObject({ active_version_id: psv1, shadow_version_id: psv2 });

    // Promote, then roll back by activating the earlier version.
    await ok("policy-set", "activate", set, "--version", psv2);
    await ok("policy-set", "activate", set, "--version", psv1);
    const rolledBack = JSON.parse(await ok("policy-set", "get", set, "--json"));
    expect(rolledBack.activation).toMatchObject({ active_version_id: psv1, shadow_version_id: null, seq: 4 });
    expect(rolledBack.versions.map((v: { id: string }) => v.id)).toEqual([psv1, psv2]);
    expect(rolledBack.history.map((h: any) => [h.from_version_id, h.to_version_id, h.shadow_version_id])).toEqual([
      [null, psv1, null],
      [psv1, psv1, psv2],
      [psv1, psv2, null],
      [psv2, psv1, null],
    ]);
    const human = await ok("policy-set", "get", set);
    expect(human).toContain(`Active version: ${psv1}`);
  });

  it("reports failures on stderr with exit 1 (Rego errors with file:line:col) and usage errors with exit 2", async () => {
    const broken = await caracal("policy", "create", "--name", "broken", "--file", "./broken.rego");
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("./broken.rego:4:3: rego_unsafe_var_error: var x is unsafe");
    // a parse error also shows its source line and a caret under the column, as opa does
    await writeFile(join(stack.workDir, "unparsable.rego"), "package payments\n\nallow if {\n\tx := [1,\n}\n");
    const unparsable = await caracal("policy", "create", "--name", "unparsable", "--file", "./unparsable.rego");
    expect(unparsable.code).toBe(1);
    expect(unparsable.stderr).toContain("./unparsable.rego:5:1: rego_parse_error: unexpected } token\n\t}\n\t^\n");

    const unknown = await caracal("policy", "get", "pol-doesnotexist");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/not found/);

    const usage = await caracal("policy-set", "activate", "ps-x");
    expect(usage.code).toBe(2);
    expect((await caracal("no-such-command")).code).toBe(2);

    const wrongToken = await caracal("--token", "wrong", "zone", "list");
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toContain("401");
  });

  it("prints decision-contract warnings on stderr and refusals with their location", async () => {
    await writeFile(
      join(stack.workDir, "near-miss.rego"),
      `${PAYMENTS}
denies contains "blocked" if input.subject.claims.blocked
`,
    );
    const warned = await caracal("policy", "create", "--name", "near-miss", "--file", "./near-miss.rego");
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stdout).toMatch(/^Version ID: pv-/m);
    expect(warned.stderr).toContain("warning: ./near-miss.rego:7: rule denies looks like deny, which the STS reads");
    await writeFile(
      join(stack.workDir, "bad-ttl.rego"),
      `${PAYMENTS}
ttl := "300"
`,
    );
    const refused = await caracal("policy", "create", "--name", "bad-ttl", "--file", "./bad-ttl.rego");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("./bad-ttl.rego:7:1: decision_contract: ttl must be a number of seconds, got a string");
  });
  it("exchanges a token, then shows the deciding policy version and rule in audit tail and explain", async () => {
    const zone = idOf(await ok("zone", "create", "--name", "e2e-sts"), "zn");
    stack.env.CARACAL_ZONE_ID = zone;
    const created = await ok("policy", "create", "--name", "payments-policy", "--file", "./payments-v2.rego");
    const pv = /^Version ID: (pv-[a-z0-9]{12})$/m.exec(created)![1]!;
    const set = idOf(await ok("policy-set", "create", "--name", "production"), "ps");
    const psv = idOf(await ok("policy-set", "version", set, "--policy-versions", pv), "psv");
    await ok("policy-set", "activate", set, "--version", psv);

    // an identity provider of our own: its public keys go to the zone, its private key signs subject tokens
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    await writeFile(
      join(stack.workDir, "jwks.json"),
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "idp-1", alg: "ES256" }] }),
    );
    await writeFile(join(stack.workDir, "attributes.json"), JSON.stringify({ team: "payments" }));
    const mint = (claims: Record<string, unknown>) =>
      new SignJWT({ iss: "https://idp.example", sub: "alice", ...claims })
        .setProtectedHeader({ alg: "ES256", kid: "idp-1" })
        .setExpirationTime("5m")
        .sign(privateKey);
    idOf(await ok("issuer", "add", "--issuer", "https://idp.example", "--jwks-file", "./jwks.json"), "iss");
    const client = await ok("client", "create", "--name", "checkout", "--attributes-file", "./attributes.json");
    const clientId = /^Client ID: (cl-[a-z0-9]{12})$/m.exec(client)![1]!;
    const secret = /^Client secret: (\S+)$/m.exec(client)![1]!;

    const exchange = (subject: string) =>
      caracal("token", "exchange", "--client-id", clientId, "--client-secret", secret, "--subject-token", subject);
    const allowed = await exchange(await mint({ role: "payer" }));
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(JSON.parse(allowed.stdout.slice(allowed.stdout.indexOf("{")))).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    const denied = await exchange(await mint({ role: "payer", blocked: true }));
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("access_denied");
    const deniedId = /^Request ID: (req-[a-z0-9]{16})$/m.exec(denied.stdout)![1]!;

    // one JSON object per line, each with determining_policies at top level (what `| jq '.determining_policies'` reads)
    const lines = (await ok("audit", "tail", "--limit", "5", "--json")).trim().split("\n");
    expect(lines).toHaveLength(2);
    const [allowEvent, denyEvent] = lines.map((l) => JSON.parse(l));
    expect(allowEvent.determining_policies).toEqual([
      expect.objectContaining({
        policy_version_id: pv,
        policy_name: "payments-policy",
        rule: "data.payments.allow",
        location: { file: "payments-policy.rego", row: 5, col: 1 },
      }),
    ]);
    expect(denyEvent).toMatchObject({ request_id: deniedId, decision: "deny" });
    expect(denyEvent.determining_policies[0]).toMatchObject({ rule: "data.payments.deny", location: { row: 7 } });

    const explained = await ok("explain", deniedId);
    expect(explained).toContain(`Decided by: payments-policy ${pv} data.payments.deny at payments-policy.rego:7`);
    expect(explained).toContain("Reasons: payments-policy: blocked");
    expect(JSON.parse(await ok("explain", deniedId, "--json")).policies[0]).toMatchObject({ outcome: "deny", reasons: ["blocked"] });

    // denied because no allow rule matched and there is no default: no rule body to point at, said plainly
    await writeFile(join(stack.workDir, "strict.rego"), 'package strict\n\nallow if input.subject.claims.role == "admin"\n');
    const strict = /^Version ID: (pv-[a-z0-9]{12})$/m.exec(
      await ok("policy", "create", "--name", "strict", "--file", "./strict.rego"),
    )![1]!;
    await ok("policy-set", "activate", set, "--version", idOf(await ok("policy-set", "version", set, "--policy-versions", strict), "psv"));
    const viewer = await exchange(await mint({ role: "viewer" }));
    expect(viewer.code).toBe(1);
    const viewerId = /^Request ID: (req-[a-z0-9]{16})$/m.exec(viewer.stdout)![1]!;
    const byDefault = await ok("explain", viewerId);
    expect(byDefault).toContain(
      `Decided by: strict ${strict} data.strict.allow (no rule body produced a value, so there is no location to show)`,
    );
    expect(byDefault).not.toContain("undefined");
  });
  it("takes a new user from nothing to a token exchange with CLI commands only (README: First token exchange)", async () => {
    const zone = idOf(await ok("zone", "create", "--name", "first-steps"), "zn");
    stack.env.CARACAL_ZONE_ID = zone;
    const created = await ok("policy", "create", "--name", "payments-policy", "--file", "./payments.rego");
    const pv = /^Version ID: (pv-[a-z0-9]{12})$/m.exec(created)![1]!;
    const set = idOf(await ok("policy-set", "create", "--name", "production"), "ps");
    await ok("policy-set", "activate", set, "--version", idOf(await ok("policy-set", "version", set, "--policy-versions", pv), "psv"));
    const client = await ok("client", "create", "--name", "checkout");
    const clientId = /^Client ID: (cl-[a-z0-9]{12})$/m.exec(client)![1]!;
    const secret = /^Client secret: (\S+)$/m.exec(client)![1]!;
    const added = await caracal("issuer", "add", "--issuer", "https://idp.local.test", "--generate-key", "./idp-key.json");
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toContain("caracal token mint --key ./idp-key.json");
    // The key file is the private key: never overwritten.
    expect((await caracal("issuer", "add", "--issuer", "https://idp2.local.test", "--generate-key", "./idp-key.json")).code).toBe(1);
    const mint = (role: string) =>
      ok("token", "mint", "--key", "./idp-key.json", "--issuer", "https://idp.local.test", "--sub", "alice", "--claim", `role=${role}`);
    const payer = (await mint("payer")).trim();
    const allowed = await caracal("token", "exchange", "--client-id", clientId, "--client-secret", secret, "--subject-token", payer);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('"access_token"');
    const viewer = (await mint("viewer")).trim();
    const denied = await caracal("token", "exchange", "--client-id", clientId, "--client-secret", secret, "--subject-token", viewer);
    expect(denied.code).toBe(1);
    expect(denied.stderr + denied.stdout).toContain("access_denied");
  });

  it("makes a private_key_jwt client with --jwks-file and exchanges with --client-key (tokens name CARACAL_ISSUER_URL)", async () => {
    const zone = idOf(await ok("zone", "create", "--name", "e2e-keys"), "zn");
    stack.env.CARACAL_ZONE_ID = zone;
    const pv = /^Version ID: (pv-[a-z0-9]{12})$/m.exec(
      await ok("policy", "create", "--name", "payments-policy", "--file", "./payments.rego"),
    )![1]!;
    const set = idOf(await ok("policy-set", "create", "--name", "production"), "ps");
    await ok("policy-set", "activate", set, "--version", idOf(await ok("policy-set", "version", set, "--policy-versions", pv), "psv"));
    const idp = await generateKeyPair("ES256");
    await writeFile(
      join(stack.workDir, "idp-jwks.json"),
      JSON.stringify({ keys: [{ ...(await exportJWK(idp.publicKey)), kid: "idp-2", alg: "ES256" }] }),
    );
    await ok("issuer", "add", "--issuer", "https://idp2.example", "--jwks-file", "./idp-jwks.json");
    const subject = await new SignJWT({ iss: "https://idp2.example", sub: "bob", role: "payer" })
      .setProtectedHeader({ alg: "ES256", kid: "idp-2" })
      .setExpirationTime("5m")
      .sign(idp.privateKey);

    const clientKey = await generateKeyPair("ES256", { extractable: true });
    const publicJwk = { ...(await exportJWK(clientKey.publicKey)), kid: "client-1", alg: "ES256" };
    await writeFile(join(stack.workDir, "client-public.json"), JSON.stringify({ keys: [publicJwk] }));
    await writeFile(
      join(stack.workDir, "client-private.json"),
      JSON.stringify({ ...(await exportJWK(clientKey.privateKey)), kid: "client-1", alg: "ES256" }),
    );
    const refused = await caracal("client", "create", "--name", "leaky", "--jwks-file", "./client-private.json");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("holds a private key");

    const created = await ok("client", "create", "--name", "signer", "--jwks-file", "./client-public.json");
    expect(created).toMatch(/^Client ID: cl-[a-z0-9]{12}\nAuthentication: private_key_jwt\n$/);
    const clientId = /^Client ID: (cl-[a-z0-9]{12})$/m.exec(created)![1]!;
    const exchanged = await caracal(
      "token",
      "exchange",
      "--client-id",
      clientId,
      "--client-key",
      "./client-private.json",
      "--subject-token",
      subject,
    );
    expect(exchanged.code, exchanged.stderr).toBe(0);
    const token = JSON.parse(exchanged.stdout.slice(exchanged.stdout.indexOf("{"))).access_token as string;
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    expect(claims).toMatchObject({ iss: `${stack.env.CARACAL_API_URL}/zones/${zone}`, client_id: clientId, sub: "bob" });

    const other = await generateKeyPair("ES256", { extractable: true });
    await writeFile(join(stack.workDir, "other-private.json"), JSON.stringify({ ...(await exportJWK(other.privateKey)), kid: "client-1" }));
    const wrongKey = await caracal(
      "token",
      "exchange",
      "--client-id",
      clientId,
      "--client-key",
      "./other-private.json",
      "--subject-token",
      subject,
    );
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain("invalid_client");

    // The same key published at a jwks_uri (a real HTTP server on loopback, which is allowed over http).
    const jwksServer = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    try {
      const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
      const byUri = await ok("client", "create", "--name", "signer-uri", "--jwks-uri", jwksUri);
      expect(byUri).toContain("Authentication: private_key_jwt");
      const uriClient = /^Client ID: (cl-[a-z0-9]{12})$/m.exec(byUri)![1]!;
      const viaUri = await caracal(
        "token",
        "exchange",
        "--client-id",
        uriClient,
        "--client-key",
        "./client-private.json",
        "--subject-token",
        subject,
      );
      expect(viaUri.code, viaUri.stderr).toBe(0);
      const viaUriWrongKey = await caracal(
        "token",
        "exchange",
        "--client-id",
        uriClient,
        "--client-key",
        "./other-private.json",
        "--subject-token",
        subject,
      );
      expect(viaUriWrongKey.code).toBe(1);
      expect(viaUriWrongKey.stderr).toContain("invalid_client");
    } finally {
      await new Promise((resolve) => jwksServer.close(resolve));
    }
  });
});

/**
 * End to end, change safety with the real CLI against `caracal dev` (wrangler
 * dev + local D1): traffic recorded under one version with a candidate in
 * shadow, `policy-set replay`, the `--require-replay` gate on activation, and
 * `policy-set shadow-report`.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { idOf, useLocalStack } from "./local-stack.js";

const PAYMENTS = `package payments

default allow := false

allow if input.subject.claims.role == "payer"
`;
// Lets viewers in (deny -> allow) and shuts blocked payers out (allow -> deny).
const PAYMENTS_V2 = `package payments

default allow := false

allow if input.subject.claims.role in {"payer", "viewer"}

deny contains "blocked" if input.subject.claims.blocked
`;

const stack = useLocalStack("caracal-replay-e2e-", async ({ workDir }) => {
  await writeFile(join(workDir, "payments.rego"), PAYMENTS);
  await writeFile(join(workDir, "payments-v2.rego"), PAYMENTS_V2);
});
const { caracal, ok } = stack;

describe("change safety with the CLI", () => {
  it("replays recorded traffic against a candidate, gates activation on it, and reports the shadow's disagreements", async () => {
    const zone = idOf(await ok("zone", "create", "--name", "e2e-replay"), "zn");
    stack.env.CARACAL_ZONE_ID = zone;
    const created = await ok("policy", "create", "--name", "payments-policy", "--file", "./payments.rego");
    const policy = idOf(created, "pol");
    const pv1 = /^Version ID: (pv-[a-z0-9]{12})$/m.exec(created)![1]!;
    const pv2 = idOf(await ok("policy", "version", policy, "--file", "./payments-v2.rego"), "pv");
    const set = idOf(await ok("policy-set", "create", "--name", "production"), "ps");
    const psv1 = idOf(await ok("policy-set", "version", set, "--policy-versions", pv1), "psv");
    const psv2 = idOf(await ok("policy-set", "version", set, "--policy-versions", pv2), "psv");
    await ok("policy-set", "activate", set, "--version", psv1, "--shadow", psv2);

    const { privateKey, publicKey } = await generateKeyPair("ES256");
    await writeFile(
      join(stack.workDir, "jwks.json"),
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "idp-1", alg: "ES256" }] }),
    );
    const mint = (claims: Record<string, unknown>) =>
      new SignJWT({ iss: "https://idp.example", sub: "alice", ...claims })
        .setProtectedHeader({ alg: "ES256", kid: "idp-1" })
        .setExpirationTime("5m")
        .sign(privateKey);
    await ok("issuer", "add", "--issuer", "https://idp.example", "--jwks-file", "./jwks.json");
    const client = await ok("client", "create", "--name", "checkout");
    const clientId = /^Client ID: (cl-[a-z0-9]{12})$/m.exec(client)![1]!;
    const secret = /^Client secret: (\S+)$/m.exec(client)![1]!;
    const exchange = async (claims: Record<string, unknown>) => {
      const res = await caracal(
        "token",
        "exchange",
        "--client-id",
        clientId,
        "--client-secret",
        secret,
        "--subject-token",
        await mint(claims),
      );
      return { code: res.code, id: /^Request ID: (req-[a-z0-9]{16})$/m.exec(res.stdout)?.[1] };
    };
    expect((await exchange({ role: "payer" })).code).toBe(0);
    const viewer = await exchange({ role: "viewer" });
    expect(viewer.code).toBe(1);
    const blocked = await exchange({ role: "payer", blocked: true });
    expect(blocked.code).toBe(0);

    const human = await ok("policy-set", "replay", set, "--version", psv2, "--since", "1h");
    expect(human).toContain("Replayed: 3\nUnchanged: 1\nAllow to deny: 1\nDeny to allow: 1\nErrors: 0\n");
    expect(human).toContain(`  ${viewer.id}  deny -> allow`);
    expect(human).toContain(`    after:  payments-policy (${pv2}) data.payments.allow at payments-policy.rego:5:1`);
    expect(human).toContain(`    before: payments-policy (${pv1}) data.payments.allow`);
    expect(human).toContain(`    after:  payments-policy (${pv2}) data.payments.deny at payments-policy.rego:7:1`);
    expect(human).toContain("      reasons: payments-policy: blocked");
    const json = JSON.parse(await ok("policy-set", "replay", set, "--version", psv2, "--decision", "allow", "--json"));
    expect(json).toMatchObject({ replayed: 2, unchanged: 1, allow_to_deny: 1, deny_to_allow: 0 });
    expect(json.flips.map((f: { request_id: string }) => f.request_id)).toEqual([blocked.id]);
    expect((await caracal("policy-set", "replay", set, "--version", psv2, "--since", "soon")).code).toBe(2);

    const refused = await caracal("policy-set", "activate", set, "--version", psv2, "--require-replay", "--max-flips", "1");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("flips 2");
    expect(JSON.parse(await ok("policy-set", "get", set, "--json")).activation).toMatchObject({ active_version_id: psv1, seq: 1 });
    expect((await caracal("policy-set", "activate", set, "--version", psv2, "--max-flips", "1")).code).toBe(2);

    const report = JSON.parse(await ok("policy-set", "shadow-report", set, "--since", "1h", "--json"));
    expect(report).toMatchObject({ evaluated: 3, agreed: 1, allow_to_deny: 1, deny_to_allow: 1, shadow_versions: [psv2] });
    expect(report.examples).toEqual({ allow_to_deny: [blocked.id], deny_to_allow: [viewer.id] });
    const shadowHuman = await ok("policy-set", "shadow-report", set);
    expect(shadowHuman).toContain("Agreement rate: 33.3%");
    expect(shadowHuman).toContain(clientId);

    await ok("policy-set", "activate", set, "--version", psv2, "--require-replay", "--max-flips", "2", "--since", "1h");
    expect(JSON.parse(await ok("policy-set", "get", set, "--json")).activation).toMatchObject({ active_version_id: psv2, seq: 2 });
  });
});

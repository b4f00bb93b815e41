/**
 * OPA-Wasm policy versions (docs/architecture.md §9), inside workerd with the real Worker Loader
 * binding: creation checks, exchanges decided by @open-policy-agent/opa-wasm in a Dynamic Worker,
 * audit and explain, sets mixing Rego and Wasm, and failing or slow children failing closed.
 *
 * No `opa` binary exists here, so the modules are hand-written stand-ins for `opa build -t wasm`
 * output: test/wasm/authz.wat (its header says what it does), assembled with wat2wasm by
 * test/wasm/build.ts. They speak OPA's Wasm ABI, so the SDK's real paths run: entrypoints,
 * opa_eval (ABI 1.2) and the older eval path (ABI 1.1), JSON in and out through the module's
 * memory, data set once per load, a built-in (units.parse) served by the engine through the
 * SDK's customBuiltins, and opa_abort.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index.js";
import { call, expectProblem, expectStatus, newPolicySet, newSetVersion, uniqueName } from "./helpers.js";
import { auditOf, exchangeParams, expectIssued, expectOAuthError, explain, payloadOf, stsFixture, tokenRequest } from "./sts-helpers.js";

function wasmOf(variant: string): string {
  const b64 = env.TEST_WASM_MODULES[variant];
  if (!b64) throw new Error(`no test module ${variant}`);
  return b64;
}

/** A policy (its first version a Rego deny-all) and a Wasm version added to it. */
async function wasmPolicy(zone: string, body: Record<string, unknown>) {
  const policy = expectStatus(
    await call("POST", `/v1/zones/${zone}/policies`, {
      name: uniqueName("wasm"),
      source: "package placeholder\n\ndefault allow := false\n",
    }),
    201,
  );
  const res = await call("POST", `/v1/zones/${zone}/policies/${policy.id}/versions/wasm`, body);
  return { policyId: policy.id as string, res };
}

async function wasmVersion(zone: string, variant: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const { policyId, res } = await wasmPolicy(zone, { wasm: wasmOf(variant), data, ...extra });
  const version = expectStatus(res, 201);
  return { policyId, versionId: version.id as string, version };
}

async function activateVersions(zone: string, versionIds: string[]) {
  const set = await newPolicySet(zone);
  const psv = await newSetVersion(zone, set, versionIds);
  expectStatus(await call("POST", `/v1/zones/${zone}/policy-sets/${set}/activate`, { version: psv }), 200);
  return psv;
}

async function wasmZone(variant = "authz") {
  const fx = await stsFixture([]);
  const wasm = await wasmVersion(fx.zone, variant, { allowed_client: fx.client.id });
  await activateVersions(fx.zone, [wasm.versionId]);
  return { ...fx, wasm };
}

const MANIFEST = {
  revision: "r1",
  roots: ["authz"],
  wasm: [
    { entrypoint: "authz/allow", module: "/policy.wasm" },
    { entrypoint: "authz/deny", module: "/policy.wasm" },
    { entrypoint: "authz/ttl", module: "/policy.wasm" },
  ],
};

describe("creating Wasm versions", () => {
  it("accepts an OPA ABI 1.x module, reports its engine and package, and is content-addressed", async () => {
    const fx = await stsFixture([]);
    const { policyId, res } = await wasmPolicy(fx.zone, { wasm: wasmOf("authz"), data: { allowed_client: "x" }, manifest: MANIFEST });
    const created = expectStatus(res, 201);
    expect(created).toMatchObject({
      policy_id: policyId,
      engine: "wasm",
      package: "authz",
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const again = await call("POST", `/v1/zones/${fx.zone}/policies/${policyId}/versions/wasm`, {
      wasm: wasmOf("authz"),
      data: { allowed_client: "x" },
      manifest: MANIFEST,
    });
    expect(expectStatus(again, 200).id).toBe(created.id);
    const otherData = await call("POST", `/v1/zones/${fx.zone}/policies/${policyId}/versions/wasm`, {
      wasm: wasmOf("authz"),
      data: { allowed_client: "y" },
      manifest: MANIFEST,
    });
    expect(expectStatus(otherData, 201).id).not.toBe(created.id);
    const detail = expectStatus(await call("GET", `/v1/zones/${fx.zone}/policies/${policyId}`), 200);
    expect(detail.versions.map((v: { engine: string }) => v.engine)).toEqual(["rego", "wasm", "wasm"]);
  });

  it("is refused in a zone that requires signed bundles, as the same module in an archive is", async () => {
    const fx = await stsFixture([]);
    const policy = expectStatus(
      await call("POST", `/v1/zones/${fx.zone}/policies`, { name: uniqueName("wasm"), source: "package p\n\ndefault allow := false\n" }),
      201,
    );
    expectStatus(await call("PUT", `/v1/zones/${fx.zone}/bundle-signing`, { required: true }), 200);
    const res = await call("POST", `/v1/zones/${fx.zone}/policies/${policy.id}/versions/wasm`, {
      wasm: wasmOf("authz"),
      data: {},
      manifest: MANIFEST,
    });
    expect(expectProblem(res, 422).detail).toMatch(/requires signed bundles/);
  });

  it("accepts a built-in the SDK serves itself", async () => {
    const fx = await stsFixture([]);
    await wasmVersion(fx.zone, "needs-sprintf", {});
  });

  it("refuses a module importing a built-in neither the SDK nor the engine serves", async () => {
    const fx = await stsFixture([]);
    const { res } = await wasmPolicy(fx.zone, { wasm: wasmOf("needs-http-send"), data: {} });
    const problem = expectProblem(res, 422);
    expect(problem.errors).toEqual([
      expect.objectContaining({ code: "unserved_builtin", message: expect.stringContaining("http.send"), pointer: "/policy.wasm" }),
    ]);
  });

  it("refuses a built-in the engine serves only asynchronously", async () => {
    const fx = await stsFixture([]);
    const problem = expectProblem((await wasmPolicy(fx.zone, { wasm: wasmOf("needs-jwt-verify"), data: {} })).res, 422);
    expect(problem.errors[0]).toMatchObject({
      code: "unserved_builtin",
      message: expect.stringMatching(/io\.jwt\.verify_es256.*asynchronous/),
    });
  });

  it("refuses a module without the decision package's allow entrypoint", async () => {
    const fx = await stsFixture([]);
    const problem = expectProblem((await wasmPolicy(fx.zone, { wasm: wasmOf("no-allow"), data: {} })).res, 422);
    expect(problem.errors).toEqual([
      expect.objectContaining({ code: "missing_entrypoint", message: expect.stringContaining("authz/allow") }),
    ]);
  });

  it("refuses a manifest entrypoint the module does not define", async () => {
    const fx = await stsFixture([]);
    const manifest = { ...MANIFEST, wasm: [...MANIFEST.wasm, { entrypoint: "authz/claims", module: "/policy.wasm" }] };
    const problem = expectProblem((await wasmPolicy(fx.zone, { wasm: wasmOf("authz"), data: {}, manifest })).res, 422);
    expect(problem.errors).toEqual([
      expect.objectContaining({ code: "missing_entrypoint", message: expect.stringContaining("authz/claims") }),
    ]);
  });

  it("refuses modules that are not OPA Wasm ABI 1.x, reading the binary itself", async () => {
    const fx = await stsFixture([]);
    const abi2 = expectProblem((await wasmPolicy(fx.zone, { wasm: wasmOf("abi-2"), data: {} })).res, 422);
    expect(abi2.errors).toEqual([expect.objectContaining({ code: "wasm_abi", message: expect.stringContaining("ABI 2.x") })]);
    const garbage = expectProblem((await wasmPolicy(fx.zone, { wasm: btoa("not wasm at all"), data: {} })).res, 422);
    expect(garbage.errors[0]).toMatchObject({ code: "wasm_abi", message: expect.stringContaining("not a WebAssembly binary") });
    // A valid Wasm module that is no OPA policy: the smallest module, exporting nothing.
    const empty = expectProblem((await wasmPolicy(fx.zone, { wasm: btoa("\0asm\x01\0\0\0"), data: {} })).res, 422);
    expect(empty.errors.map((e: { message: string }) => e.message)).toEqual(
      expect.arrayContaining([
        "policy.wasm does not import its memory as env.memory",
        "policy.wasm does not export function opa_eval_ctx_new",
      ]),
    );
  });

  it("refuses Wasm versions where the Worker Loader binding is missing, and says so", async () => {
    const fx = await stsFixture([]);
    const policy = expectStatus(
      await call("POST", `/v1/zones/${fx.zone}/policies`, { name: uniqueName("p"), source: "package p\n\nallow := true\n" }),
      201,
    );
    const request = new Request(`http://caracal.test/v1/zones/${fx.zone}/policies/${policy.id}/versions/wasm`, {
      method: "POST",
      headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
      body: JSON.stringify({ wasm: wasmOf("authz"), data: {} }),
    });
    const ctx = createExecutionContext();
    const res = await worker.fetch(request, { ...env, LOADER: undefined }, ctx);
    await waitOnExecutionContext(ctx);
    const body = (await res.json()) as { status: number; type: string; detail: string };
    expect(res.status).toBe(422);
    expect(body.type).toBe("urn:caracal:problem:wasm-unsupported");
    expect(body.detail).toContain("Worker Loader binding");
  });
});

describe("exchanges decided by a Wasm version", () => {
  it("is decided by the SDK in a Dynamic Worker, with data, a customBuiltins built-in, audit and explain", async () => {
    const fx = await wasmZone();
    const res = await tokenRequest(fx.zone, fx.client, exchangeParams(await fx.idp.mint()));
    const body = expectIssued(res);
    const claims = payloadOf(body.access_token);
    // ttl := units.parse("300"), served by the engine's built-in through customBuiltins.
    expect(claims.exp - claims.iat).toBe(300);
    const requestId = res.headers.get("x-request-id") as string;
    const [event] = await auditOf(fx.zone, requestId);
    expect(event).toMatchObject({
      decision: "allow",
      evaluation_status: "enforced",
      determining_policies: [{ policy_version_id: fx.wasm.versionId, rule: "data.authz.allow", location: null }],
    });
    const explained = await explain(fx.zone, requestId);
    expect(explained.policies).toEqual([
      expect.objectContaining({
        policy_version_id: fx.wasm.versionId,
        outcome: "allow",
        determining: true,
        engine: "wasm",
        rules: [],
        entrypoints: [
          { entrypoint: "authz/allow", value: true },
          { entrypoint: "authz/deny", value: [] },
          { entrypoint: "authz/ttl", value: 300 },
        ],
        note: expect.stringContaining("rule locations are not available for compiled Wasm"),
      }),
    ]);
  });

  it("denies with the module's own reasons, and when allow is false", async () => {
    const fx = await wasmZone();
    const blocked = await tokenRequest(fx.zone, fx.client, exchangeParams(await fx.idp.mint({ sub: "blocked-subject" })));
    expectOAuthError(blocked, 403, "access_denied");
    const [event] = await auditOf(fx.zone, blocked.headers.get("x-request-id") as string);
    expect(event.reasons).toEqual([expect.stringContaining("subject is blocked by the wasm policy")]);
    // The data names another client: allow is false.
    const other = await stsFixture([]);
    const wasm = await wasmVersion(other.zone, "authz", { allowed_client: "cl-somebody-else" });
    await activateVersions(other.zone, [wasm.versionId]);
    const refused = await tokenRequest(other.zone, other.client, exchangeParams(await other.idp.mint()));
    expectOAuthError(refused, 403, "access_denied");
    const explained = await explain(other.zone, refused.headers.get("x-request-id") as string);
    // One call evaluates every decision entrypoint, so explain shows ttl too.
    expect(explained.policies[0]).toMatchObject({
      outcome: "deny",
      reasons: ["allow is not true"],
      entrypoints: [
        { entrypoint: "authz/allow", value: false },
        { entrypoint: "authz/deny", value: [] },
        { entrypoint: "authz/ttl", value: 300 },
      ],
    });
  });

  it("runs an ABI 1.1 module through the SDK's older evaluation path", async () => {
    const fx = await wasmZone("authz-abi-1-1");
    const claims = payloadOf(expectIssued(await tokenRequest(fx.zone, fx.client, exchangeParams(await fx.idp.mint()))).access_token);
    expect(claims.exp - claims.iat).toBe(300);
  });

  it("mixes with Rego versions in a set: the first policy that does not deny wins", async () => {
    const fx = await stsFixture([]);
    const lockdown = expectStatus(
      await call("POST", `/v1/zones/${fx.zone}/policies`, {
        name: uniqueName("lock"),
        source: 'package lockdown\n\nallow := true\n\ndeny contains "lockdown in effect"\n',
      }),
      201,
    );
    const rego = expectStatus(
      await call("POST", `/v1/zones/${fx.zone}/policies`, {
        name: uniqueName("open"),
        source: "package open\n\nallow := true\n\nttl := 60\n",
      }),
      201,
    );
    const allowing = await wasmVersion(fx.zone, "authz", { allowed_client: fx.client.id });
    const denying = await wasmVersion(fx.zone, "authz", { allowed_client: "cl-nobody" });

    // Rego denies, Wasm allows: the Wasm version determines the allow.
    await activateVersions(fx.zone, [lockdown.versions[0].id, allowing.versionId]);
    const first = await tokenRequest(fx.zone, fx.client, exchangeParams(await fx.idp.mint()));
    const claims = payloadOf(expectIssued(first).access_token);
    expect(claims.exp - claims.iat).toBe(300);
    const explained = await explain(fx.zone, first.headers.get("x-request-id") as string);
    expect(explained.policies.map((p: { outcome: string; determining: boolean }) => [p.outcome, p.determining])).toEqual([
      ["deny", false],
      ["allow", true],
    ]);

    // Wasm denies, Rego allows: the Rego version wins with its own ttl.
    await activateVersions(fx.zone, [denying.versionId, rego.versions[0].id]);
    const second = await tokenRequest(fx.zone, fx.client, exchangeParams(await fx.idp.mint()));
    const claims2 = payloadOf(expectIssued(second).access_token);
    expect(claims2.exp - claims2.iat).toBe(60);
    const [event] = await auditOf(fx.zone, second.headers.get("x-request-id") as string);
    expect(event.determining_policies).toEqual([
      expect.objectContaining({ policy_version_id: rego.versions[0].id, rule: "data.open.allow" }),
    ]);

    // Both deny: the reasons of both are kept.
    await activateVersions(fx.zone, [denying.versionId, lockdown.versions[0].id]);
    const third = await tokenRequest(fx.zone, fx.client, exchangeParams(await fx.idp.mint()));
    expectOAuthError(third, 403, "access_denied");
    const [denied] = await auditOf(fx.zone, third.headers.get("x-request-id") as string);
    expect(denied.reasons).toEqual([expect.stringContaining("allow is not true"), expect.stringContaining("lockdown in effect")]);
  });
});

describe("Wasm versions in a shadow set", () => {
  it("are evaluated on the same input without changing the response, and explained", async () => {
    const fx = await stsFixture([]);
    const rego = expectStatus(
      await call("POST", `/v1/zones/${fx.zone}/policies`, { name: uniqueName("open"), source: "package open\n\nallow := true\n" }),
      201,
    );
    const wasm = await wasmVersion(fx.zone, "authz", { allowed_client: "cl-nobody" });
    const set = await newPolicySet(fx.zone);
    const active = await newSetVersion(fx.zone, set, [rego.versions[0].id]);
    const shadow = await newSetVersion(fx.zone, set, [wasm.versionId]);
    expectStatus(await call("POST", `/v1/zones/${fx.zone}/policy-sets/${set}/activate`, { version: active, shadow }), 200);
    const res = await tokenRequest(fx.zone, fx.client, exchangeParams(await fx.idp.mint()));
    expectIssued(res);
    const explained = await explain(fx.zone, res.headers.get("x-request-id") as string);
    expect(explained.decision).toBe("allow");
    expect(explained.shadow).toMatchObject({ decision: "deny", agrees: false, evaluation_status: "shadow" });
    expect(explained.shadow.policies[0]).toMatchObject({ engine: "wasm", outcome: "deny", reasons: ["allow is not true"] });
  });
});

describe("Wasm evaluations that fail close the exchange", () => {
  it("fails closed on opa_abort and on a conflict, audited with the child's error", async () => {
    const fx = await wasmZone();
    const aborted = await tokenRequest(fx.zone, fx.client, exchangeParams(await fx.idp.mint({ sub: "wasm-abort" })));
    expectOAuthError(aborted, 503, "temporarily_unavailable");
    const [event] = await auditOf(fx.zone, aborted.headers.get("x-request-id") as string);
    expect(event).toMatchObject({ decision: "deny", evaluation_status: "error", error: { code: "wasm_abort" } });
    expect(event.error.message).toContain("authz/allow");

    const conflicted = await tokenRequest(fx.zone, fx.client, exchangeParams(await fx.idp.mint({ sub: "wasm-conflict" })));
    expectOAuthError(conflicted, 503, "temporarily_unavailable");
    const [conflict] = await auditOf(fx.zone, conflicted.headers.get("x-request-id") as string);
    expect(conflict.error).toMatchObject({ code: "eval_conflict_error" });

    // The same child answers the next exchange normally.
    expectIssued(await tokenRequest(fx.zone, fx.client, exchangeParams(await fx.idp.mint())));
  });

  it("fails closed when the child does not answer in time, without affecting another zone", async () => {
    const slow = await wasmZone();
    const other = await wasmZone();
    const res = await tokenRequest(slow.zone, slow.client, exchangeParams(await slow.idp.mint({ sub: "wasm-hang" })));
    expectOAuthError(res, 503, "temporarily_unavailable");
    const [event] = await auditOf(slow.zone, res.headers.get("x-request-id") as string);
    expect(event).toMatchObject({ evaluation_status: "error", error: { code: "wasm_timeout" } });
    expectIssued(await tokenRequest(other.zone, other.client, exchangeParams(await other.idp.mint())));
    expectIssued(await tokenRequest(slow.zone, slow.client, exchangeParams(await slow.idp.mint())));
  });

  it("fails closed when the child cannot load its module", async () => {
    // A version whose module the SDK refuses (ABI 2), stored directly: creation would have refused it.
    const fx = await stsFixture([]);
    const good = await wasmVersion(fx.zone, "authz", { allowed_client: fx.client.id });
    const broken = `pv-${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const sha = "f".repeat(48) + crypto.randomUUID().replaceAll("-", "").slice(0, 16);
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO policy_versions (id, policy_id, zone_id, source, source_sha256, rego_version, package, plan, engine, created_at) VALUES (?, ?, ?, '', ?, 1, 'authz', '', 'wasm', ?)",
      ).bind(broken, good.policyId, fx.zone, sha, new Date().toISOString()),
      env.DB.prepare(
        "INSERT INTO policy_wasm_modules (version_id, zone_id, sha256, wasm, data, manifest, entrypoints, builtins) VALUES (?, ?, ?, ?, '{}', '{}', '[]', '[]')",
      ).bind(broken, fx.zone, sha, wasmOf("abi-2")),
    ]);
    await activateVersions(fx.zone, [broken, good.versionId]);
    const res = await tokenRequest(fx.zone, fx.client, exchangeParams(await fx.idp.mint()));
    expectOAuthError(res, 503, "temporarily_unavailable");
    const [event] = await auditOf(fx.zone, res.headers.get("x-request-id") as string);
    expect(event).toMatchObject({
      evaluation_status: "error",
      error: { code: "wasm_load_error", message: expect.stringContaining("ABI version 2") },
    });
    // The good version's own child is unaffected.
    await activateVersions(fx.zone, [good.versionId]);
    expectIssued(await tokenRequest(fx.zone, fx.client, exchangeParams(await fx.idp.mint())));
  });
});

import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus } from "./helpers.js";

describe("admin auth", () => {
  it("rejects a missing token with 401 and a Bearer challenge", async () => {
    const res = await call("GET", "/v1/zones", undefined, { token: null });
    expectProblem(res, 401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("rejects a wrong token with 401", async () => {
    const res = await call("GET", "/v1/zones", undefined, { token: "test-admin-tokeN" });
    expectProblem(res, 401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expectProblem(await call("GET", "/v1/zones", undefined, { token: "" }), 401);
    expectProblem(await call("POST", "/v1/zones", { name: "x" }, { token: "x".repeat(500) }), 401);
  });

  it("checks the token before validating the body", async () => {
    expectProblem(await call("POST", "/v1/zones", undefined, { token: null, raw: "{" }), 401);
  });
});

describe("request ids", () => {
  it("generates a req- id for every response, errors included", async () => {
    for (const res of [await call("GET", "/v1/zones"), await call("GET", "/v1/zones", undefined, { token: null })]) {
      expect(res.headers.get("x-request-id")).toMatch(/^req-[a-z0-9]{16}$/);
    }
    const problem = expectProblem(await call("GET", "/v1/zones/zn-nope"), 404);
    expect(problem.request_id).toMatch(/^req-/);
  });

  it("echoes a client-given X-Request-Id", async () => {
    const res = await call("GET", "/v1/zones", undefined, { headers: { "x-request-id": "trace-42" } });
    expect(res.headers.get("x-request-id")).toBe("trace-42");
  });
});

describe("routing", () => {
  it("answers unknown routes with a 404 problem", async () => {
    expectProblem(await call("GET", "/v1/nothing-here"), 404);
    expectProblem(await call("GET", "/"), 404);
  });
});

describe("OpenAPI document", () => {
  it("is served at /v1/openapi.json without auth and describes every route", async () => {
    const doc = expectStatus(await call("GET", "/v1/openapi.json", undefined, { token: null }), 200);
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        "/zones",
        "/zones/{zone}",
        "/zones/{zone}/policies",
        "/zones/{zone}/policies/{policy}",
        "/zones/{zone}/policies/{policy}/versions",
        "/zones/{zone}/policies/{policy}/versions/{version}",
        "/zones/{zone}/policies/{policy}/versions/wasm",
        "/zones/{zone}/policy-sets",
        "/zones/{zone}/policy-sets/{set}",
        "/zones/{zone}/policy-sets/{set}/activate",
        "/zones/{zone}/policy-sets/{set}/versions",
        "/zones/{zone}/policy-sets/{set}/versions/{version}",
        "/zones/{zone}/policy-versions/{version}/bundle",
        "/zones/{zone}/bundle-signing",
        "/zones/{zone}/bundle-signing/keys",
        "/zones/{zone}/bundle-signing/keys/{key}",
        "/zones/{zone}/signing-keys",
        "/zones/{zone}/signing-keys/rotate",
        "/zones/{zone}/clients",
        "/zones/{zone}/clients/{client}",
        "/zones/{zone}/clients/{client}/disable",
        "/zones/{zone}/clients/{client}/rotate-secret",
        "/zones/{zone}/issuers",
        "/zones/{zone}/issuers/{issuer}",
        "/zones/{zone}/audit",
        "/zones/{zone}/explain/{request_id}",
        "/zones/{zone}/policy-sets/{set}/replay",
        "/zones/{zone}/policy-sets/{set}/shadow-report",
      ].sort(),
    );
    expect(doc.components.securitySchemes.adminToken).toMatchObject({ type: "http", scheme: "bearer" });
    // generated from the validating schemas: the strict request body and its constraints show up
    const createPolicy = doc.paths["/zones/{zone}/policies"].post;
    expect(createPolicy.responses["422"]).toBeDefined();
    expect(doc.components.schemas.CreatePolicyRequest.required).toEqual(["name"]);
    // a version's content comes in one of three forms (source, files, bundle)
    expect(Object.keys(doc.components.schemas.CreatePolicyRequest.properties)).toEqual(
      expect.arrayContaining(["name", "source", "files", "bundle", "package", "rego_version"]),
    );
    expect(doc.components.schemas.CreatePolicyRequest.additionalProperties).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, newZone, uniqueName } from "./helpers.js";

describe("zones", () => {
  it("creates, gets and lists zones", async () => {
    const name = uniqueName("zone");
    const created = expectStatus(await call("POST", "/v1/zones", { name }), 201);
    expect(created).toEqual({
      id: expect.stringMatching(/^zn-[a-z0-9]{12}$/),
      name,
      default_token_lifetime: 900,
      max_token_lifetime: 3600,
      created_at: expect.any(String),
    });

    const got = expectStatus(await call("GET", `/v1/zones/${created.id}`), 200);
    expect(got).toEqual({ ...created, activation: null });

    const listed = expectStatus(await call("GET", "/v1/zones?limit=100"), 200);
    expect(listed.items).toContainEqual(created);
  });

  it("pages through zones with a cursor", async () => {
    const ids = [await newZone(), await newZone(), await newZone()];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `limit=2&cursor=${cursor}` : "limit=2";
      const page = expectStatus(await call("GET", `/v1/zones?${query}`), 200);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((z: { id: string }) => z.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
  });

  it("rejects a duplicate name with 409", async () => {
    const name = uniqueName("zone");
    expectStatus(await call("POST", "/v1/zones", { name }), 201);
    expectProblem(await call("POST", "/v1/zones", { name }), 409);
  });

  it("rejects malformed JSON, missing, unknown and invalid fields with 400", async () => {
    expectProblem(await call("POST", "/v1/zones", undefined, { raw: "{not json" }), 400);
    const missing = expectProblem(await call("POST", "/v1/zones", {}), 400);
    expect(missing.errors).toContainEqual(expect.objectContaining({ pointer: "/name" }));
    const unknown = expectProblem(await call("POST", "/v1/zones", { name: uniqueName("zone"), color: "red" }), 400);
    expect(unknown.detail).toContain("color");
    expectProblem(await call("POST", "/v1/zones", { name: "has spaces!" }), 400);
    expectProblem(await call("POST", "/v1/zones", [1, 2]), 400);
  });

  it("rejects bodies that are not JSON with 415", async () => {
    expectProblem(await call("POST", "/v1/zones", undefined, { raw: "name=x", headers: { "content-type": "text/plain" } }), 415);
  });

  it("rejects invalid pagination parameters with 400", async () => {
    expectProblem(await call("GET", "/v1/zones?limit=0"), 400);
    expectProblem(await call("GET", "/v1/zones?limit=abc"), 400);
    expectProblem(await call("GET", "/v1/zones?cursor=garbage"), 400);
    expectProblem(await call("GET", "/v1/zones?sort=name"), 400);
  });

  it("answers 404 for an unknown zone", async () => {
    expectProblem(await call("GET", "/v1/zones/zn-doesnotexist"), 404);
    expectProblem(await call("GET", "/v1/zones/zn-doesnotexist/policies"), 404);
    expectProblem(await call("GET", "/v1/zones/zn-doesnotexist/policy-sets"), 404);
  });
});

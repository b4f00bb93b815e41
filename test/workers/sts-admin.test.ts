/** Admin routes of the STS: clients, trusted issuers, signing keys and JWKS, metadata, audit listing. */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, ALLOW_POLICY, call, expectProblem, expectStatus, newZone } from "./helpers.js";
import { ensureSigningKey, rotateSigningKey, signingKey, SigningUnavailableError } from "../../workers/sts/keys.js";
import {
  exchangeParams,
  expectIssued,
  expectOAuthError,
  newClient,
  newIssuer,
  ORIGIN,
  stsFixture,
  tokenRequest,
  trustIssuer,
} from "./sts-helpers.js";

describe("clients", () => {
  it("shows the secret once, stores only its hash, and lists, gets, disables and rotates", async () => {
    const zone = await newZone();
    const created = expectStatus(
      await call("POST", `/v1/zones/${zone}/clients`, { name: "checkout", attributes: { team: "payments", tier: 2 } }),
      201,
    );
    expect(created).toEqual({
      id: expect.stringMatching(/^cl-[a-z0-9]{12}$/),
      zone_id: zone,
      name: "checkout",
      attributes: { team: "payments", tier: 2 },
      status: "active",
      auth_method: "client_secret",
      jwks: null,
      jwks_uri: null,
      secret_rotated_at: expect.any(String),
      disabled_at: null,
      created_at: expect.any(String),
      client_secret: expect.stringMatching(/^cs_[A-Za-z0-9_-]{43}$/),
    });
    const { client_secret: secret, ...client } = created;
    const stored = await env.DB.prepare("SELECT secret_sha256 FROM clients WHERE id = ?")
      .bind(client.id)
      .first<{ secret_sha256: string }>();
    const digest = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret))), (b) =>
      b.toString(16).padStart(2, "0"),
    ).join("");
    expect(stored?.secret_sha256).toBe(digest);

    expect(expectStatus(await call("GET", `/v1/zones/${zone}/clients/${client.id}`), 200)).toEqual(client);
    expect(expectStatus(await call("GET", `/v1/zones/${zone}/clients`), 200).items).toEqual([client]);
    expectProblem(await call("POST", `/v1/zones/${zone}/clients`, { name: "checkout" }), 409);

    const disabled = expectStatus(await call("POST", `/v1/zones/${zone}/clients/${client.id}/disable`), 200);
    expect(disabled).toMatchObject({ status: "disabled", disabled_at: expect.any(String) });
    // idempotent: the first disabled_at stays
    expect(expectStatus(await call("POST", `/v1/zones/${zone}/clients/${client.id}/disable`), 200).disabled_at).toBe(disabled.disabled_at);

    const rotated = expectStatus(await call("POST", `/v1/zones/${zone}/clients/${client.id}/rotate-secret`), 200);
    expect(rotated.client_secret).not.toBe(secret);
  });

  it("hides clients of other zones behind 404 and validates attributes", async () => {
    const zone = await newZone();
    const other = await newZone();
    const { id } = await newClient(other);
    expectProblem(await call("GET", `/v1/zones/${zone}/clients/${id}`), 404);
    expectProblem(await call("POST", `/v1/zones/${zone}/clients/${id}/disable`), 404);
    expectProblem(await call("POST", `/v1/zones/${zone}/clients/${id}/rotate-secret`), 404);
    expectProblem(await call("POST", `/v1/zones/zn-doesnotexist/clients`, { name: "x" }), 404);
    expectProblem(await call("POST", `/v1/zones/${zone}/clients`, { name: "x", attributes: [1] }), 400);
    expectProblem(await call("POST", `/v1/zones/${zone}/clients`, { name: "x", attributes: { blob: "x".repeat(20_000) } }), 400);
  });
});

describe("trusted issuers", () => {
  it("adds, lists, gets and removes issuers; a removed issuer's tokens are refused", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const idp = await newIssuer();
    const id = await trustIssuer(f.zone, idp, { audience: "caracal" });
    const got = expectStatus(await call("GET", `/v1/zones/${f.zone}/issuers/${id}`), 200);
    expect(got).toEqual({
      id,
      zone_id: f.zone,
      issuer: idp.issuer,
      jwks: { keys: [idp.publicJwk] },
      jwks_uri: null,
      audience: "caracal",
      created_at: expect.any(String),
    });
    expect(expectStatus(await call("GET", `/v1/zones/${f.zone}/issuers`), 200).items.map((i: any) => i.id)).toContain(id);
    expectProblem(await call("POST", `/v1/zones/${f.zone}/issuers`, { issuer: idp.issuer, jwks: { keys: [idp.publicJwk] } }), 409);

    const token = await idp.mint({ role: "payer", aud: "caracal" });
    expectIssued(await tokenRequest(f.zone, f.client, exchangeParams(token)));
    expect((await call("DELETE", `/v1/zones/${f.zone}/issuers/${id}`)).status).toBe(204);
    expectProblem(await call("DELETE", `/v1/zones/${f.zone}/issuers/${id}`), 404);
    expectOAuthError(await tokenRequest(f.zone, f.client, exchangeParams(token)), 400, "invalid_request");
  });

  it("refuses symmetric or private keys, keys without kid, and ambiguous key sources", async () => {
    const zone = await newZone();
    const idp = await newIssuer();
    const add = (body: Record<string, unknown>) => call("POST", `/v1/zones/${zone}/issuers`, { issuer: idp.issuer, ...body });
    expectProblem(await add({ jwks: { keys: [{ kty: "oct", k: "c2VjcmV0", kid: "hmac" }] } }), 422);
    const { kid: _kid, ...withoutKid } = idp.publicJwk;
    expectProblem(await add({ jwks: { keys: [withoutKid] } }), 422);
    expectProblem(await add({ jwks: { keys: [{ ...idp.publicJwk, d: "private" }] } }), 422);
    expectProblem(await add({ jwks: { keys: [{ ...idp.publicJwk, alg: "HS256" }] } }), 422);
    expectProblem(await add({ jwks: { keys: [] } }), 422);
    expectProblem(await add({ jwks: { keys: [idp.publicJwk] }, jwks_uri: "https://idp.example/jwks" }), 400);
    expectProblem(await add({}), 400);
    expectProblem(await call("POST", `/v1/zones/${zone}/issuers`, { issuer: "not a url", jwks: { keys: [idp.publicJwk] } }), 400);
  });
});

describe("signing keys, JWKS and metadata", () => {
  it("makes the zone's key on first use, encrypted at rest, and publishes only public keys", async () => {
    const zone = await newZone();
    expect(expectStatus(await call("GET", `/v1/zones/${zone}/signing-keys`), 200).items).toEqual([]);
    const res = await exports.default.fetch(new Request(`${ORIGIN}/zones/${zone}/.well-known/jwks.json`));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    const jwks = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toEqual([
      { kty: "EC", crv: "P-256", x: expect.any(String), y: expect.any(String), kid: expect.any(String), alg: "ES256", use: "sig" },
    ]);

    const row = await env.DB.prepare("SELECT private_key_ciphertext FROM zone_signing_keys WHERE zone_id = ?")
      .bind(zone)
      .first<{ private_key_ciphertext: string }>();
    expect(row?.private_key_ciphertext).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    // the same key again on the next request
    const again = (await (await exports.default.fetch(new Request(`${ORIGIN}/zones/${zone}/.well-known/jwks.json`))).json()) as typeof jwks;
    expect(again.keys).toEqual(jwks.keys);
  });

  it("needs the key-encryption key to make or use a private key, and only the right one decrypts", async () => {
    const zone = await newZone();
    await expect(ensureSigningKey({ ...env, CARACAL_KEY_ENCRYPTION_KEY: undefined }, zone)).rejects.toBeInstanceOf(SigningUnavailableError);
    await expect(ensureSigningKey({ ...env, CARACAL_KEY_ENCRYPTION_KEY: btoa("too short") }, zone)).rejects.toBeInstanceOf(
      SigningUnavailableError,
    );
    const kid = await ensureSigningKey(env, zone);
    const otherKek = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    await expect(signingKey({ ...env, CARACAL_KEY_ENCRYPTION_KEY: otherKek }, zone, kid)).rejects.toBeInstanceOf(SigningUnavailableError);
    expect((await signingKey(env, zone, kid)).type).toBe("private");

    // zone and kid are the ciphertext's associated data: a ciphertext moved to another row does not open
    const rotated = expectStatus(await call("POST", `/v1/zones/${zone}/signing-keys/rotate`), 201).current.kid;
    await env.DB.prepare(
      "UPDATE zone_signing_keys SET private_key_ciphertext = (SELECT private_key_ciphertext FROM zone_signing_keys WHERE kid = ?) WHERE kid = ?",
    )
      .bind(kid, rotated)
      .run();
    await expect(signingKey(env, zone, rotated)).rejects.toThrow();
  });

  it("rotates the key-encryption key: keys sealed with the previous one still open, new keys use the new one", async () => {
    const zone = await newZone();
    const oldKek = env.CARACAL_KEY_ENCRYPTION_KEY as string;
    const newKek = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const kid = await ensureSigningKey(env, zone); // sealed with the old key
    // the new key alone cannot open it: the token endpoint would answer 503, never a 500
    await expect(signingKey({ ...env, CARACAL_KEY_ENCRYPTION_KEY: newKek }, zone, kid)).rejects.toBeInstanceOf(SigningUnavailableError);
    const during = { ...env, CARACAL_KEY_ENCRYPTION_KEY: newKek, CARACAL_KEY_ENCRYPTION_KEY_PREVIOUS: oldKek };
    expect((await signingKey(during, zone, kid)).type).toBe("private");

    // `zone rotate-key` during the KEK rotation seals the next key with the new KEK only
    const rotated = await rotateSigningKey(during, zone);
    if ("conflict" in rotated) throw new Error("unexpected rotation conflict");
    await expect(signingKey(env, zone, rotated.current.kid)).rejects.toBeInstanceOf(SigningUnavailableError);
    expect((await signingKey({ ...env, CARACAL_KEY_ENCRYPTION_KEY: newKek }, zone, rotated.current.kid)).type).toBe("private");
  });

  it("rotates: the new key signs, the previous one stays published while its tokens may live", async () => {
    const zone = await newZone();
    const first = expectStatus(await call("POST", `/v1/zones/${zone}/signing-keys/rotate`), 201);
    expect(first.previous).toBeNull();
    const second = expectStatus(await call("POST", `/v1/zones/${zone}/signing-keys/rotate`), 201);
    expect(second.previous).toMatchObject({ kid: first.current.kid, status: "retired", retired_at: second.current.created_at });
    // published for the maximum token lifetime (3600 s) plus an hour
    expect(Date.parse(second.previous.published_until) - Date.parse(second.previous.retired_at)).toBe(7200 * 1000);
    const jwks = (await (await exports.default.fetch(new Request(`${ORIGIN}/zones/${zone}/.well-known/jwks.json`))).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual([first.current.kid, second.current.kid]);
    const listed = expectStatus(await call("GET", `/v1/zones/${zone}/signing-keys`), 200).items;
    expect(listed.map((k: any) => [k.kid, k.status])).toEqual([
      [first.current.kid, "retired"],
      [second.current.kid, "current"],
    ]);
    expectProblem(await call("POST", `/v1/zones/zn-doesnotexist/signing-keys/rotate`), 404);
  });

  it("drops a retired key from the JWKS once its tokens have all expired", async () => {
    const zone = await newZone();
    expectStatus(await call("POST", `/v1/zones/${zone}/signing-keys/rotate`), 201);
    const second = expectStatus(await call("POST", `/v1/zones/${zone}/signing-keys/rotate`), 201);
    // age the successor beyond the retention: the retired key is then expired
    await env.DB.prepare("UPDATE zone_signing_keys SET created_at = ? WHERE kid = ?")
      .bind("2000-01-01T00:00:00.000Z", second.current.kid)
      .run();
    const jwks = (await (await exports.default.fetch(new Request(`${ORIGIN}/zones/${zone}/.well-known/jwks.json`))).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual([second.current.kid]);
    expect(expectStatus(await call("GET", `/v1/zones/${zone}/signing-keys`), 200).items[0].status).toBe("expired");
  });

  it("publishes RFC 8414 metadata per zone, and 404s for unknown zones", async () => {
    const zone = await newZone();
    const res = await exports.default.fetch(new Request(`${ORIGIN}/zones/${zone}/.well-known/oauth-authorization-server`));
    expect(await res.json()).toEqual({
      issuer: `${ORIGIN}/zones/${zone}`,
      token_endpoint: `${ORIGIN}/zones/${zone}/oauth2/token`,
      jwks_uri: `${ORIGIN}/zones/${zone}/.well-known/jwks.json`,
      grant_types_supported: ["urn:ietf:params:oauth:grant-type:token-exchange"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "private_key_jwt"],
      token_endpoint_auth_signing_alg_values_supported: [
        "ES256",
        "ES384",
        "ES512",
        "RS256",
        "RS384",
        "RS512",
        "PS256",
        "PS384",
        "PS512",
        "EdDSA",
        "Ed25519",
      ],
      response_types_supported: [],
    });
    for (const path of [".well-known/oauth-authorization-server", ".well-known/jwks.json"]) {
      const missing = await exports.default.fetch(new Request(`${ORIGIN}/zones/zn-doesnotexist/${path}`));
      expect(missing.status).toBe(404);
      expect(missing.headers.get("x-request-id")).toBeTruthy();
    }
  });
});

describe("audit listing", () => {
  it("filters by decision, client, status and time, pages with a cursor, oldest or newest first", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const other = await newClient(f.zone);
    const requestIds: string[] = [];
    for (const [client, role] of [
      [f.client, "payer"],
      [f.client, "viewer"],
      [other, "payer"],
    ] as const) {
      const res = await tokenRequest(f.zone, client, exchangeParams(await f.idp.mint({ role })));
      requestIds.push(res.headers.get("x-request-id")!);
    }
    const list = async (query: string) => expectStatus(await call("GET", `/v1/zones/${f.zone}/audit?${query}`), 200);
    // events order by (time, id): requests within one millisecond may swap, so compare with the served order
    const oldestFirst = (await list("")).items.map((e: any) => e.request_id);
    expect([...oldestFirst].sort()).toEqual([...requestIds].sort());
    expect((await list("order=desc")).items.map((e: any) => e.request_id)).toEqual([...oldestFirst].reverse());
    expect((await list("decision=deny")).items.map((e: any) => e.request_id)).toEqual([requestIds[1]]);
    expect((await list(`client=${other.id}`)).items.map((e: any) => e.request_id)).toEqual([requestIds[2]]);
    expect((await list("status=enforced")).items).toHaveLength(3);
    const all = (await list("")).items;
    expect((await list(`since=${encodeURIComponent(all[2].time)}`)).items.map((e: any) => e.id)).toContain(all[2].id);
    expect((await list("since=2999-01-01T00:00:00Z")).items).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await list(`order=desc&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.items.map((e: any) => e.request_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...oldestFirst].reverse());

    expectProblem(await call("GET", `/v1/zones/${f.zone}/audit?decision=maybe`), 400);
    expectProblem(await call("GET", `/v1/zones/${f.zone}/audit?since=yesterday`), 400);
    expectProblem(await call("GET", `/v1/zones/zn-doesnotexist/audit`), 404);
  });

  it("serves the input's time_ns exactly (an integer beyond 2^53)", async () => {
    const f = await stsFixture([ALLOW_POLICY]);
    const res = await tokenRequest(f.zone, f.client, exchangeParams(await f.idp.mint({ role: "payer" })));
    const raw = await exports.default.fetch(
      new Request(`${ORIGIN}/v1/zones/${f.zone}/explain/${res.headers.get("x-request-id")}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      }),
    );
    const text = await raw.text();
    const time = JSON.parse(text).time as string;
    expect(text).toContain(`"time_ns":${BigInt(Date.parse(time)) * 1_000_000n}`);
  });
});

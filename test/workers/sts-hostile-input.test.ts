/**
 * Hostile input (issue 13): deeply nested or oversized JSON is refused before
 * anything walks it recursively — subject and actor token claims (a validly
 * signed token), client attributes, any admin body — and issuer keys that
 * could never verify (off-curve points, non-string coordinates, weak RSA,
 * unsupported curves) are refused at registration with 422.
 */
import { exports } from "cloudflare:workers";
import { CompactSign, exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, uniqueName } from "./helpers.js";
import { exchangeParams, expectIssued, expectOAuthError, ORIGIN, payloadOf, stsFixture, tokenRequest } from "./sts-helpers.js";

const ALLOW_ALL = `package hostile
allow := true
`;

/** {"a":{"a":…{"a":1}}} nested `depth` objects deep (built without recursion). */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

/** The same nesting as JSON text, for bodies a JSON.stringify of `nested` could not produce cheaply. */
function nestedText(depth: number): string {
  return `${'{"a":'.repeat(depth - 1)}{"leaf":1}${"}".repeat(depth - 1)}`;
}

describe("token claims", () => {
  it("refuses a validly signed subject token whose claim is nested 3,000 deep with invalid_request, and audits nothing", async () => {
    const fx = await stsFixture([ALLOW_ALL]);
    // Signed over the JSON text: jose's SignJWT copies claims recursively, which a 3,000-deep claim overflows.
    const now = Math.floor(Date.now() / 1000);
    const payload = `{"iss":${JSON.stringify(fx.idp.issuer)},"sub":"alice","iat":${now},"exp":${now + 300},"deep":${nestedText(3000)}}`;
    const token = await new CompactSign(new TextEncoder().encode(payload))
      .setProtectedHeader({ alg: fx.idp.alg, kid: fx.idp.kid })
      .sign(fx.idp.privateKey);
    expect(token.length).toBeGreaterThan(6000);
    const res = await tokenRequest(fx.zone, fx.client, exchangeParams(token));
    expect(expectOAuthError(res, 400, "invalid_request").error_description).toMatch(
      /subject_token: its claims are refused: .*nested more than 64/,
    );
    const audit = expectStatus(await call("GET", `/v1/zones/${fx.zone}/audit`), 200);
    expect(audit.items).toEqual([]);
  });

  it("accepts claims within the depth limit and refuses one level more", async () => {
    const fx = await stsFixture([ALLOW_ALL]);
    // The payload is level 1: a claim nested 63 deep reaches the limit of 64.
    const within = await fx.idp.mint({ deep: nested(63) });
    expectIssued(await tokenRequest(fx.zone, fx.client, exchangeParams(within)));
    const over = await fx.idp.mint({ deep: nested(64) });
    expectOAuthError(await tokenRequest(fx.zone, fx.client, exchangeParams(over)), 400, "invalid_request");
  });

  it("refuses a token with too many values", async () => {
    const fx = await stsFixture([ALLOW_ALL]);
    const token = await fx.idp.mint({ many: Array.from({ length: 20_001 }, () => 0) });
    const res = await tokenRequest(fx.zone, fx.client, exchangeParams(token));
    expect(expectOAuthError(res, 400, "invalid_request").error_description).toMatch(/more than 20000 values/);
  });

  it("refuses a deeply nested actor token", async () => {
    const fx = await stsFixture([ALLOW_ALL]);
    const subject = await fx.idp.mint();
    const actor = await fx.idp.mint({ sub: "agent", deep: nested(500) });
    const res = await tokenRequest(
      fx.zone,
      fx.client,
      exchangeParams(subject, { actor_token: actor, actor_token_type: "urn:ietf:params:oauth:token-type:jwt" }),
    );
    expect(expectOAuthError(res, 400, "invalid_request").error_description).toMatch(/^actor_token: its claims are refused/);
  });
});

describe("client attributes and admin bodies", () => {
  it("refuses client attributes nested 2,700 deep with 400, so no exchange of that client can fail on them", async () => {
    const fx = await stsFixture([]);
    const raw = `{"name":"${uniqueName("deep")}","attributes":${nestedText(2700)}}`;
    expect(raw.length).toBeLessThan(16 * 1024);
    const problem = expectProblem(await call("POST", `/v1/zones/${fx.zone}/clients`, undefined, { raw }), 400);
    expect(problem.detail).toMatch(/the JSON body is refused: it is nested more than 65 levels deep/);
  });

  it("refuses attributes one level over the limit and accepts them at it", async () => {
    const fx = await stsFixture([ALLOW_ALL]);
    const atLimit = expectStatus(
      await call("POST", `/v1/zones/${fx.zone}/clients`, { name: uniqueName("c"), attributes: nested(63) }),
      201,
    );
    const over = await call("POST", `/v1/zones/${fx.zone}/clients`, { name: uniqueName("c"), attributes: { x: nested(64) } });
    expect(expectProblem(over, 400).detail).toMatch(/nested more than/);
    // The client at the limit still exchanges: input.client.attributes is two levels down in the input.
    const token = await fx.idp.mint();
    expectIssued(await tokenRequest(fx.zone, { id: atLimit.id, secret: atLimit.client_secret }, exchangeParams(token)));
  });

  it("refuses any deeply nested admin body with 400 before validation", async () => {
    const raw = `{"name":"${uniqueName("zone")}","extra":${nestedText(5000)}}`;
    const problem = expectProblem(await call("POST", "/v1/zones", undefined, { raw }), 400);
    expect(problem.detail).toBe("the JSON body is refused: it is nested more than 65 levels deep");
    const wide = `{"name":"${uniqueName("zone")}","extra":[${Array.from({ length: 30_000 }, () => "0").join(",")}]}`;
    expect(expectProblem(await call("POST", "/v1/zones", undefined, { raw: wide }), 400).detail).toMatch(/more than 20000 values/);
  });
});

/** Raw base64url of bytes. */
function b64u(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function addIssuer(zone: string, key: Record<string, unknown>) {
  return call("POST", `/v1/zones/${zone}/issuers`, { issuer: `https://${uniqueName("idp")}.example`, jwks: { keys: [key] } });
}

describe("issuer keys are imported at registration", () => {
  it("refuses an EC point off its curve, a non-string coordinate, an unsupported curve and a wrong-size coordinate", async () => {
    const fx = await stsFixture([]);
    const { publicKey } = await generateKeyPair("ES256", { extractable: true });
    const good = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" };
    // Flip the last byte of y: almost surely no longer on P-256.
    const y = Uint8Array.from(atob((good.y as string).replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    y[31] = (y[31] as number) ^ 1;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...good, y: b64u(y) }, /does not import/],
      [{ ...good, x: 123 }, /x must be a base64url string/],
      [{ ...good, crv: "secp256k1", alg: undefined }, /EC keys must be on P-256, P-384, P-521/],
      [{ ...good, x: (good.x as string).slice(0, 20) }, /x and y must be 32 bytes/],
      [{ ...good, alg: "ES384" }, /alg ES384 does not match crv P-256/],
      [{ kty: "OKP", crv: "Ed448", x: b64u(new Uint8Array(57)), kid: "k2" }, /OKP keys must be Ed25519/],
    ];
    for (const [key, message] of cases) {
      const problem = expectProblem(await addIssuer(fx.zone, key), 422);
      expect(problem.detail, JSON.stringify(key)).toMatch(message);
    }
    expectStatus(await addIssuer(fx.zone, good), 201);
  });

  it("refuses RSA keys under 2048 bits (a 24-bit modulus, a 1024-bit key) and accepts 2048", async () => {
    const fx = await stsFixture([]);
    const tiny = { kty: "RSA", n: b64u(Uint8Array.of(0xc3, 0x5a, 0x1f)), e: "AQAB", kid: "tiny", alg: "RS256" };
    expect(expectProblem(await addIssuer(fx.zone, tiny), 422).detail).toMatch(/RSA keys must have at least 2048 bits|does not import/);
    const weak = await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: Uint8Array.of(1, 0, 1), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    );
    const weakJwk = {
      ...((await crypto.subtle.exportKey("jwk", (weak as CryptoKeyPair).publicKey)) as unknown as Record<string, unknown>),
    };
    delete weakJwk.key_ops;
    delete weakJwk.ext;
    expect(expectProblem(await addIssuer(fx.zone, { ...weakJwk, kid: "weak" }), 422).detail).toMatch(
      /RSA keys must have at least 2048 bits \(this one has 1024\)/,
    );
    const { publicKey } = await generateKeyPair("RS256", { extractable: true, modulusLength: 2048 });
    expectStatus(await addIssuer(fx.zone, { ...(await exportJWK(publicKey)), kid: "rsa-2048", alg: "RS256" }), 201);
  });
});

describe("the issuer origin is configuration", () => {
  it("ignores the Host header: metadata and issued tokens name CARACAL_ISSUER_URL", async () => {
    const fx = await stsFixture([ALLOW_ALL]);
    const metadata = await exports.default.fetch(
      new Request(`https://attacker.example/zones/${fx.zone}/.well-known/oauth-authorization-server`),
    );
    const body = (await metadata.json()) as { issuer: string; jwks_uri: string };
    expect(body.issuer).toBe(`${ORIGIN}/zones/${fx.zone}`);
    expect(body.jwks_uri).toBe(`${ORIGIN}/zones/${fx.zone}/.well-known/jwks.json`);

    const form = new URLSearchParams(exchangeParams(await fx.idp.mint()) as Record<string, string>);
    const res = await exports.default.fetch(
      new Request(`https://attacker.example/zones/${fx.zone}/oauth2/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${btoa(`${fx.client.id}:${fx.client.secret}`)}`,
        },
        body: form.toString(),
      }),
    );
    expect(res.status).toBe(200);
    expect(payloadOf(((await res.json()) as { access_token: string }).access_token).iss).toBe(`${ORIGIN}/zones/${fx.zone}`);
  });
});

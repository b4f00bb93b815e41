/**
 * A trusted issuer's (or client's) jwks_uri, refreshed by RemoteKeySet: a
 * refresh that yields unusable keys, or fails, keeps the last good set and
 * logs why; a good refresh replaces it; with no good set at all the keys are
 * unavailable (the token endpoint's 503). Real HTTP server, real WebCrypto;
 * only the clock is moved, to reach the refresh intervals.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { errors, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { JWKS_MAX_AGE_MS, JWKS_REFETCH_COOLDOWN_MS, RemoteKeySet } from "../../workers/sts/remote-jwks.js";

let server: Server;
let uri: string;
let serve: { status: number; body: unknown } = { status: 200, body: {} };
let fetches = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    fetches++;
    res.writeHead(serve.status, { "content-type": "application/json" });
    res.end(JSON.stringify(serve.body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => vi.restoreAllMocks());

async function signer(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "ES256" };
  const token = () =>
    new SignJWT({ sub: "alice" }).setProtectedHeader({ alg: "ES256", kid }).setIssuedAt().setExpirationTime("1h").sign(privateKey);
  return { jwk, token };
}

/** The same key with y replaced by x: not a point on P-256. */
const offCurve = (jwk: JWK): JWK => ({ ...jwk, y: jwk.x });

describe("RemoteKeySet", () => {
  it("keeps the last good set when a refresh yields unusable keys or fails, and logs it", async () => {
    const k1 = await signer("k1");
    const k2 = await signer("k2");
    serve = { status: 200, body: { keys: [k1.jwk] } };
    let now = Date.now();
    vi.spyOn(Date, "now").mockImplementation(() => now);
    const errorsLogged = vi.spyOn(console, "error").mockImplementation(() => {});
    const set = new RemoteKeySet(uri, "trusted issuer test");
    await jwtVerify(await k1.token(), set.getKey);

    // The issuer publishes a broken set: after the refresh interval, the old keys still verify.
    serve = { status: 200, body: { keys: [offCurve(k2.jwk)] } };
    now += JWKS_MAX_AGE_MS + 1;
    const before = fetches;
    await jwtVerify(await k1.token(), set.getKey);
    expect(fetches).toBe(before + 1);
    expect(String(errorsLogged.mock.calls.at(-1)?.[0])).toMatch(
      /serves unusable keys .*keys\[0\] \(kid k2\).*keeping the last good key set/,
    );

    // The endpoint fails outright: same.
    serve = { status: 500, body: {} };
    now += JWKS_MAX_AGE_MS + 1;
    await jwtVerify(await k1.token(), set.getKey);
    expect(String(errorsLogged.mock.calls.at(-1)?.[0])).toMatch(/failed \(HTTP 500\); keeping the last good key set/);

    // A good set with a new kid replaces it once the cooldown has passed.
    serve = { status: 200, body: { keys: [k2.jwk] } };
    now += JWKS_REFETCH_COOLDOWN_MS + 1;
    await jwtVerify(await k2.token(), set.getKey);
    await expect(jwtVerify(await k1.token(), set.getKey)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
  });

  it("without any good set, the keys are unavailable", async () => {
    const k1 = await signer("k1");
    serve = { status: 200, body: { keys: [offCurve(k1.jwk)] } };
    vi.spyOn(console, "error").mockImplementation(() => {});
    const set = new RemoteKeySet(uri, "trusted issuer test");
    await expect(jwtVerify(await k1.token(), set.getKey)).rejects.toBeInstanceOf(errors.JWKSInvalid);
  });
});

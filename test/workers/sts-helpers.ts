/**
 * STS test fixtures: issuers with keys made by jose in the test (no private
 * keys checked in), clients, policy sets activated through the admin API, and
 * token requests sent to the Worker's real fetch handler.
 */
import { exports } from "cloudflare:workers";
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from "jose";
import { expect } from "vitest";
import { call, expectStatus, newPolicy, newPolicySet, newSetVersion, uniqueName } from "./helpers.js";

export const ORIGIN = "http://caracal.test";
export const GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
export const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";

export interface TestIssuer {
  issuer: string;
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** a token with iat/exp around now, `iss` set; `claims` and `header` override */
  mint(claims?: JWTPayload, header?: Record<string, unknown>): Promise<string>;
}

export async function newIssuer(alg = "ES256", issuer = `https://${uniqueName("idp")}.example`): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = uniqueName("kid");
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return {
    issuer,
    kid,
    alg,
    privateKey,
    publicJwk,
    mint(claims = {}, header = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: issuer, sub: "alice", iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg, kid, ...header })
        .sign(privateKey);
    },
  };
}

export async function trustIssuer(zone: string, issuer: TestIssuer, extra: Record<string, unknown> = {}): Promise<string> {
  return expectStatus(
    await call("POST", `/v1/zones/${zone}/issuers`, { issuer: issuer.issuer, jwks: { keys: [issuer.publicJwk] }, ...extra }),
    201,
  ).id;
}

export interface TestClient {
  id: string;
  secret: string;
}

export async function newClient(zone: string, attributes?: Record<string, unknown>): Promise<TestClient> {
  const body = expectStatus(
    await call("POST", `/v1/zones/${zone}/clients`, { name: uniqueName("client"), ...(attributes ? { attributes } : {}) }),
    201,
  );
  return { id: body.id, secret: body.client_secret };
}

/** Policies (sources, in order) bundled into a set version of the zone and activated, optionally with a shadow. */
export async function activate(zone: string, sources: string[], shadowSources?: string[]) {
  const versions = [];
  for (const source of sources) versions.push(await newPolicy(zone, source));
  const set = await newPolicySet(zone);
  const psv = await newSetVersion(
    zone,
    set,
    versions.map((v) => v.versionId),
  );
  let shadow: string | undefined;
  const shadowVersions: { id: string; versionId: string }[] = [];
  if (shadowSources) {
    for (const source of shadowSources) shadowVersions.push(await newPolicy(zone, source));
    shadow = await newSetVersion(
      zone,
      set,
      shadowVersions.map((v) => v.versionId),
    );
  }
  expectStatus(await call("POST", `/v1/zones/${zone}/policy-sets/${set}/activate`, { version: psv, ...(shadow ? { shadow } : {}) }), 200);
  return { set, psv, versions, shadow, shadowVersions };
}

export type FormParams = Record<string, string | string[] | undefined>;

export interface ExchangeOptions {
  /** how the client authenticates; "none" sends no credentials */
  auth?: "basic" | "post" | "none";
  headers?: Record<string, string>;
  cf?: Record<string, unknown>;
}

export interface TokenResult {
  status: number;
  headers: Headers;
  body: any;
}

export async function tokenRequest(
  zone: string,
  client: TestClient | undefined,
  params: FormParams,
  options: ExchangeOptions = {},
): Promise<TokenResult> {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) form.append(name, v);
  }
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", ...options.headers };
  const auth = options.auth ?? "basic";
  if (client && auth === "basic") headers.authorization = basicAuth(client.id, client.secret);
  if (client && auth === "post") {
    form.set("client_id", client.id);
    form.set("client_secret", client.secret);
  }
  const init: RequestInit & { cf?: Record<string, unknown> } = { method: "POST", headers, body: form.toString() };
  if (options.cf) init.cf = options.cf;
  const res = await exports.default.fetch(new Request(`${ORIGIN}/zones/${zone}/oauth2/token`, init));
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export function basicAuth(id: string, secret: string): string {
  return `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;
}

/** A token-exchange request for a subject token (and optional extra parameters). */
export function exchangeParams(subjectToken: string, extra: FormParams = {}): FormParams {
  return { grant_type: GRANT, subject_token: subjectToken, subject_token_type: JWT_TYPE, ...extra };
}

/** Asserts an OAuth error response and returns its body. */
export function expectOAuthError(res: TokenResult, status: number, error: string): any {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error).toBe(error);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.headers.get("x-request-id")).toBeTruthy();
  return res.body;
}

export function expectIssued(res: TokenResult): any {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.headers.get("cache-control")).toBe("no-store");
  return res.body;
}

/** Decodes a JWT's payload without verifying it (the whole-path test verifies against the JWKS). */
export function payloadOf(token: string): any {
  const part = token.split(".")[1] as string;
  return JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/")));
}

/** A zone (created with `zoneFields`) with one trusted issuer, one client and the given policies active. */
export async function stsFixture(sources: string[], shadowSources?: string[], zoneFields: Record<string, unknown> = {}) {
  const zone = expectStatus(await call("POST", "/v1/zones", { name: uniqueName("zone"), ...zoneFields }), 201).id as string;
  const idp = await newIssuer();
  await trustIssuer(zone, idp);
  const client = await newClient(zone, { team: "payments" });
  const activation = sources.length > 0 ? await activate(zone, sources, shadowSources) : undefined;
  return { zone, idp, client, activation, issuer: `${ORIGIN}/zones/${zone}` };
}

export async function auditOf(zone: string, requestId: string): Promise<any[]> {
  const page = expectStatus(await call("GET", `/v1/zones/${zone}/audit?limit=100`), 200);
  return page.items.filter((e: { request_id: string }) => e.request_id === requestId);
}

export async function explain(zone: string, requestId: string): Promise<any> {
  return expectStatus(await call("GET", `/v1/zones/${zone}/explain/${requestId}`), 200);
}

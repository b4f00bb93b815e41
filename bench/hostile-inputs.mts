/**
 * Measures how the running Worker (Miniflare/workerd, local D1) answers each
 * hostile input of issue 13: status and wall time per request, printed one
 * line each. Run: `npx tsx bench/hostile-inputs.mts`. The tests that hold
 * these behaviours are test/workers/sts-hostile-input.test.ts and
 * test/workers/sts-client-assertion.test.ts; this script only times them.
 */
import { CompactSign, exportJWK, generateKeyPair, SignJWT } from "jose";
import { ADMIN_TOKEN, api, applyMigrations, GRANT, JWT_TYPE, setupZone, startEdge } from "./edge.js";

const edge = await startEdge();
try {
  await applyMigrations(edge);
  const fx = await setupZone(edge.url, ["package p\nallow := true\n"]);
  await fx.activate(edge.url, fx.versions[0]!);
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const issuer = "https://hostile-idp.example";
  await api(edge.url, "POST", `/zones/${fx.zone}/issuers`, {
    issuer,
    jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: "h1", alg: "ES256" }] },
  });
  const client = await api(edge.url, "POST", `/zones/${fx.zone}/clients`, { name: "hostile" });
  const basic = `Basic ${Buffer.from(`${client.id}:${client.client_secret}`).toString("base64")}`;
  const nestedText = (depth: number) => `${'{"a":'.repeat(depth - 1)}{"leaf":1}${"}".repeat(depth - 1)}`;
  const now = () => Math.floor(Date.now() / 1000);
  const signText = (payload: string) =>
    new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: "ES256", kid: "h1" }).sign(privateKey);

  async function measure(what: string, url: string, init: RequestInit): Promise<void> {
    const t0 = performance.now();
    const res = await fetch(new URL(url, edge.url), init);
    const text = await res.text();
    const ms = performance.now() - t0;
    const detail = (() => {
      try {
        const j = JSON.parse(text);
        return j.error ? `${j.error}: ${j.error_description}` : (j.detail ?? j.issuer ?? (j.access_token ? "token issued" : ""));
      } catch {
        return text.slice(0, 80);
      }
    })();
    console.log(`${what}: ${res.status} in ${ms.toFixed(1)} ms — ${String(detail).slice(0, 140)}`);
  }
  const exchange = (subject: string, extra: Record<string, string> = {}, auth: string | null = basic) =>
    ({
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(auth ? { authorization: auth } : {}) },
      body: new URLSearchParams({ grant_type: GRANT, subject_token: subject, subject_token_type: JWT_TYPE, ...extra }),
    }) as RequestInit;
  const adminPost = (raw: string) =>
    ({ method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" }, body: raw }) as RequestInit;
  const tokenUrl = `/zones/${fx.zone}/oauth2/token`;

  const deep = await signText(`{"iss":"${issuer}","sub":"a","iat":${now()},"exp":${now() + 300},"deep":${nestedText(3000)}}`);
  await measure(`subject token, claim nested 3000 deep (${deep.length} bytes)`, tokenUrl, exchange(deep));
  const ok = await signText(`{"iss":"${issuer}","sub":"a","iat":${now()},"exp":${now() + 300}}`);
  await measure("actor token, claim nested 3000 deep", tokenUrl, exchange(ok, { actor_token: deep, actor_token_type: JWT_TYPE }));
  const wide = await signText(`{"iss":"${issuer}","sub":"a","iat":${now()},"exp":${now() + 300},"w":[${Array(20_001).fill(0).join(",")}]}`);
  await measure("subject token with 20,001 values", tokenUrl, exchange(wide));
  await measure(
    "client attributes nested 2700 deep",
    `/v1/zones/${fx.zone}/clients`,
    adminPost(`{"name":"deep","attributes":${nestedText(2700)}}`),
  );
  await measure("admin body nested 5000 deep", "/v1/zones", adminPost(`{"name":"z","x":${nestedText(5000)}}`));

  const good = { ...(await exportJWK(publicKey)), kid: "k", alg: "ES256" };
  const issuerBody = (key: Record<string, unknown>) => JSON.stringify({ issuer: `https://${crypto.randomUUID()}.example`, jwks: { keys: [key] } });
  const issuersUrl = `/v1/zones/${fx.zone}/issuers`;
  await measure("issuer key, EC point off the curve", issuersUrl, adminPost(issuerBody({ ...good, y: good.x })));
  await measure("issuer key, non-string coordinate", issuersUrl, adminPost(issuerBody({ ...good, x: 123 })));
  await measure(
    "issuer key, 24-bit RSA",
    issuersUrl,
    adminPost(issuerBody({ kty: "RSA", n: Buffer.from([0xc3, 0x5a, 0x1f]).toString("base64url"), e: "AQAB", kid: "r" })),
  );
  await measure("issuer key, secp256k1", issuersUrl, adminPost(issuerBody({ ...good, crv: "secp256k1", alg: undefined })));

  const ck = await generateKeyPair("ES256", { extractable: true });
  const keyed = await api(edge.url, "POST", `/zones/${fx.zone}/clients`, {
    name: "keyed",
    jwks: { keys: [{ ...(await exportJWK(ck.publicKey)), kid: "c1", alg: "ES256" }] },
  });
  const endpoint = `http://edge.local${tokenUrl}`;
  const assertion = (aud: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: "c1" })
      .setIssuer(keyed.id)
      .setSubject(keyed.id)
      .setAudience(aud)
      .setJti(crypto.randomUUID())
      .setExpirationTime("60s")
      .sign(ck.privateKey);
  const first = await assertion(endpoint);
  const withAssertion = (jwt: string) => ({
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: jwt,
  });
  await measure("private_key_jwt, valid assertion", tokenUrl, exchange(ok, withAssertion(first), null));
  await measure("private_key_jwt, the same assertion again (replay)", tokenUrl, exchange(ok, withAssertion(first), null));
  await measure(
    "private_key_jwt, wrong audience",
    tokenUrl,
    exchange(ok, withAssertion(await assertion("https://other.example/token")), null),
  );
  await measure("request for another Host (metadata issuer stays configured)", `/zones/${fx.zone}/.well-known/oauth-authorization-server`, {
    headers: { host: "attacker.example" },
  });
} finally {
  await edge.stop();
}

/**
 * A Worker the STS bench runs next to the Caracal Worker, in the same workerd
 * and on the same D1, to measure on the same runtime what an exchange is made
 * of: `/crypto?n=` does n ES256 signs and n ES256 verifies (jose, as the STS
 * does); `/compute?n=` (POST, the policy source as body) runs the exchange's
 * work without HTTP or D1 through the STS's own modules (inspect + verify the
 * subject token, build the input, evaluate the policy set, build and sign the
 * token); `/d1?n=` runs n trivial D1 queries; `/audit?n=&zone=&client=&sink=`
 * writes n audit records (two events each): `buffer` through the STS's
 * `recordDecision` (one append to the zone's Durable Object buffer, bound from
 * the Caracal Worker), `d1` as one D1 INSERT (what the exchange awaited before
 * the buffer, and what the buffer's drain does), `queue` as one Queue `send`
 * (the alternative to the buffer). Bench-only: it is never deployed.
 */
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { auditEvents } from "../schema/index.js";
import { database } from "../workers/db.js";
import type { Env } from "../workers/env.js";
import { compilePolicy } from "../workers/policy/compile.js";
import { fromJS, prepare, RObject, stringifyJS, type JSONValue } from "../workers/rego/index.js";
import { recordDecision, type AuditContext } from "../workers/sts/audit.js";
import { evaluateSet, type SetDecision } from "../workers/sts/decision.js";
import { buildInput, timeNs } from "../workers/sts/input.js";
import { audienceOf, grantedScopes, issuedClaims, signIssuedToken } from "../workers/sts/issued-token.js";
import { inspectToken, verifyToken } from "../workers/sts/subject-token.js";
import { TOKEN_TYPES } from "../workers/sts/token-request.js";

const ISSUER = "https://idp.example";
const CLAIMS = { sub: "user-17", role: "payer", tier: "gold", scope: "payments:read payments:write" };

async function signAndVerify(n: number): Promise<Response> {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  for (let i = 0; i < n; i++) {
    const token = await new SignJWT(CLAIMS)
      .setProtectedHeader({ alg: "ES256", kid: "k" })
      .setIssuer(ISSUER)
      .setExpirationTime("5m")
      .sign(privateKey);
    await jwtVerify(token, publicKey, { algorithms: ["ES256"], issuer: ISSUER });
  }
  return Response.json({ n });
}

async function exchangeCompute(n: number, policySource: string): Promise<Response> {
  const compiled = compilePolicy({ file: "payments-policy.rego", source: policySource, regoVersion: 1 });
  if (!compiled.ok) return Response.json(compiled.errors, { status: 422 });
  const set = {
    policySetId: "ps-bench",
    policySetVersionId: "psv-bench",
    policies: [
      {
        policyId: "pol-bench",
        policyVersionId: "pv-bench",
        policyName: "payments-policy",
        package: compiled.package,
        prepared: prepare(compiled.plan),
        data: new RObject(),
        revision: null,
      },
    ],
  };
  const idp = await generateKeyPair("ES256", { extractable: true });
  const sts = await generateKeyPair("ES256");
  // A fresh issuer id per call: the STS caches an issuer's key set by id, and these keys are new.
  const row = {
    id: `iss-${crypto.randomUUID()}`,
    zoneId: "zn-bench",
    issuer: ISSUER,
    jwks: { keys: [{ ...(await exportJWK(idp.publicKey)), kid: "idp-1" }] },
    jwksUri: null,
    audience: null,
    createdAt: "",
  };
  const token = await new SignJWT(CLAIMS)
    .setProtectedHeader({ alg: "ES256", kid: "idp-1" })
    .setIssuer(ISSUER)
    .setExpirationTime("1h")
    .sign(idp.privateKey);
  const client = {
    id: "cl-bench",
    zoneId: "zn-bench",
    name: "checkout",
    attributes: { team: "payments" },
    secretSha256: "",
    secretRotatedAt: "",
    disabledAt: null,
    authMethod: "client_secret",
    jwks: null,
    jwksUri: null,
    createdAt: "",
  };
  for (let i = 0; i < n; i++) {
    const time = new Date();
    const subject = await verifyToken(inspectToken("subject_token", { token, tokenType: TOKEN_TYPES.jwt }), { kind: "trusted", row }, time);
    const input = buildInput({
      zoneId: "zn-bench",
      request: { id: `req-${i}`, time, ip: null, country: null },
      client,
      subject,
      actor: null,
      resource: ["https://payments.example/api"],
      audience: [],
      scope: ["payments:read"],
      requestedTokenType: TOKEN_TYPES.accessToken,
    });
    stringifyJS(input as unknown as JSONValue);
    const decision = await evaluateSet(set, fromJS(input), { nowNs: timeNs(time) });
    if (decision.decision !== "allow" || !decision.obligations) return Response.json(decision, { status: 500 });
    const { payload } = issuedClaims({
      issuer: "https://sts.example/zones/zn-bench",
      zoneId: "zn-bench",
      clientId: client.id,
      subject,
      audience: audienceOf(input.resource, input.audience, client.id),
      scope: grantedScopes(input.scope, decision.obligations.scope, subject),
      act: undefined,
      lifetime: 600,
      now: time,
      jti: crypto.randomUUID(),
      extraClaims: decision.obligations.claims,
    });
    await signIssuedToken(payload, TOKEN_TYPES.accessToken, "sts-1", sts.privateKey);
  }
  return Response.json({ n });
}

async function trivialQueries(env: Env, n: number): Promise<Response> {
  for (let i = 0; i < n; i++) await env.DB.prepare("SELECT 1 AS one").first();
  return Response.json({ n });
}

type ProbeEnv = Env & { AUDIT_QUEUE?: Queue<unknown> };

async function writeAudit(env: ProbeEnv, n: number, zoneId: string, clientId: string, sink: string): Promise<Response> {
  const decision: SetDecision = {
    decision: "allow",
    status: "ok",
    policySetId: "ps-bench",
    policySetVersionId: "psv-bench",
    evaluations: [],
    determining: [],
    reasons: [],
    obligations: null,
    error: null,
  };
  const subject = { tokenType: TOKEN_TYPES.jwt, issuer: ISSUER, claims: { ...CLAIMS, iss: ISSUER } };
  const started = Date.now();
  for (let i = 0; i < n; i++) {
    const context: AuditContext = {
      requestId: `req-bench-${i}`,
      zoneId,
      time: new Date(),
      clientId,
      subject,
      actor: null,
      resource: [],
      audience: [],
      scopeRequested: ["payments:read"],
      inputJson: JSON.stringify({ schema_version: 1, subject: { claims: CLAIMS } }),
      durationUs: 0,
    };
    const outcome = { scopeGranted: ["payments:read"], tokenJti: null };
    if (sink === "buffer") {
      await recordDecision(env, context, { decision, outcome }, { decision, outcome }, () => {});
      continue;
    }
    const rows = ["", "-shadow"].map((suffix) => ({
      id: `evt-bench-${crypto.randomUUID()}${suffix}`,
      requestId: context.requestId,
      zoneId,
      time: context.time.toISOString(),
      clientId,
      subject: { iss: ISSUER, sub: CLAIMS.sub },
      actor: null,
      resource: [],
      audience: [],
      scopeRequested: context.scopeRequested,
      scopeGranted: outcome.scopeGranted,
      decision: "allow",
      evaluationStatus: suffix ? "shadow" : "enforced",
      policySetId: decision.policySetId,
      policySetVersionId: decision.policySetVersionId,
      determiningPolicies: [],
      reasons: [],
      evaluations: [],
      error: null,
      input: context.inputJson,
      durationUs: 0,
      tokenJti: null,
    }));
    if (sink === "queue") {
      if (!env.AUDIT_QUEUE) throw new Error("no AUDIT_QUEUE binding");
      await env.AUDIT_QUEUE.send(rows);
    } else {
      await database(env).insert(auditEvents).values(rows);
    }
  }
  // workerd's clock advances across I/O, so this is the wall time of n round trips.
  return Response.json({ n, ms: Date.now() - started });
}

export default {
  async fetch(request: Request, env: ProbeEnv): Promise<Response> {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? "100");
    switch (url.pathname) {
      case "/crypto":
        return signAndVerify(n);
      case "/compute":
        return exchangeCompute(n, await request.text());
      case "/d1":
        return trivialQueries(env, n);
      case "/audit":
        return writeAudit(
          env,
          n,
          url.searchParams.get("zone") ?? "",
          url.searchParams.get("client") ?? "",
          url.searchParams.get("sink") ?? "buffer",
        );
      default:
        return new Response("not found", { status: 404 });
    }
  },
};

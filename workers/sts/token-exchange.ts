/**
 * The RFC 8693 token exchange, start to finish: client authentication,
 * subject/actor token verification, the policy decision (and the shadow
 * evaluation), the issued token, and the audit record written before the
 * answer. In the steady state it makes no D1 round trip: the client, the
 * trusted issuers, the zone's keys (credentials-cache.ts), the zone snapshot
 * and the signing key come from the isolate's caches, and the audit events go
 * to the zone's audit buffer (a Durable Object, workers/audit/buffer.ts).
 */
import type { Env } from "../env.js";
import { fromJS, stringifyJS, type JSONValue } from "../rego/index.js";
import { recordDecision, type AuditContext, type Outcome } from "./audit.js";
import { authenticateClient, presentedCredentials, type ClientRow } from "./client-auth.js";
import { denialWithoutPolicies, evaluateSet, evaluationBudget, NO_ACTIVE_POLICY_SET, type SetDecision } from "./decision.js";
import { buildInput, timeNs, type RequestContext } from "./input.js";
import {
  actClaim,
  audienceOf,
  grantedScopes,
  issuedClaims,
  mayActPermits,
  signIssuedToken,
  subjectScopes,
  tokenLifetime,
} from "./issued-token.js";
import { credentialsCache, credentialsChanged, type ZoneCredentials } from "./credentials-cache.js";
import { ensureSigningKey, keyStatuses, publishedKeys, signingKey } from "./keys.js";
import { issuerOrigin, tokenEndpoint, zoneIssuer } from "./metadata.js";
import { jsonLimitProblem, MAX_JSON_DEPTH } from "../http/json-limits.js";
import { invalidRequest, NO_STORE_HEADERS, OAuthError } from "./oauth-error.js";
import { inspectToken, verifyToken, type InspectedToken, type IssuerTrust, type VerifiedToken } from "./subject-token.js";
import { parseTokenExchange, readTokenForm, type TokenExchangeRequest } from "./token-request.js";
import { wasmDecider } from "./wasm-policies.js";
import { zoneCache, type ZoneSnapshot } from "./zone-cache.js";

export const MAY_ACT_DENIED = "may_act: the subject token does not allow this actor";
const NO_GRANTABLE_SCOPE = "invalid_scope: none of the requested scopes may be granted";

export interface ExchangeRequest {
  env: Env;
  request: Request;
  zoneId: string;
  context: RequestContext;
  /** performance.now() when the request arrived */
  startedAt: number;
  /** keeps work alive after the response (the request's waitUntil): the audit stream append */
  background: (work: Promise<unknown>) => void;
}

/**
 * The input document nests token claims and client attributes two levels
 * down (input.subject.claims, input.client.attributes), each checked on its
 * own when it arrived; this catches anything stored before those checks.
 */
const MAX_INPUT_DEPTH = MAX_JSON_DEPTH + 2;

/** The successful token response (RFC 8693 §2.2.1). */
export interface TokenResponse {
  access_token: string;
  issued_token_type: string;
  token_type: "Bearer";
  expires_in: number;
  scope?: string;
}

/** Everything the decision needs, established: the client authenticated, its tokens verified. */
interface VerifiedExchange {
  issuer: string;
  exchange: TokenExchangeRequest;
  client: ClientRow;
  subject: VerifiedToken;
  actor: VerifiedToken | null;
  /** the issued token's act claim, checked before any decision */
  act: ReturnType<typeof actClaim>;
  snapshot: ZoneSnapshot;
}

async function verifiedExchange(x: ExchangeRequest): Promise<VerifiedExchange> {
  const { env, zoneId } = x;
  // The configured origin, never the Host header (see metadata.ts).
  const issuer = zoneIssuer(issuerOrigin(env.CARACAL_ISSUER_URL), zoneId);
  const audience = { tokenEndpoint: tokenEndpoint(issuer), issuer };
  const form = await readTokenForm(x.request);
  const credentials = presentedCredentials(x.request.headers.get("authorization") ?? undefined, form, audience, x.context.time);
  const exchange = parseTokenExchange(form);
  const subjectToken = inspectToken("subject_token", exchange.subject);
  const actorToken = exchange.actor ? inspectToken("actor_token", exchange.actor) : null;

  // Both reads run at once; the snapshot is usually the isolate's cached one.
  const [lookups, snapshotLoad] = await Promise.all([
    credentialsCache.lookup(env, zoneId, credentials.clientId),
    zoneCache.get(env, zoneId).then(
      (snapshot) => ({ snapshot }),
      (error: unknown) => ({ error }),
    ),
  ]);
  const client = await authenticateClient(env, lookups.client, credentials, audience, x.context.time);
  const snapshot = loadedSnapshot(snapshotLoad);
  const trust = (token: InspectedToken) => trustOf(token, issuer, lookups, snapshot);
  const subject = await verifyToken(subjectToken, trust(subjectToken), x.context.time);
  const actor = actorToken ? await verifyToken(actorToken, trust(actorToken), x.context.time) : null;
  return { issuer, exchange, client, subject, actor, act: actClaim(subject, actor), snapshot };
}

export async function exchangeToken(x: ExchangeRequest): Promise<Response> {
  const { env, zoneId } = x;
  const { issuer, exchange, client, subject, actor, act, snapshot } = await verifiedExchange(x);
  const requestedScopes = exchange.scope ?? subjectScopes(subject);
  const input = buildInput({
    zoneId,
    request: x.context,
    client,
    subject,
    actor,
    resource: exchange.resource,
    audience: exchange.audience,
    scope: requestedScopes,
    requestedTokenType: exchange.requestedTokenType,
  });
  const auditContext = (): AuditContext => ({
    requestId: x.context.id,
    zoneId,
    time: x.context.time,
    clientId: client.id,
    subject,
    actor,
    resource: exchange.resource,
    audience: exchange.audience,
    scopeRequested: requestedScopes,
    inputJson: stringifyJS(input as unknown as JSONValue),
    durationUs: Math.round((performance.now() - x.startedAt) * 1000),
  });

  const inputProblem = jsonLimitProblem(input, MAX_INPUT_DEPTH);
  if (inputProblem) throw invalidRequest(`the policy input (token claims and client attributes) is refused: ${inputProblem}`);

  if (!mayActPermits(subject, actor)) {
    await recordDecision(
      env,
      auditContext(),
      { decision: denialWithoutPolicies(MAY_ACT_DENIED), outcome: { scopeGranted: null, tokenJti: null } },
      null,
      x.background,
    );
    throw new OAuthError("access_denied", `${MAY_ACT_DENIED} (request ${x.context.id})`);
  }

  const inputValue = fromJS(input);
  const options = { budget: evaluationBudget(env.POLICY_EVAL_BUDGET), nowNs: timeNs(x.context.time), wasm: wasmDecider(env) };
  const decision = await evaluateSet(snapshot.active, inputValue, options);
  const shadow = snapshot.shadow ? await evaluateSet(snapshot.shadow, inputValue, options) : null;
  const record = (outcome: Outcome) =>
    recordDecision(
      env,
      auditContext(),
      { decision, outcome },
      shadow && { decision: shadow, outcome: { scopeGranted: wouldGrant(shadow, requestedScopes, subject), tokenJti: null } },
      x.background,
    );
  const refuse = async (error: OAuthError, extraReasons: string[] = []): Promise<never> => {
    await record({ scopeGranted: null, tokenJti: null, extraReasons, refused: decision.decision === "allow" });
    throw error;
  };

  if (decision.status === "error") {
    await refuse(
      new OAuthError("temporarily_unavailable", `the policy evaluation failed, so the exchange fails closed (request ${x.context.id})`),
    );
  }
  if (decision.decision === "deny") await refuse(denied(decision, x.context.id));
  const obligations = decision.obligations ?? { ttl: null, scope: null, claims: {} };
  const scope = grantedScopes(requestedScopes, obligations.scope, subject);
  if (exchange.scope !== null && exchange.scope.length > 0 && scope.length === 0) {
    await refuse(new OAuthError("invalid_scope", "none of the requested scopes may be granted"), [NO_GRANTABLE_SCOPE]);
  }

  const lifetime = tokenLifetime(snapshot, obligations.ttl);
  const jti = crypto.randomUUID();
  const { payload, ignoredClaims } = issuedClaims({
    issuer,
    zoneId,
    clientId: client.id,
    subject,
    audience: audienceOf(exchange.resource, exchange.audience, client.id),
    scope,
    act,
    lifetime,
    now: x.context.time,
    jti,
    extraClaims: obligations.claims,
  });
  const kid = snapshot.signingKeyId ?? (await firstSigningKey(env, zoneId));
  const token = await signIssuedToken(payload, exchange.requestedTokenType, kid, await signingKey(env, zoneId, kid));

  const extraReasons = ignoredClaims.length > 0 ? [`claims obligation: protected claims not overridden: ${ignoredClaims.join(", ")}`] : [];
  await record({ scopeGranted: scope, tokenJti: jti, extraReasons });

  const body: TokenResponse = {
    access_token: token,
    issued_token_type: exchange.requestedTokenType,
    token_type: "Bearer",
    expires_in: lifetime,
    ...(scope.length > 0 ? { scope: scope.join(" ") } : {}),
  };
  return Response.json(body, { headers: NO_STORE_HEADERS });
}

/** The zone itself (its currently published keys) for its own tokens; else a trusted-issuer row, if any. */
function trustOf(token: InspectedToken, ownIssuer: string, lookups: ZoneCredentials, snapshot: ZoneSnapshot): IssuerTrust | undefined {
  if (token.issuer === ownIssuer) return { kind: "own", keys: publishedKeys(keyStatuses(lookups.ownKeys, snapshot.maxTokenLifetime)) };
  const row = lookups.issuers.find((r) => r.issuer === token.issuer);
  return row ? { kind: "trusted", row } : undefined;
}

/** The snapshot, once the client is known to belong to the zone (so the zone exists). */
function loadedSnapshot(load: { snapshot: ZoneSnapshot | null } | { error: unknown }): ZoneSnapshot {
  if ("error" in load) {
    console.error("loading the zone's policy snapshot failed", load.error);
    throw new OAuthError("temporarily_unavailable", "the zone's policies could not be loaded; retry later");
  }
  if (!load.snapshot) throw new Error("the zone has a client but no zone row");
  return load.snapshot;
}

async function firstSigningKey(env: Env, zoneId: string): Promise<string> {
  const kid = await ensureSigningKey(env, zoneId);
  zoneCache.invalidate(zoneId);
  // Other isolates verify the zone's own tokens with its key list: tell them it has a key now.
  await credentialsChanged(env, zoneId, "key");
  return kid;
}

function denied(decision: SetDecision, requestId: string): OAuthError {
  if (decision.reasons.includes(NO_ACTIVE_POLICY_SET)) {
    return new OAuthError("access_denied", `${NO_ACTIVE_POLICY_SET}: no policy set is active in this zone (request ${requestId})`);
  }
  // Policy reasons stay in the audit: they describe the zone's policies, which clients need not learn.
  return new OAuthError("access_denied", `the zone's policies denied this exchange; \`caracal explain ${requestId}\` shows why`);
}

/** The scopes a shadow decision would have granted (null when it would deny). */
function wouldGrant(shadow: SetDecision, requested: string[], subject: VerifiedToken): string[] | null {
  return shadow.decision === "allow" && shadow.obligations ? grantedScopes(requested, shadow.obligations.scope, subject) : null;
}

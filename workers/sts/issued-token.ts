/**
 * The token this STS issues: an ES256 JWT signed with the zone's current key.
 * Registered claims and `act`, `scope`, `client_id`, `zone` are the STS's own;
 * a policy's `claims` obligation adds claims but never replaces those.
 */
import { SignJWT, type JWTPayload } from "jose";
import type { JSONValue } from "../rego/index.js";
import { invalidRequest } from "./oauth-error.js";
import { SIGNING_ALG } from "./keys.js";
import type { VerifiedToken } from "./subject-token.js";
import { TOKEN_TYPES } from "./token-request.js";

export const PROTECTED_CLAIMS = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "act", "scope", "client_id", "zone"];
/** Longest delegation chain accepted: each exchange with an actor adds one level. */
export const MAX_ACT_DEPTH = 10;

type ActClaim = { sub: string; iss?: string; act?: ActClaim } & Record<string, unknown>;

/**
 * RFC 8693 §4.1: the current actor on top, prior actors nested below it. A
 * subject that already carries `act` keeps that chain, with or without a new
 * actor: delegation is never silently dropped.
 */
export function actClaim(subject: VerifiedToken, actor: VerifiedToken | null): ActClaim | undefined {
  const prior = subject.claims.act as ActClaim | undefined;
  if (prior !== undefined && (typeof prior !== "object" || prior === null || Array.isArray(prior))) {
    throw invalidRequest("subject_token: act must be an object");
  }
  const act = actor ? { sub: actor.claims.sub, iss: actor.issuer, ...(prior ? { act: prior } : {}) } : prior;
  let depth = 0;
  for (let a: ActClaim | undefined = act; a; a = a.act) {
    if (++depth > MAX_ACT_DEPTH) throw invalidRequest(`the delegation chain is longer than ${MAX_ACT_DEPTH} actors`);
  }
  return act;
}

/**
 * RFC 8693 §4.4: when the subject token names who may act for it, the actor
 * must match each member it names (sub, and iss when present).
 */
export function mayActPermits(subject: VerifiedToken, actor: VerifiedToken | null): boolean {
  const mayAct = subject.claims.may_act as Record<string, unknown> | undefined;
  if (mayAct === undefined || actor === null) return true;
  if (typeof mayAct !== "object" || mayAct === null || (mayAct.sub === undefined && mayAct.iss === undefined)) return false;
  return (mayAct.sub === undefined || mayAct.sub === actor.claims.sub) && (mayAct.iss === undefined || mayAct.iss === actor.issuer);
}

/** The subject token's scopes: a space-separated `scope` or an `scp` array. */
export function subjectScopes(subject: VerifiedToken): string[] {
  const { scope, scp } = subject.claims as { scope?: unknown; scp?: unknown };
  if (typeof scope === "string") return scope.split(" ").filter((s) => s !== "");
  if (Array.isArray(scp)) return scp.filter((s): s is string => typeof s === "string");
  return [];
}

/**
 * Requested scopes narrowed to what may be granted: the policy's `scope`
 * obligation when it has one, else the subject token's own scopes (so a
 * policy without a scope rule never widens a token).
 */
export function grantedScopes(requested: string[], obligation: string[] | null, subject: VerifiedToken): string[] {
  const cap = new Set(obligation ?? subjectScopes(subject));
  return requested.filter((s) => cap.has(s));
}

/** min(zone default, policy ttl, zone maximum). */
export function tokenLifetime(zone: { defaultTokenLifetime: number; maxTokenLifetime: number }, ttl: number | null): number {
  return Math.min(zone.defaultTokenLifetime, ttl ?? Infinity, zone.maxTokenLifetime);
}

/** Requested resources and audiences, in that order; the client itself when none is named. */
export function audienceOf(resource: string[], audience: string[], clientId: string): string[] {
  const targets = [...new Set([...resource, ...audience])];
  return targets.length > 0 ? targets : [clientId];
}

export interface IssuedTokenSpec {
  issuer: string;
  zoneId: string;
  clientId: string;
  subject: VerifiedToken;
  audience: string[];
  scope: string[];
  act: ActClaim | undefined;
  lifetime: number;
  now: Date;
  jti: string;
  /** the policy's `claims` obligation */
  extraClaims: Record<string, JSONValue>;
}

export interface IssuedClaims {
  payload: JWTPayload;
  /** obligation claims dropped because they would override the STS's own */
  ignoredClaims: string[];
}

export function issuedClaims(spec: IssuedTokenSpec): IssuedClaims {
  const iat = Math.floor(spec.now.getTime() / 1000);
  const ignoredClaims = Object.keys(spec.extraClaims).filter((name) => PROTECTED_CLAIMS.includes(name));
  const extra = Object.fromEntries(Object.entries(spec.extraClaims).filter(([name]) => !PROTECTED_CLAIMS.includes(name)));
  const payload: JWTPayload = {
    ...extra,
    iss: spec.issuer,
    sub: spec.subject.claims.sub,
    aud: spec.audience.length === 1 ? spec.audience[0] : spec.audience,
    exp: iat + spec.lifetime,
    iat,
    jti: spec.jti,
    scope: spec.scope.join(" "),
    client_id: spec.clientId,
    zone: spec.zoneId,
    ...(spec.act ? { act: spec.act } : {}),
  };
  return { payload, ignoredClaims };
}

/** RFC 9068 names JWT access tokens `at+jwt`; a plain `jwt` request gets a plain JWT. */
export function signIssuedToken(payload: JWTPayload, requestedTokenType: string, kid: string, key: CryptoKey): Promise<string> {
  const typ = requestedTokenType === TOKEN_TYPES.accessToken ? "at+jwt" : "JWT";
  return new SignJWT(payload).setProtectedHeader({ alg: SIGNING_ALG, kid, typ }).sign(key);
}

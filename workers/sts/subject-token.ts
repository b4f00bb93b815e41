/**
 * Verifying subject and actor tokens. A token must be a JWS-signed JWT with
 * an allow-listed asymmetric `alg` (never `none`, never HS*), a `kid`, and an
 * `iss` that is the zone's own issuer or one of its trusted issuers; `exp` and
 * `sub` are required; `exp`, `nbf` and `iat` are checked with 60 s of leeway;
 * an issuer that pins an audience requires it in `aud`. Every failure is
 * `invalid_request` (RFC 8693 §2.2.2) with a description that never quotes
 * the token; an issuer whose keys cannot be fetched is a 503.
 */
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { jsonLimitProblem } from "../http/json-limits.js";
import { invalidRequest, OAuthError } from "./oauth-error.js";
import { ownKeys, trustedIssuerKeys, type TrustedIssuerRow } from "./issuer-keys.js";
import { VERIFY_ALGORITHMS } from "./jwk-import.js";
import { SIGNING_ALG, type PublicJwk } from "./keys.js";
import type { PresentedToken } from "./token-request.js";

export const CLOCK_LEEWAY_SECONDS = 60;

export type TokenRole = "subject_token" | "actor_token";

/** A token whose shape is acceptable, before its signature is checked. */
export interface InspectedToken {
  role: TokenRole;
  presented: PresentedToken;
  issuer: string;
}

export interface VerifiedToken {
  tokenType: string;
  issuer: string;
  claims: JWTPayload & { sub: string; iss: string };
}

/** How a token's issuer is trusted: the zone itself (its published keys) or a trusted-issuer row. */
export type IssuerTrust = { kind: "own"; keys: PublicJwk[] } | { kind: "trusted"; row: TrustedIssuerRow };

export function inspectToken(role: TokenRole, presented: PresentedToken): InspectedToken {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let payload: JWTPayload;
  try {
    header = decodeProtectedHeader(presented.token);
    payload = decodeJwt(presented.token);
  } catch {
    throw invalidRequest(`${role} is not a signed JWT`);
  }
  // Before anything walks the claims (policy input, audit): a bounded depth and size.
  const shape = jsonLimitProblem(payload);
  if (shape) throw invalidRequest(`${role}: its claims are refused: ${shape}`);
  const alg = header.alg;
  if (alg === undefined || alg.toLowerCase() === "none") throw invalidRequest(`${role}: unsigned tokens (alg none) are never accepted`);
  if (/^HS/i.test(alg)) throw invalidRequest(`${role}: HMAC algorithms are not accepted; issuers sign with asymmetric keys`);
  if (!VERIFY_ALGORITHMS.includes(alg)) throw invalidRequest(`${role}: alg ${alg} is not accepted`);
  if (typeof header.kid !== "string" || header.kid === "") throw invalidRequest(`${role}: the JWT header has no kid`);
  if (typeof payload.iss !== "string" || payload.iss === "") throw invalidRequest(`${role}: the JWT has no iss`);
  return { role, presented, issuer: payload.iss };
}

export async function verifyToken(token: InspectedToken, trust: IssuerTrust | undefined, now = new Date()): Promise<VerifiedToken> {
  const { role } = token;
  if (!trust) throw invalidRequest(`${role}: its issuer is not trusted by this zone`);
  const keys: JWTVerifyGetKey = trust.kind === "own" ? ownKeys(trust.keys) : trustedIssuerKeys(trust.row);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token.presented.token, keys, {
      algorithms: trust.kind === "own" ? [SIGNING_ALG] : VERIFY_ALGORITHMS,
      issuer: token.issuer,
      clockTolerance: CLOCK_LEEWAY_SECONDS,
      requiredClaims: ["exp", "sub"],
      currentDate: now,
      ...(trust.kind === "trusted" && trust.row.audience ? { audience: trust.row.audience } : {}),
    }));
  } catch (err) {
    throw verificationFailure(role, err);
  }
  if (typeof payload.iat === "number" && payload.iat > now.getTime() / 1000 + CLOCK_LEEWAY_SECONDS) {
    throw invalidRequest(`${role}: issued in the future (iat)`);
  }
  if (typeof payload.sub !== "string" || payload.sub === "") throw invalidRequest(`${role}: sub must be a non-empty string`);
  return { tokenType: token.presented.tokenType, issuer: token.issuer, claims: payload as VerifiedToken["claims"] };
}

function verificationFailure(role: TokenRole, err: unknown): OAuthError {
  if (err instanceof errors.JWTExpired) return invalidRequest(`${role} has expired`);
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "nbf") return invalidRequest(`${role} is not valid yet (nbf)`);
    if (err.claim === "aud") return invalidRequest(`${role} is not meant for this zone (aud)`);
    return invalidRequest(`${role}: the ${err.claim} claim is ${err.reason === "missing" ? "missing" : "invalid"}`);
  }
  if (err instanceof errors.JWKSNoMatchingKey) return invalidRequest(`${role}: no key of its issuer has this kid and alg`);
  if (err instanceof errors.JWSSignatureVerificationFailed) return invalidRequest(`${role}: the signature does not verify`);
  if (err instanceof errors.JOSEAlgNotAllowed) return invalidRequest(`${role}: alg is not accepted for this issuer`);
  // Fetching or reading the issuer's JWKS failed (jose reports an HTTP error as a generic JOSEError).
  const keysUnavailable =
    !(err instanceof errors.JOSEError) ||
    err instanceof errors.JWKSTimeout ||
    err instanceof errors.JWKSInvalid ||
    err.code === errors.JOSEError.code;
  if (keysUnavailable) {
    console.error(`${role}: the issuer's keys could not be loaded`, err);
    return new OAuthError("temporarily_unavailable", `${role}: the issuer's keys could not be loaded; retry later`);
  }
  return invalidRequest(`${role} is invalid (${err.code})`);
}

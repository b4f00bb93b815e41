/** The zone as an OAuth authorization server: its issuer identifier and RFC 8414 metadata. */
import { ASSERTION_ALGORITHMS, TOKEN_ENDPOINT_AUTH_METHODS } from "./client-auth.js";
import { OAuthError } from "./oauth-error.js";
import { TOKEN_EXCHANGE_GRANT } from "./token-request.js";

/**
 * The STS's public origin, from the Worker var CARACAL_ISSUER_URL (never from
 * the request's Host header, which a caller controls). A request that reached
 * the Worker under another host name is answered as usual, with this origin
 * in `iss` and the metadata. An origin only: zones live at /zones/{zone}.
 */
export class IssuerNotConfiguredError extends Error {
  override name = "IssuerNotConfiguredError";
}

export function issuerOrigin(configured: string | undefined): string {
  if (!configured) throw new IssuerNotConfiguredError("the Worker var CARACAL_ISSUER_URL is not set");
  let url: URL;
  try {
    url = new URL(configured);
  } catch {
    throw new IssuerNotConfiguredError("CARACAL_ISSUER_URL is not a URL");
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.pathname !== "/" || url.search || url.hash || url.username)
    throw new IssuerNotConfiguredError("CARACAL_ISSUER_URL must be an http(s) origin without path, query or credentials");
  return url.origin;
}

/** The same failure at the token endpoint, in OAuth's words. */
export function issuerNotConfigured(err: IssuerNotConfiguredError): OAuthError {
  return new OAuthError("temporarily_unavailable", `the STS is not configured: ${err.message}`);
}

/** `{origin}/zones/{zone}`: the `iss` of the zone's tokens and the base of its endpoints. */
export function zoneIssuer(origin: string, zoneId: string): string {
  return `${origin}/zones/${zoneId}`;
}

export function tokenEndpoint(issuer: string): string {
  return `${issuer}/oauth2/token`;
}

export function authorizationServerMetadata(issuer: string) {
  return {
    issuer,
    token_endpoint: tokenEndpoint(issuer),
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    grant_types_supported: [TOKEN_EXCHANGE_GRANT],
    token_endpoint_auth_methods_supported: TOKEN_ENDPOINT_AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    // RFC 8414 requires the member; this server has no authorization endpoint, so it supports none.
    response_types_supported: [],
  };
}

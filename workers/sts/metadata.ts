/** The zone as an OAuth authorization server: its issuer identifier and RFC 8414 metadata. */
import { TOKEN_EXCHANGE_GRANT } from "./token-request.js";

/** `{origin}/zones/{zone}`: the `iss` of the zone's tokens and the base of its endpoints. */
export function zoneIssuer(origin: string, zoneId: string): string {
  return `${origin}/zones/${zoneId}`;
}

export function authorizationServerMetadata(issuer: string) {
  return {
    issuer,
    token_endpoint: `${issuer}/oauth2/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    grant_types_supported: [TOKEN_EXCHANGE_GRANT],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    // RFC 8414 requires the member; this server has no authorization endpoint, so it supports none.
    response_types_supported: [],
  };
}

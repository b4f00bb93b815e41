/**
 * Client authentication at the token endpoint: client_secret_basic or
 * client_secret_post (never both, RFC 6749 §2.3). Secrets are 256-bit random
 * values stored only as SHA-256, compared in constant time; an unknown client,
 * a client of another zone, a disabled client and a wrong secret all get the
 * same 401.
 */
import type { clients } from "../../schema/index.js";
import { base64UrlEncode, randomBytes, secretMatchesDigest, sha256Hex } from "../crypto.js";
import { invalidClient, invalidRequest } from "./oauth-error.js";
import type { TokenForm } from "./token-request.js";

export type ClientRow = typeof clients.$inferSelect;

export interface ClientCredentials {
  clientId: string;
  secret: string;
}

/** Compared against when the client does not exist, so that case costs the same as a wrong secret. */
const NO_CLIENT_DIGEST = "0".repeat(64);
const CLIENT_SECRET_PREFIX = "cs_";

/** A new client secret and the digest to store. The secret is shown once and never stored. */
export async function newClientSecret(): Promise<{ secret: string; sha256: string }> {
  const secret = CLIENT_SECRET_PREFIX + base64UrlEncode(randomBytes(32));
  return { secret, sha256: await sha256Hex(secret) };
}

/** The credentials the request presents; throws invalid_client when there are none. */
export function presentedCredentials(authorization: string | undefined, form: TokenForm): ClientCredentials {
  const posted = form.single.client_secret;
  if (authorization !== undefined && /^basic\s/i.test(authorization)) {
    if (posted !== undefined)
      throw invalidRequest("use one client authentication method: HTTP Basic or client_secret in the body, not both");
    const basic = decodeBasic(authorization);
    if (form.single.client_id !== undefined && form.single.client_id !== basic.clientId) {
      throw invalidRequest("client_id in the body differs from the HTTP Basic user");
    }
    return basic;
  }
  const clientId = form.single.client_id;
  if (clientId === undefined || posted === undefined)
    throw invalidClient("client authentication is required (client_secret_basic or client_secret_post)");
  return { clientId, secret: posted };
}

/** RFC 6749 §2.3.1: user and password are form-urlencoded before base64. */
function decodeBasic(authorization: string): ClientCredentials {
  let decoded: string;
  try {
    decoded = atob(authorization.replace(/^basic\s+/i, "").trim());
  } catch {
    throw invalidClient("malformed HTTP Basic credentials");
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) throw invalidClient("malformed HTTP Basic credentials");
  try {
    const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient("malformed HTTP Basic credentials");
  }
}

/** The client the credentials belong to, looked up in the request's zone only. */
export async function authenticateClient(row: ClientRow | undefined, credentials: ClientCredentials): Promise<ClientRow> {
  const matches = await secretMatchesDigest(credentials.secret, row?.secretSha256 ?? NO_CLIENT_DIGEST);
  if (!row || !matches || row.disabledAt !== null) throw invalidClient();
  return row;
}

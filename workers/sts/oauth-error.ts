/**
 * OAuth 2.0 error responses of the token endpoint (RFC 6749 §5.2, RFC 8693
 * §2.2.2). The token endpoint speaks OAuth, not problem+json: clients parse
 * `error`. Descriptions never echo tokens or secrets.
 */

export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "invalid_target"
  | "access_denied"
  | "temporarily_unavailable"
  | "server_error";

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  access_denied: 403,
  temporarily_unavailable: 503,
  server_error: 500,
};

/** Token responses, successful or not, must never be cached (RFC 6749 §5.1). */
export const NO_STORE_HEADERS = { "cache-control": "no-store", pragma: "no-cache" } as const;

export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    /** sent as Retry-After: the failure is transient (storage, an issuer's keys) */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${code}: ${description}`);
    this.name = "OAuthError";
  }

  get status(): number {
    return STATUS[this.code];
  }

  toResponse(): Response {
    const headers: Record<string, string> = { "content-type": "application/json", ...NO_STORE_HEADERS };
    // RFC 6749 §5.2: a 401 names the authentication scheme the client should use.
    if (this.code === "invalid_client") headers["www-authenticate"] = 'Basic realm="caracal-sts", charset="UTF-8"';
    if (this.retryAfterSeconds !== undefined) headers["retry-after"] = String(this.retryAfterSeconds);
    return new Response(JSON.stringify({ error: this.code, error_description: this.description }), { status: this.status, headers });
  }
}

export const invalidRequest = (description: string) => new OAuthError("invalid_request", description);
export const invalidClient = (description = "client authentication failed") => new OAuthError("invalid_client", description);

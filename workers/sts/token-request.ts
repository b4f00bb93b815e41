/**
 * Reads and validates an RFC 8693 token-exchange request body: form-encoded,
 * each parameter at most once except `resource` and `audience`, empty values
 * treated as absent and unknown parameters ignored (RFC 6749 §3.2).
 */
import { invalidRequest, OAuthError } from "./oauth-error.js";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";

export const TOKEN_TYPES = {
  jwt: "urn:ietf:params:oauth:token-type:jwt",
  accessToken: "urn:ietf:params:oauth:token-type:access_token",
  idToken: "urn:ietf:params:oauth:token-type:id_token",
} as const;

/** Subject and actor tokens of these types are accepted when they are JWTs. */
const INPUT_TOKEN_TYPES: readonly string[] = [TOKEN_TYPES.jwt, TOKEN_TYPES.accessToken, TOKEN_TYPES.idToken];
/** What this STS issues: a JWT either way; access_token is the default. */
const ISSUABLE_TOKEN_TYPES: readonly string[] = [TOKEN_TYPES.accessToken, TOKEN_TYPES.jwt];

const MAX_BODY_BYTES = 64 * 1024;
const MAX_TARGETS = 16;
const MAX_SCOPES = 64;
const SINGLE_VALUED = [
  "grant_type",
  "subject_token",
  "subject_token_type",
  "actor_token",
  "actor_token_type",
  "scope",
  "requested_token_type",
  "client_id",
  "client_secret",
  "client_assertion",
  "client_assertion_type",
] as const;
/** RFC 6749 §3.3 scope-token characters. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export interface PresentedToken {
  token: string;
  tokenType: string;
}

export interface TokenExchangeRequest {
  subject: PresentedToken;
  actor: PresentedToken | null;
  resource: string[];
  audience: string[];
  /** the `scope` parameter split on spaces; null when absent */
  scope: string[] | null;
  requestedTokenType: string;
}

/** The form's single-valued parameters (client credentials included) and the repeatable targets. */
export interface TokenForm {
  single: Partial<Record<(typeof SINGLE_VALUED)[number], string>>;
  resource: string[];
  audience: string[];
}

export async function readTokenForm(request: Request): Promise<TokenForm> {
  const mediaType = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/x-www-form-urlencoded") {
    throw invalidRequest("the request body must be application/x-www-form-urlencoded");
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw invalidRequest(`the request body is limited to ${MAX_BODY_BYTES} bytes`);
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > MAX_BODY_BYTES) throw invalidRequest(`the request body is limited to ${MAX_BODY_BYTES} bytes`);
  const text = new TextDecoder().decode(bytes);
  const params = new URLSearchParams(text);
  const form: TokenForm = { single: {}, resource: [], audience: [] };
  for (const name of SINGLE_VALUED) {
    const values = params.getAll(name).filter((v) => v !== "");
    if (values.length > 1) throw invalidRequest(`the ${name} parameter must not be repeated`);
    if (values[0] !== undefined) form.single[name] = values[0];
  }
  form.resource = params.getAll("resource").filter((v) => v !== "");
  form.audience = params.getAll("audience").filter((v) => v !== "");
  return form;
}

/** Validates the exchange parameters once the client is authenticated. */
export function parseTokenExchange(form: TokenForm): TokenExchangeRequest {
  const p = form.single;
  if (!p.grant_type) throw invalidRequest("the grant_type parameter is missing");
  if (p.grant_type !== TOKEN_EXCHANGE_GRANT) {
    throw new OAuthError("unsupported_grant_type", `only ${TOKEN_EXCHANGE_GRANT} is supported`);
  }
  const subject = presentedToken("subject", p.subject_token, p.subject_token_type);
  if (!subject) throw invalidRequest("the subject_token parameter is missing");
  const actor = presentedToken("actor", p.actor_token, p.actor_token_type);
  const requestedTokenType = p.requested_token_type ?? TOKEN_TYPES.accessToken;
  if (!ISSUABLE_TOKEN_TYPES.includes(requestedTokenType)) {
    throw invalidRequest(`requested_token_type must be one of ${ISSUABLE_TOKEN_TYPES.join(", ")}`);
  }
  return {
    subject,
    actor,
    resource: targets(form.resource, "resource"),
    audience: targets(form.audience, "audience"),
    scope: p.scope === undefined ? null : scopes(p.scope),
    requestedTokenType,
  };
}

function presentedToken(role: "subject" | "actor", token: string | undefined, tokenType: string | undefined): PresentedToken | null {
  if (token === undefined) {
    if (tokenType !== undefined) throw invalidRequest(`${role}_token_type is given without ${role}_token`);
    return null;
  }
  if (tokenType === undefined) throw invalidRequest(`the ${role}_token_type parameter is missing`);
  if (!INPUT_TOKEN_TYPES.includes(tokenType)) {
    throw invalidRequest(`${role}_token_type must be one of ${INPUT_TOKEN_TYPES.join(", ")}`);
  }
  return { token, tokenType };
}

function targets(values: string[], name: "resource" | "audience"): string[] {
  if (values.length > MAX_TARGETS) throw new OAuthError("invalid_target", `at most ${MAX_TARGETS} ${name} values are accepted`);
  if (name === "resource") {
    // RFC 8707 §2: an absolute URI without a fragment.
    for (const value of values) {
      if (!isAbsoluteUriWithoutFragment(value))
        throw new OAuthError("invalid_target", "resource must be an absolute URI without a fragment");
    }
  }
  return [...new Set(values)];
}

function isAbsoluteUriWithoutFragment(value: string): boolean {
  try {
    return new URL(value).hash === "" && !value.includes("#");
  } catch {
    return false;
  }
}

function scopes(scope: string): string[] {
  const tokens = scope.split(" ").filter((s) => s !== "");
  if (tokens.length > MAX_SCOPES) throw new OAuthError("invalid_scope", `at most ${MAX_SCOPES} scopes may be requested`);
  if (!tokens.every((t) => SCOPE_TOKEN.test(t)))
    throw new OAuthError("invalid_scope", "scope contains characters RFC 6749 §3.3 does not allow");
  return [...new Set(tokens)];
}

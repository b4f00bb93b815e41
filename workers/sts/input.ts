/**
 * The policy input document, version 1 (docs/architecture.md §4). It carries verified
 * claims, never raw tokens or client secrets, and is stored verbatim in the
 * audit event so explain shows exactly what the policies saw.
 */
import type { JSONValue } from "../rego/index.js";
import type { ClientRow } from "./client-auth.js";
import type { VerifiedToken } from "./subject-token.js";

export const INPUT_SCHEMA_VERSION = 1;

export interface RequestContext {
  id: string;
  time: Date;
  ip: string | null;
  country: string | null;
}

export interface TokenInput {
  token_type: string;
  issuer: string;
  claims: Record<string, JSONValue>;
}

export interface InputDocument {
  schema_version: number;
  zone: { id: string };
  request: { id: string; time: string; time_ns: bigint; ip: string | null; country: string | null };
  client: { id: string; name: string; attributes: Record<string, JSONValue> };
  subject: TokenInput;
  actor: TokenInput | null;
  resource: string[];
  audience: string[];
  scope: string[];
  requested_token_type: string;
}

export interface InputParts {
  zoneId: string;
  request: RequestContext;
  client: ClientRow;
  subject: VerifiedToken;
  actor: VerifiedToken | null;
  resource: string[];
  audience: string[];
  scope: string[];
  requestedTokenType: string;
}

/** time.now_ns() of the request, which policies may compare with input.request.time_ns. */
export function timeNs(time: Date): bigint {
  return BigInt(time.getTime()) * 1_000_000n;
}

function tokenInput(token: VerifiedToken): TokenInput {
  return { token_type: token.tokenType, issuer: token.issuer, claims: token.claims as Record<string, JSONValue> };
}

export function buildInput(parts: InputParts): InputDocument {
  const { request } = parts;
  return {
    schema_version: INPUT_SCHEMA_VERSION,
    zone: { id: parts.zoneId },
    request: { id: request.id, time: request.time.toISOString(), time_ns: timeNs(request.time), ip: request.ip, country: request.country },
    client: { id: parts.client.id, name: parts.client.name, attributes: parts.client.attributes as Record<string, JSONValue> },
    subject: tokenInput(parts.subject),
    actor: parts.actor ? tokenInput(parts.actor) : null,
    resource: parts.resource,
    audience: parts.audience,
    scope: parts.scope,
    requested_token_type: parts.requestedTokenType,
  };
}

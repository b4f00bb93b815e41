/**
 * RFC 9457 problem details. Handlers throw `Problem`s; the app's error handler
 * renders them (and anything else, without a stack) as application/problem+json.
 */
import type { Location, RegoErrorInfo } from "../rego/index.js";

/** One item of a problem's `errors`: a Rego error, a request field that failed validation, or a bundle's file. */
export type ProblemItem =
  | RegoErrorInfo
  | { code: string; message: string; pointer: string }
  | { code: string; message: string; path?: string }
  | { code: string; message: string; location?: Location }
  /** a bundle test that refused a set version (workers/admin/policy-tests.ts) */
  | { code: string; message: string; location?: Location; policy_version_id: string };

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  request_id?: string;
  errors?: ProblemItem[];
}

const TYPE_PREFIX = "urn:caracal:problem:";

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly errors?: ProblemItem[],
    /** sent as Retry-After: the failure is transient */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
    this.name = "Problem";
  }

  body(requestId?: string): ProblemBody {
    return {
      type: TYPE_PREFIX + this.slug,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(requestId ? { request_id: requestId } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }

  toResponse(requestId?: string, headers: Record<string, string> = {}): Response {
    return new Response(JSON.stringify(this.body(requestId)), {
      status: this.status,
      headers: {
        "content-type": "application/problem+json",
        ...(this.retryAfterSeconds !== undefined ? { "retry-after": String(this.retryAfterSeconds) } : {}),
        ...headers,
      },
    });
  }
}

export const badRequest = (detail: string, errors?: ProblemItem[]) => new Problem(400, "bad-request", "Bad Request", detail, errors);
export const unauthorized = (detail: string) => new Problem(401, "unauthorized", "Unauthorized", detail);
/** The same answer for "does not exist" and "exists in another zone": existence never leaks. */
export const notFound = (what: string) => new Problem(404, "not-found", "Not Found", `${what} not found`);
export const conflict = (detail: string) => new Problem(409, "conflict", "Conflict", detail);
export const payloadTooLarge = (detail: string) => new Problem(413, "payload-too-large", "Payload Too Large", detail);
export const unsupportedMediaType = (detail: string) => new Problem(415, "unsupported-media-type", "Unsupported Media Type", detail);
export const invalidReference = (detail: string) => new Problem(422, "invalid-reference", "Unprocessable Content", detail);
export const regoCompileFailed = (errors: RegoErrorInfo[]) =>
  new Problem(422, "rego-compile-error", "Unprocessable Content", "the policy does not compile", errors);
export const serviceUnavailable = (detail: string) => new Problem(503, "unavailable", "Service Unavailable", detail);
export const storageUnavailable = (retryAfterSeconds: number) =>
  new Problem(503, "storage-unavailable", "Service Unavailable", "the database is unavailable; retry later", undefined, retryAfterSeconds);
export const internalError = () =>
  new Problem(500, "internal", "Internal Server Error", "the request failed; quote the request id when reporting it");

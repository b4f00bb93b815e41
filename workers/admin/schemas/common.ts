/**
 * Schemas shared by every admin resource: names, ids, timestamps, pagination,
 * problem documents, and the helpers that describe request bodies and
 * responses for the OpenAPI document.
 */
import { z } from "@hono/zod-openapi";

/** Names of zones, policies and sets: they appear in audit records and Rego file names. */
export const Name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "1–64 letters, digits, '.', '_' or '-', starting with a letter or digit")
  .openapi({ example: "payments-policy" });

export const Timestamp = z.string().openapi({ format: "date-time", example: "2026-04-20T12:00:00.000Z" });

export const RegoVersion = z.union([z.literal(0), z.literal(1)]).openapi({
  description: "Rego syntax version: 1 (default) or 0 for pre-1.0 policies (`--v0-compatible`)",
});

/** Rego sources are capped separately from the body so the message can name the source. */
export const MAX_SOURCE_BYTES = 128 * 1024;
export const Source = z
  .string()
  .min(1)
  .openapi({ description: `Rego module, at most ${MAX_SOURCE_BYTES} bytes of UTF-8` });

function pathParam(name: string, example: string) {
  return z.string().openapi({ param: { name, in: "path" }, example });
}
export const ZoneParams = z.object({ zone: pathParam("zone", "zn-4k2j9x0q1m7a") });
export const PolicyParams = ZoneParams.extend({ policy: pathParam("policy", "pol-abc123abc123") });
export const PolicyVersionParams = PolicyParams.extend({ version: pathParam("version", "pv-def456def456") });
export const PolicySetParams = ZoneParams.extend({ set: pathParam("set", "ps-ghi789ghi789") });
export const PolicySetVersionParams = PolicySetParams.extend({ version: pathParam("version", "psv-jkl012jkl012") });
export const ClientParams = ZoneParams.extend({ client: pathParam("client", "cl-mno345mno345") });
export const IssuerParams = ZoneParams.extend({ issuer: pathParam("issuer", "iss-pqr678pqr678") });
export const RequestParams = ZoneParams.extend({ request_id: pathParam("request_id", "req-0123456789abcdef") });

export const PageQuery = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(50)
    .openapi({ param: { name: "limit", in: "query" } }),
  cursor: z
    .string()
    .optional()
    .openapi({ param: { name: "cursor", in: "query" } }),
});

export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      next_cursor: z.string().nullable().openapi({ description: "pass as `cursor` for the next page; null on the last" }),
    })
    .openapi(name);
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    request_id: z.string().optional(),
    errors: z
      .array(
        z.object({
          code: z.string(),
          message: z.string(),
          location: z.object({ file: z.string(), row: z.number().int(), col: z.number().int() }).optional(),
          pointer: z.string().optional().openapi({ description: "JSON pointer of an invalid request field" }),
          path: z.string().optional().openapi({ description: "the file inside an uploaded bundle the error is about" }),
          policy_version_id: z.string().optional().openapi({ description: "the policy version whose bundle test refused a set version" }),
        }),
      )
      .optional(),
  })
  .openapi("Problem");

const PROBLEM_DESCRIPTIONS = {
  400: "Malformed JSON, missing, unknown or invalid fields",
  401: "Missing or invalid admin token",
  404: "No such resource in this zone",
  409: "The name (or issuer) is taken in this zone, or a concurrent activation or key rotation won",
  413: "Request body or policy source too large",
  415: "The body is not application/json",
  422: "The policy does not compile, the body names versions that are not in this zone, or an issuer's keys are unusable",
  503: "A Worker secret this route needs is not set, or D1 is unavailable (with Retry-After)",
} as const;

type ProblemStatus = keyof typeof PROBLEM_DESCRIPTIONS;

/** Problem responses of a route: 400 and 401 always apply. */
export function problems(...statuses: ProblemStatus[]) {
  const all: ProblemStatus[] = [400, 401, ...statuses];
  return Object.fromEntries(
    all.map((s) => [s, { description: PROBLEM_DESCRIPTIONS[s], content: { "application/problem+json": { schema: ProblemSchema } } }]),
  ) as Record<ProblemStatus, { description: string; content: { "application/problem+json": { schema: typeof ProblemSchema } } }>;
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } };
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

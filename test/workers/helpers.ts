/** Calls the Worker's real fetch handler (in workerd, on the test D1) the way an admin client would. */
import { exports } from "cloudflare:workers";
import { expect } from "vitest";

export const ADMIN_TOKEN = "test-admin-token";

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
}

export interface CallOptions {
  /** bearer token; null sends no Authorization header */
  token?: string | null;
  headers?: Record<string, string>;
  /** a body sent as is (for malformed JSON, wrong media types, oversized bodies) */
  raw?: string;
}

export async function call(method: string, path: string, json?: unknown, options: CallOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? ADMIN_TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.raw !== undefined || json !== undefined) {
    headers["content-type"] ??= "application/json";
    body = options.raw ?? JSON.stringify(json);
  }
  const res = await exports.default.fetch(new Request(`http://caracal.test${path}`, { method, headers, body }));
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** Asserts a problem+json answer with the given status and returns its body. */
export function expectProblem(res: ApiResponse, status: number): any {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  return res.body;
}

export function expectStatus(res: ApiResponse, status: number): any {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

let counter = 0;
/** Names unique within a test run: test files share one D1. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

export const ALLOW_POLICY = `package payments

default allow := false

allow if input.subject.claims.role == "payer"
`;

export async function newZone(): Promise<string> {
  return expectStatus(await call("POST", "/v1/zones", { name: uniqueName("zone") }), 201).id;
}

export async function newPolicy(zone: string, source = ALLOW_POLICY): Promise<{ id: string; versionId: string }> {
  const body = expectStatus(await call("POST", `/v1/zones/${zone}/policies`, { name: uniqueName("pol"), source }), 201);
  return { id: body.id, versionId: body.versions[0].id };
}

export async function newPolicySet(zone: string): Promise<string> {
  return expectStatus(await call("POST", `/v1/zones/${zone}/policy-sets`, { name: uniqueName("set") }), 201).id;
}

export async function newSetVersion(zone: string, set: string, ids: string[]): Promise<string> {
  const res = await call("POST", `/v1/zones/${zone}/policy-sets/${set}/versions`, { policy_version_ids: ids });
  expect([200, 201]).toContain(res.status);
  return res.body.id;
}

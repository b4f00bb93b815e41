/**
 * The admin API client. The admin token lives in sessionStorage (this tab only, gone when it
 * closes) and travels only in the Authorization header of same-origin requests to /v1 — never
 * in a URL, a cookie or localStorage.
 */

const TOKEN_KEY = "caracal.admin-token";
const ACTOR_KEY = "caracal.actor";

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string | null): void {
  if (value === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, value);
}

/** Who the activation history records for this tab's activations (X-Caracal-Actor); "console" unless named at sign-in. */
export function actor(): string {
  return sessionStorage.getItem(ACTOR_KEY) || "console";
}

export function setActor(name: string): void {
  if (name) sessionStorage.setItem(ACTOR_KEY, name);
  else sessionStorage.removeItem(ACTOR_KEY);
}

/** A problem+json answer (or a network failure) as the views show it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: { code: string; message: string; location?: { file: string; row: number; col: number } }[] = [],
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

/** Fired when the API refuses the token, so the shell can ask for it again. */
export const UNAUTHORIZED_EVENT = "caracal:unauthorized";

async function call(method: string, path: string, body?: unknown, bearer = token()): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method === "POST") headers["X-Caracal-Actor"] = actor();
  let res: Response;
  try {
    res = await fetch(`/v1${path}`, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch (err) {
    throw new ApiError(0, "Network error", err instanceof Error ? err.message : String(err));
  }
  if (res.ok) return res;
  let problem: { title?: string; detail?: string; errors?: ApiError["errors"] } = {};
  try {
    problem = (await res.json()) as typeof problem;
  } catch {
    // not problem+json: the status line is all there is
  }
  if (res.status === 401 && bearer !== null && bearer === token()) window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
  throw new ApiError(res.status, problem.title ?? `HTTP ${res.status}`, problem.detail ?? "", problem.errors ?? []);
}

export async function get<T>(path: string): Promise<T> {
  return (await (await call("GET", path)).json()) as T;
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  return (await (await call("POST", path, body)).json()) as T;
}

export async function bytes(path: string): Promise<Uint8Array> {
  return new Uint8Array(await (await call("GET", path)).arrayBuffer());
}

/** Checks a token before keeping it: a cheap authenticated read. */
export async function checkToken(candidate: string): Promise<void> {
  await call("GET", "/zones?limit=1", undefined, candidate);
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : "";
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** Every item of a paged list (lists of zones, policies and sets are short; capped at 20 pages). */
export async function all<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const sep = path.includes("?") ? "&" : "?";
    const page: Page<T> = await get<Page<T>>(`${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    items.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return items;
}

export const enc = encodeURIComponent;

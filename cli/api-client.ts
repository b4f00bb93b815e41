/**
 * The admin API as the CLI sees it: bearer auth, JSON in and out, and
 * problem+json failures turned into one readable message (Rego errors as
 * `file:row:col: code: message`, with the file the user passed).
 */
import { formatError, type RegoErrorInfo } from "../workers/rego/errors.js";
import { failure } from "./errors.js";

export interface ApiResponse<T> {
  status: number;
  body: T;
}

interface ProblemDocument {
  title?: string;
  status?: number;
  detail?: string;
  /** Rego errors, invalid request fields (pointer), or a bundle's file (path, named by the detail) */
  errors?: (RegoErrorInfo | { code: string; message: string; pointer: string } | { code: string; message: string; path: string })[];
}

export interface RequestOptions {
  /** the local file a policy source came from: replaces the server's module name in Rego locations */
  regoFile?: string;
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    /** sent as X-Caracal-Actor: recorded as who activated */
    private readonly actor: string,
  ) {}

  get<T>(path: string): Promise<ApiResponse<T>> {
    return this.request<T>("GET", path);
  }

  /** A binary answer (a bundle export) as bytes; failures are problem+json as everywhere. */
  async getBytes(path: string): Promise<Uint8Array> {
    const url = new URL(`/v1${path}`, this.baseUrl);
    const res = await this.send(url, "GET");
    if (!res.ok) throw failure(describeProblem(res, parseJson(await res.text()) as ProblemDocument | undefined, {}));
    return new Uint8Array(await res.arrayBuffer());
  }

  /** `body` undefined sends no body (action routes such as `…/disable`). */
  post<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>("POST", path, body, options);
  }

  put<T>(path: string, body: unknown): Promise<ApiResponse<T>> {
    return this.request<T>("PUT", path, body);
  }

  delete(path: string): Promise<ApiResponse<undefined>> {
    return this.request<undefined>("DELETE", path);
  }

  private async send(url: URL, method: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          "x-caracal-actor": this.actor,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      const reason = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      throw failure(`cannot reach the Caracal API at ${this.baseUrl} (${reason}); is \`caracal dev\` running, or is --api-url right?`);
    }
  }

  private async request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = new URL(`/v1${path}`, this.baseUrl);
    const res = await this.send(url, method, body);
    const text = await res.text();
    const parsed = parseJson(text);
    if (!res.ok) throw failure(describeProblem(res, parsed as ProblemDocument | undefined, options));
    if (parsed === undefined && res.status !== 204) throw failure(`${method} ${url.pathname}: the API answered ${res.status} without JSON`);
    return { status: res.status, body: parsed as T };
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function describeProblem(res: Response, problem: ProblemDocument | undefined, options: RequestOptions): string {
  const status = `${res.status} ${problem?.title ?? res.statusText}`.trim();
  const lines = [`${problem?.detail ?? "request failed"} (${status})`];
  for (const item of problem?.errors ?? []) {
    if ("pointer" in item) continue; // already part of the detail
    if ("path" in item) continue; // a bundle's file: the detail names it
    const rego = item as RegoErrorInfo;
    const location = rego.location && options.regoFile ? { ...rego.location, file: options.regoFile } : rego.location;
    lines.push(formatError(location ? { ...rego, location } : rego));
  }
  return lines.join("\n");
}

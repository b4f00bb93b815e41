/**
 * The admin API as the CLI sees it: bearer auth, JSON in and out, and
 * problem+json failures turned into one readable message (Rego errors as
 * `file:row:col: code: message`, with the file the user passed).
 */
import { formatError, type RegoErrorInfo } from "../workers/rego/errors.js";
import { readFileSync } from "node:fs";
import { failure } from "./errors.js";
import { type HttpAnswer, send } from "./http.js";
import { caretLines, parseErrorDetail } from "./source-line.js";

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
    const res = await this.call(url, "GET");
    if (!succeeded(res)) throw failure(describeProblem(res, parseJson(res.text) as ProblemDocument | undefined, {}));
    return new Uint8Array(res.bytes);
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

  private async call(url: URL, method: string, body?: unknown): Promise<HttpAnswer> {
    try {
      return await send(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          "x-caracal-actor": this.actor,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw failure(`cannot reach the Caracal API at ${this.baseUrl} (${reason(err)}); is \`caracal dev\` running, or is --api-url right?`);
    }
  }

  private async request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = new URL(`/v1${path}`, this.baseUrl);
    const res = await this.call(url, method, body);
    const parsed = parseJson(res.text);
    if (!succeeded(res)) throw failure(describeProblem(res, parsed as ProblemDocument | undefined, options));
    if (parsed === undefined && res.status !== 204) throw failure(`${method} ${url.pathname}: the API answered ${res.status} without JSON`);
    return { status: res.status, body: parsed as T };
  }
}

function succeeded(res: HttpAnswer): boolean {
  return res.status >= 200 && res.status < 300;
}

function readLocal(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Why a request got no answer; a connection tried on several addresses fails with an AggregateError of them. */
export function reason(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(reason).join("; ");
  if (err instanceof Error) return err.message || ((err as NodeJS.ErrnoException).code ?? err.name);
  return String(err);
}

function describeProblem(res: HttpAnswer, problem: ProblemDocument | undefined, options: RequestOptions): string {
  const status = `${res.status} ${problem?.title ?? res.statusText}`.trim();
  const lines = [`${problem?.detail ?? "request failed"} (${status})`];
  for (const item of problem?.errors ?? []) {
    if ("pointer" in item) continue; // already part of the detail
    if ("path" in item) continue; // a bundle's file: the detail names it
    const rego = item as RegoErrorInfo;
    const location = rego.location && options.regoFile ? { ...rego.location, file: options.regoFile } : rego.location;
    const error = location ? { ...rego, location } : rego;
    lines.push(formatError(error));
    // A parse error in the file the user sent: its line and a caret, as `opa` shows them.
    const detail = options.regoFile
      ? parseErrorDetail(error, { get: (file) => (file === options.regoFile ? readLocal(file) : undefined) })
      : undefined;
    if (detail) lines.push(caretLines(detail));
  }
  return lines.join("\n");
}

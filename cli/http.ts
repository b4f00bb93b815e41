/**
 * One HTTP request and its whole answer, over node:http (node:https for https URLs).
 * The CLI does not use the global fetch: loading Node's fetch implementation costs about
 * 100 ms of CPU on first use, more than the rest of a command's start-up (bench/cli.ts).
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";

export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: IncomingMessage["headers"];
  /** the body as UTF-8 text, and as it came (a bundle export is binary) */
  text: string;
  bytes: Buffer;
}

export interface HttpRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Rejects with the socket's error (e.g. `connect ECONNREFUSED 127.0.0.1:8787`) when there is no answer. */
export async function send(url: URL, req: HttpRequest): Promise<HttpAnswer> {
  const request = url.protocol === "https:" ? (await import("node:https")).request : httpRequest;
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  const options: RequestOptions = {
    method: req.method,
    headers: { ...req.headers, ...(body ? { "content-length": String(body.length) } : {}) },
  };
  return new Promise((resolve, reject) => {
    const r = request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const bytes = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? "",
          headers: res.headers,
          text: bytes.toString("utf8"),
          bytes,
        });
      });
    });
    r.on("error", reject);
    r.end(body);
  });
}

export function header(answer: HttpAnswer, name: string): string | null {
  const value = answer.headers[name.toLowerCase()];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

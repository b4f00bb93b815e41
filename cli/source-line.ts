/**
 * The source line under a Rego parse error and a caret under its column, as `opa` prints them
 * (OPA attaches the line to parse errors only). Small and dependency-free: the API commands use
 * it for the policy file they sent, the local tools for every loaded module.
 */
import type { RegoErrorInfo } from "../workers/rego/errors.js";

export interface ErrorDetail {
  /** the source line the error is on */
  line: string;
  /** where on that line, in UTF-8 bytes from its start (OPA's `idx`) */
  idx: number;
}

/** The sources errors point into, by file name. */
export type SourceLookup = { get(file: string): string | undefined };

export function parseErrorDetail(error: RegoErrorInfo, sources: SourceLookup): ErrorDetail | undefined {
  if (error.code !== "rego_parse_error" || !error.location) return undefined;
  const source = sources.get(error.location.file);
  if (source === undefined) return undefined;
  const line = source.split(/\r?\n/)[error.location.row - 1];
  if (line === undefined) return undefined;
  const before = [...line].slice(0, Math.max(0, error.location.col - 1)).join("");
  return { line, idx: Buffer.byteLength(before, "utf8") };
}

/** `\t<line>\n\t   ^`: OPA drops the line's leading tabs and moves the caret left by as many. */
export function caretLines(detail: ErrorDetail): string {
  const trimmed = detail.line.replace(/^\t+/, "");
  const indent = Math.max(0, detail.idx - (detail.line.length - trimmed.length));
  return `\t${trimmed}\n\t${" ".repeat(indent)}^`;
}

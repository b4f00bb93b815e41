/** Pieces several command groups use: list paging options, reading policy and JSON files. */
import { readFile } from "node:fs/promises";
import { Option, type Command } from "commander";
import type { PageJson } from "../api-types.js";
import { failure } from "../errors.js";
import { note } from "../output.js";

export interface PageOptions {
  limit?: string;
  cursor?: string;
}

export function withPageOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--limit <n>", "items per page (1-100)").default("100"))
    .option("--cursor <cursor>", "continue after a previous page (its next_cursor)");
}

export function pageQuery(opts: PageOptions): string {
  const params = new URLSearchParams();
  if (opts.limit) params.set("limit", opts.limit);
  if (opts.cursor) params.set("cursor", opts.cursor);
  return `?${params}`;
}

export function noteNextPage(page: PageJson<unknown>): void {
  if (page.next_cursor) note(`more: pass --cursor ${page.next_cursor}`);
}

export async function readSource(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw failure(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** A JSON file's content; unreadable or malformed files are failures (exit 1). */
export async function readJsonFile(file: string): Promise<unknown> {
  const text = await readSource(file);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw failure(`${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function regoVersionOf(opts: { v0Compatible?: boolean }): 0 | 1 {
  return opts.v0Compatible ? 0 : 1;
}

export const v0CompatibleOption = () =>
  new Option("--v0-compatible", "the source uses Rego v0 syntax (pre-1.0: no `if`/`contains` keywords required)");

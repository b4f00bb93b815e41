/** The global options every command sees (flags, else environment, else defaults). */
import { userInfo } from "node:os";
import type { Command } from "commander";
import { ApiClient } from "./api-client.js";
import { usageError } from "./errors.js";

export const DEFAULT_API_URL = "http://127.0.0.1:8787";

export interface GlobalOptions {
  apiUrl: string;
  token?: string;
  zone?: string;
  json?: boolean;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

export function apiClient(opts: GlobalOptions): ApiClient {
  if (!opts.token) throw usageError("no admin token: pass --token or set CARACAL_ADMIN_TOKEN (`caracal dev` prints it)");
  try {
    new URL(opts.apiUrl);
  } catch {
    throw usageError(`--api-url is not a URL: ${opts.apiUrl}`);
  }
  return new ApiClient(opts.apiUrl, opts.token, currentUser());
}

/** `/zones/{zone}` for zone-scoped commands. */
export function zonePath(opts: GlobalOptions): string {
  if (!opts.zone) throw usageError("no zone: pass --zone <id> or set CARACAL_ZONE_ID (`caracal zone create` makes one)");
  return `/zones/${encodeURIComponent(opts.zone)}`;
}

function currentUser(): string {
  try {
    return userInfo().username || "cli";
  } catch {
    return "cli";
  }
}

/**
 * The local admin token lives in `.dev.vars` (git-ignored), which `wrangler
 * dev` loads as the Worker's secrets. It is created once and then reused, so a
 * token pasted into a shell keeps working across restarts.
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const DEV_VARS_FILE = ".dev.vars";
const TOKEN_VAR = "CARACAL_ADMIN_TOKEN";

export async function ensureAdminToken(projectRoot: string): Promise<{ token: string; created: boolean }> {
  const path = join(projectRoot, DEV_VARS_FILE);
  const existing = await readFile(path, "utf8").catch(() => "");
  const token = readVar(existing, TOKEN_VAR);
  if (token) return { token, created: false };
  const fresh = `cdev_${randomBytes(32).toString("base64url")}`;
  const separator = existing === "" || existing.endsWith("\n") ? "" : "\n";
  await writeFile(path, `${existing}${separator}${TOKEN_VAR}=${fresh}\n`, { mode: 0o600 });
  return { token: fresh, created: true };
}

/** `KEY=value` lines as dotenv writes them (optionally quoted); comments and blanks ignored. */
function readVar(text: string, name: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1] !== name) continue;
    const value = (match[2] ?? "").replace(/^(['"])(.*)\1$/, "$2");
    if (value) return value;
  }
  return undefined;
}

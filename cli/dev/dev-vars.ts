/**
 * The local stack's secrets live in `.dev.vars` (git-ignored), which `wrangler
 * dev` loads as the Worker's secrets: the admin token and the key-encryption
 * key that protects zone signing keys at rest. Each is created once and then
 * reused, so a token pasted into a shell keeps working across restarts and
 * stored signing keys stay decryptable.
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const DEV_VARS_FILE = ".dev.vars";

/** Each secret `caracal dev` makes sure of, and how a fresh one is made. */
const DEV_SECRETS = {
  CARACAL_ADMIN_TOKEN: () => `cdev_${randomBytes(32).toString("base64url")}`,
  CARACAL_KEY_ENCRYPTION_KEY: () => randomBytes(32).toString("base64"),
} as const;

export interface DevSecrets {
  adminToken: string;
  /** names of the secrets created by this call */
  created: string[];
}

export async function ensureDevSecrets(projectRoot: string): Promise<DevSecrets> {
  const path = join(projectRoot, DEV_VARS_FILE);
  let text = await readFile(path, "utf8").catch(() => "");
  const created: string[] = [];
  for (const [name, fresh] of Object.entries(DEV_SECRETS)) {
    if (readVar(text, name)) continue;
    const separator = text === "" || text.endsWith("\n") ? "" : "\n";
    text = `${text}${separator}${name}=${fresh()}\n`;
    created.push(name);
  }
  if (created.length > 0) await writeFile(path, text, { mode: 0o600 });
  return { adminToken: readVar(text, "CARACAL_ADMIN_TOKEN") as string, created };
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

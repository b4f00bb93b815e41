/**
 * `caracal zone bundle-keys add|list|remove` and `caracal zone require-signed-bundles on|off`:
 * the public keys that verify a zone's signed bundles (`.signatures.json`, as `opa sign` makes
 * them), and whether every new policy version must be signed.
 */
import type { Command } from "commander";
import { exportJWK, importSPKI } from "jose";
import { apiClient, globalOptions, zonePath } from "../context.js";
import { failure, usageError } from "../errors.js";
import { printFields, printJson, printTable } from "../output.js";
import { readSource } from "./shared.js";

interface KeyJson {
  id: string;
  key_id: string;
  alg: string;
  scope: string | null;
  created_at: string;
}

interface SigningJson {
  required: boolean;
  keys: KeyJson[];
}

/** A public key file: a JWK (JSON) or a PEM public key (SPKI, as `openssl … -pubout` writes it). */
async function readPublicKey(file: string, alg: string): Promise<Record<string, unknown>> {
  const text = (await readSource(file)).trim();
  if (text.startsWith("{")) {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw failure(`${file} is not JSON: ${(err as Error).message}`);
    }
  }
  try {
    return (await exportJWK(await importSPKI(text, alg, { extractable: true }))) as Record<string, unknown>;
  } catch (err) {
    throw failure(`${file}: not a ${alg} public key in PEM (SPKI) or JWK form: ${(err as Error).message}`);
  }
}

export function registerBundleSigningCommands(zone: Command): void {
  const keys = zone.command("bundle-keys").description("Public keys that verify the zone's signed bundles (.signatures.json)");

  keys
    .command("add")
    .description("Add a bundle-signing public key")
    .requiredOption("--key-id <id>", "the name signatures give the key (their kid / keyid)")
    .requiredOption("--key-file <file>", "the public key: PEM (SPKI) or JWK")
    .option("--alg <alg>", "the signatures' algorithm (RS256 is what opa sign uses by default)", "RS256")
    .option("--scope <scope>", "OPA's signature scope, when the signer sets one")
    .action(async (opts: { keyId: string; keyFile: string; alg: string; scope?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const jwk = await readPublicKey(opts.keyFile, opts.alg);
      const { body } = await apiClient(g).post<KeyJson>(`${zonePath(g)}/bundle-signing/keys`, {
        key_id: opts.keyId,
        alg: opts.alg,
        jwk,
        ...(opts.scope !== undefined ? { scope: opts.scope } : {}),
      });
      if (g.json) return printJson(body);
      printFields([["ID", body.id]]);
    });

  keys
    .command("list")
    .description("List the zone's bundle-signing keys and whether signatures are required")
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const { body } = await apiClient(g).get<SigningJson>(`${zonePath(g)}/bundle-signing`);
      if (g.json) return printJson(body);
      printFields([["Signed bundles required", body.required ? "yes" : "no"]]);
      printTable(
        ["ID", "KEY ID", "ALG", "SCOPE", "CREATED"],
        body.keys.map((k) => [k.id, k.key_id, k.alg, k.scope ?? "-", k.created_at]),
      );
    });

  keys
    .command("remove <key>")
    .description("Remove a bundle-signing key (versions it verified stay)")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const { body } = await apiClient(g).delete(`${zonePath(g)}/bundle-signing/keys/${encodeURIComponent(id)}`);
      if (g.json) return printJson(body);
      printFields([["Removed", id]]);
    });

  zone
    .command("require-signed-bundles <on|off>")
    .description("Require every new policy version of the zone to be a signed bundle (or stop requiring it)")
    .action(async (mode: string, _opts: unknown, cmd: Command) => {
      if (mode !== "on" && mode !== "off") throw usageError("say on or off");
      const g = globalOptions(cmd);
      const { body } = await apiClient(g).put<SigningJson>(`${zonePath(g)}/bundle-signing`, { required: mode === "on" });
      if (g.json) return printJson(body);
      printFields([["Signed bundles required", body.required ? "yes" : "no"]]);
    });
}

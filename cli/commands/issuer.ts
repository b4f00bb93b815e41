import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import type { PageJson, TrustedIssuerJson } from "../api-types.js";
import { apiClient, globalOptions, zonePath } from "../context.js";
import { failure, usageError } from "../errors.js";
import { note, printFields, printJson, printTable } from "../output.js";
import { noteNextPage, pageQuery, readJsonFile, withPageOptions, type PageOptions } from "./shared.js";

interface AddOptions {
  issuer: string;
  generateKey?: string;
  jwksFile?: string;
  jwksUri?: string;
  audience?: string;
}

export function registerIssuerCommands(program: Command): void {
  const issuer = program
    .command("issuer")
    .description("Trusted issuers: whose JWTs the zone accepts as subject and actor tokens (its own are always trusted)");
  const issuerPath = (cmd: Command, id: string) => `${zonePath(globalOptions(cmd))}/issuers/${encodeURIComponent(id)}`;

  issuer
    .command("add")
    .description("Trust an issuer, with its public keys from a file or a URL")
    .requiredOption("--issuer <url>", "the exact iss of the issuer's tokens")
    .option("--jwks-file <path>", "the issuer's JWKS (public keys)")
    .option("--jwks-uri <url>", "where the STS fetches the issuer's JWKS (https)")
    .option("--generate-key <file>", "for trying things out: make an ES256 key pair, write the private JWK to <file>, trust its public key")
    .option("--audience <aud>", "require this audience in the issuer's tokens")
    .action(async (opts: AddOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const sources = [opts.jwksFile, opts.jwksUri, opts.generateKey].filter((o) => o !== undefined);
      if (sources.length !== 1) throw usageError("give exactly one of --jwks-file, --jwks-uri and --generate-key");
      const keys =
        opts.generateKey !== undefined
          ? { jwks: await generateIssuerKey(opts.generateKey) }
          : opts.jwksFile === undefined
            ? { jwks_uri: opts.jwksUri }
            : { jwks: await readJsonFile(opts.jwksFile) };
      const { body } = await apiClient(g).post<TrustedIssuerJson>(`${zonePath(g)}/issuers`, {
        issuer: opts.issuer,
        ...keys,
        ...(opts.audience ? { audience: opts.audience } : {}),
      });
      if (g.json) return printJson(body);
      printFields([["ID", body.id]]);
      if (opts.generateKey !== undefined)
        note(
          `mint test tokens with: caracal token mint --key ${opts.generateKey} --issuer ${opts.issuer} --sub <subject> [--claim name=value]`,
        );
    });

  issuer
    .command("get <issuer>")
    .description("Show a trusted issuer")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const { body } = await apiClient(g).get<TrustedIssuerJson>(issuerPath(cmd, id));
      if (g.json) return printJson(body);
      printFields([
        ["ID", body.id],
        ["Issuer", body.issuer],
        ["Keys", keySource(body)],
        ["Audience", body.audience],
        ["Created", body.created_at],
      ]);
    });

  withPageOptions(issuer.command("list").description("List the zone's trusted issuers")).action(async (opts: PageOptions, cmd: Command) => {
    const g = globalOptions(cmd);
    const { body } = await apiClient(g).get<PageJson<TrustedIssuerJson>>(`${zonePath(g)}/issuers${pageQuery(opts)}`);
    if (g.json) return printJson(body);
    printTable(
      ["ID", "ISSUER", "KEYS", "AUDIENCE"],
      body.items.map((i) => [i.id, i.issuer, keySource(i), i.audience ?? "-"]),
    );
    noteNextPage(body);
  });

  issuer
    .command("remove <issuer>")
    .description("Stop trusting an issuer")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      await apiClient(g).delete(issuerPath(cmd, id));
      if (g.json) return printJson({ removed: id });
      printFields([["Removed", id]]);
    });
}

/** A fresh ES256 key pair: the private JWK goes to `file` (never overwritten, owner-only), the public JWKS is returned. */
async function generateIssuerKey(file: string): Promise<{ keys: JWK[] }> {
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = `dev-${randomUUID().slice(0, 8)}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "ES256" };
  try {
    await writeFile(file, `${JSON.stringify(privateJwk, null, 2)}\n`, { flag: "wx", mode: 0o600 });
  } catch (err) {
    throw failure(
      `cannot write the private key to ${file}: ${(err as NodeJS.ErrnoException).code === "EEXIST" ? "the file exists (not overwritten)" : String(err)}`,
    );
  }
  return { keys: [{ ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" }] };
}

function keySource(i: TrustedIssuerJson): string {
  return i.jwks_uri ?? `${i.jwks?.keys.length ?? 0} inline key(s): ${(i.jwks?.keys ?? []).map((k) => k.kid).join(", ")}`;
}

import type { Command } from "commander";
import type { ClientJson, ClientWithSecretJson, PageJson } from "../api-types.js";
import { apiClient, globalOptions, zonePath } from "../context.js";
import { failure, usageError } from "../errors.js";
import { note, printFields, printJson, printTable } from "../output.js";
import { noteNextPage, pageQuery, readJsonFile, withPageOptions, type PageOptions } from "./shared.js";

export function registerClientCommands(program: Command): void {
  const client = program.command("client").description("STS clients of the zone: who may call the token endpoint");
  const clientPath = (cmd: Command, id: string) => `${zonePath(globalOptions(cmd))}/clients/${encodeURIComponent(id)}`;

  client
    .command("create")
    .description(
      "Create a client. With --jwks-file or --jwks-uri it authenticates with private_key_jwt (no secret); " +
        "otherwise its secret is printed once and never again",
    )
    .requiredOption("--name <name>", "client name (unique in the zone)")
    .option("--attributes-file <path>", "JSON object given to policies as input.client.attributes")
    .option("--jwks-file <path>", "the client's public keys (a JWK Set, or one public JWK): it signs client assertions")
    .option("--jwks-uri <url>", "where the STS fetches the client's public keys (https)")
    .action(async (opts: { name: string; attributesFile?: string; jwksFile?: string; jwksUri?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      if (opts.jwksFile !== undefined && opts.jwksUri !== undefined) throw usageError("give at most one of --jwks-file and --jwks-uri");
      const attributes = opts.attributesFile === undefined ? undefined : await readAttributes(opts.attributesFile);
      const jwks = opts.jwksFile === undefined ? undefined : await readJwks(opts.jwksFile);
      const { body } = await apiClient(g).post<ClientWithSecretJson>(`${zonePath(g)}/clients`, {
        name: opts.name,
        ...(attributes ? { attributes } : {}),
        ...(jwks ? { jwks } : {}),
        ...(opts.jwksUri ? { jwks_uri: opts.jwksUri } : {}),
      });
      if (g.json) return printJson(body);
      if (body.client_secret === undefined) {
        printFields([
          ["Client ID", body.id],
          ["Authentication", "private_key_jwt"],
        ]);
        return note("sign client assertions with the private key: `caracal token exchange --client-key <private JWK file>`");
      }
      printSecret(body);
    });

  client
    .command("get <client>")
    .description("Show a client (never its secret)")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const { body } = await apiClient(g).get<ClientJson>(clientPath(cmd, id));
      if (g.json) return printJson(body);
      printFields([
        ["Client ID", body.id],
        ["Name", body.name],
        ["Status", body.status],
        ["Authentication", body.auth_method],
        ["Attributes", JSON.stringify(body.attributes)],
        ["Secret rotated", body.secret_rotated_at],
        ["Disabled", body.disabled_at],
        ["Created", body.created_at],
      ]);
    });

  withPageOptions(client.command("list").description("List the zone's clients")).action(async (opts: PageOptions, cmd: Command) => {
    const g = globalOptions(cmd);
    const { body } = await apiClient(g).get<PageJson<ClientJson>>(`${zonePath(g)}/clients${pageQuery(opts)}`);
    if (g.json) return printJson(body);
    printTable(
      ["ID", "NAME", "STATUS", "CREATED"],
      body.items.map((c) => [c.id, c.name, c.status, c.created_at]),
    );
    noteNextPage(body);
  });

  client
    .command("disable <client>")
    .description("Disable a client: its token requests fail with invalid_client from now on")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const { body } = await apiClient(g).post<ClientJson>(`${clientPath(cmd, id)}/disable`);
      if (g.json) return printJson(body);
      printFields([
        ["Client ID", body.id],
        ["Status", body.status],
        ["Disabled", body.disabled_at],
      ]);
    });

  client
    .command("rotate-secret <client>")
    .description("Replace the client's secret (the old one stops working at once); prints the new one once")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const { body } = await apiClient(g).post<ClientWithSecretJson>(`${clientPath(cmd, id)}/rotate-secret`);
      if (g.json) return printJson(body);
      printSecret(body);
    });
}

function printSecret(body: ClientWithSecretJson): void {
  printFields([
    ["Client ID", body.id],
    ["Client secret", body.client_secret ?? null],
  ]);
  note("store the secret now: it is not shown again (only its SHA-256 is kept)");
}

/** A JWK Set, or a single public JWK wrapped into one. */
async function readJwks(file: string): Promise<{ keys: unknown[] }> {
  const parsed = await readJsonFile(file);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw failure(`${file} must hold a JWK Set or a JWK`);
  const jwks = "keys" in parsed ? (parsed as { keys: unknown[] }) : { keys: [parsed] };
  for (const key of jwks.keys) {
    if (typeof key === "object" && key !== null && "d" in key)
      throw failure(`${file} holds a private key; register only the public part (without "d")`);
  }
  return jwks;
}

async function readAttributes(file: string): Promise<Record<string, unknown>> {
  const parsed = await readJsonFile(file);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw failure(`${file} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}

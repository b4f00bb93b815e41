import type { Command } from "commander";
import type { KeyRotationJson, PageJson, ZoneDetailJson, ZoneJson } from "../api-types.js";
import { apiClient, globalOptions, zonePath, type GlobalOptions } from "../context.js";
import { usageError } from "../errors.js";
import { printFields, printJson, printTable } from "../output.js";
import { registerBundleSigningCommands } from "./bundle-signing.js";
import { noteNextPage, pageQuery, withPageOptions, type PageOptions } from "./shared.js";

export function registerZoneCommands(program: Command): void {
  const zone = program.command("zone").description("Zones: everything else belongs to exactly one");

  zone
    .command("create")
    .description("Create a zone")
    .requiredOption("--name <name>", "zone name (unique)")
    .option("--default-token-lifetime <seconds>", "lifetime of issued tokens unless a policy's ttl asks for less (default 900)")
    .option("--max-token-lifetime <seconds>", "upper bound of issued token lifetimes (default 3600)")
    .action(async (opts: { name: string; defaultTokenLifetime?: string; maxTokenLifetime?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const { body } = await apiClient(g).post<ZoneJson>("/zones", {
        name: opts.name,
        ...lifetimeField("default_token_lifetime", opts.defaultTokenLifetime),
        ...lifetimeField("max_token_lifetime", opts.maxTokenLifetime),
      });
      if (g.json) return printJson(body);
      printFields([["ID", body.id]]);
    });

  withPageOptions(zone.command("list").description("List zones")).action(async (opts: PageOptions, cmd: Command) => {
    const g = globalOptions(cmd);
    const { body } = await apiClient(g).get<PageJson<ZoneJson>>(`/zones${pageQuery(opts)}`);
    if (g.json) return printJson(body);
    printTable(
      ["ID", "NAME", "CREATED"],
      body.items.map((z) => [z.id, z.name, z.created_at]),
    );
    noteNextPage(body);
  });

  zone
    .command("get <zone>")
    .description("Show a zone and its active policy set")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const { body } = await apiClient(g).get<ZoneDetailJson>(`/zones/${encodeURIComponent(id)}`);
      if (g.json) return printJson(body);
      printFields([
        ["ID", body.id],
        ["Name", body.name],
        ["Created", body.created_at],
        ["Token lifetime", `${body.default_token_lifetime} s (max ${body.max_token_lifetime} s)`],
        ["Active policy set", body.activation?.policy_set_id ?? "none"],
        ["Active version", body.activation?.active_version_id ?? "none"],
        ["Shadow version", body.activation?.shadow_version_id ?? "none"],
      ]);
    });

  zone
    .command("rotate-key [zone]")
    .description("Make a new token-signing key; the previous one stays in the JWKS until its tokens have expired")
    .action(async (id: string | undefined, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const { body } = await apiClient(g).post<KeyRotationJson>(`${zoneOf(g, id)}/signing-keys/rotate`);
      if (g.json) return printJson(body);
      printFields([
        ["Key ID", body.current.kid],
        ["Previous key ID", body.previous ? `${body.previous.kid} (in the JWKS until ${body.previous.published_until})` : "none"],
      ]);
    });

  registerBundleSigningCommands(zone);
}

/** The zone named on the command line, else the global --zone / CARACAL_ZONE_ID. */
function zoneOf(g: GlobalOptions, id: string | undefined): string {
  return zonePath({ ...g, zone: id ?? g.zone });
}

function lifetimeField(name: string, value: string | undefined): Record<string, number> {
  if (value === undefined) return {};
  if (!/^\d+$/.test(value)) throw usageError(`--${name.replace(/_/g, "-")} must be a number of seconds`);
  return { [name]: Number(value) };
}

import type { Command } from "commander";
import type { PageJson, ZoneDetailJson, ZoneJson } from "../api-types.js";
import { apiClient, globalOptions } from "../context.js";
import { printFields, printJson, printTable } from "../output.js";
import { noteNextPage, pageQuery, withPageOptions, type PageOptions } from "./shared.js";

export function registerZoneCommands(program: Command): void {
  const zone = program.command("zone").description("Zones: everything else belongs to exactly one");

  zone
    .command("create")
    .description("Create a zone")
    .requiredOption("--name <name>", "zone name (unique)")
    .action(async (opts: { name: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const { body } = await apiClient(g).post<ZoneJson>("/zones", { name: opts.name });
      if (g.json) return printJson(body);
      printFields([["ID", body.id]]);
    });

  withPageOptions(zone.command("list").description("List zones")).action(async (opts: PageOptions, cmd: Command) => {
    const g = globalOptions(cmd);
    const { body } = await apiClient(g).get<PageJson<ZoneJson>>(`/zones${pageQuery(opts)}`);
    if (g.json) return printJson(body);
    printTable(["ID", "NAME", "CREATED"], body.items.map((z) => [z.id, z.name, z.created_at]));
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
        ["Active policy set", body.activation?.policy_set_id ?? "none"],
        ["Active version", body.activation?.active_version_id ?? "none"],
        ["Shadow version", body.activation?.shadow_version_id ?? "none"],
      ]);
    });
}

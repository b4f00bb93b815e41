import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { failure } from "../errors.js";
import type { PageJson, PolicyDetailJson, PolicyJson, PolicyVersionJson } from "../api-types.js";
import { apiClient, globalOptions, zonePath } from "../context.js";
import { note, printFields, printJson, printTable } from "../output.js";
import {
  noteNextPage,
  pageQuery,
  readJsonFile,
  readSource,
  regoVersionOf,
  v0CompatibleOption,
  withPageOptions,
  type PageOptions,
} from "./shared.js";

interface SourceOptions {
  file: string;
  v0Compatible?: boolean;
}

export function registerPolicyCommands(program: Command): void {
  const policy = program.command("policy").description("Policies: named Rego documents with immutable versions");

  policy
    .command("create")
    .description("Create a policy; its first version is compiled from --file")
    .requiredOption("--name <name>", "policy name (unique in the zone)")
    .requiredOption("--file <path>", "Rego source")
    .addOption(v0CompatibleOption())
    .action(async (opts: SourceOptions & { name: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const [api, zone] = [apiClient(g), zonePath(g)];
      const source = await readSource(opts.file);
      const { body } = await api.post<PolicyDetailJson>(
        `${zone}/policies`,
        { name: opts.name, source, rego_version: regoVersionOf(opts) },
        { regoFile: opts.file },
      );
      if (g.json) return printJson(body);
      printFields([
        ["ID", body.id],
        ["Version ID", body.versions[0]?.id],
      ]);
    });

  policy
    .command("get <policy>")
    .description("Show a policy and its versions")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const { body } = await apiClient(g).get<PolicyDetailJson>(`${zonePath(g)}/policies/${encodeURIComponent(id)}`);
      if (g.json) return printJson(body);
      printFields([
        ["ID", body.id],
        ["Name", body.name],
        ["Created", body.created_at],
      ]);
      process.stdout.write("Versions:\n");
      printTable(
        ["ID", "SHA256", "ENGINE", "REGO", "PACKAGE", "CREATED"],
        body.versions.map((v) => [
          v.id,
          v.sha256.slice(0, 12),
          v.engine,
          v.engine === "rego" ? `v${v.rego_version}` : "-",
          v.package,
          v.created_at,
        ]),
        "  ",
      );
    });

  policy
    .command("version <policy>")
    .description("Add a version from --file (the same content again returns the existing version)")
    .requiredOption("--file <path>", "Rego source")
    .addOption(v0CompatibleOption())
    .action(async (id: string, opts: SourceOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const [api, zone] = [apiClient(g), zonePath(g)];
      const source = await readSource(opts.file);
      const { status, body } = await api.post<PolicyVersionJson>(
        `${zone}/policies/${encodeURIComponent(id)}/versions`,
        { source, rego_version: regoVersionOf(opts) },
        { regoFile: opts.file },
      );
      if (g.json) return printJson(body);
      printFields([["ID", body.id]]);
      if (status === 200) note("unchanged: an existing version has this content");
    });

  // Until bundles (`--bundle bundle.tar.gz`) land, an OPA-Wasm version is sent as its parts.
  policy
    .command("wasm-version <policy>")
    .description("Add an OPA-compiled Wasm version (`opa build -t wasm`): its policy.wasm, data.json and .manifest")
    .requiredOption("--wasm <path>", "the bundle's policy.wasm")
    .option("--data <path>", "the bundle's data.json")
    .option("--manifest <path>", "the bundle's .manifest (JSON, with its wasm entrypoints)")
    .option("--package <package>", "the decision package (default: inferred from the entrypoints)")
    .action(async (id: string, opts: { wasm: string; data?: string; manifest?: string; package?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const [api, zone] = [apiClient(g), zonePath(g)];
      let wasm: Buffer;
      try {
        wasm = await readFile(opts.wasm);
      } catch (err) {
        throw failure(`cannot read ${opts.wasm}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      const body = {
        wasm: wasm.toString("base64"),
        ...(opts.data ? { data: await readJsonFile(opts.data) } : {}),
        ...(opts.manifest ? { manifest: await readJsonFile(opts.manifest) } : {}),
        ...(opts.package ? { package: opts.package } : {}),
      };
      const res = await api.post<PolicyVersionJson>(`${zone}/policies/${encodeURIComponent(id)}/versions/wasm`, body);
      if (g.json) return printJson(res.body);
      printFields([
        ["ID", res.body.id],
        ["Engine", res.body.engine],
        ["Package", res.body.package],
      ]);
      if (res.status === 200) note("unchanged: an existing version has this content");
    });

  withPageOptions(policy.command("list").description("List the zone's policies")).action(async (opts: PageOptions, cmd: Command) => {
    const g = globalOptions(cmd);
    const { body } = await apiClient(g).get<PageJson<PolicyJson>>(`${zonePath(g)}/policies${pageQuery(opts)}`);
    if (g.json) return printJson(body);
    printTable(
      ["ID", "NAME", "CREATED"],
      body.items.map((p) => [p.id, p.name, p.created_at]),
    );
    noteNextPage(body);
  });
}

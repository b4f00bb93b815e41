import { readFile, writeFile } from "node:fs/promises";
import { Option, type Command } from "commander";
import type { PageJson, PolicyDetailJson, PolicyJson, PolicyVersionJson } from "../api-types.js";
import type { PolicyVersionDetail } from "../../workers/admin/schemas/policies.js";
import type { z } from "@hono/zod-openapi";
import { apiClient, globalOptions, zonePath } from "../context.js";
import { failure } from "../errors.js";
import { note, printFields, printJson, printTable } from "../output.js";
import { buildUpload, type UploadOptions } from "./policy-upload.js";
import { noteNextPage, pageQuery, readJsonFile, regoVersionOf, v0CompatibleOption, withPageOptions, type PageOptions } from "./shared.js";

type PolicyVersionDetailJson = z.infer<typeof PolicyVersionDetail>;

interface SourceOptions extends UploadOptions {
  v0Compatible?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** --file (repeatable), --bundle, --package and --v0-compatible: a version's content. */
function withContentOptions(cmd: Command): Command {
  return cmd
    .option("--file <path>", "a .rego module or a .json/.yaml data file (merged at the root of data); repeatable", collect)
    .option("--bundle <path>", "a bundle: a folder in OPA's bundle layout or a .tar.gz (e.g. from opa build)")
    .option(
      "--package <package>",
      "the decision package (default: the manifest's metadata.package, or the one package defining allow or deny)",
    )
    .addOption(v0CompatibleOption());
}

/** The body to send: the upload, with the Rego version only when --v0-compatible says so (else the manifest's or 1). */
async function contentBody(opts: SourceOptions) {
  const upload = await buildUpload(opts);
  const regoVersion = opts.v0Compatible ? { rego_version: regoVersionOf(opts) } : "source" in upload.body ? { rego_version: 1 } : {};
  return { body: { ...upload.body, ...regoVersion }, options: upload.regoFile !== undefined ? { regoFile: upload.regoFile } : {} };
}

/** Decision-contract warnings of a create response, on stderr as `warning: policy.rego:3: …` (also with --json). */
function printWarnings(warnings: PolicyVersionJson["warnings"], regoFile: string | undefined): void {
  for (const w of warnings ?? []) {
    // A single --file is uploaded as the policy's module: name the local file, as errors do.
    const at = w.location ? `${regoFile ?? w.location.file}:${w.location.row}: ` : "";
    process.stderr.write(`warning: ${at}${w.message}\n`);
  }
}

export function registerPolicyCommands(program: Command): void {
  const policy = program.command("policy").description("Policies: named bundles of Rego and data with immutable versions");

  withContentOptions(
    policy
      .command("create")
      .description("Create a policy; its first version is compiled from --file or --bundle")
      .requiredOption("--name <name>", "policy name (unique in the zone)"),
  ).action(async (opts: SourceOptions & { name: string }, cmd: Command) => {
    const g = globalOptions(cmd);
    const [api, zone] = [apiClient(g), zonePath(g)];
    const { body: content, options } = await contentBody(opts);
    const { body } = await api.post<PolicyDetailJson>(`${zone}/policies`, { name: opts.name, ...content }, options);
    printWarnings(body.warnings, options.regoFile);
    if (g.json) return printJson(body);
    printFields([
      ["ID", body.id],
      ["Version ID", body.versions[0]?.id],
    ]);
  });

  policy
    .command("get <policy>")
    .description("Show a policy and its versions, with each version's files and revision")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const api = apiClient(g);
      const path = `${zonePath(g)}/policies/${encodeURIComponent(id)}`;
      const { body } = await api.get<PolicyDetailJson>(path);
      const details: PolicyVersionDetailJson[] = [];
      for (const v of body.versions) details.push((await api.get<PolicyVersionDetailJson>(`${path}/versions/${v.id}`)).body);
      if (g.json) return printJson({ ...body, versions: details });
      printFields([
        ["ID", body.id],
        ["Name", body.name],
        ["Created", body.created_at],
      ]);
      process.stdout.write("Versions:\n");
      printTable(
        ["ID", "SHA256", "ENGINE", "REGO", "PACKAGE", "REVISION", "FILES", "CREATED"],
        body.versions.map((v) => [
          v.id,
          v.sha256.slice(0, 12),
          v.engine,
          v.engine === "rego" ? `v${v.rego_version}` : "-",
          v.package,
          v.revision ?? "-",
          String(v.file_count),
          v.created_at,
        ]),
        "  ",
      );
      for (const d of details) {
        process.stdout.write(`Files of ${d.id}${d.revision ? ` (revision ${d.revision})` : ""}:\n`);
        printTable(
          ["PATH", "SIZE", "SHA256"],
          d.files.map((f) => [f.path, String(f.size), f.sha256.slice(0, 12)]),
          "  ",
        );
      }
    });

  withContentOptions(
    policy
      .command("version <policy>")
      .description("Add a version from --file or --bundle (the same files again return the existing version)"),
  ).action(async (id: string, opts: SourceOptions, cmd: Command) => {
    const g = globalOptions(cmd);
    const [api, zone] = [apiClient(g), zonePath(g)];
    const { body: content, options } = await contentBody(opts);
    const { status, body } = await api.post<PolicyVersionJson>(`${zone}/policies/${encodeURIComponent(id)}/versions`, content, options);
    printWarnings(body.warnings, options.regoFile);
    if (g.json) return printJson(body);
    printFields([["ID", body.id]]);
    if (status === 200) note("unchanged: an existing version has this content");
  });

  policy
    .command("export <version>")
    .description("Write a policy version's bundle as a .tar.gz that opa eval -b loads (uploaded again, it is the same version)")
    .addOption(new Option("-o, --output <file>", "where to write the bundle").makeOptionMandatory())
    .action(async (version: string, opts: { output: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const bytes = await apiClient(g).getBytes(`${zonePath(g)}/policy-versions/${encodeURIComponent(version)}/bundle`);
      await writeFile(opts.output, bytes).catch((err: NodeJS.ErrnoException) => {
        throw failure(`cannot write ${opts.output}: ${err.code ?? String(err)}`);
      });
      if (g.json) return printJson({ version, output: opts.output, bytes: bytes.length });
      printFields([
        ["Exported", version],
        ["File", opts.output],
      ]);
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

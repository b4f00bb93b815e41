/** Policies: the list; one policy's versions with a version's files (source viewer) and the diff against another version. */
import { all, enc, get } from "../api.js";
import { type ViewContext, zonePath } from "../context.js";
import { diffView } from "../diff.js";
import { clear, facts, h, link, table, time } from "../dom.js";
import { type TextFile, versionDetail, versionFiles } from "../files.js";
import { sourceView } from "../source.js";
import type { Policy, PolicyDetail } from "../types.js";

export async function policiesView(ctx: ViewContext): Promise<void> {
  const base = zonePath(ctx);
  const policies = await all<Policy>(`${base}/policies`);
  if (ctx.left()) return;
  const z = `#/z/${enc(ctx.zone!)}`;
  clear(
    ctx.main,
    h("h1", {}, "Policies"),
    policies.length === 0
      ? h("p", {}, "No policies yet: `caracal policy create --name … --file ./policy.rego`.")
      : table(
          `${policies.length} polic${policies.length === 1 ? "y" : "ies"}`,
          ["Name", "ID", "Created"],
          policies.map((p) => [link(`${z}/policies/${enc(p.id)}`, p.name), h("code", {}, p.id), time(p.created_at)]),
        ),
  );
}

/** #/z/{zone}/policies/{policy}[/{version}[/{compare-with}]] */
export async function policyView(ctx: ViewContext, params: string[]): Promise<void> {
  const base = zonePath(ctx);
  const [policyId, versionParam, compareParam] = params as [string, string?, string?];
  const policy = await get<PolicyDetail>(`${base}/policies/${enc(policyId)}`);
  if (ctx.left()) return;
  const versions = [...policy.versions].reverse(); // newest first
  const chosen = versions.find((v) => v.id === versionParam) ?? versions[0];
  const here = `#/z/${enc(ctx.zone!)}/policies/${enc(policy.id)}`;
  const detailBox = h("div", { className: "version-detail" });
  clear(
    ctx.main,
    h("p", { className: "crumbs" }, link(`#/z/${enc(ctx.zone!)}/policies`, "Policies"), " / ", policy.name),
    h("h1", {}, `Policy ${policy.name}`),
    facts([
      ["ID", h("code", {}, policy.id)],
      ["Versions", versions.length],
    ]),
    table(
      "Versions, newest first",
      ["Version", "Engine", "Package", "Files", "Revision", "Created"],
      versions.map((v) => [
        link(`${here}/${enc(v.id)}`, h("code", {}, v.id), v.id === chosen?.id ? { "aria-current": "true" } : {}),
        v.engine,
        h("code", {}, v.package),
        v.file_count,
        v.revision ?? "",
        time(v.created_at),
      ]),
    ),
    detailBox,
  );
  if (!chosen) return;
  const detail = await versionDetail(base, policy.id, chosen.id);
  const files = await versionFiles(base, detail);
  if (ctx.left()) return;
  const older = versions.filter((v) => v.id !== chosen.id);
  const compareId = compareParam ?? versions[versions.indexOf(chosen) + 1]?.id;
  const select = h(
    "select",
    { id: "compare" },
    h("option", { value: "" }, "none"),
    ...older.map((v) => h("option", { value: v.id, ...(v.id === compareId ? { selected: true } : {}) }, `${v.id} (${time(v.created_at)})`)),
  );
  select.addEventListener("change", () => {
    location.hash = `${here}/${enc(chosen.id)}${select.value ? `/${enc(select.value)}` : "/-"}`;
  });
  const diffBox = h("div", {});
  clear(
    detailBox,
    h("h2", {}, "Version ", h("code", {}, detail.id)),
    facts([
      ["SHA-256", h("code", { className: "hash" }, detail.sha256)],
      ["Rego version", `v${detail.rego_version}`],
      ["Decision package", h("code", {}, detail.package)],
    ]),
    table(
      "Bundle files",
      ["Path", "Size", "SHA-256"],
      detail.files.map((f) => [h("code", {}, f.path), `${f.size} B`, h("code", { className: "hash" }, f.sha256.slice(0, 16) + "…")]),
    ),
    detail.engine === "wasm" ? h("p", {}, "An OPA-compiled Wasm version: it has no Rego source to show.") : null,
    older.length ? h("div", { className: "field" }, h("label", { for: "compare" }, "Compare with version"), select) : null,
    diffBox,
    h("h3", {}, "Files"),
    ...files.map((f) => sourceView(f.content, f.path)),
  );
  const other = compareId && compareId !== "-" ? versions.find((v) => v.id === compareId) : undefined;
  if (!other) return;
  const otherFiles = await versionFiles(base, await versionDetail(base, policy.id, other.id));
  if (ctx.left()) return;
  clear(diffBox, h("h3", {}, "Changes from ", h("code", {}, other.id)), ...fileDiffs(otherFiles, files, [other.id, chosen.id]));
}

function fileDiffs(before: TextFile[], after: TextFile[], labels: [string, string]): HTMLElement[] {
  const paths = [...new Set([...before, ...after].map((f) => f.path))].sort();
  const out: HTMLElement[] = [];
  for (const path of paths) {
    const a = before.find((f) => f.path === path)?.content;
    const b = after.find((f) => f.path === path)?.content;
    if (a === b) continue;
    out.push(
      diffView(a ?? "", b ?? "", [
        `${labels[0]}:${path}${a === undefined ? " (absent)" : ""}`,
        `${labels[1]}:${path}${b === undefined ? " (absent)" : ""}`,
      ]),
    );
  }
  if (out.length === 0) out.push(h("p", {}, "The two versions have the same files."));
  return out;
}

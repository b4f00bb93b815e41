/**
 * Explain one request: the outcome, each policy of the set in evaluation order with its outcome,
 * reasons and the rules that fired, the deciding rule highlighted in its source, the shadow
 * outcome, and the input document.
 */
import { enc, get } from "../api.js";
import { versionIndex } from "../catalog.js";
import { type ViewContext, zonePath } from "../context.js";
import { badge, clear, facts, h, link, pre, time } from "../dom.js";
import { fileAt, versionDetail, versionFiles } from "../files.js";
import { ruleRows, sourceView } from "../source.js";
import type { DeterminingPolicy, Explanation, Location, PolicyEvaluation, SetOutcome } from "../types.js";

export async function explainView(ctx: ViewContext, params: string[]): Promise<void> {
  const base = zonePath(ctx);
  const z = `#/z/${enc(ctx.zone!)}`;
  const requestId = params[0];
  if (!requestId) {
    const input = h("input", { id: "explain-request", type: "text", required: true, placeholder: "req-…" });
    const form = h(
      "form",
      { className: "card" },
      h("h1", {}, "Explain a decision"),
      h("label", { for: "explain-request" }, "Request id (X-Request-Id of the token request)"),
      input,
      h("button", { type: "submit" }, "Explain"),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (input.value.trim()) location.hash = `${z}/explain/${enc(input.value.trim())}`;
    });
    clear(ctx.main, form);
    return;
  }
  const [x, index] = await Promise.all([get<Explanation>(`${base}/explain/${enc(requestId)}`), versionIndex(base)]);
  if (ctx.left()) return;
  const policies = await Promise.all(
    x.policies.map(async (p) => {
      const ref = index.get(p.policy_version_id);
      if (!ref || p.engine === "wasm") return { p, files: [] };
      const files = await versionFiles(base, await versionDetail(base, ref.policy.id, p.policy_version_id)).catch(() => []);
      return { p, files };
    }),
  );
  if (ctx.left()) return;
  const deciding = x.determining_policies[0];
  clear(
    ctx.main,
    h("h1", {}, "Explain ", h("code", {}, x.request_id)),
    h(
      "p",
      { className: "verdict" },
      badge(x.evaluation_status === "error" ? "error" : x.decision, x.evaluation_status === "error" ? "error" : x.decision),
      " ",
      deciding
        ? ["decided by ", h("strong", {}, deciding.policy_name), " ", h("code", {}, deciding.rule), locText(deciding.location)]
        : "no policy decided",
    ),
    facts([
      ["Time", time(x.time)],
      ["Client", h("code", {}, x.client_id)],
      ["Subject", `${x.subject.sub} (${x.subject.iss})`],
      ["Scope requested", x.scope_requested.join(" ") || "—"],
      ["Scope granted", x.scope_granted?.join(" ") ?? "—"],
      ["Set version", x.policy_set_version_id ? h("code", {}, x.policy_set_version_id) : "none active"],
      ["Reasons", x.reasons.join("; ") || "—"],
      ["Error", x.error ? `${x.error.code}: ${x.error.message}` : "—"],
    ]),
    h("p", {}, link(`${z}/playground/${enc(x.request_id)}`, "Try this input in the playground")),
    h("h2", {}, "Policies in evaluation order"),
    h(
      "ol",
      { className: "policies" },
      ...policies.map(({ p, files }) =>
        h(
          "li",
          {},
          policyCard(
            z,
            p,
            files,
            index.get(p.policy_version_id)?.policy.id,
            x.determining_policies.find((d) => d.policy_version_id === p.policy_version_id),
          ),
        ),
      ),
    ),
    x.shadow ? shadowCard(x.shadow) : null,
    h("h2", {}, "Input"),
    pre(JSON.stringify(x.input, null, 2), { className: "json", tabindex: 0, "aria-label": "the input document" }),
  );
  ctx.main.querySelector(".line.deciding")?.scrollIntoView({ block: "center" });
}

function locText(loc: Location | null): string {
  return loc ? ` at ${loc.file}:${loc.row}` : "";
}

function policyCard(
  z: string,
  p: PolicyEvaluation,
  files: { path: string; content: string }[],
  policyId: string | undefined,
  det: DeterminingPolicy | undefined,
): HTMLElement {
  const outcome = p.outcome === "not_evaluated" ? "not evaluated" : p.outcome;
  // Highlight per file: the deciding rule's bodies, and the other rules that produced a value.
  const marks = new Map<string, { deciding: number[]; fired: number[] }>();
  for (const r of p.rules)
    for (const loc of r.locations) {
      const f = fileAt(files, loc.file);
      if (!f) continue;
      const m = marks.get(f.path) ?? { deciding: [], fired: [] };
      const rows = ruleRows(f.content.split("\n"), loc.row);
      if (det && r.rule === det.rule) m.deciding.push(...rows);
      else m.fired.push(...rows);
      marks.set(f.path, m);
    }
  // The determining location itself, even when provenance did not list it under the rule.
  const detFile = det?.location ? fileAt(files, det.location.file) : undefined;
  if (det?.location && detFile) {
    const m = marks.get(detFile.path) ?? { deciding: [], fired: [] };
    m.deciding.push(...ruleRows(detFile.content.split("\n"), det.location.row));
    marks.set(detFile.path, m);
  }
  return h(
    "article",
    { className: `card policy ${p.determining ? "determining" : ""}`, "aria-label": `policy ${p.policy_name}` },
    h(
      "h3",
      {},
      policyId ? link(`${z}/policies/${enc(policyId)}/${enc(p.policy_version_id)}`, p.policy_name) : p.policy_name,
      " ",
      h("code", {}, p.policy_version_id),
      " ",
      badge(outcome, p.outcome),
      p.determining ? [" ", badge("determined the outcome", "determining")] : null,
    ),
    facts([
      ["Package", h("code", {}, p.package)],
      ["Reasons", p.reasons.join("; ") || "—"],
      [
        "Rules that produced a value",
        p.rules.length
          ? p.rules
              .map((r) => `${r.rule}${r.locations[0] ? ` (${r.locations.map((l) => `${l.file}:${l.row}`).join(", ")})` : ""}`)
              .join("; ")
          : "—",
      ],
      ...dataReadFacts(p),
    ]),
    det
      ? h(
          "p",
          { className: "deciding-rule" },
          "Deciding rule: ",
          h("code", {}, det.rule),
          det.location
            ? ` at ${det.location.file}:${det.location.row}`
            : " (no rule body produced a value: allow is undefined, so the policy denies)",
        )
      : null,
    p.engine === "wasm" ? [h("p", { className: "note" }, p.note ?? ""), pre(JSON.stringify(p.entrypoints ?? [], null, 2))] : null,
    ...files
      .filter((f) => f.path.endsWith(".rego") && !f.path.endsWith("_test.rego"))
      .filter((f) => marks.has(f.path) || files.filter((g) => g.path.endsWith(".rego")).length === 1)
      .map((f) => sourceView(f.content, f.path, marks.get(f.path) ?? {})),
  );
}

function shadowCard(sh: SetOutcome & { agrees: boolean }): HTMLElement {
  return h(
    "section",
    { className: "card", "aria-labelledby": "shadow-outcome" },
    h("h2", { id: "shadow-outcome" }, "Shadow outcome"),
    h(
      "p",
      {},
      badge(sh.decision, sh.decision),
      " ",
      sh.agrees ? "agrees with the enforced decision" : badge("disagrees with the enforced decision", "deny"),
    ),
    facts([
      ["Set version", h("code", {}, sh.policy_set_version_id ?? "—")],
      ["Deciding", sh.determining_policies.map((d) => `${d.policy_name} ${d.rule}${locText(d.location)}`).join("; ") || "—"],
      ["Reasons", sh.reasons.join("; ") || "—"],
    ]),
  );
}

/** Which paths into data the deciding rule read, when it read any (explain's `data_read`). */
function dataReadFacts(p: PolicyEvaluation): [string, string][] {
  const read = p.data_read;
  if (!read) return [];
  const rows: [string, string][] = [
    [`Data read by ${read.rule}`, (read.paths.join(", ") || "—") + (read.truncated ? " (more not listed)" : "")],
  ];
  if (read.missing.length > 0) rows.push(["Data looked up, not found", read.missing.join(", ")]);
  return rows;
}
